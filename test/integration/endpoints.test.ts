import { env } from 'cloudflare:test';
import { describe, expect, it } from 'vitest';
import { getSchedule } from '../../src/delivery/schedule-store';
import { campaignBody } from '../fixtures/campaigns';
import { call, createWorkspace, exportUser, type TestWorkspace } from '../fixtures/workspace';

/**
 * The bad-input matrix every REST endpoint must pass. `valid` references the user `victim`,
 * which exists in the workspace under test; the same call with another workspace's key must leave
 * that user untouched. A `valid` that is a function addresses the victim's Content Block or email
 * template by id; `intruderStatus` is the answer another workspace's key gets (default: any 2xx).
 * `setup` prepares every workspace a row's calls go to (the victim's catalog, say), the
 * intruder's included, so its valid call succeeds there while the victim's data stays put.
 * `{campaign_id}` in a path is the victim's campaign; `method` defaults to POST; a row without
 * `wrongType` takes no body (its JSON is read, and must parse, but has no fields to be wrong).
 * The victim also has a scheduled message and a scheduled trigger of its campaign.
 */
const alias = { alias_name: 'victim-alias', alias_label: 'crm' };
interface Victims {
  contentBlockId: string;
  emailTemplateId: string;
  campaignId: string;
  messageScheduleId: string;
  triggerScheduleId: string;
}
const NO_VICTIMS: Victims = {
  contentBlockId: 'none',
  emailTemplateId: 'none',
  campaignId: 'none',
  messageScheduleId: 'none',
  triggerScheduleId: 'none',
};
/** A schedule an hour away: nothing starts it during the test. */
const LATER = { time: new Date(Date.now() + 3_600_000).toISOString() };
const HOOK = { url: 'http://127.0.0.1:9/hook', request_method: 'POST', body: 'x' };
const ENDPOINTS = [
  {
    path: '/users/track',
    permission: 'users.track',
    valid: { attributes: [{ external_id: 'victim', first_name: 'Mallory' }] },
    wrongType: { events: [{ external_id: 'victim', name: 7, time: '2026-01-01T00:00:00Z' }] },
  },
  {
    path: '/users/identify',
    permission: 'users.identify',
    valid: { aliases_to_identify: [{ external_id: 'victim', user_alias: alias }] },
    wrongType: { aliases_to_identify: 'victim' },
  },
  {
    path: '/users/alias/new',
    permission: 'users.alias.new',
    valid: {
      user_aliases: [{ external_id: 'victim', alias_name: 'second', alias_label: 'other' }],
    },
    wrongType: { user_aliases: [{ alias_name: 5, alias_label: true }] },
  },
  {
    path: '/users/alias/update',
    permission: 'users.alias.update',
    valid: {
      alias_updates: [
        { alias_label: 'crm', old_alias_name: 'victim-alias', new_alias_name: 'moved' },
      ],
    },
    wrongType: { alias_updates: [{ alias_label: 'crm' }] },
  },
  {
    path: '/users/delete',
    permission: 'users.delete',
    valid: { external_ids: ['victim'] },
    wrongType: { external_ids: 'victim' },
  },
  {
    path: '/users/merge',
    permission: 'users.merge',
    valid: {
      merge_updates: [
        {
          identifier_to_merge: { external_id: 'victim' },
          identifier_to_keep: { external_id: 'other' },
        },
      ],
    },
    wrongType: { merge_updates: 'victim' },
  },
  {
    path: '/users/external_ids/rename',
    permission: 'users.external_ids.rename',
    valid: { external_id_renames: [{ current_external_id: 'victim', new_external_id: 'renamed' }] },
    wrongType: { external_id_renames: [{ current_external_id: 1 }] },
  },
  {
    path: '/users/external_ids/remove',
    permission: 'users.external_ids.remove',
    valid: { external_ids: ['victim'] },
    wrongType: { external_ids: [null] },
  },
  {
    path: '/users/export/ids',
    permission: 'users.export.ids',
    valid: { external_ids: ['victim'] },
    wrongType: { external_ids: [{}], fields_to_export: ['not_a_field'] },
  },
  {
    path: '/content_blocks/create',
    permission: 'content_blocks.create',
    valid: { name: 'victim_block', content: 'Mallory' },
    wrongType: { name: 7, content: ['x'] },
  },
  {
    path: '/content_blocks/update',
    permission: 'content_blocks.update',
    valid: (v: Victims) => ({ content_block_id: v.contentBlockId, content: 'Mallory' }),
    wrongType: { content_block_id: 'x', state: 'deleted' },
    intruderStatus: 400,
  },
  {
    path: '/templates/email/create',
    permission: 'templates.email.create',
    valid: { template_name: 'victim', subject: 'Mallory', body: 'Mallory' },
    wrongType: { template_name: 'x', subject: 's', body: 'b', should_inline_css: 'yes' },
  },
  {
    path: '/templates/email/update',
    permission: 'templates.email.update',
    valid: (v: Victims) => ({ email_template_id: v.emailTemplateId, subject: 'Mallory' }),
    wrongType: { email_template_id: 'x', tags: 'promo' },
    intruderStatus: 400,
  },
  {
    path: '/catalogs',
    permission: 'catalogs.create',
    valid: {
      catalogs: [
        {
          name: 'victim_catalog',
          description: 'Mallory',
          fields: [{ name: 'id', type: 'string' }],
        },
      ],
    },
    wrongType: { catalogs: [{ name: 7, description: 'x', fields: 'id' }] },
  },
  {
    path: '/catalogs/victim_catalog/items',
    permission: 'catalogs.add_items',
    valid: { items: [{ id: 'mallory', Name: 'Mallory' }] },
    wrongType: { items: [{ id: 5, Name: ['x'] }] },
    setup: seedCatalog,
  },
  {
    // A preview must not read another workspace's user: the intruder's render finds nobody.
    path: '/herald/templates/render',
    permission: 'herald.templates.render',
    valid: { user: { external_id: 'victim' }, fields: { body: '{{${first_name}}}' } },
    wrongType: { fields: { body: 5 } },
    intruderStatus: 404,
  },
  {
    // The intruder's send finds no `victim` in its own workspace: nobody is messaged.
    path: '/messages/send',
    permission: 'messages.send',
    valid: {
      external_user_ids: ['victim'],
      messages: {
        webhook: { url: 'http://127.0.0.1:9/hook', request_method: 'POST', body: 'x' },
      },
    },
    wrongType: { external_user_ids: 'victim', messages: {} },
  },
  {
    // Another workspace's campaign id is unknown to the intruder: 400, nothing sent.
    path: '/campaigns/trigger/send',
    permission: 'campaigns.trigger.send',
    valid: (v: Victims) => ({
      campaign_id: v.campaignId,
      recipients: [{ external_user_id: 'victim' }],
    }),
    wrongType: { campaign_id: 5, recipients: 'victim' },
    intruderStatus: 400,
  },
  {
    path: '/messages/schedule/create',
    permission: 'messages.schedule.create',
    valid: { external_user_ids: ['victim'], schedule: LATER, messages: { webhook: HOOK } },
    wrongType: { external_user_ids: ['victim'], schedule: { time: 5 }, messages: {} },
  },
  {
    // Another workspace's schedule id is unknown to the intruder: 400, the schedule unchanged.
    path: '/messages/schedule/update',
    permission: 'messages.schedule.update',
    valid: (v: Victims) => ({
      schedule_id: v.messageScheduleId,
      messages: { webhook: { ...HOOK, body: 'Mallory' } },
    }),
    wrongType: { schedule_id: 7, schedule: 'soon' },
    intruderStatus: 400,
  },
  {
    path: '/messages/schedule/delete',
    permission: 'messages.schedule.delete',
    valid: (v: Victims) => ({ schedule_id: v.messageScheduleId }),
    wrongType: { schedule_id: ['x'] },
    intruderStatus: 400,
  },
  {
    path: '/campaigns/trigger/schedule/create',
    permission: 'campaigns.trigger.schedule.create',
    valid: (v: Victims) => ({
      campaign_id: v.campaignId,
      recipients: [{ external_user_id: 'victim', attributes: { first_name: 'Mallory' } }],
      schedule: LATER,
    }),
    wrongType: {
      campaign_id: 'c',
      broadcast: true,
      schedule: { time: '2030-01-01', in_local_time: 'y' },
    },
    intruderStatus: 400,
  },
  {
    path: '/campaigns/trigger/schedule/update',
    permission: 'campaigns.trigger.schedule.update',
    valid: (v: Victims) => ({
      campaign_id: v.campaignId,
      schedule_id: v.triggerScheduleId,
      schedule: { time: new Date(Date.now() + 7_200_000).toISOString() },
    }),
    wrongType: { campaign_id: 'c', schedule_id: 's', schedule: { time: ['now'] } },
    intruderStatus: 400,
  },
  {
    path: '/campaigns/trigger/schedule/delete',
    permission: 'campaigns.trigger.schedule.delete',
    valid: (v: Victims) => ({ campaign_id: v.campaignId, schedule_id: v.triggerScheduleId }),
    wrongType: { campaign_id: 1, schedule_id: 2 },
    intruderStatus: 400,
  },
  {
    path: '/sends/id/create',
    permission: 'sends.id.create',
    valid: (v: Victims) => ({ campaign_id: v.campaignId, send_id: 'victim-send' }),
    wrongType: { campaign_id: 'c', send_id: 64 },
    intruderStatus: 400,
  },
  {
    // Nothing is written even for the owner (no email channel); the intruder's campaign is unknown.
    path: '/transactional/v1/campaigns/{campaign_id}/send',
    permission: 'transactional.send',
    valid: { recipient: { external_user_id: 'victim', attributes: { first_name: 'Mallory' } } },
    wrongType: { recipient: 'victim', trigger_properties: [] },
    intruderStatus: 400,
  },
  {
    path: '/herald/campaigns',
    permission: 'herald.campaigns.write',
    valid: campaignBody({ name: 'Mallory' }),
    wrongType: { name: 7, delivery: { type: 'weekly' }, variants: 'x' },
  },
  {
    path: '/herald/campaigns/{campaign_id}',
    method: 'PUT',
    permission: 'herald.campaigns.write',
    valid: campaignBody({ name: 'Mallory' }),
    wrongType: campaignBody({ control_percentage: '10' }),
    intruderStatus: 404,
  },
  // The ingestion log: wakes the caller's own shards only.
  {
    path: '/herald/ingestion/flush',
    permission: 'herald.ingestion.write',
    valid: {},
  },
  ...(['launch', 'stop', 'archive', 'unarchive'] as const).map((action) => ({
    path: `/herald/campaigns/{campaign_id}/${action}`,
    permission: 'herald.campaigns.write',
    valid: {},
    intruderStatus: 404,
  })),
  // Feature flags (the victim workspace holds the flag `victim_flag`).
  {
    path: '/herald/feature_flags',
    permission: 'herald.feature_flags.write',
    valid: { id: 'mallory_flag', name: 'Mallory' },
    wrongType: { id: 'mallory_flag', name: 7, everyone_else: { enabled: 'yes' } },
  },
  {
    path: '/herald/feature_flags/victim_flag',
    method: 'PUT',
    permission: 'herald.feature_flags.write',
    valid: {
      id: 'victim_flag',
      name: 'Mallory',
      everyone_else: { enabled: true, rollout_percentage: 100 },
    },
    wrongType: {
      id: 'victim_flag',
      name: 'x',
      rules: [{ segment_id: 's', rollout_percentage: '5' }],
    },
    intruderStatus: 404,
  },
  ...(['archive', 'unarchive'] as const).map((action) => ({
    path: `/herald/feature_flags/victim_flag/${action}`,
    permission: 'herald.feature_flags.write',
    valid: {},
    intruderStatus: 404,
  })),
  // Analytics CSV exports (src/analytics/export-routes.ts): another workspace's key cannot name
  // the victim's segments (there are none to name: 400) and exports only its own series.
  {
    path: '/herald/exports/users_csv',
    permission: 'users.export.segment',
    valid: { segment_id: 'victim-segment', fields_to_export: ['external_id'] },
    wrongType: { segment_id: 'victim-segment', fields_to_export: 'external_id' },
    intruderStatus: 400,
  },
  {
    path: '/herald/analytics/exports',
    permission: 'herald.analytics.export',
    valid: { series: 'dau', length: 7 },
    wrongType: { series: 'dau', length: 'a-week' },
  },
  // Content Cards and in-app messages (src/channels/cards, src/channels/in-app): the intruder's
  // workspace has no user `victim`.
  {
    path: '/herald/users/content_cards/events',
    permission: 'users.track',
    valid: { external_id: 'victim', card_id: 'card-1', event: 'dismiss' },
    wrongType: { external_id: 'victim', card_id: 7, event: 'dismiss' },
    intruderStatus: 404,
  },
  {
    path: '/herald/users/in_app_messages/render',
    permission: 'herald.templates.render',
    valid: { external_id: 'victim', message_id: 'iam-1' },
    wrongType: { external_id: 'victim', message_id: 'iam-1', event_properties: 'x' },
    intruderStatus: 404,
  },
  {
    path: '/herald/users/in_app_messages/events',
    permission: 'users.track',
    valid: { external_id: 'victim', message_id: 'iam-1', event: 'impression' },
    wrongType: { external_id: 'victim', message_id: 'iam-1', event: 'click', button_index: '1' },
    intruderStatus: 404,
  },
  // Email lists (src/channels/email/list-routes.ts).
  {
    path: '/email/status',
    permission: 'email.status',
    valid: { email: 'victim@example.com', subscription_state: 'unsubscribed' },
    wrongType: { email: 7, subscription_state: 'maybe' },
    intruderStatus: 201,
  },
  ...(
    [
      ['/email/bounce/remove', 'email.bounce.remove'],
      ['/email/spam/remove', 'email.spam.remove'],
      ['/email/blocklist', 'email.blacklist'],
      ['/email/blacklist', 'email.blacklist'],
    ] as const
  ).map(([path, permission]) => ({
    path,
    permission,
    valid: { email: ['victim@example.com'] },
    wrongType: { email: [true] },
  })),
  // SMS and subscription groups: each workspace has its own group `sg`.
  {
    path: '/subscription/status/set',
    permission: 'subscription.status.set',
    setup: groupSg,
    valid: {
      subscription_group_id: 'sg',
      subscription_state: 'subscribed',
      external_id: ['victim'],
    },
    wrongType: { subscription_group_id: 5, subscription_state: true, external_id: 7 },
  },
  {
    path: '/v2/subscription/status/set',
    permission: 'subscription.status.set',
    setup: groupSg,
    valid: {
      subscription_groups: [
        { subscription_group_id: 'sg', subscription_state: 'subscribed', external_ids: ['victim'] },
      ],
    },
    wrongType: { subscription_groups: { subscription_group_id: 'sg' } },
  },
  {
    path: '/sms/invalid_phone_numbers/remove',
    permission: 'sms.invalid_phone_numbers.remove',
    valid: { phone_numbers: ['+15550001234'] },
    wrongType: { phone_numbers: 5 },
  },
  {
    path: '/herald/subscription_groups',
    permission: 'herald.subscription_groups.write',
    valid: { name: 'Mallory', channel: 'sms', numbers: ['+15550009999'] },
    wrongType: { name: 5, channel: 'fax' },
  },
  {
    path: '/herald/subscription_groups/sg',
    method: 'PUT',
    permission: 'herald.subscription_groups.write',
    setup: groupSg,
    valid: { name: 'Mallory' },
    wrongType: { numbers: 'all of them' },
  },
  {
    path: '/herald/subscription_groups/sg/archive',
    permission: 'herald.subscription_groups.write',
    setup: groupSg,
    valid: {},
  },
  {
    path: '/herald/subscription_groups/sg/unarchive',
    permission: 'herald.subscription_groups.write',
    setup: groupSg,
    valid: {},
  },
  // Currents
  {
    path: '/herald/currents/connectors',
    permission: 'herald.currents.write',
    valid: { name: 'lake', type: 'storage' },
    wrongType: { name: 7, type: 'ftp', shards: 'many' },
  },
  // SDK authentication keys (src/sdk-api/auth-routes.ts): another workspace's app is refused as
  // `Invalid app_id` before the key is read; key management itself is in sdk-auth.test.ts.
  {
    path: '/app_group/sdk_authentication/create',
    permission: 'sdk_authentication.create',
    valid: { app_id: 'victim-app', rsa_public_key_str: 'PEM', description: 'x' },
    wrongType: { app_id: 7, rsa_public_key_str: ['PEM'], description: null },
    intruderStatus: 400,
  },
  {
    path: '/app_group/sdk_authentication/primary',
    method: 'PUT',
    permission: 'sdk_authentication.primary',
    valid: { app_id: 'victim-app', key_id: 'k' },
    wrongType: { app_id: 'victim-app', key_id: 5 },
    intruderStatus: 400,
  },
  {
    path: '/app_group/sdk_authentication/delete',
    method: 'DELETE',
    permission: 'sdk_authentication.delete',
    valid: { app_id: 'victim-app', key_id: 'k' },
    wrongType: { app_id: ['victim-app'], key_id: 'k' },
    intruderStatus: 400,
  },
] as const;

