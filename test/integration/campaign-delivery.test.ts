import { env } from 'cloudflare:test';
import { describe, expect, it } from 'vitest';
import { startDueCampaigns } from '../../src/delivery/scheduler';
import { createCampaign, launchCampaign } from '../fixtures/campaigns';
import { eventually, ledger, sinkHook, sinkWorkspace } from '../fixtures/delivery';
import { createSegment, get, sinkReceived, syncIndex } from '../fixtures/segments';
import { createWorkspace, exportUser } from '../fixtures/workspace';

/** Sends of API-triggered campaigns through the delivery pipeline, to the local sink. */

describe('POST /campaigns/trigger/send', () => {
  it('reaches the webhook with the rendered body, trigger properties merged per recipient', async () => {
    const ws = await sinkWorkspace();
    await ws.post('/users/track', {
      attributes: [
        { external_id: 'ann', first_name: 'Ann' },
        { external_id: 'ben', first_name: 'Ben' },
      ],
    });
    const path = `/camp/${crypto.randomUUID()}`;
    const c = await launchCampaign(ws, {
      variants: [
        {
          messages: {
            webhook: sinkHook(
              path,
              '{{${first_name}}} gets {{api_trigger_properties.${coupon}}} in {{api_trigger_properties.${city}}} from {{campaign.${name}}}',
            ),
          },
        },
      ],
    });
    const res = await ws.post('/campaigns/trigger/send', {
      campaign_id: c.id,
      send_id: 'batch-7',
      trigger_properties: { coupon: 'SAVE10', city: 'Paris' },
      recipients: [
        { external_user_id: 'ann' },
        { external_user_id: 'ben', trigger_properties: { coupon: 'VIP20' } },
        { external_user_id: 'ann', trigger_properties: { coupon: 'IGNORED' } },
      ],
    });
    expect(res.status).toBe(201);
    expect(res.json).toEqual({
      dispatch_id: expect.stringMatching(/^[0-9a-f]{32}$/),
      send_id: 'batch-7',
      message: 'success',
    });
    const got = await eventually(
      () => sinkReceived(path),
      (r) => r.length >= 2,
    );
    expect(got.map((r) => r.body).sort()).toEqual([
      'Ann gets SAVE10 in Paris from Welcome',
      'Ben gets VIP20 in Paris from Welcome',
    ]);
    // The sends show in Braze's daily statistics.
    const series = await eventually(
      () => get(ws, `/campaigns/data_series?campaign_id=${c.id}&length=1`),
      (r) => r.json.data?.[0]?.messages?.webhook?.[0]?.sent === 2,
    );
    expect(series.json.data[0]).toMatchObject({
      unique_recipients: 2,
      messages: { webhook: [expect.objectContaining({ sent: 2, errors: 0 })] },
    });
  });

  it('creates a user from attributes before sending when send_to_existing_only is false', async () => {
    const ws = await sinkWorkspace();
    const path = `/camp/${crypto.randomUUID()}`;
    const c = await launchCampaign(ws, {
      variants: [{ messages: { webhook: sinkHook(path, 'Hi {{${first_name}}}') } }],
    });
    const res = await ws.post('/campaigns/trigger/send', {
      campaign_id: c.id,
      recipients: [
        {
          external_user_id: 'newbie',
          send_to_existing_only: false,
          attributes: { first_name: 'Nia' },
        },
        { external_user_id: 'ghost' },
      ],
    });
    expect(res.status).toBe(201);
    const got = await eventually(
      () => sinkReceived(path),
      (r) => r.length >= 1,
    );
    expect(got.map((r) => r.body)).toEqual(['Hi Nia']);
    expect(await exportUser(ws, 'ghost')).toBeNull();
  });

  it('broadcasts to the campaign audience, with top-level trigger properties for everyone', async () => {
    const ws = await sinkWorkspace();
    await ws.post('/users/track', {
      attributes: [
        { external_id: 'p1', plan: 'pro' },
        { external_id: 'p2', plan: 'pro' },
        { external_id: 'f1', plan: 'free' },
      ],
    });
    await syncIndex(ws, ['p1', 'p2', 'f1']);
    const segment = await createSegment(ws, {
      filter: {
        custom_attribute: { custom_attribute_name: 'plan', comparison: 'equals', value: 'pro' },
      },
    });
    const path = `/camp/${crypto.randomUUID()}`;
    const c = await launchCampaign(ws, {
      audience: { segment_ids: [segment] },
      variants: [{ messages: { webhook: sinkHook(path, '{{api_trigger_properties.${sale}}}') } }],
    });
    const res = await ws.post('/campaigns/trigger/send', {
      campaign_id: c.id,
      broadcast: true,
      trigger_properties: { sale: 'spring' },
    });
    expect(res.status).toBe(201);
    const got = await eventually(
      () => sinkReceived(path),
      (r) => r.length >= 2,
    );
    expect(got.map((r) => r.headers['x-user']).sort()).toEqual(['p1', 'p2']);
    expect(got.map((r) => r.body)).toEqual(['spring', 'spring']);
  });

  it('sends a campaign once per user: a second trigger is blocked by re-eligibility', async () => {
    const ws = await sinkWorkspace();
    await ws.post('/users/track', { attributes: [{ external_id: 'once' }] });
    const path = `/camp/${crypto.randomUUID()}`;
    const c = await launchCampaign(ws, {
      variants: [{ messages: { webhook: sinkHook(path, 'x') } }],
    });
    const trigger = () =>
      ws.post('/campaigns/trigger/send', {
        campaign_id: c.id,
        recipients: [{ external_user_id: 'once' }],
      });
    const first = await trigger();
    await eventually(
      () => ledger(ws, 'once', first.json.dispatch_id),
      (r) => r[0]?.state === 'sent',
    );
    const second = await trigger();
    const rows = await eventually(
      () => ledger(ws, 'once', second.json.dispatch_id),
      (r) => r[0] !== undefined && r[0].state !== 'claimed',
    );
    expect(rows[0]).toMatchObject({ state: 'skipped' });
    expect(await sinkReceived(path)).toHaveLength(1);
  });

  it('splits users between variants and the control group as configured', async () => {
    const ws = await sinkWorkspace();
    const pathA = `/camp/${crypto.randomUUID()}`;
    const pathB = `/camp/${crypto.randomUUID()}`;
    const c = await launchCampaign(ws, {
      variants: [
        { name: 'A', percentage: 40, messages: { webhook: sinkHook(pathA, 'A') } },
        { name: 'B', percentage: 40, messages: { webhook: sinkHook(pathB, 'B') } },
      ],
      control_percentage: 20,
    });
    // Before the users exist: profiles cache the workspace's segments for a few seconds.
    const held = await createSegment(ws, {
      filter: { message_engagement: { campaign_id: c.id, comparison: 'in_control' } },
    });
    const users = Array.from({ length: 40 }, (_, i) => ({ external_id: `ab${i}` }));
    await ws.post('/users/track', { attributes: users });
    const res = await ws.post('/campaigns/trigger/send', {
      campaign_id: c.id,
      recipients: users.map((u) => ({ external_user_id: u.external_id })),
    });
    expect(res.status).toBe(201);
    const states = await eventually(
      async () =>
        Promise.all(
          users.map(async (u) => (await ledger(ws, u.external_id, res.json.dispatch_id))[0]?.state),
        ),
      (s) => s.every((x) => x !== undefined && x !== 'claimed'),
    );
    const a = (await sinkReceived(pathA)).length;
    const b = (await sinkReceived(pathB)).length;
    const control = states.filter((s) => s === 'control').length;
    expect(a + b + control).toBe(40);
    expect(states.filter((s) => s === 'sent')).toHaveLength(a + b);
    expect(control).toBeGreaterThan(0);
    expect(a).toBeGreaterThan(0);
    expect(b).toBeGreaterThan(0);
    // The control group shows in segments: "in control group of campaign X".
    const inControl = users.filter((_, i) => states[i] === 'control').map((u) => u.external_id);
    const seg = await get(ws, `/herald/users/segments?external_id=${inControl[0]}`);
    expect(seg.json.segments.map((m: { segment_id: string }) => m.segment_id)).toEqual([held]);
  }, 30_000);

  it('answers with a notice and sends nothing for a campaign that is not active', async () => {
    const ws = await sinkWorkspace();
    const c = await createCampaign(ws);
    const res = await ws.post('/campaigns/trigger/send', {
      campaign_id: c.id,
      recipients: [{ external_user_id: 'x' }],
    });
    expect(res.status).toBe(201);
    expect(res.json).toEqual({
      message: 'success',
      notice: 'The campaign is not active: nothing was sent',
    });
  });

  it.each([
    ['an unknown campaign', { campaign_id: 'nope', broadcast: true }, /campaign_id is invalid/],
    ['no recipients and no broadcast', { campaign_id: 'c' }, /broadcast must be true/],
    [
      'a recipient with two identifiers',
      { campaign_id: 'c', recipients: [{ external_user_id: 'a', braze_id: 'b' }] },
      /exactly one of/,
    ],
    [
      'send_to_existing_only false without attributes',
      { campaign_id: 'c', recipients: [{ external_user_id: 'a', send_to_existing_only: false }] },
      /needs an attributes object/,
    ],
    [
      'trigger properties over 50 KB',
      {
        campaign_id: 'c',
        recipients: [{ external_user_id: 'a' }],
        trigger_properties: { big: 'x'.repeat(51 * 1024) },
      },
      /50 KB/,
    ],
  ])('refuses %s', async (_name, body, message) => {
    const ws = await createWorkspace();
    const res = await ws.post('/campaigns/trigger/send', body);
    expect(res.status).toBe(400);
    expect(res.json.message).toMatch(message);
  });

  it('refuses a campaign that is not API-triggered', async () => {
    const ws = await createWorkspace();
    const c = await createCampaign(ws, {
      delivery: {
        type: 'scheduled',
        schedule: { type: 'once', date: '2030-01-01', time: '12:00' },
      },
    });
    const res = await ws.post('/campaigns/trigger/send', { campaign_id: c.id, broadcast: true });
    expect(res.status).toBe(400);
    expect(res.json.message).toMatch(/API-triggered/);
  });
});

