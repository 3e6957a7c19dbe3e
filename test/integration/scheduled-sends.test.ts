import { env } from 'cloudflare:test';
import { describe, expect, it } from 'vitest';
import { pruneSendStats } from '../../src/campaigns/send-stats';
import { recordCampaignStats } from '../../src/campaigns/stats';
import { startDueSchedules } from '../../src/delivery/due-schedules';
import { createApp, createCampaign, launchCampaign, send } from '../fixtures/campaigns';
import { eventually, ledger, sinkHook, sinkWorkspace } from '../fixtures/delivery';
import { createSegment, get, sinkReceived, syncIndex } from '../fixtures/segments';
import { createWorkspace, exportUser, type TestWorkspace } from '../fixtures/workspace';

/**
 * Scheduled API messages started by the minute job (called here with a `now` past their time),
 * send ids and their statistics, the scheduled-broadcast list and the transactional endpoint.
 */

const HOUR = 3_600_000;

const newPath = () => `/sched/${crypto.randomUUID()}`;
const iso = (ms: number) => new Date(ms).toISOString();

/** Give the queue a moment, then read what reached the sink. */
async function settled(path: string) {
  await new Promise((resolve) => setTimeout(resolve, 400));
  return sinkReceived(path);
}

describe('POST /messages/schedule/create', () => {
  it('sends to the listed users once the schedule is due, not before, under the dispatch_id it answered', async () => {
    const ws = await sinkWorkspace();
    await ws.post('/users/track', {
      attributes: [
        { external_id: 'ann', first_name: 'Ann' },
        { external_id: 'ben', first_name: 'Ben' },
      ],
    });
    const path = newPath();
    const at = Date.now() + HOUR;
    const res = await ws.post('/messages/schedule/create', {
      external_user_ids: ['ann', 'ben'],
      send_id: 'nightly',
      schedule: { time: iso(at) },
      messages: { webhook: sinkHook(path, '{{${first_name}}} {{campaign.${dispatch_id}}}') },
    });
    expect(res.status).toBe(201);
    expect(res.json).toEqual({
      dispatch_id: expect.stringMatching(/^[0-9a-f]{32}$/),
      schedule_id: expect.stringMatching(/^[0-9a-f]{32}$/),
      send_id: 'nightly',
      message: 'success',
    });
    await startDueSchedules(env, at - 60_000);
    expect(await settled(path)).toHaveLength(0);
    expect(await startDueSchedules(env, at + 1_000)).toBeGreaterThanOrEqual(1);
    const got = await eventually(
      () => sinkReceived(path),
      (r) => r.length >= 2,
    );
    expect(got.map((r) => r.body).sort()).toEqual([
      `Ann ${res.json.dispatch_id}`,
      `Ben ${res.json.dispatch_id}`,
    ]);
    // Started once: a later tick finds nothing due.
    await startDueSchedules(env, at + 120_000);
    expect(await settled(path)).toHaveLength(2);
  });

  it('sends nothing twice when a start is repeated, as after a crash before the schedule was settled', async () => {
    const ws = await sinkWorkspace();
    await ws.post('/users/track', { attributes: [{ external_id: 'once' }] });
    const path = newPath();
    const at = Date.now() + HOUR;
    const res = await ws.post('/messages/schedule/create', {
      external_user_ids: ['once'],
      schedule: { time: iso(at) },
      messages: { webhook: sinkHook(path, 'once') },
    });
    await startDueSchedules(env, at + 1_000);
    await eventually(
      () => ledger(ws, 'once', res.json.dispatch_id),
      (r) => r[0]?.state === 'sent',
    );
    // The job died after queueing the dispatch and before settling the schedule.
    await env.DB.prepare("UPDATE api_schedules SET status = 'scheduled', due_at = ? WHERE id = ?")
      .bind(at, res.json.schedule_id)
      .run();
    expect(await startDueSchedules(env, at + 60_000)).toBeGreaterThanOrEqual(1);
    expect(await settled(path)).toHaveLength(1);
    expect(await ledger(ws, 'once', res.json.dispatch_id)).toHaveLength(1);
  });

  it('broadcasts to the members of a segment as it is when the send starts', async () => {
    const ws = await sinkWorkspace();
    await ws.post('/users/track', {
      attributes: [
        { external_id: 'g1', tier: 'gold' },
        { external_id: 'g2', tier: 'gold' },
        { external_id: 's1', tier: 'silver' },
      ],
    });
    await syncIndex(ws, ['g1', 'g2', 's1']);
    const segment = await createSegment(ws, {
      filter: {
        custom_attribute: { custom_attribute_name: 'tier', comparison: 'equals', value: 'gold' },
      },
    });
    const path = newPath();
    const at = Date.now() + HOUR;
    const res = await ws.post('/messages/schedule/create', {
      segment_id: segment,
      broadcast: true,
      schedule: { time: iso(at) },
      messages: { webhook: sinkHook(path, 'gold') },
    });
    expect(res.status).toBe(201);
    await startDueSchedules(env, at + 1_000);
    const got = await eventually(
      () => sinkReceived(path),
      (r) => r.length >= 2,
    );
    expect(got.map((r) => r.headers['x-user']).sort()).toEqual(['g1', 'g2']);
  });

  it('skips frequency caps with override_messaging_limits, as /messages/send does with override_frequency_capping', async () => {
    const ws = await sinkWorkspace({
      frequency_capping_rules: [{ channel: 'webhook', limit: 1, unit: 'days', count: 1 }],
    });
    await ws.post('/users/track', { attributes: [{ external_id: 'capped' }] });
    const path = newPath();
    const first = await ws.post('/messages/send', {
      external_user_ids: ['capped'],
      messages: { webhook: sinkHook(path, 'now') },
    });
    await eventually(
      () => ledger(ws, 'capped', first.json.dispatch_id),
      (r) => r[0]?.state === 'sent',
    );
    const at = Date.now() + HOUR;
    const schedule = (extra: Record<string, unknown>) =>
      ws.post('/messages/schedule/create', {
        external_user_ids: ['capped'],
        schedule: { time: iso(at) },
        messages: { webhook: sinkHook(path, 'later') },
        ...extra,
      });
    const plain = await schedule({});
    const overriding = await schedule({ override_messaging_limits: true });
    await startDueSchedules(env, at + 1_000);
    const done = (id: string) =>
      eventually(
        () => ledger(ws, 'capped', id),
        (r) => r[0] !== undefined && r[0].state !== 'claimed',
      );
    expect((await done(plain.json.dispatch_id))[0]).toMatchObject({ state: 'skipped' });
    expect((await done(overriding.json.dispatch_id))[0]).toMatchObject({ state: 'sent' });
    expect(await sinkReceived(path)).toHaveLength(2);
  });

  it("sends in_local_time at the wall-clock time in each user's zone", async () => {
    const ws = await sinkWorkspace();
    // One hour from now, in whole minutes, read as a wall-clock time with no zone.
    const wall = new Date(Math.floor(Date.now() / 60_000) * 60_000 + HOUR);
    await ws.post('/users/track', {
      attributes: [
        // UTC+1: their clock reads that time now. Sent.
        { external_id: 'lagos', time_zone: 'Africa/Lagos' },
        // UTC+5:30: it passed there 4.5 hours ago, more than the hour allowed. Skipped.
        { external_id: 'kolkata', time_zone: 'Asia/Kolkata' },
        // UTC: an hour to go. Waits.
        { external_id: 'reykjavik', time_zone: 'Atlantic/Reykjavik' },
      ],
    });
    const path = newPath();
    const res = await ws.post('/messages/schedule/create', {
      external_user_ids: ['lagos', 'kolkata', 'reykjavik'],
      schedule: { time: iso(wall.getTime()).slice(0, 19), in_local_time: true },
      messages: { webhook: sinkHook(path, 'local') },
    });
    expect(res.status).toBe(201);
    // The time has come in the earliest zones, so it is due now.
    await startDueSchedules(env, Date.now());
    const got = await eventually(
      () => sinkReceived(path),
      (r) => r.length >= 1,
    );
    expect(got.map((r) => r.headers['x-user'])).toEqual(['lagos']);
    expect(await settled(path)).toHaveLength(1);
  });

  it("sends at_optimal_time at 17:00 in each user's zone on the given date", async () => {
    const ws = await sinkWorkspace();
    const now = Date.now();
    // A whole-hour zone where it is 17:xx now, and one where 17:00 is hours away or long past.
    let offset = 17 - new Date(now).getUTCHours();
    if (offset > 14) offset -= 24;
    if (offset < -12) offset += 24;
    const other = offset - 5 >= -12 ? offset - 5 : offset + 19;
    const zone = (h: number) => (h === 0 ? 'Etc/GMT' : `Etc/GMT${h > 0 ? '-' : '+'}${Math.abs(h)}`);
    const localDate = iso(now + offset * HOUR).slice(0, 10);
    await ws.post('/users/track', {
      attributes: [
        { external_id: 'five', time_zone: zone(offset) },
        { external_id: 'elsewhere', time_zone: zone(other) },
      ],
    });
    const path = newPath();
    const res = await ws.post('/messages/schedule/create', {
      external_user_ids: ['five', 'elsewhere'],
      // The time of day given is ignored for optimal-time sends.
      schedule: { time: `${localDate}T09:30:00`, at_optimal_time: true },
      messages: { webhook: sinkHook(path, 'optimal') },
    });
    expect(res.status).toBe(201);
    await startDueSchedules(env, now);
    const got = await eventually(
      () => sinkReceived(path),
      (r) => r.length >= 1,
    );
    expect(got.map((r) => r.headers['x-user'])).toEqual(['five']);
    expect(await settled(path)).toHaveLength(1);
  });

  it.each([
    ['a time that is not a time', { time: 'tomorrow' }, /ISO 8601/],
    [
      'a local time that has passed in every zone',
      { time: iso(Date.now() - 3 * 24 * HOUR).slice(0, 19), in_local_time: true },
      /already passed in every time zone/,
    ],
    ['a time more than 90 days ahead', { time: iso(Date.now() + 91 * 24 * HOUR) }, /90 days/],
    [
      'both local and optimal time',
      { time: iso(Date.now() + HOUR).slice(0, 19), in_local_time: true, at_optimal_time: true },
      /both in_local_time and at_optimal_time/,
    ],
  ])('refuses %s', async (_name, schedule, message) => {
    const ws = await createWorkspace();
    const res = await ws.post('/messages/schedule/create', {
      external_user_ids: ['u'],
      schedule,
      messages: { webhook: sinkHook('/x', 'x') },
    });
    expect(res.status).toBe(400);
    expect(res.json.message).toMatch(message);
  });

  it('checks the message as /messages/send does when it is scheduled', async () => {
    const ws = await createWorkspace();
    const at = iso(Date.now() + HOUR);
    const noAudience = await ws.post('/messages/schedule/create', {
      schedule: { time: at },
      messages: { webhook: sinkHook('/x', 'x') },
    });
    expect(noAudience.json.message).toMatch(/external_user_ids or user_aliases/);
    const email = await ws.post('/messages/schedule/create', {
      external_user_ids: ['u'],
      schedule: { time: at },
      messages: {
        kindle_push: { alert: 'hi' },
      },
    });
    expect(email.status).toBe(400);
    expect(email.json.message).toMatch(/cannot deliver kindle_push/);
    const missing = await ws.post('/messages/schedule/create', {
      external_user_ids: ['u'],
      messages: { webhook: sinkHook('/x', 'x') },
    });
    expect(missing.json.message).toMatch(/^schedule/);
  });
});

