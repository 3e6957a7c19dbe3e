import { describe, expect, it } from 'vitest';
import { launchCampaign } from '../fixtures/campaigns';
import { eventually, ledger } from '../fixtures/delivery';
import { createSegment, get, syncIndex } from '../fixtures/segments';
import { call, createWorkspace, type TestWorkspace } from '../fixtures/workspace';

/** Content Cards: delivered into each user's profile, listed, interacted with, removed. */

const CARD = {
  type: 'CLASSIC',
  title: 'Hi {{${first_name}}}',
  description: 'Your code is {{api_trigger_properties.${code}}}',
  web_uri: 'https://example.com/offer',
  uri_text: 'See it',
  extra: { feed: 'offers' },
  time_to_live: 3_600,
};

async function users(ws: TestWorkspace, list: Record<string, unknown>[]): Promise<void> {
  const res = await ws.post('/users/track', { attributes: list });
  expect(res.status).toBe(201);
}

/** Launch an API-triggered campaign with one content card and send it to these users. */
async function sendCard(
  ws: TestWorkspace,
  card: Record<string, unknown>,
  recipients: string[],
  over: Record<string, unknown> = {},
) {
  const c = await launchCampaign(ws, { variants: [{ messages: { content_card: card } }], ...over });
  const res = await ws.post('/campaigns/trigger/send', {
    campaign_id: c.id,
    trigger_properties: { code: 'SAVE10' },
    recipients: recipients.map((external_user_id) => ({ external_user_id })),
  });
  expect(res.status).toBe(201);
  return { campaign: c, dispatchId: res.json.dispatch_id as string };
}

const feed = (ws: TestWorkspace, user: string) =>
  get(ws, `/herald/users/content_cards?external_id=${user}`);

/** The user's feed once `n` cards are in it. */
const feedWith = (ws: TestWorkspace, user: string, n: number) =>
  eventually(
    () => feed(ws, user),
    (r) => r.json.cards?.length === n,
  );

const cardEvent = (ws: TestWorkspace, body: Record<string, unknown>) =>
  ws.post('/herald/users/content_cards/events', body);

