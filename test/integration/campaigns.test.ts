import { env } from 'cloudflare:test';
import { describe, expect, it } from 'vitest';
import { CHANNELS, type Channel } from '../../src/campaigns/messages';
import { recordCampaignStat } from '../../src/campaigns/stats';
import {
  advanceSchedule,
  getCampaign,
  listDueScheduledCampaigns,
  noteCampaignSent,
} from '../../src/campaigns/store';
import { campaignBody, createApp, createCampaign, send, WEBHOOK } from '../fixtures/campaigns';
import { createSegment, get } from '../fixtures/segments';
import { call, createWorkspace, type TestWorkspace } from '../fixtures/workspace';

const DAY_MS = 86_400_000;

/** A valid message object for each channel. */
function messageFor(channel: Channel, appId: string): Record<string, unknown> {
  const messages: Record<Channel, Record<string, unknown>> = {
    webhook: WEBHOOK,
    email: { app_id: appId, from: 'Herald <hi@example.com>', subject: 'Hi', body: 'x' },
    sms: { app_id: appId, subscription_group_id: 'sg', body: 'Hi {{${first_name}}}' },
    apple_push: { alert: { body: 'Hi', title: 'T' }, badge: 1 },
    android_push: { alert: 'Hi', title: 'T' },
    web_push: { alert: 'Hi', title: 'T' },
    content_card: { type: 'CLASSIC', title: 'T', description: 'D', time_to_live: 3600 },
    in_app_message: { type: 'modal', message: 'Hi', trigger: { type: 'session_start' } },
  };
  return messages[channel];
}
const day = (ms: number) => new Date(ms).toISOString().slice(0, 10);

/** A one-off send `daysAhead` days from now, at noon UTC. */
const onceIn = (daysAhead: number) => ({
  type: 'scheduled',
  schedule: { type: 'once', date: day(Date.now() + daysAhead * DAY_MS), time: '12:00' },
});

const abTest = (control: number) => ({
  variants: [
    { name: 'Short', percentage: (100 - control) / 2, messages: { webhook: WEBHOOK } },
    {
      name: 'Long',
      percentage: (100 - control) / 2,
      messages: { webhook: { ...WEBHOOK, body: 'long' } },
    },
  ],
  control_percentage: control,
});