describe('POST /messages/schedule/update and /messages/schedule/delete', () => {
  async function scheduled(ws: TestWorkspace, path: string, at: number) {
    await ws.post('/users/track', { attributes: [{ external_id: 'sue', first_name: 'Sue' }] });
    const res = await ws.post('/messages/schedule/create', {
      external_user_ids: ['sue'],
      schedule: { time: iso(at) },
      messages: { webhook: sinkHook(path, 'first') },
    });
    expect(res.status).toBe(201);
    return res.json.schedule_id as string;
  }

  it('moves the send and replaces the messages: nothing goes out at the old time', async () => {
    const ws = await sinkWorkspace();
    const path = newPath();
    const at = Date.now() + HOUR;
    const id = await scheduled(ws, path, at);
    const res = await ws.post('/messages/schedule/update', {
      schedule_id: id,
      schedule: { time: iso(at + HOUR) },
      messages: { webhook: sinkHook(path, 'second for {{${first_name}}}') },
    });
    expect(res).toMatchObject({ status: 200, json: { message: 'success' } });
    await startDueSchedules(env, at + 1_000);
    expect(await settled(path)).toHaveLength(0);
    await startDueSchedules(env, at + HOUR + 1_000);
    const got = await eventually(
      () => sinkReceived(path),
      (r) => r.length >= 1,
    );
    expect(got.map((r) => r.body)).toEqual(['second for Sue']);
  });

  it('cancels the send on delete; the schedule is then gone', async () => {
    const ws = await sinkWorkspace();
    const path = newPath();
    const at = Date.now() + HOUR;
    const id = await scheduled(ws, path, at);
    const res = await ws.post('/messages/schedule/delete', { schedule_id: id });
    expect(res).toMatchObject({ status: 200, json: { message: 'success' } });
    await startDueSchedules(env, at + 1_000);
    expect(await settled(path)).toHaveLength(0);
    const again = await ws.post('/messages/schedule/update', {
      schedule_id: id,
      schedule: { time: iso(at + HOUR) },
    });
    expect(again.status).toBe(400);
    expect(again.json).toMatchObject({
      message: 'schedule_id is invalid',
      errors: [`${id} was deleted`],
    });
  });

  it('refuses to update or delete a schedule that has started', async () => {
    const ws = await sinkWorkspace();
    const path = newPath();
    const at = Date.now() + HOUR;
    const id = await scheduled(ws, path, at);
    await startDueSchedules(env, at + 1_000);
    for (const [p, body] of [
      ['/messages/schedule/update', { schedule_id: id, schedule: { time: iso(at + HOUR) } }],
      ['/messages/schedule/delete', { schedule_id: id }],
    ] as const) {
      const res = await ws.post(p, body);
      expect(res.status).toBe(400);
      expect(res.json.message).toBe('The scheduled message has already started');
    }
  });

  it('refuses an unknown schedule, and an update without schedule or messages', async () => {
    const ws = await createWorkspace();
    const unknown = await ws.post('/messages/schedule/delete', { schedule_id: 'nope' });
    expect(unknown).toMatchObject({ status: 400, json: { message: 'schedule_id is invalid' } });
    const id = await scheduled(ws, '/x', Date.now() + HOUR);
    const empty = await ws.post('/messages/schedule/update', { schedule_id: id });
    expect(empty.status).toBe(400);
    expect(empty.json.message).toMatch(/schedule or messages/);
  });
});

