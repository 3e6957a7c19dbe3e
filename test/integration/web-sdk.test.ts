import { SELF } from 'cloudflare:test';
import { afterEach, describe, expect, it } from 'vitest';
import * as cards from '../../sdk/src/cards';
import * as herald from '../../sdk/src/core';
import * as iam from '../../sdk/src/iam';
import { createApp, launchCampaign } from '../fixtures/campaigns';
import { eventually } from '../fixtures/delivery';
import { get } from '../fixtures/segments';
import { BASE, createWorkspace, exportUser, type TestWorkspace } from '../fixtures/workspace';

/** localStorage as a page has it: survives "reloads" (a new initialize on the same storage). */
function storage() {
  const m = new Map<string, string>();
  return {
    getItem: (k: string) => m.get(k) ?? null,
    setItem: (k: string, v: string) => void m.set(k, v),
    removeItem: (k: string) => void m.delete(k),
    map: m,
  };
}

/** The Worker under test as the SDK's network; `down` makes every request fail like offline. */
function network() {
  const net = {
    down: false,
    requests: 0,
    fetch: (async (input: RequestInfo | URL, init?: RequestInit) => {
      net.requests++;
      if (net.down) throw new TypeError('Failed to fetch');
      return SELF.fetch(new Request(input, init));
    }) as typeof fetch,
  };
  return net;
}

afterEach(() => herald.destroy());

describe('the Web SDK against Herald', () => {
  it('sends sessions, attributes, events and purchases, and identifies the anonymous user', async () => {
    const ws = await createWorkspace();
    const appKey = await createApp(ws);
    const net = network();
    const store = storage();
    herald.initialize(appKey, {
      baseUrl: BASE,
      storage: store,
      fetch: net.fetch,
      flushIntervalSeconds: 0,
    });
    herald.logCustomEvent('viewed_item', { sku: 'A1' });
    herald.getUser().setFirstName('Ada');
    herald.getUser().setCustomUserAttribute('plan', 'pro');
    herald.getUser().incrementCustomUserAttribute('visits', 2);
    const externalId = `sdk-${crypto.randomUUID()}`;
    herald.changeUser(externalId);
    herald.logPurchase('A1', 9.5, 'USD', 2);
    await herald.requestImmediateDataFlush();
    expect(herald.getUserId()).toBe(externalId);
    const user = await exportUser(ws, externalId);
    expect(user.first_name).toBe('Ada');
    expect(user.custom_attributes).toEqual({ plan: 'pro', visits: 2 });
    expect(user.custom_events).toEqual([
      expect.objectContaining({ name: 'viewed_item', count: 1 }),
    ]);
    expect(user.purchases).toEqual([expect.objectContaining({ name: 'A1', count: 2 })]);
    expect(user.apps).toEqual([expect.objectContaining({ name: appKey, sessions: 1 })]);
  });

  it('keeps its queue through being offline and a reload, then sends it once', async () => {
    const ws = await createWorkspace();
    const appKey = await createApp(ws);
    const externalId = `sdk-${crypto.randomUUID()}`;
    const store = storage();
    const offline = network();
    offline.down = true;
    herald.initialize(appKey, {
      baseUrl: BASE,
      storage: store,
      fetch: offline.fetch,
      flushIntervalSeconds: 0,
    });
    herald.changeUser(externalId);
    herald.logCustomEvent('offline_event');
    await herald.requestImmediateDataFlush();
    expect(offline.requests).toBeGreaterThan(0);
    herald.destroy();
    // The page reloads with the network back: the same storage, a fresh SDK.
    const online = network();
    herald.initialize(appKey, {
      baseUrl: BASE,
      storage: store,
      fetch: online.fetch,
      flushIntervalSeconds: 0,
    });
    await herald.requestImmediateDataFlush();
    await herald.requestImmediateDataFlush();
    const user = await exportUser(ws, externalId);
    expect(user.custom_events).toEqual([
      expect.objectContaining({ name: 'offline_event', count: 1 }),
    ]);
    // One session: the reload within the timeout continued it.
    expect(user.apps[0].sessions).toBe(1);
    expect(JSON.parse(store.map.get(`herald:${appKey}:queue`) ?? '[]')).toEqual([]);
  });

  it('serves typed feature flags and refreshes them on changeUser', async () => {
    const ws = await createWorkspace();
    const appKey = await createApp(ws);
    await ws.post('/herald/feature_flags', {
      id: 'checkout_v2',
      name: 'Checkout v2',
      properties: {
        label: { type: 'string', value: 'Pay now' },
        limit: { type: 'number', value: 3 },
        starts: { type: 'timestamp', value: 1_790_000_000_000 },
      },
      everyone_else: { enabled: true, rollout_percentage: 100 },
    });
    herald.initialize(appKey, {
      baseUrl: BASE,
      storage: storage(),
      fetch: network().fetch,
      flushIntervalSeconds: 0,
    });
    const updates: number[] = [];
    herald.subscribeToFeatureFlagsUpdates((flags) => updates.push(flags.length));
    herald.changeUser(`sdk-${crypto.randomUUID()}`);
    for (let i = 0; i < 50 && herald.getFeatureFlag('checkout_v2') === null; i++) {
      await new Promise((r) => setTimeout(r, 50));
    }
    const flag = herald.getFeatureFlag('checkout_v2');
    expect(flag?.enabled).toBe(true);
    expect(flag?.getStringProperty('label')).toBe('Pay now');
    expect(flag?.getNumberProperty('limit')).toBe(3);
    expect(flag?.getTimestampProperty('starts')).toBe(1_790_000_000_000);
    expect(flag?.getStringProperty('limit')).toBeNull();
    expect(herald.getFeatureFlag('missing')).toBeNull();
    expect(updates.length).toBeGreaterThan(0);
  });
});