describe('POST /herald/campaigns', () => {
  it('creates a draft with Braze defaults and ids for its variants and messages', async () => {
    const ws = await createWorkspace();
    const c = await createCampaign(ws, { tags: ['onboarding'], description: 'Hello' });
    expect(c).toMatchObject({
      message: 'success',
      name: 'Welcome',
      description: 'Hello',
      tags: ['onboarding'],
      status: 'draft',
      archived: false,
      enabled: false,
      channels: ['webhook'],
      control_percentage: 0,
      conversion_events: [],
      delivery_controls: {
        reeligibility_seconds: null,
        frequency_capping: true,
        subscription_state: 'subscribed',
        global_control_group: true,
      },
      audience: { segment_ids: [], filter: null },
      next_send_at: null,
      first_sent: null,
    });
    expect(c.variants).toEqual([
      {
        id: expect.any(String),
        name: 'Variant 1',
        percentage: 100,
        messages: { webhook: { ...WEBHOOK, message_variation_id: expect.any(String) } },
      },
    ]);
    expect((await get(ws, `/herald/campaigns/${c.id}`)).json).toEqual(c);
  });

  it('stores every channel and a conversion event in Braze shapes', async () => {
    const ws = await createWorkspace();
    const appId = await createApp(ws);
    const c = await createCampaign(ws, {
      variants: [
        {
          messages: {
            ...Object.fromEntries(CHANNELS.map((ch) => [ch, messageFor(ch, appId)])),
            android_push: { alert: 'Hi', title: 'T', priority: 9 },
          },
        },
      ],
      conversion_events: [{ type: 'Performs Custom Event', custom_event_name: 'bought' }],
    });
    expect(c.channels).toEqual([
      'webhook',
      'email',
      'sms',
      'apple_push',
      'android_push',
      'web_push',
      'content_card',
      'in_app_message',
    ]);
    expect(c.variants[0].messages.android_push.priority).toBe(0);
    expect(c.conversion_events).toEqual([
      { type: 'Performs Custom Event', custom_event_name: 'bought', window: 259_200 },
    ]);
  });

  it.each([
    [
      'a webhook without a method',
      { variants: [{ messages: { webhook: { url: 'https://x' } } }] },
      'variants.0.messages.webhook.request_method',
    ],
    ['a missing name', { name: undefined }, 'name'],
    [
      'broken Liquid in a message',
      { variants: [{ messages: { webhook: { ...WEBHOOK, body: '{% if %}' } } }] },
      'variants.0.messages.webhook.body: invalid Liquid',
    ],
    [
      'an unknown segment',
      { audience: { segment_ids: ['nope'] } },
      'audience.segment_ids.0: segment nope does not exist',
    ],
    [
      'an email app the workspace does not have',
      {
        variants: [
          { messages: { email: { app_id: 'nope', from: 'A <a@example.com>', body: 'x' } } },
        ],
      },
      'variants.0.messages.email.app_id: app nope does not exist in this workspace',
    ],
    [
      'a segment-entry trigger on an unknown segment',
      {
        delivery: { type: 'action_based', triggers: [{ type: 'segment_entry', segment_id: 'x' }] },
      },
      'delivery.triggers.0.segment_id: segment x does not exist',
    ],
  ])('refuses %s with a 400 naming the field', async (_, over, field) => {
    const ws = await createWorkspace();
    const res = await ws.post('/herald/campaigns', campaignBody(over));
    expect(res.status).toBe(400);
    expect(res.json.message).toContain(field);
    expect(res.json.errors[0]).toContain(field);
  });

  it('targets segments of its own workspace, not of another', async () => {
    const ws = await createWorkspace();
    const other = await createWorkspace();
    const filter = { email_available: { value: true } };
    const own = await createSegment(ws, { filter });
    const foreign = await createSegment(other, { filter });
    const c = await createCampaign(ws, { audience: { segment_ids: [own], filter } });
    expect(c.audience).toEqual({ segment_ids: [own], filter });
    const res = await ws.post(
      '/herald/campaigns',
      campaignBody({ audience: { segment_ids: [foreign] } }),
    );
    expect(res.status).toBe(400);
    expect(res.json.message).toBe(`audience.segment_ids.0: segment ${foreign} does not exist`);
  });

  it('needs herald.campaigns.write', async () => {
    const ws = await createWorkspace();
    const key = await ws.keyWith(['herald.campaigns.read']);
    const res = await call('/herald/campaigns', { key, body: campaignBody() });
    expect(res.status).toBe(403);
  });
});

describe('PUT /herald/campaigns/{id}', () => {
  it('replaces the definition and keeps variant and message ids sent back', async () => {
    const ws = await createWorkspace();
    const c = await createCampaign(ws, abTest(20));
    const variants = c.variants.map((v: any) => ({ ...v, percentage: v.percentage + 5 }));
    const res = await send(ws, 'PUT', `/herald/campaigns/${c.id}`, {
      ...campaignBody(),
      name: 'Renamed',
      variants,
      control_percentage: 10,
    });
    expect(res.status).toBe(200);
    expect(res.json.name).toBe('Renamed');
    expect(res.json.variants.map((v: any) => v.id)).toEqual(c.variants.map((v: any) => v.id));
    expect(res.json.control_variation_id).toBe(c.control_variation_id);
    expect(res.json.variants.map((v: any) => v.percentage)).toEqual([45, 45]);
  });

  it('keeps a launched campaign on its delivery type', async () => {
    const ws = await createWorkspace();
    const c = await createCampaign(ws);
    await ws.post(`/herald/campaigns/${c.id}/launch`, {});
    const res = await send(ws, 'PUT', `/herald/campaigns/${c.id}`, {
      ...campaignBody(),
      delivery: onceIn(3),
    });
    expect(res.status).toBe(400);
    expect(res.json.message).toBe('delivery.type: a launched campaign keeps its delivery type');
  });

  it('answers 404 for a campaign of another workspace and leaves it alone', async () => {
    const ws = await createWorkspace();
    const intruder = await createWorkspace();
    const c = await createCampaign(ws);
    const res = await send(
      intruder,
      'PUT',
      `/herald/campaigns/${c.id}`,
      campaignBody({ name: 'x' }),
    );
    expect(res.status).toBe(404);
    expect((await get(ws, `/herald/campaigns/${c.id}`)).json.name).toBe('Welcome');
  });
});