describe('POST /campaigns/trigger/schedule/*', () => {
  it("starts the campaign when due, writing recipients' attributes just before the send", async () => {
    const ws = await sinkWorkspace();
    const path = newPath();
    const c = await launchCampaign(ws, {
      variants: [
        {
          messages: {
            webhook: sinkHook(path, '{{${first_name}}} gets {{api_trigger_properties.${coupon}}}'),
          },
        },
      ],
    });
    const at = Date.now() + HOUR;
    const res = await ws.post('/campaigns/trigger/schedule/create', {
      campaign_id: c.id,
      trigger_properties: { coupon: 'SAVE10' },
      recipients: [
        {
          external_user_id: 'zoe',
          send_to_existing_only: false,
          attributes: { first_name: 'Zoe' },
        },
      ],
      schedule: { time: iso(at) },
    });
    expect(res.status).toBe(201);
    expect(res.json).toMatchObject({ schedule_id: expect.any(String), message: 'success' });
    expect(await exportUser(ws, 'zoe')).toBeNull();
    await startDueSchedules(env, at + 1_000);
    const got = await eventually(
      () => sinkReceived(path),
      (r) => r.length >= 1,
    );
    expect(got.map((r) => r.body)).toEqual(['Zoe gets SAVE10']);
    const rows = await ledger(ws, 'zoe', res.json.dispatch_id);
    expect(rows[0]).toMatchObject({ state: 'sent' });
  });

  it('sends nothing when the campaign is no longer active at the send time', async () => {
    const ws = await sinkWorkspace();
    await ws.post('/users/track', { attributes: [{ external_id: 'paused' }] });
    const path = newPath();
    const c = await launchCampaign(ws, {
      variants: [{ messages: { webhook: sinkHook(path, 'x') } }],
    });
    const at = Date.now() + HOUR;
    const res = await ws.post('/campaigns/trigger/schedule/create', {
      campaign_id: c.id,
      recipients: [{ external_user_id: 'paused' }],
      schedule: { time: iso(at) },
    });
    await ws.post(`/herald/campaigns/${c.id}/stop`, {});
    await startDueSchedules(env, at + 1_000);
    expect(await settled(path)).toHaveLength(0);
    expect((await get(ws, `/herald/dispatches/${res.json.dispatch_id}`)).status).toBe(404);
  });

  it('updates and deletes only through the campaign the schedule belongs to', async () => {
    const ws = await sinkWorkspace();
    await ws.post('/users/track', { attributes: [{ external_id: 'moved' }] });
    const path = newPath();
    const c = await launchCampaign(ws, {
      variants: [{ messages: { webhook: sinkHook(path, 'moved') } }],
    });
    const other = await createCampaign(ws);
    const at = Date.now() + HOUR;
    const created = await ws.post('/campaigns/trigger/schedule/create', {
      campaign_id: c.id,
      recipients: [{ external_user_id: 'moved' }],
      schedule: { time: iso(at) },
    });
    const id = created.json.schedule_id;
    const wrong = await ws.post('/campaigns/trigger/schedule/delete', {
      campaign_id: other.id,
      schedule_id: id,
    });
    expect(wrong).toMatchObject({ status: 400, json: { message: 'schedule_id is invalid' } });
    const moved = await ws.post('/campaigns/trigger/schedule/update', {
      campaign_id: c.id,
      schedule_id: id,
      schedule: { time: iso(at + HOUR) },
    });
    expect(moved.status).toBe(200);
    await startDueSchedules(env, at + 1_000);
    expect(await settled(path)).toHaveLength(0);
    await startDueSchedules(env, at + HOUR + 1_000);
    await eventually(
      () => sinkReceived(path),
      (r) => r.length >= 1,
    );
    const late = await ws.post('/campaigns/trigger/schedule/delete', {
      campaign_id: c.id,
      schedule_id: id,
    });
    expect(late.json.message).toBe('The scheduled message has already started');
  });

  it('refuses a campaign that is not API-triggered or not in the workspace', async () => {
    const ws = await createWorkspace();
    const scheduledCampaign = await createCampaign(ws, {
      delivery: {
        type: 'scheduled',
        schedule: { type: 'once', date: '2030-01-01', time: '12:00' },
      },
    });
    const body = { broadcast: true, schedule: { time: iso(Date.now() + HOUR) } };
    const wrongKind = await ws.post('/campaigns/trigger/schedule/create', {
      ...body,
      campaign_id: scheduledCampaign.id,
    });
    expect(wrongKind.json.message).toMatch(/API-triggered/);
    const unknown = await ws.post('/campaigns/trigger/schedule/create', {
      ...body,
      campaign_id: 'nope',
    });
    expect(unknown.json.message).toBe('campaign_id is invalid');
  });
});

