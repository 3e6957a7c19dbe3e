import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type BrowserContext, chromium, type Page } from 'playwright-core';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { type CapturedProcess, freePort, postJson, REPO_ROOT, startHerald } from './helpers';

// The Web SDK in a real browser: Debian's Chromium, driven by playwright-core, loads the demo
// page (admin/sdk-demo.html) from `npm start` and everything it does is checked in Herald
// through the REST API. Screenshots go to test-artifacts/browser/.

const CHROMIUM = '/usr/bin/chromium';
const DEMO_KEY = 'e2e-browser-key-0123456789abcdef';
const ARTIFACTS = join(REPO_ROOT, 'test-artifacts', 'browser');

/** Chromium, installed from Debian when missing; null (and why) when that is impossible. */
function ensureChromium(): { path: string } | { missing: string } {
  if (existsSync(CHROMIUM)) return { path: CHROMIUM };
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  for (const args of [['update'], ['install', '-y', 'chromium']]) {
    const run = spawnSync('apt-get', args, { env, encoding: 'utf8', timeout: 600_000 });
    if (run.status !== 0) {
      return { missing: `apt-get ${args.join(' ')} failed: ${run.error ?? run.stderr}` };
    }
  }
  return existsSync(CHROMIUM) ? { path: CHROMIUM } : { missing: `no ${CHROMIUM} after install` };
}

const browserFound = ensureChromium();
if ('missing' in browserFound) {
  console.warn(
    `Skipping the browser tests: Chromium is not installable here (${browserFound.missing}).`,
  );
}

let persistDir: string;
let profileDir: string;
let baseUrl: string;
let appId: string;
let herald: CapturedProcess;
let context: BrowserContext;
let page: Page;

/** What the tests call on the demo page's `window.herald` (the SDK module). */
interface Sdk {
  getUserId(): string | null;
  showInAppMessage(m: unknown): boolean;
  isPushSupported(): boolean;
  requestPushPermission(
    onGranted?: (endpoint: string) => void,
    onDenied?: (temporary: boolean) => void,
  ): Promise<boolean>;
  getFeatureFlag(id: string): { getStringProperty(key: string): string | null } | null;
  requestInAppMessagesRefresh(): Promise<void>;
}

async function rest(path: string, body: unknown): Promise<{ status: number; body: any }> {
  return postJson(`${baseUrl}${path}`, { token: DEMO_KEY, body });
}

async function getRest(path: string): Promise<{ status: number; body: any }> {
  const res = await fetch(`${baseUrl}${path}`, {
    headers: { Authorization: `Bearer ${DEMO_KEY}` },
  });
  return { status: res.status, body: await res.json() };
}

async function exportBy(body: Record<string, unknown>): Promise<any[]> {
  const res = await rest('/users/export/ids', body);
  expect(res.status).toBe(200);
  return res.body.users;
}

/** Retry `fn` until `ok` holds (Herald applies some things through queues). */
async function eventually<T>(fn: () => Promise<T>, ok: (v: T) => boolean, ms = 30_000) {
  const until = Date.now() + ms;
  for (;;) {
    const v = await fn();
    if (ok(v) || Date.now() > until) return v;
    await new Promise((r) => setTimeout(r, 500));
  }
}

/** The demo page as a new visitor: empty storage, so a new anonymous user and session. */
async function freshVisit(): Promise<void> {
  await page.goto(`${baseUrl}/sdk-demo.html`);
  await page.evaluate(() => localStorage.clear());
  await visit();
}

async function visit(): Promise<void> {
  await page.goto(`${baseUrl}/sdk-demo.html?app_key=${encodeURIComponent(appId)}`);
  await page.waitForFunction(
    () => (globalThis as unknown as { herald?: Sdk }).herald !== undefined,
  );
}

async function submit(form: string, fields: Record<string, string>): Promise<void> {
  for (const [id, value] of Object.entries(fields)) await page.fill(`#${id}`, value);
  await page.click(`#${form} button[type=submit]`);
}

async function flush(): Promise<void> {
  await page.click('#flush');
  await page.waitForSelector('#status:has-text("Sent everything")');
}

async function shot(name: string): Promise<void> {
  await page.screenshot({ path: join(ARTIFACTS, `${name}.png`), fullPage: true });
}

/** Every item the page sends in batches from now on. */
function sentItems(): { type: string; [k: string]: unknown }[] {
  const items: { type: string }[] = [];
  page.on('request', (req) => {
    if (req.url().endsWith('/sdk/v1/batch')) items.push(...(req.postDataJSON()?.items ?? []));
  });
  return items as never;
}