describe('campaign lifecycle', () => {
  it('launches a scheduled draft with its first send time', async () => {
    const ws = await createWorkspace();
    const c = await createCampaign(ws, { delivery: onceIn(2) });
    const res = await ws.post(`/herald/campaigns/${c.id}/launch`, {});
    expect(res.status).toBe(200);
    expect(res.json).toMatchObject({ status: 'active', enabled: true });
    expect(res.json.next_send_at).toBe(`${day(Date.now() + 2 * DAY_MS)}T12:00:00.000Z`);
    expect(res.json.launched_at).toEqual(expect.any(String));
  });

  it('refuses to launch a one-off whose time has passed', async () => {
    const ws = await createWorkspace();
    const c = await createCampaign(ws, { delivery: onceIn(-2) });
    const res = await ws.post(`/herald/campaigns/${c.id}/launch`, {});
    expect(res.status).toBe(400);
    expect(res.json.message).toBe('delivery: the campaign has no send time in the future');
    expect((await get(ws, `/herald/campaigns/${c.id}`)).json.status).toBe('draft');
  });

  it('refuses to launch when a targeted segment was archived since the campaign was saved', async () => {
    const ws = await createWorkspace();
    const seg = await createSegment(ws, { filter: { email_available: { value: true } } });
    const c = await createCampaign(ws, { audience: { segment_ids: [seg] } });
    await ws.post(`/herald/segments/${seg}/archive`, {});
    const res = await ws.post(`/herald/campaigns/${c.id}/launch`, {});
    expect(res.status).toBe(400);
    expect(res.json.message).toContain('audience.segment_ids.0');
  });

  it('stops, archives (stopping) and unarchives (still stopped)', async () => {
    const ws = await createWorkspace();
    const c = await createCampaign(ws, { delivery: onceIn(2) });
    await ws.post(`/herald/campaigns/${c.id}/launch`, {});
    const stopped = await ws.post(`/herald/campaigns/${c.id}/stop`, {});
    expect(stopped.json).toMatchObject({ status: 'stopped', next_send_at: null });
    await ws.post(`/herald/campaigns/${c.id}/launch`, {});
    const archived = await ws.post(`/herald/campaigns/${c.id}/archive`, {});
    expect(archived.json).toMatchObject({ status: 'stopped', archived: true, enabled: false });
    const edit = await send(ws, 'PUT', `/herald/campaigns/${c.id}`, campaignBody());
    expect(edit.status).toBe(400);
    expect((await ws.post(`/herald/campaigns/${c.id}/launch`, {})).status).toBe(400);
    const back = await ws.post(`/herald/campaigns/${c.id}/unarchive`, {});
    expect(back.json).toMatchObject({ status: 'stopped', archived: false });
  });

  it('refuses to stop a draft', async () => {
    const ws = await createWorkspace();
    const c = await createCampaign(ws);
    const res = await ws.post(`/herald/campaigns/${c.id}/stop`, {});
    expect(res.status).toBe(400);
  });

  it("answers 404 to another workspace's launch", async () => {
    const ws = await createWorkspace();
    const intruder = await createWorkspace();
    const c = await createCampaign(ws);
    expect((await intruder.post(`/herald/campaigns/${c.id}/launch`, {})).status).toBe(404);
    expect((await get(ws, `/herald/campaigns/${c.id}`)).json.status).toBe('draft');
  });
});