describe('POST /sends/id/create', () => {
  it('creates at most 100 new send ids a day per workspace; an existing one is answered again', async () => {
    const ws = await createWorkspace({
      rate_limits: { sends_id_create: { limit: 1_000, window_seconds: 86_400 } },
    });
    const c = await createCampaign(ws);
    for (let i = 0; i < 100; i++) {
      const res = await ws.post('/sends/id/create', { campaign_id: c.id, send_id: `id-${i}` });
      expect(res.status).toBe(201);
    }
    const over = await ws.post('/sends/id/create', { campaign_id: c.id, send_id: 'id-100' });
    expect(over.status).toBe(429);
    expect(over.json.errors[0]).toMatch(/100 new send ids/);
    const existing = await ws.post('/sends/id/create', { campaign_id: c.id, send_id: 'id-7' });
    expect(existing).toMatchObject({ status: 201, json: { message: 'success', send_id: 'id-7' } });
  }, 30_000);

  it('counts requests against the sends_id_create bucket, with rate-limit headers', async () => {
    const ws = await createWorkspace({
      rate_limits: { sends_id_create: { limit: 2, window_seconds: 86_400 } },
    });
    const c = await createCampaign(ws);
    const first = await ws.post('/sends/id/create', { campaign_id: c.id });
    expect(first.json.send_id).toMatch(/^[0-9a-f]{32}$/);
    expect(first.headers.get('x-ratelimit-limit')).toBe('2');
    await ws.post('/sends/id/create', { campaign_id: c.id });
    const third = await ws.post('/sends/id/create', { campaign_id: c.id });
    expect(third).toMatchObject({ status: 429, json: { message: 'API rate limit exceeded' } });
  });

  it('refuses a campaign that is not API-triggered, and a send id that is not ASCII', async () => {
    const ws = await createWorkspace();
    const scheduledCampaign = await createCampaign(ws, {
      delivery: {
        type: 'scheduled',
        schedule: { type: 'once', date: '2030-01-01', time: '12:00' },
      },
    });
    const wrong = await ws.post('/sends/id/create', { campaign_id: scheduledCampaign.id });
    expect(wrong).toMatchObject({ status: 400, json: { message: 'Invalid Campaign ID' } });
    const c = await createCampaign(ws);
    const accented = await ws.post('/sends/id/create', { campaign_id: c.id, send_id: 'été' });
    expect(accented.json.message).toMatch(/ASCII/);
  });
});