/** Launch an API-triggered campaign with these messages and send it to one user. */
async function sendTo(ws: TestWorkspace, messages: Record<string, unknown>, user: string) {
  const c = await launchCampaign(ws, { variants: [{ messages }] });
  const res = await ws.post('/campaigns/trigger/send', {
    campaign_id: c.id,
    recipients: [{ external_user_id: user }],
  });
  expect(res.status).toBe(201);
  return c;
}

describe('the Web SDK with content cards and in-app messages', () => {
  it('shows a campaign card, logs its impression and click, and a dismissal removes it', async () => {
    const ws = await createWorkspace();
    const appKey = await createApp(ws);
    const user = `sdk-${crypto.randomUUID()}`;
    await ws.post('/users/track', { attributes: [{ external_id: user, first_name: 'Ada' }] });
    await sendTo(
      ws,
      {
        content_card: {
          type: 'CLASSIC',
          title: 'Hi {{${first_name}}}',
          description: 'An offer',
          web_uri: 'https://example.com/offer',
          time_to_live: 3_600,
        },
      },
      user,
    );
    await eventually(
      () => get(ws, `/herald/users/content_cards?external_id=${user}`),
      (r) => r.json.cards?.length === 1,
    );
    herald.initialize(appKey, {
      baseUrl: BASE,
      storage: storage(),
      fetch: network().fetch,
      flushIntervalSeconds: 0,
    });
    herald.changeUser(user);
    await cards.requestContentCardsRefresh();
    const [card] = cards.getCachedContentCards().cards;
    expect(card).toMatchObject({
      title: 'Hi Ada',
      url: 'https://example.com/offer',
      viewed: false,
    });
    cards.logContentCardImpressions([card!]);
    cards.logContentCardClick(card!);
    await herald.requestImmediateDataFlush();
    const seen = await get(ws, `/herald/users/content_cards?external_id=${user}`);
    expect(seen.json.cards[0]).toMatchObject({ viewed: true, clicked: true });
    expect(cards.dismissCard(card!)).toBe(true);
    await herald.requestImmediateDataFlush();
    await cards.requestContentCardsRefresh();
    expect(cards.getCachedContentCards().cards).toEqual([]);
    const left = await get(ws, `/herald/users/content_cards?external_id=${user}`);
    expect(left.json.cards.filter((c: { dismissed?: boolean }) => !c.dismissed)).toEqual([]);
  });

  it('shows a templated in-app message on its trigger, rendered with the event, and counts the click', async () => {
    const ws = await createWorkspace();
    const appKey = await createApp(ws);
    const user = `sdk-${crypto.randomUUID()}`;
    await ws.post('/users/track', { attributes: [{ external_id: user, first_name: 'Ada' }] });
    const campaign = await sendTo(
      ws,
      {
        in_app_message: {
          type: 'modal',
          header: 'Hello {{${first_name}}}',
          message: 'Total {{event_properties.${total}}}',
          buttons: [{ text: 'Later', click_action: 'CLOSE' }, { text: 'Shop' }],
          templated: true,
          trigger: {
            type: 'custom_event',
            event_name: 'cart_viewed',
            property_filters: [{ property_name: 'total', comparison: 'greater_than', value: 50 }],
          },
        },
      },
      user,
    );
    await eventually(
      () => get(ws, `/herald/users/in_app_messages?external_id=${user}`),
      (r) => r.json.in_app_messages?.length === 1,
    );
    herald.initialize(appKey, {
      baseUrl: BASE,
      storage: storage(),
      fetch: network().fetch,
      flushIntervalSeconds: 0,
    });
    const shown: iam.InAppMessage[] = [];
    iam.subscribeToInAppMessage((m) => shown.push(m));
    herald.changeUser(user);
    herald.logCustomEvent('cart_viewed', { total: 20 });
    herald.logCustomEvent('cart_viewed', { total: 72 });
    for (let i = 0; i < 100 && shown.length === 0; i++) await new Promise((r) => setTimeout(r, 50));
    expect(shown).toHaveLength(1);
    expect(shown[0]).toMatchObject({ type: 'modal', header: 'Hello Ada', message: 'Total 72' });
    iam.logInAppMessageImpression(shown[0]!);
    iam.logInAppMessageClick(shown[0]!, 1);
    await herald.requestImmediateDataFlush();
    const series = await eventually(
      () => get(ws, `/campaigns/data_series?campaign_id=${campaign.id}&length=1`),
      (r) => r.json.data?.[0]?.messages?.trigger_in_app_message?.[0]?.second_button_clicks === 1,
    );
    expect(series.json.data[0].messages.trigger_in_app_message[0]).toMatchObject({
      impressions: 1,
      second_button_clicks: 1,
    });
    // Shown once: Herald no longer offers it.
    await iam.requestInAppMessagesRefresh();
    const left = await get(ws, `/herald/users/in_app_messages?external_id=${user}`);
    expect(left.json.in_app_messages).toEqual([]);
  });
});
