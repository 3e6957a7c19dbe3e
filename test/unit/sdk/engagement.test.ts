import { afterEach, describe, expect, it } from 'vitest';
import * as cards from '../../../sdk/src/cards';
import * as herald from '../../../sdk/src/core';
import * as iam from '../../../sdk/src/iam';

// The SDK's client-side rules for cards, in-app messages and flag impressions, against a
// scripted network that answers as docs/sdk-protocol.md describes. (The same flows run
// against the real Worker in test/integration/web-sdk.test.ts and in Chromium in
// test/e2e/browser.test.ts.)

interface Sent {
  url: string;
  method: string;
  body: any;
}

function scripted(answers: Record<string, (req: Sent) => unknown>) {
  const sent: Sent[] = [];
  const fetch: typeof globalThis.fetch = (async (input: RequestInfo | URL, init?: RequestInit) => {
    const url = String(input);
    const req = {
      url,
      method: init?.method ?? 'GET',
      body: init?.body ? JSON.parse(String(init.body)) : null,
    };
    sent.push(req);
    const path = new URL(url).pathname;
    const answer = answers[path]?.(req) ?? { message: 'success', accepted: 0, errors: [] };
    return new Response(JSON.stringify(answer), {
      headers: { 'content-type': 'application/json', etag: `"${path}"` },
    });
  }) as typeof fetch;
  const items = (type: string) =>
    sent
      .filter((r) => r.url.endsWith('/sdk/v1/batch'))
      .flatMap((r) => r.body.items)
      .filter((i: { type: string }) => i.type === type);
  return { fetch, sent, items };
}

const wait = async (ok: () => boolean) => {
  for (let i = 0; i < 100 && !ok(); i++) await new Promise((r) => setTimeout(r, 5));
};

function init(net: ReturnType<typeof scripted>, extra: Partial<herald.Options> = {}) {
  herald.initialize('app-key-unit', {
    baseUrl: 'https://herald.test',
    fetch: net.fetch,
    flushIntervalSeconds: 0,
    ...extra,
  });
}

const card = (id: string, extra: Record<string, unknown> = {}) => ({
  id,
  type: 'CLASSIC',
  title: `Title ${id}`,
  description: 'Body',
  web_uri: 'https://example.com/x',
  uri_text: 'Open',
  pinned: false,
  viewed: false,
  clicked: false,
  dismissed: false,
  created_at: 1_000,
  expires_at: Date.now() + 86_400_000,
  extra: {},
  ...extra,
});

const modal = (id: string, trigger: unknown, more: Record<string, unknown> = {}) => ({
  id,
  trigger,
  priority: 500,
  templated: false,
  created_at: 1,
  expires_at: Date.now() + 86_400_000,
  message: { type: 'modal', header: `Header ${id}`, message: 'Hi' },
  ...more,
});

afterEach(() => herald.destroy());

describe('content cards in the SDK', () => {
  it('fetches the feed, logs impressions once, clicks, and dismissals that stick', async () => {
    const net = scripted({
      '/sdk/v1/content_cards': () => ({
        content_cards: [
          card('c1'),
          card('c2', { pinned: true, created_at: 500 }),
          card('old', { dismissed: true }),
        ],
      }),
    });
    init(net);
    await cards.requestContentCardsRefresh();
    const feed = cards.getCachedContentCards();
    // Pinned first; dismissed ones never shown.
    expect(feed.cards.map((c) => c.id)).toEqual(['c2', 'c1']);
    expect(feed.getUnviewedCardCount()).toBe(2);
    const [pinned, plain] = feed.cards as [cards.Card, cards.Card];
    expect(plain).toMatchObject({
      url: 'https://example.com/x',
      linkText: 'Open',
      dismissible: true,
    });
    cards.logContentCardImpressions(feed.cards);
    cards.logContentCardImpressions(feed.cards);
    cards.logContentCardClick(plain);
    expect(cards.dismissCard(pinned)).toBe(false);
    expect(cards.dismissCard(plain)).toBe(true);
    expect(cards.dismissCard(plain)).toBe(false);
    await herald.requestImmediateDataFlush();
    expect(net.items('card_impression').map((i) => i.card_id)).toEqual(['c2', 'c1']);
    expect(net.items('card_click').map((i) => i.card_id)).toEqual(['c1']);
    expect(net.items('card_dismiss').map((i) => i.card_id)).toEqual(['c1']);
    // Herald still lists it until it has the dismissal: the device keeps it hidden.
    await cards.requestContentCardsRefresh();
    expect(cards.getCachedContentCards().cards.map((c) => c.id)).toEqual(['c2']);
    expect(cards.getCachedContentCards().getUnviewedCardCount()).toBe(0);
  });

  it('asks with If-None-Match and the current user, and starts over on changeUser', async () => {
    const headers: string[] = [];
    const net = scripted({ '/sdk/v1/content_cards': () => ({ content_cards: [card('c1')] }) });
    const fetch = (async (input: RequestInfo | URL, init?: RequestInit) => {
      if (String(input).includes('content_cards')) {
        headers.push(`${new URL(String(input)).search} ${JSON.stringify(init?.headers ?? {})}`);
      }
      return net.fetch(input, init);
    }) as typeof globalThis.fetch;
    init({ ...net, fetch });
    await wait(() => headers.length >= 1);
    await cards.requestContentCardsRefresh();
    expect(headers[0]).toMatch(/app_key=app-key-unit&anonymous_id=/);
    expect(headers.at(-1)).toContain('"if-none-match":"\\"/sdk/v1/content_cards\\""');
    const updates: string[][] = [];
    cards.subscribeToContentCardsUpdates((f) => updates.push(f.cards.map((c) => c.id)));
    herald.changeUser('user-1');
    expect(updates[0]).toEqual([]);
    await wait(() => updates.length >= 2);
    expect(headers.at(-1)).toMatch(/external_id=user-1 \{\}/);
    expect(updates.at(-1)).toEqual(['c1']);
  });
});