describe('scheduled campaigns', () => {
  it('start when due: every member of the audience once, and the schedule moves on', async () => {
    const ws = await sinkWorkspace();
    await ws.post('/users/track', {
      attributes: [
        { external_id: 's1', vip: true },
        { external_id: 's2', vip: true },
        { external_id: 's3', vip: false },
      ],
    });
    await syncIndex(ws, ['s1', 's2', 's3']);
    const segment = await createSegment(ws, {
      filter: {
        custom_attribute: { custom_attribute_name: 'vip', comparison: 'equals', value: true },
      },
    });
    const path = `/sched/${crypto.randomUUID()}`;
    const c = await launchCampaign(ws, {
      delivery: { type: 'scheduled', schedule: { type: 'immediately' } },
      audience: { segment_ids: [segment] },
      variants: [{ messages: { webhook: sinkHook(path, 'news for {{${user_id}}}') } }],
    });
    expect(await startDueCampaigns(env, Date.now() + 1_000)).toBeGreaterThanOrEqual(1);
    const got = await eventually(
      () => sinkReceived(path),
      (r) => r.length >= 2,
    );
    expect(got.map((r) => r.body).sort()).toEqual(['news for s1', 'news for s2']);
    // Nothing is due any more: a second tick starts nothing for this campaign.
    await startDueCampaigns(env, Date.now() + 2_000);
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(await sinkReceived(path)).toHaveLength(2);
    const details = await get(ws, `/campaigns/details?campaign_id=${c.id}`);
    expect(details.json.first_sent).not.toBeNull();
  });

  it("sends a local-time occurrence at each user's own wall-clock time", async () => {
    const ws = await sinkWorkspace();
    // One hour from now, in whole minutes, read as a wall-clock time.
    const at = new Date(Math.floor(Date.now() / 60_000) * 60_000 + 3_600_000);
    const date = at.toISOString().slice(0, 10);
    const time = at.toISOString().slice(11, 16);
    await ws.post('/users/track', {
      attributes: [
        // UTC+1: their wall clock reads `time` now. Sent.
        { external_id: 'lagos', time_zone: 'Africa/Lagos' },
        // UTC+5:30: `time` passed there 4.5 hours ago, more than Braze's hour. Skipped.
        { external_id: 'kolkata', time_zone: 'Asia/Kolkata' },
        // UTC: an hour to go. Waits.
        { external_id: 'reykjavik', time_zone: 'Atlantic/Reykjavik' },
      ],
    });
    await syncIndex(ws, ['lagos', 'kolkata', 'reykjavik']);
    const path = `/local/${crypto.randomUUID()}`;
    await launchCampaign(ws, {
      delivery: {
        type: 'scheduled',
        schedule: { type: 'once', date, time, in_local_time: true },
      },
      variants: [{ messages: { webhook: sinkHook(path, 'local') } }],
    });
    await startDueCampaigns(env, Date.now());
    const got = await eventually(
      () => sinkReceived(path),
      (r) => r.length >= 1,
    );
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(got.map((r) => r.headers['x-user'])).toEqual(['lagos']);
    expect(await sinkReceived(path)).toHaveLength(1);
  });
});