/** An SMS subscription group `sg` in the workspace. */
async function groupSg(ws: TestWorkspace): Promise<void> {
  await ws.post('/herald/subscription_groups', {
    subscription_group_id: 'sg',
    name: 'SG',
    channel: 'sms',
  });
}

function pathOf(endpoint: { path: string }, victims: Victims): string {
  return endpoint.path.replace('{campaign_id}', victims.campaignId);
}

/** Call a row's endpoint with its method. */
async function callRow(
  endpoint: (typeof ENDPOINTS)[number],
  init: { key?: string; body?: unknown; rawBody?: string; victims?: Victims },
): Promise<{ status: number; json: any }> {
  const res = await call(pathOf(endpoint, init.victims ?? NO_VICTIMS), {
    key: init.key,
    body: init.body,
    rawBody: init.rawBody,
    method: 'method' in endpoint ? endpoint.method : 'POST',
  });
  const text = await res.text();
  return { status: res.status, json: text ? JSON.parse(text) : null };
}

function validBody(endpoint: (typeof ENDPOINTS)[number], victims: Victims): unknown {
  return typeof endpoint.valid === 'function' ? endpoint.valid(victims) : endpoint.valid;
}

/** The victim's catalog, with one item. */
async function seedCatalog(ws: Awaited<ReturnType<typeof createWorkspace>>): Promise<void> {
  const fields = [
    { name: 'id', type: 'string' },
    { name: 'Name', type: 'string' },
  ];
  await ws.post('/catalogs', { catalogs: [{ name: 'victim_catalog', description: '', fields }] });
  await ws.post('/catalogs/victim_catalog/items', { items: [{ id: 'victim', Name: 'Alice' }] });
}