describe('the content_card channel', () => {
  it('stores a campaign card for every member of the segment, rendered per user', async () => {
    const ws = await createWorkspace();
    await users(ws, [
      { external_id: 'ann', first_name: 'Ann', plan: 'pro' },
      { external_id: 'ben', first_name: 'Ben', plan: 'pro' },
      { external_id: 'cat', first_name: 'Cat', plan: 'free' },
    ]);
    await syncIndex(ws, ['ann', 'ben', 'cat']);
    const segment = await createSegment(ws, {
      filter: {
        custom_attribute: { custom_attribute_name: 'plan', comparison: 'equals', value: 'pro' },
      },
    });
    const c = await launchCampaign(ws, {
      audience: { segment_ids: [segment] },
      variants: [{ messages: { content_card: CARD } }],
    });
    const res = await ws.post('/campaigns/trigger/send', {
      campaign_id: c.id,
      broadcast: true,
      trigger_properties: { code: 'PRO5' },
    });
    expect(res.status).toBe(201);
    const ann = await feedWith(ws, 'ann', 1);
    expect(ann.json.cards[0]).toMatchObject({
      type: 'CLASSIC',
      title: 'Hi Ann',
      description: 'Your code is PRO5',
      web_uri: 'https://example.com/offer',
      uri_text: 'See it',
      extra: { feed: 'offers' },
      pinned: false,
      viewed: false,
      clicked: false,
      campaign_id: c.id,
      dispatch_id: res.json.dispatch_id,
    });
    const ttl = Date.parse(ann.json.cards[0].expires_at) - Date.parse(ann.json.cards[0].created_at);
    expect(ttl).toBe(3_600_000);
    expect((await feedWith(ws, 'ben', 1)).json.cards[0].title).toBe('Hi Ben');
    expect((await feed(ws, 'cat')).json.cards).toEqual([]);
  });

  it('records impression, click and dismissal once each and counts them in campaign stats', async () => {
    const ws = await createWorkspace();
    await users(ws, [{ external_id: 'ann', first_name: 'Ann' }]);
    const { campaign } = await sendCard(ws, CARD, ['ann']);
    const id = (await feedWith(ws, 'ann', 1)).json.cards[0].id;
    for (const event of ['impression', 'impression', 'click', 'click']) {
      const res = await cardEvent(ws, { external_id: 'ann', card_id: id, event });
      expect(res.status).toBe(201);
    }
    const card = (await feed(ws, 'ann')).json.cards[0];
    expect(card).toMatchObject({ viewed: true, clicked: true });
    const dismissed = await cardEvent(ws, { external_id: 'ann', card_id: id, event: 'dismiss' });
    expect(dismissed.json).toEqual({ message: 'success', recorded: true });
    const again = await cardEvent(ws, { external_id: 'ann', card_id: id, event: 'dismiss' });
    expect(again.json).toEqual({ message: 'success', recorded: false });
    expect((await feed(ws, 'ann')).json.cards).toEqual([]);
    const series = await eventually(
      () => get(ws, `/campaigns/data_series?campaign_id=${campaign.id}&length=1`),
      (r) => r.json.data?.[0]?.messages?.content_cards?.[0]?.unique_dismissals === 1,
    );
    expect(series.json.data[0].messages.content_cards[0]).toMatchObject({
      sent: 1,
      total_impressions: 1,
      unique_impressions: 1,
      total_clicks: 1,
      unique_clicks: 1,
      total_dismissals: 1,
      unique_dismissals: 1,
    });
  }, 30_000);

  it('counts every distinct event_id in the totals and the first in the uniques', async () => {
    const ws = await createWorkspace();
    await users(ws, [{ external_id: 'ann' }]);
    const { campaign } = await sendCard(ws, CARD, ['ann']);
    const id = (await feedWith(ws, 'ann', 1)).json.cards[0].id;
    for (const event_id of ['v1', 'v2', 'v2']) {
      await cardEvent(ws, { external_id: 'ann', card_id: id, event: 'impression', event_id });
    }
    const series = await eventually(
      () => get(ws, `/campaigns/data_series?campaign_id=${campaign.id}&length=1`),
      (r) => r.json.data?.[0]?.messages?.content_cards?.[0]?.total_impressions === 2,
    );
    expect(series.json.data[0].messages.content_cards[0]).toMatchObject({
      total_impressions: 2,
      unique_impressions: 1,
    });
  }, 30_000);

  it('lists pinned cards first, then newest, and refuses to dismiss a pinned card', async () => {
    const ws = await createWorkspace();
    await users(ws, [{ external_id: 'ann' }]);
    await sendCard(ws, { ...CARD, title: 'pinned', pinned: true }, ['ann']);
    await feedWith(ws, 'ann', 1);
    await sendCard(ws, { ...CARD, title: 'newer' }, ['ann']);
    const list = await feedWith(ws, 'ann', 2);
    expect(list.json.cards.map((c: { title: string }) => c.title)).toEqual(['pinned', 'newer']);
    const pinned = list.json.cards[0].id;
    const res = await cardEvent(ws, { external_id: 'ann', card_id: pinned, event: 'dismiss' });
    expect(res.status).toBe(400);
    expect(res.json.message).toBe('Pinned cards cannot be dismissed');
    expect((await feed(ws, 'ann')).json.cards).toHaveLength(2);
  });

  it('answers 304 to a poll with the last ETag, and a new ETag after a change', async () => {
    const ws = await createWorkspace();
    await users(ws, [{ external_id: 'ann' }]);
    await sendCard(ws, CARD, ['ann']);
    const first = await feedWith(ws, 'ann', 1);
    const etag = first.json.etag as string;
    const path = '/herald/users/content_cards?external_id=ann';
    const same = await call(path, { key: ws.key, headers: { 'if-none-match': etag } });
    expect(same.status).toBe(304);
    await cardEvent(ws, { external_id: 'ann', card_id: first.json.cards[0].id, event: 'click' });
    const changed = await call(path, { key: ws.key, headers: { 'if-none-match': etag } });
    expect(changed.status).toBe(200);
    expect(changed.headers.get('etag')).not.toBe(etag);
  });

  it('expires cards at expire_at, read in the user’s zone with expire_in_local_time', async () => {
    const ws = await createWorkspace();
    await users(ws, [
      { external_id: 'tok', time_zone: 'Asia/Tokyo' },
      { external_id: 'utc', time_zone: 'Etc/UTC' },
    ]);
    const wall = new Date(Date.now() + 2 * 86_400_000).toISOString().slice(0, 16);
    await sendCard(
      ws,
      { ...CARD, time_to_live: undefined, expire_at: `${wall}:00Z`, expire_in_local_time: true },
      ['tok', 'utc'],
    );
    const tok = (await feedWith(ws, 'tok', 1)).json.cards[0];
    const utc = (await feedWith(ws, 'utc', 1)).json.cards[0];
    expect(Date.parse(utc.expires_at)).toBe(Date.parse(`${wall}:00Z`));
    expect(Date.parse(utc.expires_at) - Date.parse(tok.expires_at)).toBe(9 * 3_600_000);
  });

  it('does not send a card whose expire_at has passed', async () => {
    const ws = await createWorkspace();
    await users(ws, [{ external_id: 'ann' }]);
    const { dispatchId } = await sendCard(
      ws,
      { ...CARD, time_to_live: undefined, expire_at: '2020-01-01T00:00:00Z' },
      ['ann'],
    );
    const rows = await eventually(
      () => ledger(ws, 'ann', dispatchId),
      (r) => r[0]?.state === 'aborted',
    );
    expect(rows[0]?.state).toBe('aborted');
    expect((await feed(ws, 'ann')).json.cards).toEqual([]);
  });

  it('does not send a card over 2 KB after Liquid', async () => {
    const ws = await createWorkspace();
    await users(ws, [
      { external_id: 'small', bio: 'short' },
      { external_id: 'big', bio: 'x'.repeat(200) },
    ]);
    // 11 × 200 bytes: over 2 KB for one user only, known only once rendered.
    const description = '{% for i in (1..11) %}{{custom_attribute.${bio}}}{% endfor %}';
    const { dispatchId } = await sendCard(ws, { ...CARD, description }, ['small', 'big']);
    await feedWith(ws, 'small', 1);
    const rows = await eventually(
      () => ledger(ws, 'big', dispatchId),
      (r) => r[0]?.state === 'aborted',
    );
    expect(rows[0]?.state).toBe('aborted');
    expect((await feed(ws, 'big')).json.cards).toEqual([]);
  });

  it('hides the cards of a campaign stopped with remove_cards, and keeps them without', async () => {
    const ws = await createWorkspace();
    await users(ws, [{ external_id: 'ann' }]);
    const removed = await sendCard(ws, { ...CARD, title: 'removed' }, ['ann']);
    const kept = await sendCard(ws, { ...CARD, title: 'kept' }, ['ann']);
    await feedWith(ws, 'ann', 2);
    const stop = await ws.post(
      `/herald/campaigns/${removed.campaign.id}/stop?remove_cards=true`,
      {},
    );
    expect(stop.status).toBe(200);
    expect((await ws.post(`/herald/campaigns/${kept.campaign.id}/stop`, {})).status).toBe(200);
    const list = await eventually(
      () => feed(ws, 'ann'),
      (r) => r.json.cards?.length === 1,
    );
    expect(list.json.cards.map((c: { title: string }) => c.title)).toEqual(['kept']);
  });

  it('removes a card when the user performs its removal event', async () => {
    const ws = await createWorkspace();
    await users(ws, [{ external_id: 'ann' }]);
    await sendCard(
      ws,
      { ...CARD, title: 'buy', removal_events: [{ type: 'purchase', product_id: 'pro' }] },
      ['ann'],
    );
    await sendCard(
      ws,
      { ...CARD, title: 'rate', removal_events: [{ type: 'custom_event', event_name: 'rated' }] },
      ['ann'],
    );
    await feedWith(ws, 'ann', 2);
    const time = new Date().toISOString();
    await ws.post('/users/track', {
      events: [{ external_id: 'ann', name: 'opened', time }],
      purchases: [{ external_id: 'ann', product_id: 'basic', currency: 'USD', price: 1, time }],
    });
    expect((await feed(ws, 'ann')).json.cards).toHaveLength(2);
    await ws.post('/users/track', { events: [{ external_id: 'ann', name: 'rated', time }] });
    expect((await feed(ws, 'ann')).json.cards.map((c: { title: string }) => c.title)).toEqual([
      'buy',
    ]);
    await ws.post('/users/track', {
      purchases: [{ external_id: 'ann', product_id: 'pro', currency: 'USD', price: 9, time }],
    });
    expect((await feed(ws, 'ann')).json.cards).toEqual([]);
  });

  it('renders a card created at first impression when the feed is first read, then keeps it', async () => {
    const ws = await createWorkspace();
    await users(ws, [{ external_id: 'ann', first_name: 'Ann' }]);
    const { dispatchId } = await sendCard(ws, { ...CARD, card_creation: 'at_first_impression' }, [
      'ann',
    ]);
    await eventually(
      () => ledger(ws, 'ann', dispatchId),
      (r) => r[0]?.state === 'sent',
    );
    await users(ws, [{ external_id: 'ann', first_name: 'Annie' }]);
    const first = (await feed(ws, 'ann')).json.cards;
    expect(first[0]).toMatchObject({ title: 'Hi Annie', description: 'Your code is SAVE10' });
    await users(ws, [{ external_id: 'ann', first_name: 'Anna' }]);
    expect((await feed(ws, 'ann')).json.cards[0].title).toBe('Hi Annie');
  });

  it('is delivered by /messages/send too', async () => {
    const ws = await createWorkspace();
    await users(ws, [{ external_id: 'ann', first_name: 'Ann' }]);
    const res = await ws.post('/messages/send', {
      external_user_ids: ['ann'],
      messages: { content_card: { ...CARD, description: 'plain' } },
    });
    expect(res.status).toBe(201);
    expect((await feedWith(ws, 'ann', 1)).json.cards[0]).toMatchObject({
      title: 'Hi Ann',
      description: 'plain',
      campaign_id: null,
    });
  });
});