describe('GET /sends/data_series', () => {
  it('reports the sends of one send id, apart from the campaign’s other sends', async () => {
    const ws = await sinkWorkspace();
    await ws.post('/users/track', {
      attributes: [{ external_id: 'd1' }, { external_id: 'd2' }, { external_id: 'd3' }],
    });
    const path = newPath();
    const c = await launchCampaign(ws, {
      variants: [{ messages: { webhook: sinkHook(path, 'x') } }],
    });
    await ws.post('/campaigns/trigger/send', {
      campaign_id: c.id,
      send_id: 'promo-a',
      recipients: [{ external_user_id: 'd1' }, { external_user_id: 'd2' }],
    });
    await ws.post('/campaigns/trigger/send', {
      campaign_id: c.id,
      send_id: 'promo-b',
      recipients: [{ external_user_id: 'd3' }],
    });
    const series = (sendId: string) =>
      get(ws, `/sends/data_series?campaign_id=${c.id}&send_id=${sendId}&length=2`);
    const a = await eventually(
      () => series('promo-a'),
      (r) => r.json.data?.[1]?.messages?.webhook?.[0]?.sent === 2,
    );
    expect(a.status).toBe(200);
    expect(a.json.data[1]).toMatchObject({
      unique_recipients: 2,
      messages: {
        webhook: [expect.objectContaining({ sent: 2, delivered: 2, undelivered: 0, errors: 0 })],
      },
    });
    expect(a.json.data[0].messages.webhook[0].sent).toBe(0);
    const b = await eventually(
      () => series('promo-b'),
      (r) => r.json.data?.[1]?.messages?.webhook?.[0]?.sent === 1,
    );
    expect(b.json.data[1].unique_recipients).toBe(1);
    const campaign = await get(ws, `/campaigns/data_series?campaign_id=${c.id}&length=1`);
    expect(campaign.json.data[0].messages.webhook[0].sent).toBe(3);
  });

  it('keeps a send’s statistics for 14 days', async () => {
    const ws = await createWorkspace();
    const c = await createCampaign(ws);
    const variant = c.variants[0].messages.webhook.message_variation_id;
    const base = { workspaceId: ws.id, campaignId: c.id, delta: 4 };
    const old = Date.now() - 20 * 24 * HOUR;
    const recent = Date.now() - 3 * 24 * HOUR;
    for (const day of [old, recent]) {
      await recordCampaignStats(
        env.DB,
        [{ ...base, day, channel: 'webhook', field: 'sent', variant }],
        { sendId: 'kept' },
      );
    }
    const on = (ms: number) =>
      get(ws, `/sends/data_series?campaign_id=${c.id}&send_id=kept&length=1&ending_at=${iso(ms)}`);
    expect((await on(recent)).json.data[0].messages.webhook[0].sent).toBe(4);
    expect((await on(old)).json.data[0].messages.webhook[0].sent).toBe(0);
    expect(await pruneSendStats(env.DB, Date.now())).toBeGreaterThanOrEqual(1);
    expect((await on(recent)).json.data[0].messages.webhook[0].sent).toBe(4);
  });

  it("refuses another workspace's campaign and a length outside 1..100", async () => {
    const ws = await createWorkspace();
    const c = await createCampaign(ws);
    const intruder = await createWorkspace();
    const res = await get(intruder, `/sends/data_series?campaign_id=${c.id}&send_id=x&length=1`);
    expect(res).toMatchObject({ status: 400, json: { message: 'Invalid Campaign ID' } });
    const long = await get(ws, `/sends/data_series?campaign_id=${c.id}&send_id=x&length=101`);
    expect(long.json.message).toMatch(/length must be 1..100/);
  });
});