async function seededWorkspace() {
  const ws = await createWorkspace();
  await ws.post('/users/track', {
    attributes: [
      { external_id: 'victim', first_name: 'Alice', points: 10 },
      { external_id: 'other', first_name: 'Bob' },
    ],
  });
  await ws.post('/users/alias/new', { user_aliases: [{ external_id: 'victim', ...alias }] });
  const block = await ws.post('/content_blocks/create', { name: 'victim_block', content: 'Alice' });
  const template = await ws.post('/templates/email/create', {
    template_name: 'victim',
    subject: 'Alice',
    body: 'Alice',
  });
  await seedCatalog(ws);
  await ws.post('/herald/feature_flags', { id: 'victim_flag', name: 'Alice' });
  const campaign = await ws.post('/herald/campaigns', campaignBody({ name: 'victim' }));
  const message = await ws.post('/messages/schedule/create', {
    external_user_ids: ['victim'],
    schedule: LATER,
    messages: { webhook: HOOK },
  });
  const trigger = await ws.post('/campaigns/trigger/schedule/create', {
    campaign_id: campaign.json.id,
    recipients: [{ external_user_id: 'victim' }],
    schedule: LATER,
  });
  const victims: Victims = {
    contentBlockId: block.json.content_block_id,
    emailTemplateId: template.json.email_template_id,
    campaignId: campaign.json.id,
    messageScheduleId: message.json.schedule_id,
    triggerScheduleId: trigger.json.schedule_id,
  };
  return { ws, victims };
}

