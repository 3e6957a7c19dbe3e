import { SELF } from 'cloudflare:test';
import { describe, expect, it } from 'vitest';
import { createApp, launchCampaign } from '../fixtures/campaigns';
import {
  buffer,
  connectorStatus,
  createConnector,
  decodeAvro,
  objects,
} from '../fixtures/currents';
import { eventually } from '../fixtures/delivery';
import { get } from '../fixtures/segments';
import { BASE, createWorkspace, exportUser, type TestWorkspace } from '../fixtures/workspace';

/** The SDK sync endpoints and the batch items that report cards, in-app messages and flags. */

let seq = 0;
const uid = (p: string) => `${p}-${crypto.randomUUID()}`;

async function batch(body: unknown) {
  const res = await SELF.fetch(`${BASE}/sdk/v1/batch`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', origin: 'https://shop.example' },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
  const text = await res.text();
  return { status: res.status, json: text ? JSON.parse(text) : null };
}

function item(user: Record<string, string>, type: string, fields: Record<string, unknown> = {}) {
  seq++;
  return { id: uid(`item${seq}`), user, type, time: Date.now() - 1_000, ...fields };
}

async function sdkGet(path: string, headers: Record<string, string> = {}) {
  const res = await SELF.fetch(`${BASE}${path}`, {
    headers: { origin: 'https://shop.example', ...headers },
  });
  const text = await res.text();
  return { status: res.status, headers: res.headers, json: text ? JSON.parse(text) : null };
}

async function sdkPost(path: string, body: unknown) {
  const res = await SELF.fetch(`${BASE}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', origin: 'https://shop.example' },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
  const text = await res.text();
  return { status: res.status, json: text ? JSON.parse(text) : null };
}

const CARD = {
  type: 'CLASSIC',
  title: 'Hi {{${first_name}}}',
  description: 'Your code is {{api_trigger_properties.${code}}}',
  web_uri: 'https://example.com/offer',
  uri_text: 'See it',
  extra: { feed: 'offers' },
  time_to_live: 3_600,
};

const MODAL = {
  type: 'modal',
  header: 'Hello {{${first_name}}}',
  message: 'Use {{api_trigger_properties.${code}}}',
  buttons: [
    { text: 'Shop', click_action: 'URI', uri: 'https://example.com/shop' },
    { text: 'Later', click_action: 'CLOSE' },
  ],
  trigger: { type: 'session_start' },
  priority: 'high',
};

/** A workspace with an app and a known user `ann`. */
async function setup() {
  const ws = await createWorkspace();
  const appKey = await createApp(ws);
  const ann = uid('ann');
  const res = await ws.post('/users/track', {
    attributes: [{ external_id: ann, first_name: 'Ann' }],
  });
  expect(res.status).toBe(201);
  return { ws, appKey, ann };
}

async function send(ws: TestWorkspace, messages: Record<string, unknown>, recipients: string[]) {
  const c = await launchCampaign(ws, { variants: [{ messages }] });
  const res = await ws.post('/campaigns/trigger/send', {
    campaign_id: c.id,
    trigger_properties: { code: 'SAVE10' },
    recipients: recipients.map((external_user_id) => ({ external_user_id })),
  });
  expect(res.status).toBe(201);
  return c;
}

const cardsPath = (appKey: string, user: string) =>
  `/sdk/v1/content_cards?app_key=${appKey}&external_id=${encodeURIComponent(user)}`;
const iamPath = (appKey: string, user: string) =>
  `/sdk/v1/in_app_messages?app_key=${appKey}&external_id=${encodeURIComponent(user)}`;

const cardsWith = (appKey: string, user: string, n: number) =>
  eventually(
    () => sdkGet(cardsPath(appKey, user)),
    (r) => r.json?.content_cards?.length === n,
  );
const iamsWith = (appKey: string, user: string, n: number) =>
  eventually(
    () => sdkGet(iamPath(appKey, user)),
    (r) => r.json?.in_app_messages?.length === n,
  );

describe('GET /sdk/v1/content_cards', () => {
  it("answers the device user's feed, rendered for them, with an ETag and 304 while unchanged", async () => {
    const { ws, appKey, ann } = await setup();
    await send(ws, { content_card: CARD }, [ann]);
    const res = await cardsWith(appKey, ann, 1);
    expect(res.status).toBe(200);
    expect(res.headers.get('access-control-allow-origin')).toBe('*');
    expect(res.headers.get('cache-control')).toBe('private, no-cache');
    const card = res.json.content_cards[0];
    expect(card).toEqual({
      id: expect.any(String),
      type: 'CLASSIC',
      title: 'Hi Ann',
      description: 'Your code is SAVE10',
      web_uri: 'https://example.com/offer',
      uri_text: 'See it',
      extra: { feed: 'offers' },
      pinned: false,
      viewed: false,
      clicked: false,
      dismissed: false,
      created_at: expect.any(Number),
      expires_at: expect.any(Number),
    });
    expect(card.expires_at - card.created_at).toBe(3_600_000);
    const etag = res.headers.get('etag') ?? '';
    const again = await sdkGet(cardsPath(appKey, ann), { 'if-none-match': etag });
    expect(again.status).toBe(304);
    expect(again.headers.get('etag')).toBe(etag);
  });

  it('records impressions, clicks and dismissals reported in a batch, once per item id', async () => {
    const { ws, appKey, ann } = await setup();
    const campaign = await send(ws, { content_card: CARD }, [ann]);
    const first = await cardsWith(appKey, ann, 1);
    const cardId = first.json.content_cards[0].id;
    const user = { external_id: ann };
    const impression = item(user, 'card_impression', { card_id: cardId });
    const click = item(user, 'card_click', { card_id: cardId });
    const body = { app_key: appKey, items: [impression, click] };
    expect((await batch(body)).json).toEqual({ message: 'success', accepted: 2, errors: [] });
    // A retried batch (same item ids) counts nothing twice.
    expect((await batch(body)).json.accepted).toBe(2);
    const seen = await sdkGet(cardsPath(appKey, ann), {
      'if-none-match': first.headers.get('etag') ?? '',
    });
    expect(seen.status).toBe(200);
    expect(seen.json.content_cards[0]).toMatchObject({ viewed: true, clicked: true });
    const dismissed = await batch({
      app_key: appKey,
      items: [item(user, 'card_dismiss', { card_id: cardId })],
    });
    expect(dismissed.json.accepted).toBe(1);
    expect((await sdkGet(cardsPath(appKey, ann))).json.content_cards).toEqual([]);
    const series = await eventually(
      () => get(ws, `/campaigns/data_series?campaign_id=${campaign.id}&length=1`),
      (r) => r.json.data?.[0]?.messages?.content_cards?.[0]?.unique_dismissals === 1,
    );
    expect(series.json.data[0].messages.content_cards[0]).toMatchObject({
      total_impressions: 1,
      unique_impressions: 1,
      total_clicks: 1,
      unique_clicks: 1,
      total_dismissals: 1,
    });
  }, 30_000);

  it('reports an unknown card, a pinned dismissal and an unseen user by item index', async () => {
    const { ws, appKey, ann } = await setup();
    await send(ws, { content_card: { ...CARD, pinned: true } }, [ann]);
    const cardId = (await cardsWith(appKey, ann, 1)).json.content_cards[0].id;
    const res = await batch({
      app_key: appKey,
      items: [
        item({ external_id: ann }, 'card_impression', { card_id: 'no-such-card' }),
        item({ external_id: ann }, 'card_dismiss', { card_id: cardId }),
        item({ external_id: uid('stranger') }, 'card_click', { card_id: cardId }),
        item({ external_id: ann }, 'card_click', { card_id: 7 }),
        item({ external_id: ann }, 'card_impression', { card_id: cardId }),
      ],
    });
    expect(res.status).toBe(200);
    expect(res.json.accepted).toBe(1);
    expect(res.json.errors.map((e: any) => e.index)).toEqual([0, 1, 2, 3]);
    expect(res.json.errors[0].message).toContain('no such card');
    expect(res.json.errors[1].message).toContain('pinned');
    expect(res.json.errors[2].message).toContain('no such user');
    expect(res.json.errors[3].message).toContain('card_id');
  });

  it("cannot report on another workspace's user with its own app key", async () => {
    const { ws, appKey, ann } = await setup();
    await send(ws, { content_card: CARD }, [ann]);
    const cardId = (await cardsWith(appKey, ann, 1)).json.content_cards[0].id;
    const intruderKey = await createApp(await createWorkspace());
    const res = await batch({
      app_key: intruderKey,
      items: [item({ external_id: ann }, 'card_click', { card_id: cardId })],
    });
    expect(res.json.accepted).toBe(0);
    expect(res.json.errors[0].message).toContain('no such user');
    expect((await sdkGet(cardsPath(appKey, ann))).json.content_cards[0].clicked).toBe(false);
  });

  it('answers an unseen user an empty feed, and never shows another workspace a user', async () => {
    const { ws, appKey, ann } = await setup();
    await send(ws, { content_card: CARD }, [ann]);
    await cardsWith(appKey, ann, 1);
    const unseen = await sdkGet(
      `/sdk/v1/content_cards?app_key=${appKey}&anonymous_id=${uid('never')}`,
    );
    expect(unseen.status).toBe(200);
    expect(unseen.json).toEqual({ message: 'success', content_cards: [] });
    const other = await createWorkspace();
    const otherKey = await createApp(other);
    expect((await sdkGet(cardsPath(otherKey, ann))).json.content_cards).toEqual([]);
  });

  it('refuses an unknown app key and a malformed query in the Braze envelope', async () => {
    const { appKey } = await setup();
    const unknown = await sdkGet('/sdk/v1/content_cards?app_key=nope&external_id=x');
    expect(unknown.status).toBe(401);
    expect(unknown.json.message).toBe('Invalid app key');
    expect(unknown.headers.get('access-control-allow-origin')).toBe('*');
    const both = await sdkGet(
      `/sdk/v1/content_cards?app_key=${appKey}&external_id=x&anonymous_id=abcdefgh`,
    );
    expect(both.status).toBe(400);
    expect(both.json.message).toContain('exactly one');
    const bad = await sdkGet(
      `/sdk/v1/content_cards?app_key=${appKey}&anonymous_id=no%20spaces%20here`,
    );
    expect(bad.status).toBe(400);
    expect(bad.json.message).toContain('anonymous_id');
    const none = await sdkGet('/sdk/v1/content_cards?external_id=x');
    expect(none.status).toBe(400);
    expect(none.json.message).toContain('app_key');
  });
});

describe('GET /sdk/v1/in_app_messages and render', () => {
  it('lists eligible messages with an ETag; an impression in a batch makes a message ineligible', async () => {
    const { ws, appKey, ann } = await setup();
    const campaign = await send(ws, { in_app_message: MODAL }, [ann]);
    const res = await iamsWith(appKey, ann, 1);
    expect(res.headers.get('cache-control')).toBe('private, no-cache');
    const m = res.json.in_app_messages[0];
    expect(m).toEqual({
      id: expect.any(String),
      trigger: { type: 'session_start' },
      priority: 750,
      templated: false,
      created_at: expect.any(Number),
      expires_at: expect.any(Number),
      message: expect.objectContaining({
        type: 'modal',
        header: 'Hello Ann',
        message: 'Use SAVE10',
      }),
    });
    const etag = res.headers.get('etag') ?? '';
    expect((await sdkGet(iamPath(appKey, ann), { 'if-none-match': etag })).status).toBe(304);
    const user = { external_id: ann };
    const reported = await batch({
      app_key: appKey,
      items: [
        item(user, 'iam_impression', { message_id: m.id }),
        item(user, 'iam_click', { message_id: m.id, button_index: 1 }),
      ],
    });
    expect(reported.json).toEqual({ message: 'success', accepted: 2, errors: [] });
    const after = await sdkGet(iamPath(appKey, ann), { 'if-none-match': etag });
    expect(after.status).toBe(200);
    expect(after.json.in_app_messages).toEqual([]);
    const series = await eventually(
      () => get(ws, `/campaigns/data_series?campaign_id=${campaign.id}&length=1`),
      (r) => r.json.data?.[0]?.messages?.trigger_in_app_message?.[0]?.second_button_clicks === 1,
    );
    expect(series.json.data[0].messages.trigger_in_app_message[0]).toMatchObject({
      impressions: 1,
      clicks: 1,
      second_button_clicks: 1,
    });
  }, 30_000);

  it('renders a templated message for the user as they are now, with the event properties', async () => {
    const { ws, appKey, ann } = await setup();
    await send(
      ws,
      {
        in_app_message: {
          ...MODAL,
          templated: true,
          message: 'Total {{event_properties.${total}}}',
        },
      },
      [ann],
    );
    const m = (await iamsWith(appKey, ann, 1)).json.in_app_messages[0];
    expect(m).toMatchObject({ templated: true, message: null });
    await batch({
      app_key: appKey,
      items: [item({ external_id: ann }, 'attributes', { attributes: { first_name: 'Annie' } })],
    });
    const shown = await sdkPost('/sdk/v1/in_app_messages/render', {
      app_key: appKey,
      user: { external_id: ann },
      message_id: m.id,
      event_properties: { total: 72 },
    });
    expect(shown.status).toBe(200);
    expect(shown.json.in_app_message).toMatchObject({ header: 'Hello Annie', message: 'Total 72' });
  });

  it('renders nothing for an aborted message, 404 for an unknown one or another workspace', async () => {
    const { ws, appKey, ann } = await setup();
    await send(
      ws,
      { in_app_message: { ...MODAL, templated: true, message: '{% abort_message("later") %}' } },
      [ann],
    );
    const m = (await iamsWith(appKey, ann, 1)).json.in_app_messages[0];
    const render = (key: string, id: string) =>
      sdkPost('/sdk/v1/in_app_messages/render', {
        app_key: key,
        user: { external_id: ann },
        message_id: id,
      });
    expect((await render(appKey, m.id)).json).toEqual({
      message: 'success',
      in_app_message: null,
      aborted: 'later',
    });
    expect((await render(appKey, 'nope')).status).toBe(404);
    const other = await createWorkspace();
    const intruder = await render(await createApp(other), m.id);
    expect(intruder.status).toBe(404);
    expect(intruder.json.message).toBe('User not found');
    expect((await render('nope', m.id)).status).toBe(401);
  });

  it('refuses malformed JSON, wrong types and an oversize render request', async () => {
    const { appKey } = await setup();
    const malformed = await sdkPost('/sdk/v1/in_app_messages/render', '{"app_key": ');
    expect(malformed.status).toBe(400);
    expect(malformed.json.message).toMatch(/^Invalid JSON/);
    const wrong = await sdkPost('/sdk/v1/in_app_messages/render', {
      app_key: appKey,
      user: { external_id: 'x' },
      message_id: 5,
    });
    expect(wrong.status).toBe(400);
    expect(wrong.json.message).toContain('message_id');
    const big = await sdkPost('/sdk/v1/in_app_messages/render', {
      app_key: appKey,
      user: { external_id: 'x' },
      message_id: 'm',
      event_properties: { blob: 'x'.repeat(100_000) },
    });
    expect(big.status).toBe(400);
    expect(big.json.message).toMatch(/^Request body too large/);
    const badIam = await batch({
      app_key: appKey,
      items: [item({ external_id: 'x' }, 'iam_click', { message_id: 'm', button_index: 2 })],
    });
    expect(badIam.json.errors[0].message).toContain('button_index');
  });
});

describe('push_token and flag_impression items', () => {
  it("registers a push token for the batch's app, as /users/track push_tokens would", async () => {
    const { ws, appKey } = await setup();
    const anon = { anonymous_id: uid('anon') };
    const sub = JSON.stringify({
      endpoint: 'https://push.example/send/abc',
      keys: {
        p256dh:
          'BNcRdreALRFXTkOOUHK1EtK2wtaz5Ry4YfYCA_0QTpQtUbVlUls0VJXg7A8u-Ts1XbjhazAkj7I99e8QcYP7DkM',
        auth: 'tBHItJI5svbpez7KI4CCXg',
      },
    });
    const res = await batch({
      app_key: appKey,
      items: [item(anon, 'push_token', { token: sub, device_id: 'browser-1' })],
    });
    expect(res.json).toEqual({ message: 'success', accepted: 1, errors: [] });
    const found = await ws.post('/users/export/ids', {
      user_aliases: [{ alias_label: 'herald_anonymous', alias_name: anon.anonymous_id }],
    });
    expect(found.json.users[0].push_tokens).toEqual([
      {
        app: appKey,
        platform: 'Web',
        token: 'https://push.example/send/abc',
        device_id: 'browser-1',
        notifications_enabled: true,
      },
    ]);
  });

  it('records a flag impression as engagement and exports it to Currents', async () => {
    const { ws, appKey, ann } = await setup();
    await ws.post('/herald/feature_flags', {
      id: 'dark_mode',
      name: 'Dark mode',
      everyone_else: { enabled: true, rollout_percentage: 100 },
    });
    const c = await createConnector(ws, {
      name: 'flags',
      type: 'storage',
      storage: { prefix: `flags-${ws.id}` },
      event_types: ['users.messages.featureflag.Impression'],
    });
    const res = await batch({
      app_key: appKey,
      sdk_version: '0.2.0',
      items: [
        item({ external_id: ann }, 'flag_impression', { flag_id: 'dark_mode' }),
        item({ external_id: ann }, 'flag_impression', { flag_id: 'no_such_flag' }),
      ],
    });
    expect(res.json.accepted).toBe(1);
    expect(res.json.errors).toEqual([{ index: 1, message: expect.stringContaining('flag') }]);
    await eventually(
      () => connectorStatus(ws, c.id),
      (s) => s.events_waiting >= 1,
    );
    await buffer(ws, c.id).runAlarm();
    const files = await objects(`flags-${ws.id}/`);
    expect(files).toHaveLength(1);
    const file = await decodeAvro(files[0]!.key);
    const user = await exportUser(ws, ann);
    expect(file.records).toEqual([
      expect.objectContaining({
        user_id: user.braze_id,
        external_user_id: ann,
        app_id: appKey,
        feature_flag_id_name: 'dark_mode',
        sdk_version: '0.2.0',
        app_group_id: ws.id,
      }),
    ]);
  }, 30_000);

  it('exports card and in-app message reports to Currents with the reporting app', async () => {
    const { ws, appKey, ann } = await setup();
    await send(ws, { content_card: CARD, in_app_message: MODAL }, [ann]);
    const cardId = (await cardsWith(appKey, ann, 1)).json.content_cards[0].id;
    const messageId = (await iamsWith(appKey, ann, 1)).json.in_app_messages[0].id;
    const c = await createConnector(ws, {
      name: 'engagement',
      type: 'storage',
      storage: { prefix: `engagement-${ws.id}` },
      event_types: ['users.messages.contentcard.Impression', 'users.messages.inappmessage.Click'],
    });
    const res = await batch({
      app_key: appKey,
      device_id: 'browser-9',
      items: [
        item({ external_id: ann }, 'card_impression', { card_id: cardId }),
        item({ external_id: ann }, 'iam_click', { message_id: messageId, button_index: 0 }),
      ],
    });
    expect(res.json.accepted).toBe(2);
    await eventually(
      () => connectorStatus(ws, c.id),
      (s) => s.events_waiting >= 2,
    );
    await buffer(ws, c.id).runAlarm();
    const files = await objects(`engagement-${ws.id}/`);
    expect(files).toHaveLength(2);
    const records = (await Promise.all(files.map((f) => decodeAvro(f.key)))).flatMap(
      (f) => f.records,
    );
    expect(records).toEqual(
      expect.arrayContaining([
        expect.objectContaining({
          content_card_id: cardId,
          app_id: appKey,
          device_id: 'browser-9',
        }),
        expect.objectContaining({ app_id: appKey, device_id: 'browser-9', external_user_id: ann }),
      ]),
    );
  }, 30_000);
});