describe('action-based campaigns', () => {
  it('fire on a tracked custom event matching the property filters, with event_properties', async () => {
    const ws = await sinkWorkspace();
    const path = `/act/${crypto.randomUUID()}`;
    await launchCampaign(ws, {
      delivery: {
        type: 'action_based',
        triggers: [
          {
            type: 'custom_event',
            event_name: 'cart_abandoned',
            property_filters: [{ property_name: 'total', comparison: 'greater_than', value: 50 }],
          },
        ],
      },
      variants: [
        {
          messages: {
            webhook: sinkHook(path, '{{${user_id}}} left {{event_properties.${total}}}'),
          },
        },
      ],
    });
    const time = new Date().toISOString();
    await ws.post('/users/track', {
      events: [
        { external_id: 'big', name: 'cart_abandoned', time, properties: { total: 80 } },
        { external_id: 'small', name: 'cart_abandoned', time, properties: { total: 20 } },
        { external_id: 'other', name: 'viewed', time },
      ],
    });
    const got = await eventually(
      () => sinkReceived(path),
      (r) => r.length >= 1,
    );
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect((await sinkReceived(path)).map((r) => r.body)).toEqual(['big left 80']);
    expect(got).toHaveLength(1);
  });

  it('waits out a delay, and an exception event in the meantime cancels the send', async () => {
    const ws = await sinkWorkspace();
    const path = `/act/${crypto.randomUUID()}`;
    await launchCampaign(ws, {
      delivery: {
        type: 'action_based',
        triggers: [{ type: 'custom_event', event_name: 'signed_up', property_filters: [] }],
        delay: { type: 'after', value: 2, unit: 'seconds' },
        exception_events: [{ type: 'custom_event', event_name: 'onboarded', property_filters: [] }],
        reevaluate_audience_at_send: false,
      },
      variants: [{ messages: { webhook: sinkHook(path, 'nudge {{${user_id}}}') } }],
    });
    const now = new Date().toISOString();
    await ws.post('/users/track', {
      events: [
        { external_id: 'waits', name: 'signed_up', time: now },
        { external_id: 'quits', name: 'signed_up', time: now },
      ],
    });
    await new Promise((resolve) => setTimeout(resolve, 200));
    await ws.post('/users/track', {
      events: [{ external_id: 'quits', name: 'onboarded', time: new Date().toISOString() }],
    });
    expect(await sinkReceived(path)).toHaveLength(0);
    const got = await eventually(
      () => sinkReceived(path),
      (r) => r.length >= 1,
    );
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(got.map((r) => r.body)).toEqual(['nudge waits']);
    expect(await sinkReceived(path)).toHaveLength(1);
  }, 20_000);

  it("aborts a send that falls in quiet hours in the user's time zone", async () => {
    const ws = await sinkWorkspace();
    const path = `/act/${crypto.randomUUID()}`;
    const hh = (offsetH: number) =>
      new Date(Date.now() + offsetH * 3_600_000).toISOString().slice(11, 13);
    await launchCampaign(ws, {
      delivery: {
        type: 'action_based',
        triggers: [{ type: 'custom_event', event_name: 'ping', property_filters: [] }],
      },
      delivery_controls: {
        // Quiet from an hour ago to two hours from now, read in each user's zone.
        quiet_hours: { start: `${hh(-1)}:00`, end: `${hh(2)}:00`, on_quiet: 'abort' },
      },
      variants: [{ messages: { webhook: sinkHook(path, 'ping') } }],
    });
    const time = new Date().toISOString();
    await ws.post('/users/track', {
      attributes: [
        // UTC: inside the window now.
        { external_id: 'night', time_zone: 'Atlantic/Reykjavik' },
        // UTC+9: nine hours later on the clock, outside it.
        { external_id: 'day', time_zone: 'Asia/Tokyo' },
      ],
      events: [
        { external_id: 'night', name: 'ping', time },
        { external_id: 'day', name: 'ping', time },
      ],
    });
    const got = await eventually(
      () => sinkReceived(path),
      (r) => r.length >= 1,
    );
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(got.map((r) => r.headers['x-user'])).toEqual(['day']);
    expect(await sinkReceived(path)).toHaveLength(1);
  });
});