describe('in-app messages in the SDK', () => {
  it('shows the session-start message when a new session opens', async () => {
    const net = scripted({
      '/sdk/v1/in_app_messages': () => ({
        in_app_messages: [modal('welcome', { type: 'session_start' })],
      }),
    });
    const shown: string[] = [];
    // Subscribed before initialize, as a page does right after it.
    herald.initialize('app-key-unit', {
      baseUrl: 'https://herald.test',
      fetch: net.fetch,
      flushIntervalSeconds: 0,
      openSessionAutomatically: false,
    });
    iam.subscribeToInAppMessage((m) => shown.push(m.id));
    herald.openSession();
    await wait(() => shown.length > 0);
    expect(shown).toEqual(['welcome']);
  });

  it('shows a triggered message once, at most one per interval, best priority first', async () => {
    const net = scripted({
      '/sdk/v1/in_app_messages': () => ({
        in_app_messages: [
          modal('cheap', { type: 'custom_event', event_name: 'cart', property_filters: [] }),
          modal(
            'big',
            {
              type: 'custom_event',
              event_name: 'cart',
              property_filters: [
                { property_name: 'total', comparison: 'greater_than', value: 100 },
              ],
            },
            { priority: 750 },
          ),
          modal('buy', { type: 'purchase', product_id: 'A1' }),
        ],
      }),
    });
    init(net, { minimumIntervalBetweenTriggerActionsInSeconds: 0 });
    const shown: iam.InAppMessage[] = [];
    iam.subscribeToInAppMessage((m) => shown.push(m));
    await iam.requestInAppMessagesRefresh();
    herald.logCustomEvent('cart', { total: 150 });
    await wait(() => shown.length >= 1);
    herald.logCustomEvent('cart', { total: 150 });
    await wait(() => shown.length >= 2);
    herald.logCustomEvent('cart', { total: 150 });
    herald.logPurchase('B2', 1);
    herald.logPurchase('A1', 1);
    await wait(() => shown.length >= 3);
    await new Promise((r) => setTimeout(r, 20));
    expect(shown.map((m) => m.id)).toEqual(['big', 'cheap', 'buy']);
    expect(shown[0]).toMatchObject({ type: 'modal', header: 'Header big', duration: 0 });
  });

  it('waits out the minimum interval between two triggered messages', async () => {
    const net = scripted({
      '/sdk/v1/in_app_messages': () => ({
        in_app_messages: [
          modal('one', { type: 'custom_event', event_name: 'a' }),
          modal('two', { type: 'custom_event', event_name: 'b' }),
        ],
      }),
    });
    init(net);
    const shown: string[] = [];
    iam.subscribeToInAppMessage((m) => shown.push(m.id));
    herald.logCustomEvent('a');
    await wait(() => shown.length >= 1);
    herald.logCustomEvent('b');
    await new Promise((r) => setTimeout(r, 30));
    expect(shown).toEqual(['one']);
  });

  it('renders a templated message at display time with the event properties', async () => {
    const net = scripted({
      '/sdk/v1/in_app_messages': () => ({
        in_app_messages: [
          modal(
            'tpl',
            { type: 'custom_event', event_name: 'hello' },
            { templated: true, message: null },
          ),
        ],
      }),
      '/sdk/v1/in_app_messages/render': (req) => ({
        message: 'success',
        in_app_message: {
          ...modal('tpl', { type: 'custom_event', event_name: 'hello' }),
          message: { type: 'slideup', message: `Hi ${req.body.event_properties.name}` },
        },
      }),
    });
    init(net);
    herald.changeUser('user-7');
    const shown: iam.InAppMessage[] = [];
    iam.subscribeToInAppMessage((m) => shown.push(m));
    herald.logCustomEvent('hello', { name: 'Ada' });
    await wait(() => shown.length >= 1);
    expect(shown[0]).toMatchObject({ type: 'slideup', message: 'Hi Ada', duration: 5000 });
    const render = net.sent.find((r) => r.url.endsWith('/render'));
    expect(render?.body).toEqual({
      app_key: 'app-key-unit',
      user: { external_id: 'user-7' },
      message_id: 'tpl',
      event_properties: { name: 'Ada' },
    });
  });

  it('logs impressions and clicks with the button index', async () => {
    const net = scripted({});
    init(net);
    const m = { id: 'm1' } as iam.InAppMessage;
    iam.logInAppMessageImpression(m);
    iam.logInAppMessageClick(m);
    iam.logInAppMessageClick(m, 1);
    await herald.requestImmediateDataFlush();
    expect(net.items('iam_impression')).toEqual([expect.objectContaining({ message_id: 'm1' })]);
    const clicks = net.items('iam_click');
    expect(clicks[0]).not.toHaveProperty('button_index');
    expect(clicks[1]).toMatchObject({ message_id: 'm1', button_index: 1 });
  });
});

