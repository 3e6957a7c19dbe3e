import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { sendSeries } from '../../admin/chart.js';
import {
  type CapturedProcess,
  freePort,
  isPortFree,
  postJson,
  processesWithEnv,
  startHerald,
} from './helpers';

// `npm start` as a user runs it: fresh state, the banner, real requests, then a stop and a
// restart on the same state. Starting costs seconds, so the tests below share one run and,
// in the restart block, follow each other in order.

const DEMO_KEY = 'e2e-demo-key-0123456789abcdef';
const BANNER_END = /Stop with Ctrl-C\./;
const START_TIMEOUT_MS = 100_000;

let persistDir: string;
let port: number;
let baseUrl: string;
let herald: CapturedProcess;
let firstBanner: string;

async function start(): Promise<string> {
  herald = startHerald({
    PORT: String(port),
    HERALD_PERSIST_DIR: persistDir,
    HERALD_DEMO_API_KEY: DEMO_KEY,
  });
  await herald.waitForOutput(BANNER_END, START_TIMEOUT_MS);
  return herald.output;
}

function bannerValue(banner: string, label: string): string | undefined {
  return banner.match(new RegExp(`${label}\\s+(\\S+)`))?.[1];
}

async function track(externalId: string, attributes: Record<string, unknown>) {
  return postJson(`${baseUrl}/users/track`, {
    token: DEMO_KEY,
    body: {
      attributes: [{ external_id: externalId, ...attributes }],
      events: [{ external_id: externalId, name: 'signed_up', time: new Date().toISOString() }],
    },
  });
}

async function getJson(path: string, token = DEMO_KEY): Promise<{ status: number; body: any }> {
  const res = await fetch(`${baseUrl}${path}`, { headers: { Authorization: `Bearer ${token}` } });
  return { status: res.status, body: await res.json() };
}

async function exportUser(externalId: string) {
  return postJson(`${baseUrl}/users/export/ids`, {
    token: DEMO_KEY,
    body: { external_ids: [externalId] },
  });
}

beforeAll(async () => {
  persistDir = await mkdtemp(join(tmpdir(), 'herald-e2e-'));
  port = await freePort();
  baseUrl = `http://127.0.0.1:${port}`;
  firstBanner = await start();
});

beforeEach(({ onTestFailed }) => {
  onTestFailed(() => console.error(`npm start output:\n${herald?.output}`));
});

afterAll(async () => {
  await herald?.stop();
  await rm(persistDir, { recursive: true, force: true });
});