/** What another workspace's call must not change. */
async function snapshot(ws: Awaited<ReturnType<typeof createWorkspace>>, v: Victims) {
  const info = async (path: string) => (await call(path, { key: ws.key })).json();
  return {
    user: await exportUser(ws, 'victim'),
    block: await info(`/content_blocks/info?content_block_id=${v.contentBlockId}`),
    template: await info(`/templates/email/info?email_template_id=${v.emailTemplateId}`),
    catalogs: await info('/catalogs'),
    catalogItems: await info('/catalogs/victim_catalog/items'),
    campaign: await info(`/herald/campaigns/${v.campaignId}`),
    flag: await info('/herald/feature_flags/victim_flag'),
    // Braze has no read endpoint for schedules: read the rows.
    messageSchedule: await getSchedule(env.DB, {
      workspaceId: ws.id,
      kind: 'messages',
      id: v.messageScheduleId,
    }),
    triggerSchedule: await getSchedule(env.DB, {
      workspaceId: ws.id,
      kind: 'campaign',
      id: v.triggerScheduleId,
    }),
  };
}

describe.each(ENDPOINTS)('$path', (endpoint) => {
  it('answers 400 to malformed JSON', async () => {
    const ws = await createWorkspace();
    const res = await callRow(endpoint, { key: ws.key, rawBody: '{"oops": ' });
    expect(res.status).toBe(400);
    expect(res.json.message).toMatch(/^Invalid JSON/);
  });

  // Rows without a body (the campaign actions) have no types to get wrong: no test, not a skip.
  ('wrongType' in endpoint ? it : () => undefined)(
    'answers 400 to values of the wrong type, naming the problem',
    async () => {
      const ws = await createWorkspace();
      if ('setup' in endpoint) await endpoint.setup(ws);
      const res = await callRow(endpoint, {
        key: ws.key,
        body: 'wrongType' in endpoint ? endpoint.wrongType : undefined,
      });
      if (endpoint.path === '/users/track') {
        // /users/track reports bad objects individually and still answers 201.
        expect(res.status).toBe(201);
        expect(res.json.errors[0].message).toMatch(/name/);
      } else {
        expect(res.status).toBe(400);
        expect(typeof res.json.message).toBe('string');
        expect(res.json.message.length).toBeGreaterThan(5);
      }
    },
  );

  it('answers 400 to an oversize body', async () => {
    const ws = await createWorkspace();
    const res = await callRow(endpoint, {
      key: ws.key,
      rawBody: `{"pad":"${'x'.repeat(4 * 1024 * 1024)}"}`,
    });
    expect(res.status).toBe(400);
    expect(res.json.message).toMatch(/^Request body too large/);
  });

  it('answers 401 without a key', async () => {
    const res = await callRow(endpoint, { body: validBody(endpoint, NO_VICTIMS) });
    expect(res.status).toBe(401);
  });

  it(`answers 403 to a key without ${endpoint.permission}`, async () => {
    const ws = await createWorkspace();
    const key = await ws.keyWith(
      endpoint.permission === 'users.track' ? ['users.delete'] : ['users.track'],
    );
    const res = await callRow(endpoint, { key, body: validBody(endpoint, NO_VICTIMS) });
    expect(res.status).toBe(403);
    expect(res.json.message).toBe('Access Denied');
  });

  it("leaves another workspace's users, Content Blocks, templates, catalogs, campaigns and schedules untouched", async () => {
    const { ws: target, victims } = await seededWorkspace();
    const before = await snapshot(target, victims);
    expect(before.messageSchedule?.status).toBe('scheduled');
    expect(before.triggerSchedule?.status).toBe('scheduled');
    const intruder = await createWorkspace();
    if ('setup' in endpoint) await endpoint.setup(intruder);
    const res = await callRow(endpoint, {
      key: intruder.key,
      body: validBody(endpoint, victims),
      victims,
    });
    if ('intruderStatus' in endpoint) expect(res.status).toBe(endpoint.intruderStatus);
    else expect(res.status).toBeLessThan(300);
    expect(await snapshot(target, victims)).toEqual(before);
  });
});