describe('conversions', () => {
  it('count a conversion event inside its window once, and purchases as revenue', async () => {
    const ws = await sinkWorkspace();
    const path = `/conv/${crypto.randomUUID()}`;
    const c = await launchCampaign(ws, {
      variants: [{ messages: { webhook: sinkHook(path, 'x') } }],
      conversion_events: [
        { type: 'Performs Custom Event', custom_event_name: 'activated', window: 3_600 },
        { type: 'Makes Any Purchase', window: 3_600 },
      ],
    });
    const converted = await createSegment(ws, {
      filter: { message_engagement: { campaign_id: c.id, comparison: 'converted' } },
    });
    await ws.post('/users/track', { attributes: [{ external_id: 'cv' }, { external_id: 'nc' }] });
    // Behaviour before the message does not convert.
    await ws.post('/users/track', {
      events: [{ external_id: 'cv', name: 'activated', time: new Date().toISOString() }],
    });
    const res = await ws.post('/campaigns/trigger/send', {
      campaign_id: c.id,
      recipients: [{ external_user_id: 'cv' }, { external_user_id: 'nc' }],
    });
    expect(res.status).toBe(201);
    await eventually(
      () => sinkReceived(path),
      (r) => r.length >= 2,
    );
    await new Promise((resolve) => setTimeout(resolve, 50));
    const later = () => new Date(Date.now() + 1_000).toISOString();
    await ws.post('/users/track', {
      events: [
        { external_id: 'cv', name: 'activated', time: later() },
        { external_id: 'cv', name: 'activated', time: later() },
      ],
      purchases: [
        {
          external_id: 'cv',
          product_id: 'socks',
          currency: 'USD',
          price: 12.5,
          quantity: 2,
          time: later(),
        },
      ],
    });
    const series = await eventually(
      () => get(ws, `/campaigns/data_series?campaign_id=${c.id}&length=1`),
      (r) => r.json.data?.[0]?.revenue === 25 && r.json.data?.[0]?.conversions1 === 1,
    );
    expect(series.json.data[0]).toMatchObject({
      conversions: 1,
      conversions1: 1,
      revenue: 25,
      unique_recipients: 2,
    });
    const member = await get(ws, '/herald/users/segments?external_id=cv');
    expect(member.json.segments.map((s: { segment_id: string }) => s.segment_id)).toEqual([
      converted,
    ]);
    const nonMember = await get(ws, '/herald/users/segments?external_id=nc');
    expect(nonMember.json.segments).toEqual([]);
  }, 20_000);
});