describe('the Content Card admin routes', () => {
  it('answer 404 for an unknown user or card, and 400 naming a bad field', async () => {
    const ws = await createWorkspace();
    await users(ws, [{ external_id: 'ann' }]);
    expect((await feed(ws, 'nobody')).status).toBe(404);
    const unknownCard = await cardEvent(ws, { external_id: 'ann', card_id: 'x', event: 'click' });
    expect(unknownCard.status).toBe(404);
    expect(unknownCard.json.message).toBe('Card not found');
    const bad = await cardEvent(ws, { external_id: 'ann', card_id: 'x', event: 'swipe' });
    expect(bad.status).toBe(400);
    expect(bad.json.message).toMatch(/event/);
    expect((await get(ws, '/herald/users/content_cards')).status).toBe(400);
  });

  it.each([
    '/herald/users/content_cards?external_id=ann',
    '/herald/users/in_app_messages?external_id=ann',
  ])('%s answers 401 without a key and 403 without herald.delivery.read', async (path) => {
    const ws = await createWorkspace();
    expect((await call(path)).status).toBe(401);
    const key = await ws.keyWith(['users.track']);
    expect((await call(path, { key })).status).toBe(403);
  });
});

describe('content cards and profile merges', () => {
  it('moves the absorbed profile’s cards to the kept one (a merged user keeps their feed)', async () => {
    const ws = await createWorkspace();
    await users(ws, [
      { external_id: 'old_account', first_name: 'Old' },
      { external_id: 'kept_account', first_name: 'Kept' },
    ]);
    await sendCard(ws, CARD, ['old_account']);
    await feedWith(ws, 'old_account', 1);
    const merged = await ws.post('/users/merge', {
      merge_updates: [
        {
          identifier_to_merge: { external_id: 'old_account' },
          identifier_to_keep: { external_id: 'kept_account' },
        },
      ],
    });
    expect(merged.status).toBe(202);
    const kept = await feedWith(ws, 'kept_account', 1);
    expect(kept.json.cards[0]).toMatchObject({ type: 'CLASSIC', title: 'Hi Old' });
  });
});