/**
 * The same matrix for the read endpoints, which take a query instead of a body: a query of the
 * wrong type, no key, a key without the permission, and another workspace's key, which must not
 * see the victim's campaign (`intruderStatus`, or absent from the intruder's list).
 */
const QUERY_ENDPOINTS = [
  // The ingestion log's status: another workspace's key sees its own (empty) log.
  { path: '/herald/ingestion', permission: 'herald.ingestion.read', intruderStatus: 200 },
  {
    path: '/herald/ingestion/dead_letters',
    permission: 'herald.ingestion.read',
    intruderStatus: 200,
  },
  {
    path: '/campaigns/list',
    permission: 'campaigns.list',
    wrongQuery: 'page=first',
    listed: (json: any) => json.campaigns.map((c: any) => c.id),
  },
  {
    path: '/campaigns/details?campaign_id={campaign_id}',
    permission: 'campaigns.details',
    wrongQuery: 'post_launch_draft_version=maybe',
    intruderStatus: 400,
  },
  {
    path: '/campaigns/data_series?campaign_id={campaign_id}&length=7',
    permission: 'campaigns.data_series',
    wrongQuery: 'length=a-week',
    intruderStatus: 400,
  },
  {
    path: '/herald/campaigns',
    permission: 'herald.campaigns.read',
    wrongQuery: 'limit=0',
    listed: (json: any) => json.campaigns.map((c: any) => c.id),
  },
  {
    path: '/herald/campaigns/{campaign_id}',
    permission: 'herald.campaigns.read',
    intruderStatus: 404,
  },
  {
    path: '/sends/data_series?campaign_id={campaign_id}&send_id=victim-send&length=7',
    permission: 'sends.data_series',
    wrongQuery: 'length=a-week',
    intruderStatus: 400,
  },
  {
    // Only launched scheduled campaigns are listed: the victim here is one.
    path: '/messages/scheduled_broadcasts?end_time=2099-01-01T00:00:00Z',
    permission: 'messages.schedule_broadcasts',
    wrongQuery: 'end_time=soon',
    scheduled: true,
    listed: (json: any) => json.scheduled_broadcasts.map((b: any) => b.id),
  },
  // Analytics (src/analytics): series hold no campaign, so another workspace's key reads its own
  // (empty) series; analytics-series.test.ts shows workspaces never see each other's counts.
  {
    path: '/events/list',
    permission: 'events.list',
    wrongQuery: 'page=first',
    intruderStatus: 200,
  },
  {
    path: '/events/data_series?event=played&length=7',
    permission: 'events.data_series',
    wrongQuery: 'length=a-week',
    intruderStatus: 200,
  },
  {
    path: '/purchases/product_list',
    permission: 'purchases.product_list',
    wrongQuery: 'page=-1',
    intruderStatus: 200,
  },
  {
    path: '/purchases/quantity_series?length=7',
    permission: 'purchases.quantity_series',
    wrongQuery: 'unit=week',
    intruderStatus: 200,
  },
  {
    path: '/purchases/revenue_series?length=7&product=gem',
    permission: 'purchases.revenue_series',
    wrongQuery: 'ending_at=tomorrow',
    intruderStatus: 200,
  },
  {
    path: '/kpi/dau/data_series?length=7',
    permission: 'kpi.dau.data_series',
    wrongQuery: 'length=101',
    intruderStatus: 200,
  },
  {
    path: '/kpi/mau/data_series?length=7',
    permission: 'kpi.mau.data_series',
    wrongQuery: 'length=0',
    intruderStatus: 200,
  },
  {
    path: '/kpi/new_users/data_series?length=7',
    permission: 'kpi.new_users.data_series',
    wrongQuery: 'app_id=',
    intruderStatus: 200,
  },
  {
    path: '/kpi/uninstalls/data_series?length=7',
    permission: 'kpi.uninstalls.data_series',
    wrongQuery: 'ending_at=2026-13-01',
    intruderStatus: 200,
  },
  {
    path: '/sessions/data_series?length=7&unit=hour',
    permission: 'sessions.data_series',
    wrongQuery: 'length=1.5',
    intruderStatus: 200,
  },
  // Email lists (src/channels/email/list-routes.ts): no campaign to leak; both answer lists.
  {
    path: '/email/hard_bounces?start_date=2026-01-01&end_date=2026-01-31',
    permission: 'email.hard_bounces',
    wrongQuery: 'limit=many',
    intruderStatus: 200,
  },
  {
    path: '/email/unsubscribes?start_date=2026-01-01&end_date=2026-01-31',
    permission: 'email.unsubscribe',
    wrongQuery: 'sort_direction=sideways',
    intruderStatus: 200,
  },
] as const;