describe('GET /messages/scheduled_broadcasts', () => {
  it('lists active scheduled campaigns due before end_time, once each, with their next send', async () => {
    const ws = await createWorkspace();
    const day = (n: number) => iso(Date.now() + n * 24 * HOUR).slice(0, 10);
    const scheduled = (name: string, schedule: Record<string, unknown>) =>
      launchCampaign(ws, { name, tags: ['news'], delivery: { type: 'scheduled', schedule } });
    const daily = await scheduled('Daily', {
      type: 'recurring',
      frequency: 'daily',
      time: '10:00',
      start_date: day(2),
      time_zone: 'Asia/Tokyo',
    });
    const local = await scheduled('Local', {
      type: 'once',
      date: day(3),
      time: '08:30',
      in_local_time: true,
    });
    await scheduled('Too late', { type: 'once', date: day(20), time: '08:30' });
    await createCampaign(ws, {
      name: 'Draft',
      delivery: { type: 'scheduled', schedule: { type: 'once', date: day(2), time: '08:30' } },
    });
    await launchCampaign(ws, { name: 'API-triggered' });
    const res = await get(ws, `/messages/scheduled_broadcasts?end_time=${day(10)}T12:00:00Z`);
    expect(res.status).toBe(200);
    expect(res.json.scheduled_broadcasts).toEqual([
      {
        name: 'Daily',
        id: daily.id,
        type: 'Campaign',
        tags: ['news'],
        next_send_time: `${day(2)}T10:00:00+09:00`,
        schedule_type: 'Asia/Tokyo',
      },
      {
        name: 'Local',
        id: local.id,
        type: 'Campaign',
        tags: ['news'],
        next_send_time: `${day(3)}T08:30:00`,
        schedule_type: 'local_time_zones',
      },
    ]);
  });
});