describe('npm start on a fresh state directory', () => {
  it('prints the URL, the demo REST API key and a curl example that uses it', () => {
    expect(firstBanner).toContain(`Herald is running at ${baseUrl}`);
    expect(bannerValue(firstBanner, 'REST API key')).toBe(DEMO_KEY);
    expect(bannerValue(firstBanner, 'Workspace id')).toBe('demo');
    expect(firstBanner).toContain(`curl -X POST ${baseUrl}/users/track`);
    expect(firstBanner).toContain(`Authorization: Bearer ${DEMO_KEY}`);
  });

  it('prints a generated SDK app id and operator token', () => {
    expect(bannerValue(firstBanner, 'SDK app id')).toMatch(/^[A-Za-z0-9_-]{8,64}$/);
    expect(bannerValue(firstBanner, 'Operator token')?.length).toBeGreaterThanOrEqual(16);
  });

  it('accepts /users/track with the demo key', async () => {
    const res = await track('user-1', { first_name: 'Ada' });
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({
      message: 'success',
      attributes_processed: 1,
      events_processed: 1,
    });
  });

  it('exports a tracked attribute through /users/export/ids', async () => {
    await track('user-export', { first_name: 'Grace' });
    const res = await exportUser('user-export');
    expect(res.body).toMatchObject({
      message: 'success',
      users: [{ external_id: 'user-export', first_name: 'Grace' }],
    });
  });

  it('builds and serves the Web SDK and its demo page', async () => {
    expect(bannerValue(firstBanner, 'Web SDK demo')).toContain(`${baseUrl}/sdk-demo.html?app_key=`);
    const sdk = await fetch(`${baseUrl}/js/herald-sdk.js`);
    expect(sdk.status).toBe(200);
    expect(sdk.headers.get('content-type')).toMatch(/javascript/);
    expect(await sdk.text()).toMatch(/export\s*\{/);
    const demo = await fetch(`${baseUrl}/sdk-demo.html`);
    expect(await demo.text()).toContain("import * as herald from '/js/herald-sdk.js'");
  });

  it('serves the admin page at /', async () => {
    const res = await fetch(`${baseUrl}/`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/html/);
    expect(await res.text()).toContain('<title>Herald</title>');
  });

  it('serves the template preview page and the shared stylesheet', async () => {
    const page = await fetch(`${baseUrl}/preview.html`);
    expect(page.status).toBe(200);
    const html = await page.text();
    expect(html).toContain('/herald/templates/render');
    expect(html).toContain('href="/admin.css"');
    const css = await fetch(`${baseUrl}/admin.css`);
    expect(css.status).toBe(200);
    expect(css.headers.get('content-type')).toMatch(/^text\/css/);
  });

  it('serves the campaigns page, linked from the other admin pages, with its chart module', async () => {
    const page = await fetch(`${baseUrl}/campaigns.html`);
    expect(page.status).toBe(200);
    const html = await page.text();
    for (const used of ['/herald/campaigns', '/campaigns/data_series', "from '/chart.js'"]) {
      expect(html).toContain(used);
    }
    for (const action of ['launch', 'stop', 'archive', 'unarchive']) {
      expect(html).toContain(`data-action="${action}"`);
    }
    for (const other of ['/', '/preview.html']) {
      expect(await (await fetch(`${baseUrl}${other}`)).text()).toContain('href="/campaigns.html"');
    }
    const chart = await fetch(`${baseUrl}/chart.js`);
    expect(chart.status).toBe(200);
    expect(chart.headers.get('content-type')).toMatch(/javascript/);
    expect(await chart.text()).toContain('export function chartLayout');
    expect((await fetch(`${baseUrl}/chart.d.ts`)).status).toBe(404);
    // The pages' shared module: every page imports it, and it is served as JavaScript.
    for (const page of ['/', '/preview.html', '/campaigns.html']) {
      expect(await (await fetch(`${baseUrl}${page}`)).text()).toContain("from '/api.js'");
    }
    const api = await fetch(`${baseUrl}/api.js`);
    expect(api.headers.get('content-type')).toMatch(/javascript/);
    expect(await api.text()).toContain('export function apiClient');
  });

  it('answers the campaigns page’s requests in the shapes the page reads', async () => {
    const created = await postJson(`${baseUrl}/herald/campaigns`, {
      token: DEMO_KEY,
      body: {
        name: 'E2E welcome',
        tags: ['e2e'],
        delivery: { type: 'api_triggered' },
        variants: [
          { messages: { webhook: { url: 'https://example.com/hook', request_method: 'POST' } } },
        ],
      },
    });
    expect(created).toMatchObject({ status: 201 });
    const id = (created.body as { id: string }).id;

    const list = await getJson('/herald/campaigns?limit=20&offset=0');
    expect(list.body.next_offset).toBeNull();
    expect(list.body.campaigns).toContainEqual(
      expect.objectContaining({
        id,
        name: 'E2E welcome',
        status: 'draft',
        delivery_type: 'api_triggered',
        channels: ['webhook'],
        tags: ['e2e'],
      }),
    );
    expect((await getJson(`/herald/campaigns/${id}`)).body).toMatchObject({ last_sent: null });

    const stats = await getJson(`/campaigns/data_series?campaign_id=${id}&length=7`);
    const series = sendSeries(stats.body.data);
    expect(series.days).toHaveLength(7);
    expect(series.series).toEqual([expect.objectContaining({ values: [0, 0, 0, 0, 0, 0, 0] })]);

    const launched = await postJson(`${baseUrl}/herald/campaigns/${id}/launch`, {
      token: DEMO_KEY,
      body: {},
    });
    expect(launched.body).toMatchObject({ status: 'active', enabled: true });
    const archived = await postJson(`${baseUrl}/herald/campaigns/${id}/archive`, {
      token: DEMO_KEY,
      body: {},
    });
    expect(archived.body).toMatchObject({ status: 'stopped', archived: true });
    const refused = await postJson(`${baseUrl}/herald/campaigns/${id}/launch`, {
      token: DEMO_KEY,
      body: {},
    });
    expect(refused).toEqual({
      status: 400,
      body: expect.objectContaining({ message: 'Campaign is archived: unarchive it first' }),
    });
  });

  it('answers a bad key on the campaign list with a message the page can show', async () => {
    const res = await getJson('/herald/campaigns', 'not-a-key-of-this-instance');
    expect(res.status).toBe(401);
    expect(res.body.message).toEqual(expect.any(String));
  });

  it('describes /users/track in /openapi.json', async () => {
    const res = await fetch(`${baseUrl}/openapi.json`);
    const spec = (await res.json()) as { paths: Record<string, { post?: unknown }> };
    expect(spec.paths['/users/track']?.post).toBeDefined();
  });
});

describe('npm start stopped and started again on the same state directory', () => {
  it('exits cleanly on SIGTERM, leaving no wrangler or workerd process and a free port', async () => {
    const exit = await herald.stop();
    expect(exit).toEqual({ code: 0, signal: null });
    expect(processesWithEnv(`HERALD_PERSIST_DIR=${persistDir}`)).toEqual([]);
    expect(await isPortFree(port)).toBe(true);
  });

  it('keeps the demo key, app id and operator token', async () => {
    const banner = await start();
    for (const label of ['REST API key', 'SDK app id', 'Operator token']) {
      expect(bannerValue(banner, label)).toBe(bannerValue(firstBanner, label));
    }
  });

  it('still has the profile tracked before the restart', async () => {
    const res = await exportUser('user-1');
    expect(res.body).toMatchObject({ users: [{ external_id: 'user-1', first_name: 'Ada' }] });
  });

  it('still accepts the demo key for /users/track', async () => {
    const res = await track('user-after-restart', { first_name: 'Edsger' });
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({ message: 'success', attributes_processed: 1 });
  });
});