async function getRow(path: string, key: string | null): Promise<{ status: number; json: any }> {
  const res = await call(path, { key });
  return { status: res.status, json: await res.json() };
}

/** A workspace holding one campaign, the victim of the read matrix (launched and scheduled). */
async function campaignVictim(
  endpoint: (typeof QUERY_ENDPOINTS)[number],
): Promise<{ ws: TestWorkspace; victims: Victims }> {
  const ws = await createWorkspace();
  const date = new Date(Date.now() + 2 * 86_400_000).toISOString().slice(0, 10);
  const delivery = { type: 'scheduled', schedule: { type: 'once', date, time: '12:00' } };
  const scheduled = 'scheduled' in endpoint;
  const campaign = await ws.post(
    '/herald/campaigns',
    campaignBody({ name: 'victim', ...(scheduled ? { delivery } : {}) }),
  );
  if (scheduled) await ws.post(`/herald/campaigns/${campaign.json.id}/launch`, {});
  return { ws, victims: { ...NO_VICTIMS, campaignId: campaign.json.id } };
}

describe.each(QUERY_ENDPOINTS)('GET $path', (endpoint) => {
  const withQuery = (path: string, q: string) => `${path}${path.includes('?') ? '&' : '?'}${q}`;

  // Paths without a query to send wrong types in: no test, not a skip.
  ('wrongQuery' in endpoint ? it : () => undefined)(
    'answers 400 to a query of the wrong type, naming it',
    async () => {
      const { ws, victims } = await campaignVictim(endpoint);
      const query = 'wrongQuery' in endpoint ? endpoint.wrongQuery : '';
      const res = await getRow(withQuery(pathOf(endpoint, victims), query), ws.key);
      expect(res.status).toBe(400);
      expect(res.json.message).toContain(query.split('=')[0]);
    },
  );

  it('answers 401 without a key', async () => {
    expect((await getRow(pathOf(endpoint, NO_VICTIMS), null)).status).toBe(401);
  });

  it(`answers 403 to a key without ${endpoint.permission}`, async () => {
    const ws = await createWorkspace();
    const key = await ws.keyWith(['users.track']);
    const res = await getRow(pathOf(endpoint, NO_VICTIMS), key);
    expect(res.status).toBe(403);
    expect(res.json.message).toBe('Access Denied');
  });

  it("does not show another workspace's campaign", async () => {
    const { ws, victims } = await campaignVictim(endpoint);
    const own = await getRow(pathOf(endpoint, victims), ws.key);
    expect(own.status).toBe(200);
    const intruder = await createWorkspace();
    const res = await getRow(pathOf(endpoint, victims), intruder.key);
    if ('listed' in endpoint) {
      expect(endpoint.listed(own.json)).toContain(victims.campaignId);
      expect(res.status).toBe(200);
      expect(endpoint.listed(res.json)).not.toContain(victims.campaignId);
    } else {
      expect(res.status).toBe(endpoint.intruderStatus);
    }
  });
});