describe('GET /herald/campaigns', () => {
  it('lists newest first, pages, filters by status and hides archived campaigns', async () => {
    const ws = await createWorkspace();
    const a = await createCampaign(ws, { name: 'A' });
    const b = await createCampaign(ws, { name: 'B' });
    const c = await createCampaign(ws, { name: 'C' });
    await ws.post(`/herald/campaigns/${a.id}/archive`, {});
    await ws.post(`/herald/campaigns/${b.id}/launch`, {});
    const page = await get(ws, '/herald/campaigns?limit=1');
    expect(page.json.campaigns.map((x: any) => x.name)).toEqual(['C']);
    expect(page.json.next_offset).toBe(1);
    const all = await get(ws, '/herald/campaigns?include_archived=true&sort_direction=asc');
    expect(all.json.campaigns.map((x: any) => x.id)).toEqual([a.id, b.id, c.id]);
    const active = await get(ws, '/herald/campaigns?status=active');
    expect(active.json.campaigns).toEqual([
      expect.objectContaining({ id: b.id, status: 'active', delivery_type: 'api_triggered' }),
    ]);
  });
});

describe('GET /campaigns/list', () => {
  it('answers Braze’s shape, 100 per page, oldest first by default', async () => {
    const ws = await createWorkspace();
    const ids: string[] = [];
    for (let i = 0; i < 101; i++)
      ids.push((await createCampaign(ws, { name: `c${i}`, tags: ['t'] })).id);
    const first = await get(ws, '/campaigns/list');
    expect(first.status).toBe(200);
    expect(first.json.campaigns).toHaveLength(100);
    expect(first.json.campaigns[0]).toEqual({
      id: ids[0],
      last_edited: expect.stringMatching(/^\d{4}-\d{2}-\d{2}T/),
      name: 'c0',
      is_api_campaign: false,
      tags: ['t'],
    });
    const second = await get(ws, '/campaigns/list?page=1');
    expect(second.json.campaigns.map((c: any) => c.id)).toEqual([ids[100]]);
    const desc = await get(ws, '/campaigns/list?sort_direction=desc');
    expect(desc.json.campaigns[0].id).toBe(ids[100]);
  });

  it('includes archived campaigns only when asked, and filters by last edit', async () => {
    const ws = await createWorkspace();
    const old = await createCampaign(ws, { name: 'old' });
    const archived = await createCampaign(ws, { name: 'archived' });
    await ws.post(`/herald/campaigns/${archived.id}/archive`, {});
    await env.DB.prepare('UPDATE campaigns SET updated_at = ? WHERE id = ?')
      .bind(Date.parse('2026-01-01T00:00:00Z'), old.id)
      .run();
    const names = async (q: string) =>
      (await get(ws, `/campaigns/list${q}`)).json.campaigns.map((c: any) => c.name);
    expect(await names('')).toEqual(['old']);
    expect(await names('?include_archived=true')).toEqual(['old', 'archived']);
    expect(await names('?include_archived=true&last_edit.time[gt]=2026-06-01T00:00:00')).toEqual([
      'archived',
    ]);
  });

  it.each([
    ['page=-1', 'page must not be negative'],
    ['include_archived=yes', 'include_archived must be true or false'],
    ['sort_direction=up', 'sort_direction must be asc or desc'],
    ['last_edit.time[gt]=soon', 'last_edit.time[gt] must be a time'],
  ])('refuses %s', async (q, message) => {
    const ws = await createWorkspace();
    const res = await get(ws, `/campaigns/list?${q}`);
    expect(res.status).toBe(400);
    expect(res.json.message).toContain(message);
  });
});