describe('delivery speed', () => {
  it("sends at most the campaign's rate per minute, the rest a minute later", async () => {
    const ws = await sinkWorkspace();
    const users = Array.from({ length: 12 }, (_, i) => ({ external_id: `rl${i}` }));
    await ws.post('/users/track', { attributes: users });
    await syncIndex(
      ws,
      users.map((u) => u.external_id),
    );
    const path = `/rate/${crypto.randomUUID()}`;
    const c = await launchCampaign(ws, {
      variants: [{ messages: { webhook: sinkHook(path, 'x') } }],
      delivery_controls: { rate_limit_per_minute: 10 },
    });
    const res = await ws.post('/campaigns/trigger/send', { campaign_id: c.id, broadcast: true });
    expect(res.status).toBe(201);
    await eventually(
      () => sinkReceived(path),
      (r) => r.length >= 10,
    );
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    expect(await sinkReceived(path)).toHaveLength(10);
    const status = await get(ws, `/herald/dispatches/${res.json.dispatch_id}`);
    expect(status.json).toMatchObject({ status: 'expanding', enqueued_recipients: 10 });
  }, 20_000);
});

describe('Intelligent Timing', () => {
  it("sends an optimal-time occurrence at each user's most active hour", async () => {
    const ws = await sinkWorkspace();
    const hour = (offsetH: number) => (new Date().getUTCHours() + offsetH + 24) % 24;
    const yesterdayAt = (h: number, i: number) => {
      const d = new Date(Date.now() - 86_400_000);
      d.setUTCHours(h, i * 5, 0, 0);
      return d.toISOString();
    };
    // Both in UTC. `now` has been active at this hour, `later` three hours from now.
    const history = (id: string, h: number) =>
      Array.from({ length: 6 }, (_, i) => ({
        external_id: id,
        name: 'opened_app',
        time: yesterdayAt(h, i),
      }));
    await ws.post('/users/track', {
      attributes: [
        { external_id: 'now', time_zone: 'Atlantic/Reykjavik' },
        { external_id: 'later', time_zone: 'Atlantic/Reykjavik' },
      ],
      events: [...history('now', hour(0)), ...history('later', hour(3))],
    });
    await syncIndex(ws, ['now', 'later']);
    const path = `/optimal/${crypto.randomUUID()}`;
    const today = new Date().toISOString().slice(0, 10);
    await launchCampaign(ws, {
      delivery: {
        type: 'scheduled',
        schedule: { type: 'once', date: today, time: '23:59', at_optimal_time: true },
      },
      variants: [{ messages: { webhook: sinkHook(path, 'best') } }],
    });
    await startDueCampaigns(env, Date.now());
    const got = await eventually(
      () => sinkReceived(path),
      (r) => r.length >= 1,
    );
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(got.map((r) => r.headers['x-user'])).toEqual(['now']);
    expect(await sinkReceived(path)).toHaveLength(1);
  });
});