/**
 * SMS and subscription-group reads take no campaign: the same matrix of wrong query, no key and
 * missing permission. That another workspace's key never reads a user's subscription states or
 * invalid numbers is asserted in test/integration/subscription-endpoints.test.ts.
 */
const SUBSCRIPTION_QUERY_ENDPOINTS = [
  {
    path: '/subscription/status/get?subscription_group_id=sg&external_id=victim',
    permission: 'subscription.status.get',
    wrongQuery: 'subscription_group_id=',
  },
  {
    path: '/subscription/user/status?external_id=victim',
    permission: 'subscription.groups.get',
    wrongQuery: 'limit=many',
  },
  {
    path: '/sms/invalid_phone_numbers?start_date=2026-01-01&end_date=2026-02-01',
    permission: 'sms.invalid_phone_numbers',
    wrongQuery: 'offset=first',
  },
  {
    path: '/herald/subscription_groups',
    permission: 'herald.subscription_groups.read',
    wrongQuery: 'channel=fax',
  },
] as const;

describe.each(SUBSCRIPTION_QUERY_ENDPOINTS)('GET $path', (endpoint) => {
  it('answers 400 to a query of the wrong type, naming it', async () => {
    const ws = await createWorkspace();
    const res = await getRow(
      `${endpoint.path}${endpoint.path.includes('?') ? '&' : '?'}${endpoint.wrongQuery}`,
      ws.key,
    );
    expect(res.status).toBe(400);
    expect(res.json.message).toContain(endpoint.wrongQuery.split('=')[0]);
  });

  it('answers 401 without a key', async () => {
    expect((await getRow(endpoint.path, null)).status).toBe(401);
  });

  it(`answers 403 to a key without ${endpoint.permission}`, async () => {
    const ws = await createWorkspace();
    const res = await getRow(endpoint.path, await ws.keyWith(['users.track']));
    expect(res.status).toBe(403);
    expect(res.json.message).toBe('Access Denied');
  });
});