describe('GET /campaigns/details', () => {
  it('answers messages by message_variation_id, the control group and conversion behaviours', async () => {
    const ws = await createWorkspace();
    const c = await createCampaign(ws, {
      ...abTest(20),
      tags: ['promo'],
      conversion_events: [
        { type: 'Makes Specific Purchase', product: 'gold', window: 86_400 },
        { type: 'Starts Session' },
      ],
    });
    const res = await get(ws, `/campaigns/details?campaign_id=${c.id}`);
    expect(res.status).toBe(200);
    const [short, long] = c.variants.map((v: any) => v.messages.webhook.message_variation_id);
    expect(res.json).toEqual({
      message: 'success',
      created_at: c.created_at,
      updated_at: c.updated_at,
      archived: false,
      draft: true,
      enabled: false,
      has_post_launch_draft: false,
      name: 'Welcome',
      description: '',
      schedule_type: 'api_triggered',
      channels: ['webhook'],
      first_sent: null,
      last_sent: null,
      tags: ['promo'],
      teams: [],
      messages: {
        [short]: {
          channel: 'webhook',
          name: 'Short',
          url: WEBHOOK.url,
          body: WEBHOOK.body,
          type: 'application/json',
          headers: {},
          method: 'POST',
        },
        [long]: expect.objectContaining({ channel: 'webhook', name: 'Long', type: 'text/plain' }),
        [c.control_variation_id]: { channel: 'webhook', name: 'Control', type: 'control' },
      },
      conversion_behaviors: [
        { type: 'Makes Specific Purchase', product: 'gold', window: 86_400 },
        { type: 'Starts Session', window: 259_200, app_ids: null },
      ],
    });
  });

  it('names push channels as Braze does and shows first and last sent to the hour', async () => {
    const ws = await createWorkspace();
    const c = await createCampaign(ws, {
      variants: [{ messages: { apple_push: { alert: 'Hi', custom_uri: 'app://x' } } }],
      delivery: onceIn(1),
    });
    await noteCampaignSent(env.DB, {
      workspaceId: ws.id,
      campaignId: c.id,
      at: Date.parse('2026-11-20T10:42:00Z'),
    });
    await noteCampaignSent(env.DB, {
      workspaceId: ws.id,
      campaignId: c.id,
      at: Date.parse('2026-11-22T08:05:00Z'),
    });
    const res = await get(ws, `/campaigns/details?campaign_id=${c.id}`);
    expect(res.json).toMatchObject({
      channels: ['ios_push'],
      schedule_type: 'time_based',
      first_sent: '2026-11-20T10:00:00.000Z',
      last_sent: '2026-11-22T08:00:00.000Z',
    });
    const message = Object.values(res.json.messages)[0];
    expect(message).toMatchObject({ channel: 'ios_push', alert: 'Hi', action: 'app://x' });
  });

  it("answers 400 Invalid Campaign ID to another workspace's campaign", async () => {
    const ws = await createWorkspace();
    const intruder = await createWorkspace();
    const c = await createCampaign(ws);
    const res = await get(intruder, `/campaigns/details?campaign_id=${c.id}`);
    expect(res.status).toBe(400);
    expect(res.json.message).toBe('Invalid Campaign ID');
  });

  it('answers 400 without a campaign_id', async () => {
    const ws = await createWorkspace();
    const res = await get(ws, '/campaigns/details');
    expect(res.status).toBe(400);
    expect(res.json.message).toBe('campaign_id: campaign_id is required');
  });
});