/** An in-app message as the SDK hands it to subscribers. */
function iam(over: Record<string, unknown>) {
  return {
    id: 'm',
    type: 'modal',
    header: null,
    message: null,
    html: null,
    imageUrl: null,
    slideFrom: 'bottom',
    clickAction: 'NONE',
    uri: null,
    duration: 0,
    buttons: [],
    extras: {},
    ...over,
  };
}

const show = (m: unknown) =>
  page.evaluate(
    (msg) => (globalThis as unknown as { herald: Sdk }).herald.showInAppMessage(msg),
    m,
  );

const id = (prefix: string) => `${prefix}-${crypto.randomUUID().slice(0, 8)}`;

describe.skipIf('missing' in browserFound)('the Web SDK in Chromium', () => {
  beforeAll(async () => {
    await rm(ARTIFACTS, { recursive: true, force: true });
    await mkdir(ARTIFACTS, { recursive: true });
    persistDir = await mkdtemp(join(tmpdir(), 'herald-browser-'));
    profileDir = await mkdtemp(join(tmpdir(), 'herald-chromium-'));
    const port = await freePort();
    baseUrl = `http://127.0.0.1:${port}`;
    herald = startHerald({
      PORT: String(port),
      HERALD_PERSIST_DIR: persistDir,
      HERALD_DEMO_API_KEY: DEMO_KEY,
    });
    const banner = await herald.waitForOutput(/SDK app id\s+(\S+)/, 100_000);
    await herald.waitForOutput(/Stop with Ctrl-C\./, 100_000);
    appId = banner[1]!;
    context = await chromium.launchPersistentContext(profileDir, {
      executablePath: (browserFound as { path: string }).path,
      headless: true,
      args: [
        '--no-sandbox',
        '--disable-gpu',
        '--disable-quic',
        '--no-first-run',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
      ],
      viewport: { width: 1100, height: 900 },
    });
    page = context.pages()[0] ?? (await context.newPage());
  });

  beforeEach(({ onTestFailed }) => {
    onTestFailed(async () => {
      console.error(`npm start output:\n${herald?.output}`);
      await page?.screenshot({ path: join(ARTIFACTS, 'failure.png'), fullPage: true });
    });
  });

  afterAll(async () => {
    await context?.close();
    await herald?.stop();
    await rm(persistDir, { recursive: true, force: true });
    await rm(profileDir, { recursive: true, force: true });
  });

  it('sends events and attributes to the profile, and merges the anonymous user on login', async () => {
    // A known user, made by the back end before this browser ever logs in.
    const known = id('web-known');
    expect(
      (await rest('/users/track', { attributes: [{ external_id: known, plan: 'gold' }] })).status,
    ).toBe(201);

    await freshVisit();
    const anonymous = await page.evaluate(
      (key) => JSON.parse(localStorage.getItem(`herald:${key}:anonymous_id`) ?? 'null'),
      appId,
    );
    expect(anonymous).toMatch(/^[0-9a-f-]{36}$/);
    await submit('event-form', { 'event-name': 'browsed', 'event-properties': '{"sku":"A1"}' });
    await submit('attribute-form', { 'first-name': 'Ada' });
    await flush();
    const alias = { alias_name: anonymous, alias_label: 'herald_anonymous' };
    const [before] = await exportBy({ user_aliases: [alias] });
    expect(before.external_id).toBeUndefined();
    expect(before.first_name).toBe('Ada');
    expect(before.custom_events).toEqual([expect.objectContaining({ name: 'browsed', count: 1 })]);
    await shot('1-anonymous');

    // Logging in as the known user merges the anonymous one into it: one profile with both.
    await submit('user-form', { 'external-id': known });
    await submit('purchase-form', { product: 'sku-9', price: '4.5' });
    await flush();
    const [after] = await exportBy({ external_ids: [known] });
    expect(after).toMatchObject({ external_id: known, first_name: 'Ada' });
    expect(after.custom_attributes).toMatchObject({ plan: 'gold' });
    expect(after.custom_events).toEqual([expect.objectContaining({ name: 'browsed', count: 1 })]);
    expect(after.purchases).toEqual([expect.objectContaining({ name: 'sku-9', count: 1 })]);
    const [byAlias] = await exportBy({ user_aliases: [alias] });
    expect(byAlias.braze_id).toBe(after.braze_id);
    expect(await page.textContent('#status')).toContain(known);
    await shot('2-identified');
  });

  it('turns a flag rolled out to a segment on for a member only', async () => {
    const member = id('web-pro');
    const other = id('web-free');
    await rest('/users/track', {
      attributes: [
        { external_id: member, tier: 'pro' },
        { external_id: other, tier: 'free' },
      ],
    });
    const segment = await rest('/herald/segments', {
      name: 'Pro users',
      filter: {
        custom_attribute: { custom_attribute_name: 'tier', comparison: 'equals', value: 'pro' },
      },
    });
    expect(segment.status).toBe(201);
    const flag = await rest('/herald/feature_flags', {
      id: 'pro_checkout',
      name: 'Pro checkout',
      properties: { label: { type: 'string', value: 'Express' } },
      rules: [{ segment_id: segment.body.id, rollout_percentage: 100 }],
    });
    expect(flag.status).toBe(201);

    /**
     * The flag's state as the page shows it for `user`, once it is `want`: new segments and
     * flags reach every isolate within 5 s, and each page load fetches the flags again.
     */
    const flagFor = async (user: string, want: string) => {
      await freshVisit();
      await submit('user-form', { 'external-id': user });
      const row = 'tr[data-flag="pro_checkout"]';
      const until = Date.now() + 30_000;
      for (;;) {
        await page.waitForTimeout(1_000);
        const state = await page
          .getAttribute(row, 'data-enabled', { timeout: 5_000 })
          .catch(() => null);
        if (state === want || Date.now() > until) return state;
        await visit();
      }
    };
    expect(await flagFor(member, 'true')).toBe('true');
    expect(
      await page.evaluate(() =>
        (globalThis as unknown as { herald: Sdk }).herald
          .getFeatureFlag('pro_checkout')
          ?.getStringProperty('label'),
      ),
    ).toBe('Express');
    await shot('3-flag-member');
    // The caches are warm now: a non-member is shown the flag off, and stays so.
    expect(await flagFor(other, 'false')).toBe('false');
    await visit();
    await page.waitForTimeout(1_500);
    expect(await page.getAttribute('tr[data-flag="pro_checkout"]', 'data-enabled')).toBe('false');
    await shot('4-flag-other');
  });

  it('shows in-app messages with the default display: modal, slideup, full and HTML', async () => {
    await freshVisit();
    const items = sentItems();
    const modal = iam({
      id: 'm-modal',
      header: 'Modal header',
      message: 'Two buttons and a close button.',
      buttons: [
        { text: 'Yes', clickAction: 'CLOSE', uri: null },
        { text: 'No', clickAction: 'NONE', uri: null },
      ],
    });
    expect(await show(modal)).toBe(true);
    const dialog = page.getByRole('dialog', { name: 'Modal header' });
    await dialog.waitFor();
    expect(await dialog.getAttribute('aria-modal')).toBe('true');
    // Focus moves into the message; only one message is on screen at a time.
    expect(
      await page.evaluate(
        () =>
          (globalThis as unknown as { document: { activeElement: { textContent: string } | null } })
            .document.activeElement?.textContent,
      ),
    ).toBe('Yes');
    expect(await show(iam({ id: 'm-other', message: 'Second' }))).toBe(false);
    await shot('iam-modal');
    await dialog.getByRole('button', { name: 'No' }).click();
    await dialog.waitFor({ state: 'detached' });

    expect(
      await show(iam({ id: 'm-slide', type: 'slideup', message: 'Slides up', duration: 1_500 })),
    ).toBe(true);
    const slide = page.getByRole('dialog', { name: 'Slides up' });
    await slide.waitFor();
    expect(await slide.getAttribute('aria-modal')).toBe('false');
    await shot('iam-slideup');
    // Auto-dismissed after its duration.
    await slide.waitFor({ state: 'detached', timeout: 5_000 });

    await show(iam({ id: 'm-full', type: 'full', header: 'Full screen', message: 'Esc closes' }));
    await page.getByRole('dialog', { name: 'Full screen' }).waitFor();
    await shot('iam-full');
    await page.keyboard.press('Escape');
    await page.getByRole('dialog', { name: 'Full screen' }).waitFor({ state: 'detached' });

    const html =
      '<!doctype html><html><head><title>x</title></head><body><h1>HTML message</h1><button id="ok" onclick="brazeBridge.logClick(\'0\')">Log</button>' +
      '<a id="close" href="appboy://close">Close</a></body></html>';
    await show(iam({ id: 'm-html', type: 'html', header: 'HTML message', html }));
    const frame = page.frameLocator('iframe[sandbox="allow-scripts"]');
    await frame.locator('#ok').click();
    await shot('iam-html');
    await frame.locator('#close').click();
    await page.locator('.hd-iam').waitFor({ state: 'detached' });
    await flush();

    const logged = items
      .filter((i) => i.type.startsWith('iam_'))
      .map((i) => [i.type, i.message_id, i.button_index ?? null]);
    expect(logged).toEqual([
      ['iam_impression', 'm-modal', null],
      ['iam_click', 'm-modal', 1],
      ['iam_impression', 'm-slide', null],
      ['iam_impression', 'm-full', null],
      ['iam_impression', 'm-html', null],
      ['iam_click', 'm-html', 0],
    ]);
  });

  it('renders the content card feed: impressions in view, clicks, dismissals that stay', async () => {
    // The feed's answer is scripted here so the renderer is tested on its own; the next test
    // runs a campaign's card through Herald end to end.
    const feed = [
      {
        id: 'card-pinned',
        type: 'CLASSIC',
        title: 'Pinned news',
        description: 'Pinned cards cannot be dismissed.',
        pinned: true,
        created_at: Date.now() - 60_000,
        expires_at: Date.now() + 3_600_000,
      },
      {
        id: 'card-offer',
        type: 'CLASSIC',
        title: 'An offer',
        description: 'Follow the link.',
        web_uri: '#offer',
        uri_text: 'See the offer',
        created_at: Date.now(),
        expires_at: Date.now() + 3_600_000,
      },
    ];
    await page.route('**/sdk/v1/content_cards?*', (route) =>
      route.fulfill({ json: { content_cards: feed } }),
    );
    try {
      await freshVisit();
      const items = sentItems();
      const offer = page.locator('article.hd-card', { hasText: 'An offer' });
      await offer.waitFor();
      expect(await page.locator('article.hd-card').count()).toBe(2);
      const pinned = page.locator('article.hd-card', { hasText: 'Pinned news' });
      expect(await pinned.getByRole('button').count()).toBe(0);
      await shot('cards-feed');
      await offer.getByRole('link', { name: 'See the offer' }).click();
      await offer.getByRole('button', { name: 'Dismiss An offer' }).click();
      await offer.waitFor({ state: 'detached' });
      await flush();
      await visit();
      await pinned.waitFor();
      expect(await offer.count()).toBe(0);
      const logged = items
        .filter((i) => i.type.startsWith('card_'))
        .map((i) => [i.type, i.card_id]);
      expect(logged).toEqual(
        expect.arrayContaining([
          ['card_impression', 'card-pinned'],
          ['card_impression', 'card-offer'],
          ['card_click', 'card-offer'],
          ['card_dismiss', 'card-offer'],
        ]),
      );
      expect(logged.filter(([t]) => t === 'card_dismiss')).toHaveLength(1);
    } finally {
      await page.unroute('**/sdk/v1/content_cards?*');
    }
  });

  it('serves the push service worker, which a page can register', async () => {
    await freshVisit();
    const state = await page.evaluate(async () => {
      const nav = (globalThis as unknown as { navigator: any }).navigator;
      const reg = await nav.serviceWorker.register('/js/herald-sw.js');
      const worker = reg.installing ?? reg.waiting ?? reg.active;
      if (worker.state !== 'activated') {
        await new Promise<void>((resolve) =>
          worker.addEventListener('statechange', () => worker.state === 'activated' && resolve()),
        );
      }
      return { state: worker.state, scope: reg.scope };
    });
    expect(state).toEqual({ state: 'activated', scope: `${baseUrl}/js/` });
    // Without the workspace's VAPID key the SDK asks nothing and says so.
    const asked = await page.evaluate(async () => {
      const sdk = (globalThis as unknown as { herald: Sdk }).herald;
      let denied: boolean | null = null;
      const ok = await sdk.requestPushPermission(undefined, (temporary) => {
        denied = temporary;
      });
      return { ok, denied, supported: sdk.isPushSupported() };
    });
    expect(asked).toEqual({ ok: false, denied: false, supported: true });
  });

  it('shows a content card sent by a campaign, and its dismissal sticks', async () => {
    const user = id('web-cards');
    await rest('/users/track', { attributes: [{ external_id: user, first_name: 'Ada' }] });
    const campaign = await rest('/herald/campaigns', {
      name: 'Browser card',
      delivery: { type: 'api_triggered' },
      variants: [
        {
          messages: {
            content_card: {
              type: 'CLASSIC',
              title: 'Welcome aboard, {{${first_name}}}',
              description: 'Your first order ships free.',
              web_uri: 'https://example.com/offer',
              uri_text: 'See the offer',
              time_to_live: 3_600,
            },
          },
        },
      ],
    });
    expect(campaign.status).toBe(201);
    expect((await rest(`/herald/campaigns/${campaign.body.id}/launch`, {})).status).toBe(200);
    const sent = await rest('/campaigns/trigger/send', {
      campaign_id: campaign.body.id,
      recipients: [{ external_user_id: user }],
    });
    expect(sent.status).toBe(201);
    await eventually(
      () => getRest(`/herald/users/content_cards?external_id=${user}`),
      (r) => r.body.cards?.length === 1,
    );

    await freshVisit();
    await submit('user-form', { 'external-id': user });
    const card = page.locator('article.hd-card', { hasText: 'Welcome aboard, Ada' });
    await card.waitFor({ timeout: 30_000 });
    await expect(
      card.getByRole('link', { name: 'See the offer' }).getAttribute('href'),
    ).resolves.toBe('https://example.com/offer');
    await shot('5-content-card');
    await card.getByRole('button', { name: 'Dismiss Welcome aboard, Ada' }).click();
    await card.waitFor({ state: 'detached' });
    await flush();

    // Another visit on this browser: Herald no longer lists it.
    await visit();
    await page.locator('#cards .hd-empty').waitFor({ timeout: 30_000 });
    expect(await page.locator('article.hd-card').count()).toBe(0);
    const listed = await getRest(`/herald/users/content_cards?external_id=${user}`);
    expect(listed.body.cards.filter((c: { dismissed?: boolean }) => !c.dismissed)).toEqual([]);
    await shot('6-content-card-dismissed');
  });

  it('shows an in-app message after its trigger event, once', async () => {
    const user = id('web-iam');
    await rest('/users/track', { attributes: [{ external_id: user, first_name: 'Ada' }] });
    const campaign = await rest('/herald/campaigns', {
      name: 'Browser in-app message',
      delivery: { type: 'api_triggered' },
      variants: [
        {
          messages: {
            in_app_message: {
              type: 'modal',
              header: 'Hello {{${first_name}}}',
              message: 'Carts over 50 ship free today.',
              buttons: [{ text: 'Got it', click_action: 'CLOSE' }],
              trigger: {
                type: 'custom_event',
                event_name: 'cart_viewed',
                property_filters: [
                  { property_name: 'total', comparison: 'greater_than', value: 50 },
                ],
              },
            },
          },
        },
      ],
    });
    expect(campaign.status).toBe(201);
    expect((await rest(`/herald/campaigns/${campaign.body.id}/launch`, {})).status).toBe(200);
    await rest('/campaigns/trigger/send', {
      campaign_id: campaign.body.id,
      recipients: [{ external_user_id: user }],
    });
    await eventually(
      () => getRest(`/herald/users/in_app_messages?external_id=${user}`),
      (r) => r.body.in_app_messages?.length === 1,
    );

    await freshVisit();
    await submit('user-form', { 'external-id': user });
    await page.evaluate(() =>
      (globalThis as unknown as { herald: Sdk }).herald.requestInAppMessagesRefresh(),
    );
    const dialog = page.getByRole('dialog', { name: 'Hello Ada' });
    // An event the filter refuses shows nothing.
    await submit('event-form', { 'event-name': 'cart_viewed', 'event-properties': '{"total":20}' });
    await page.waitForTimeout(1_000);
    expect(await dialog.count()).toBe(0);
    await submit('event-form', { 'event-name': 'cart_viewed', 'event-properties': '{"total":80}' });
    await dialog.waitFor({ timeout: 15_000 });
    await shot('7-in-app-message');
    await dialog.getByRole('button', { name: 'Got it' }).click();
    await dialog.waitFor({ state: 'detached' });
    await flush();
    // Shown once: Herald no longer offers it to this user.
    const left = await eventually(
      () => getRest(`/herald/users/in_app_messages?external_id=${user}`),
      (r) => r.body.in_app_messages?.length === 0,
    );
    expect(left.body.in_app_messages).toEqual([]);
  });
});