describe('feature flag impressions', () => {
  it('are logged once per flag per session, and only for flags Herald sent', async () => {
    const net = scripted({
      '/sdk/v1/feature_flags': () => ({
        message: 'success',
        feature_flags: [{ id: 'beta', enabled: true, properties: {} }],
      }),
    });
    init(net);
    await wait(() => herald.getFeatureFlag('beta') !== null);
    expect(herald.logFeatureFlagImpression('beta')).toBe(true);
    expect(herald.logFeatureFlagImpression('beta')).toBe(false);
    expect(herald.logFeatureFlagImpression('missing')).toBe(false);
    await herald.requestImmediateDataFlush();
    expect(net.items('flag_impression')).toEqual([expect.objectContaining({ flag_id: 'beta' })]);
  });
});

describe('flushing', () => {
  it('still sends after a flush found the queue empty', async () => {
    const net = scripted({});
    init(net, { openSessionAutomatically: false });
    await herald.requestImmediateDataFlush();
    herald.logCustomEvent('later');
    await herald.requestImmediateDataFlush();
    expect(net.items('event')).toEqual([expect.objectContaining({ name: 'later' })]);
  });
});

describe('SDK authentication', () => {
  it('sends the token, keeps a refused batch, and sends it again with a new token', async () => {
    const seen: (string | null)[] = [];
    const net = scripted({});
    const fetch: typeof globalThis.fetch = async (input, init) => {
      const auth = new Headers(init?.headers).get('authorization');
      if (String(input).endsWith('/sdk/v1/batch')) {
        seen.push(auth);
        if (auth !== 'Bearer good') {
          return new Response(
            JSON.stringify({ message: 'Invalid SDK authentication token: expired' }),
            { status: 401, headers: { 'content-type': 'application/json' } },
          );
        }
      }
      return net.fetch(input, init);
    };
    herald.initialize('app-key-unit', {
      baseUrl: 'https://herald.test',
      fetch,
      flushIntervalSeconds: 0,
      openSessionAutomatically: false,
      enableSdkAuthentication: true,
    });
    const failures: string[] = [];
    herald.subscribeToSdkAuthenticationFailures((e) =>
      failures.push(`${e.userId} ${e.signature} ${e.errorMessage}`),
    );
    herald.changeUser('user-9', 'stale');
    herald.logCustomEvent('kept');
    await herald.requestImmediateDataFlush();
    expect(failures).toEqual(['user-9 stale Invalid SDK authentication token: expired']);
    expect(net.items('event')).toEqual([]);
    herald.setSdkAuthenticationSignature('good');
    await herald.requestImmediateDataFlush();
    expect(seen).toEqual(['Bearer stale', 'Bearer good']);
    expect(net.items('event')).toEqual([expect.objectContaining({ name: 'kept' })]);
  });
});