describe('POST /transactional/v1/campaigns/{campaign_id}/send', () => {
  async function emailCampaign(ws: TestWorkspace) {
    const appId = await createApp(ws);
    return createCampaign(ws, {
      variants: [
        {
          messages: {
            email: { app_id: appId, from: 'Herald <hi@example.com>', subject: 'Hi', body: 'x' },
          },
        },
      ],
    });
  }
  const transactional = (ws: TestWorkspace, campaignId: string, body: unknown) =>
    send(ws, 'POST', `/transactional/v1/campaigns/${campaignId}/send`, body);

  it('answers Braze’s errors for other campaigns', async () => {
    const ws = await createWorkspace();
    const body = { recipient: { external_user_id: 'u' } };
    const webhookCampaign = await createCampaign(ws);
    expect((await transactional(ws, webhookCampaign.id, body)).json.message).toBe(
      'The campaign is not a transactional campaign. Only transactional campaigns may use this endpoint',
    );
    expect((await transactional(ws, 'nope', body)).json.message).toBe('Campaign does not exist');
    const archived = await emailCampaign(ws);
    await ws.post(`/herald/campaigns/${archived.id}/archive`, {});
    expect((await transactional(ws, archived.id, body)).json.message).toMatch(
      /^The campaign is archived/,
    );
    // A draft (never launched) or stopped campaign is paused for the API.
    const draft = await emailCampaign(ws);
    expect((await transactional(ws, draft.id, body)).json.message).toMatch(
      /^The campaign is paused/,
    );
  });

  it.each([
    ['an external_send_id that is not Base64', { external_send_id: 'no spaces!' }, /Base64/],
    [
      'two identifiers',
      { recipient: { external_user_id: 'u', user_alias: { alias_name: 'a', alias_label: 'b' } } },
      /exactly one of external_user_id or user_alias/,
    ],
    [
      'trigger properties over 50 KB',
      { trigger_properties: { big: 'x'.repeat(51 * 1024) } },
      /50 KB/,
    ],
  ])('refuses %s', async (_name, over, message) => {
    const ws = await createWorkspace();
    const c = await emailCampaign(ws);
    const res = await transactional(ws, c.id, { recipient: { external_user_id: 'u' }, ...over });
    expect(res.status).toBe(400);
    expect(res.json.message).toMatch(message);
  });
});