describe('GET /campaigns/data_series', () => {
  it('answers every day of the window with zeros for every variation', async () => {
    const ws = await createWorkspace();
    const c = await createCampaign(ws, abTest(10));
    const res = await get(
      ws,
      `/campaigns/data_series?campaign_id=${c.id}&length=3&ending_at=2026-11-23T10:00:00Z`,
    );
    expect(res.status).toBe(200);
    expect(res.json.data.map((d: any) => d.time)).toEqual([
      '2026-11-21',
      '2026-11-22',
      '2026-11-23',
    ]);
    const first = res.json.data[0];
    expect(first).toMatchObject({ conversions: 0, unique_recipients: 0, revenue: 0 });
    expect(first.messages.webhook).toEqual([
      {
        variation_name: 'Short',
        variation_api_id: c.variants[0].messages.webhook.message_variation_id,
        sent: 0,
        errors: 0,
      },
      {
        variation_name: 'Long',
        variation_api_id: c.variants[1].messages.webhook.message_variation_id,
        sent: 0,
        errors: 0,
      },
      { variation_name: 'Control', variation_api_id: c.control_variation_id, enrolled: 0 },
    ]);
  });

  it('shows what the delivery pipeline recorded, on its day and variation', async () => {
    const ws = await createWorkspace();
    const c = await createCampaign(ws);
    const variant = c.variants[0].messages.webhook.message_variation_id;
    const base = { workspaceId: ws.id, campaignId: c.id, day: '2026-11-22' };
    await recordCampaignStat(env.DB, {
      ...base,
      channel: 'webhook',
      variant,
      field: 'sent',
      delta: 3,
    });
    await recordCampaignStat(env.DB, {
      ...base,
      channel: 'webhook',
      variant,
      field: 'sent',
      delta: 2,
    });
    await recordCampaignStat(env.DB, { ...base, channel: null, field: 'revenue', delta: 9.5 });
    const res = await get(
      ws,
      `/campaigns/data_series?campaign_id=${c.id}&length=2&ending_at=2026-11-23T00:00:00Z`,
    );
    const [d22, d23] = res.json.data;
    expect(d22.messages.webhook[0]).toMatchObject({ sent: 5, errors: 0 });
    expect(d22.revenue).toBe(9.5);
    expect(d23.messages.webhook[0]).toMatchObject({ sent: 0 });
  });

  it.each([
    ['length=0', 'length must be 1..100'],
    ['length=101', 'length must be 1..100'],
    ['length=3&ending_at=yesterday', 'ending_at must be an ISO 8601 time'],
  ])('refuses %s', async (q, message) => {
    const ws = await createWorkspace();
    const c = await createCampaign(ws);
    const res = await get(ws, `/campaigns/data_series?campaign_id=${c.id}&${q}`);
    expect(res.status).toBe(400);
    expect(res.json.message).toContain(message);
  });

  it("answers 400 Invalid Campaign ID to another workspace's campaign", async () => {
    const ws = await createWorkspace();
    const intruder = await createWorkspace();
    const c = await createCampaign(ws);
    const res = await get(intruder, `/campaigns/data_series?campaign_id=${c.id}&length=1`);
    expect(res.status).toBe(400);
    expect(res.json.message).toBe('Invalid Campaign ID');
  });
});

describe('the scheduler read functions', () => {
  async function launched(ws: TestWorkspace, delivery: unknown) {
    const c = await createCampaign(ws, { delivery });
    const res = await ws.post(`/herald/campaigns/${c.id}/launch`, {});
    if (res.status !== 200) throw new Error(JSON.stringify(res.json));
    return res.json;
  }

  it('lists a due campaign once, and claims each occurrence exactly once', async () => {
    const ws = await createWorkspace();
    const start = day(Date.now() + DAY_MS);
    const c = await launched(ws, {
      type: 'scheduled',
      schedule: { type: 'recurring', frequency: 'daily', time: '06:00', start_date: start },
    });
    const dueAt = Date.parse(`${start}T06:00:00Z`);
    expect(
      (await listDueScheduledCampaigns(env.DB, dueAt - 1)).map((d) => d.campaign.id),
    ).not.toContain(c.id);
    const due = (await listDueScheduledCampaigns(env.DB, dueAt)).find(
      (d) => d.campaign.id === c.id,
    );
    expect(due?.occurrence).toEqual({
      dueAt,
      date: start,
      time: '06:00',
      inLocalTime: false,
      timeZone: 'UTC',
    });
    const claim = { workspaceId: ws.id, campaignId: c.id, dueAt };
    const [one, two] = await Promise.all([
      advanceSchedule(env.DB, claim),
      advanceSchedule(env.DB, claim),
    ]);
    expect([one.type, two.type].sort()).toEqual(['claimed', 'stale']);
    const claimed = one.type === 'claimed' ? one : two;
    expect(claimed.type === 'claimed' && claimed.next?.dueAt).toBe(dueAt + DAY_MS);
    expect((await getCampaign(env.DB, ws.id, c.id))?.nextSendAt).toBe(dueAt + DAY_MS);
  });

  it('never lists a stopped or archived campaign', async () => {
    const ws = await createWorkspace();
    const a = await launched(ws, onceIn(1));
    const b = await launched(ws, onceIn(1));
    await ws.post(`/herald/campaigns/${a.id}/stop`, {});
    await ws.post(`/herald/campaigns/${b.id}/archive`, {});
    const due = await listDueScheduledCampaigns(env.DB, Date.now() + 3 * DAY_MS, 1000);
    expect(due.map((d) => d.campaign.id)).not.toContain(a.id);
    expect(due.map((d) => d.campaign.id)).not.toContain(b.id);
  });
});
