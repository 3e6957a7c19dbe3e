import { z } from 'zod';
import { markCardsRemoved } from '../channels/cards/removals';
import type { Ctx } from '../http/context';
import { ApiError, badRequest } from '../http/errors';
import { defineRoute } from '../http/route';
import { type CampaignDefinition, CampaignInput, normalize } from './model';
import {
  type Campaign,
  createCampaign,
  getCampaign,
  launchCampaign,
  listCampaigns,
  setCampaignArchived,
  stopCampaign,
  updateCampaign,
  type WriteResult,
} from './store';
import { campaignProblems, launchProblems } from './validate';

/** Herald's campaign management API for the admin site (contract §3, docs/campaigns.md). */

const TAG = 'Campaign management';
const READ = { type: 'api_key', permission: 'herald.campaigns.read', bucket: 'default' } as const;
const WRITE = { type: 'api_key', permission: 'herald.campaigns.write', bucket: 'default' } as const;

const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());

/** A campaign as the management API shows it: the definition's fields plus read-only state. */
export function campaignOut(c: Campaign) {
  return {
    id: c.id,
    name: c.name,
    description: c.description,
    tags: c.tags,
    status: c.status,
    archived: c.archived,
    enabled: c.status === 'active' && !c.archived,
    delivery: c.delivery,
    audience: c.audience,
    channels: c.channels,
    variants: c.variants,
    control_percentage: c.controlPercentage,
    control_variation_id: c.controlVariationId,
    conversion_events: c.conversionEvents,
    delivery_controls: c.controls,
    next_send_at: iso(c.nextSendAt),
    launched_at: iso(c.launchedAt),
    first_sent: iso(c.firstSentAt),
    last_sent: iso(c.lastSentAt),
    created_at: iso(c.createdAt),
    updated_at: iso(c.updatedAt),
  };
}

const CampaignOut = z
  .object({
    message: z.string(),
    id: z.string(),
    name: z.string(),
    status: z.enum(['draft', 'active', 'stopped']),
    archived: z.boolean(),
    variants: z.array(z.unknown()),
  })
  .passthrough();

async function mustCheck(c: Ctx, d: CampaignDefinition, launching = false): Promise<void> {
  const problems = await campaignProblems(c.env.DB, c.get('caller').workspace.id, d);
  if (launching) problems.push(...launchProblems(d));
  if (problems.length > 0) {
    const errors = problems.map((p) => `${p.path}: ${p.message}`);
    throw badRequest(errors[0]!, errors);
  }
}

function written(result: WriteResult, id: string): Campaign {
  switch (result.type) {
    case 'saved':
      return result.campaign;
    case 'not_found':
      throw new ApiError(404, `Campaign ${id} not found`);
    case 'archived':
      throw badRequest('Campaign is archived: unarchive it first');
    case 'delivery_type_locked':
      throw badRequest('delivery.type: a launched campaign keeps its delivery type');
    case 'no_send_time':
      throw badRequest('delivery: the campaign has no send time in the future');
    case 'not_launched':
      throw badRequest('Campaign has not been launched');
  }
}

const answer = (c: Ctx, campaign: Campaign, status: 200 | 201 = 200) =>
  c.json({ message: 'success', ...campaignOut(campaign) }, status);

const idParam = (c: Ctx) => c.req.param('campaign_id') ?? '';

export const createCampaignRoute = defineRoute({
  method: 'post',
  path: '/herald/campaigns',
  tag: TAG,
  summary: 'Create a campaign (as a draft)',
  description:
    'Validated whole: message objects per channel (Braze shapes), variants adding up to 100 % ' +
    'with the control group, segments and apps that exist in the workspace, Liquid that ' +
    'compiles. Errors name the offending field, e.g. `variants.0.messages.email.from`.',
  auth: WRITE,
  body: CampaignInput,
  success: { status: 201, description: 'The new campaign', schema: CampaignOut },
  handler: async (c, { body }) => {
    const definition = normalize(body, null);
    await mustCheck(c, definition);
    const campaign = await createCampaign(c.env.DB, {
      workspaceId: c.get('caller').workspace.id,
      definition,
      now: Date.now(),
    });
    return answer(c, campaign, 201);
  },
});

export const updateCampaignRoute = defineRoute({
  method: 'put',
  path: '/herald/campaigns/{campaign_id}',
  tag: TAG,
  summary: "Replace a campaign's definition",
  description:
    'Takes the same body as create. Variants and messages sent back with their ids keep them ' +
    '(and so their users and statistics). A launched campaign keeps its delivery type.',
  auth: WRITE,
  body: CampaignInput,
  success: { status: 200, description: 'The campaign', schema: CampaignOut },
  handler: async (c, { body }) => {
    const workspaceId = c.get('caller').workspace.id;
    const id = idParam(c);
    const current = await getCampaign(c.env.DB, workspaceId, id);
    if (!current) throw new ApiError(404, `Campaign ${id} not found`);
    const definition = normalize(body, current);
    await mustCheck(c, definition);
    const result = await updateCampaign(c.env.DB, { workspaceId, id, definition, now: Date.now() });
    return answer(c, written(result, id));
  },
});

export const getCampaignRoute = defineRoute({
  method: 'get',
  path: '/herald/campaigns/{campaign_id}',
  tag: TAG,
  summary: 'Read a campaign with its messages',
  auth: READ,
  success: { status: 200, description: 'The campaign', schema: CampaignOut },
  handler: async (c) => {
    const id = idParam(c);
    const campaign = await getCampaign(c.env.DB, c.get('caller').workspace.id, id);
    if (!campaign) throw new ApiError(404, `Campaign ${id} not found`);
    return answer(c, campaign);
  },
});

const flag = (name: string) =>
  z
    .enum(['true', 'false'], { error: `${name} must be true or false` })
    .default('false')
    .transform((s) => s === 'true');

export const listCampaignsRoute = defineRoute({
  method: 'get',
  path: '/herald/campaigns',
  tag: TAG,
  summary: "List a workspace's campaigns",
  description: 'Newest first unless `sort_direction=asc`; archived campaigns only when asked.',
  auth: READ,
  query: z.object({
    limit: z.coerce.number().int().min(1).max(1000).default(100),
    offset: z.coerce.number().int().min(0).default(0),
    include_archived: flag('include_archived'),
    status: z.enum(['draft', 'active', 'stopped']).optional(),
    sort_direction: z.enum(['asc', 'desc']).default('desc'),
  }),
  success: {
    status: 200,
    description: 'A page of campaigns',
    schema: z.object({
      message: z.string(),
      campaigns: z.array(
        z.object({
          id: z.string(),
          name: z.string(),
          tags: z.array(z.string()),
          status: z.string(),
          archived: z.boolean(),
          delivery_type: z.string(),
          channels: z.array(z.string()),
          last_sent: z.string().nullable(),
          created_at: z.string(),
          updated_at: z.string(),
        }),
      ),
      next_offset: z.number().int().nullable(),
    }),
  },
  handler: async (c, { query }) => {
    const list = await listCampaigns(c.env.DB, {
      workspaceId: c.get('caller').workspace.id,
      includeArchived: query.include_archived,
      status: query.status,
      direction: query.sort_direction,
      limit: query.limit,
      offset: query.offset,
    });
    return c.json({
      message: 'success',
      campaigns: list.map((s) => ({
        id: s.id,
        name: s.name,
        tags: s.tags,
        status: s.status,
        archived: s.archived,
        delivery_type: s.deliveryType,
        channels: s.channels,
        last_sent: iso(s.lastSentAt),
        created_at: iso(s.createdAt),
        updated_at: iso(s.updatedAt),
      })),
      next_offset: list.length === query.limit ? query.offset + query.limit : null,
    });
  },
});

function actionRoute(
  action: 'launch' | 'stop' | 'archive' | 'unarchive',
  summary: string,
  description: string,
) {
  return defineRoute({
    method: 'post',
    path: `/herald/campaigns/{campaign_id}/${action}`,
    tag: TAG,
    summary,
    description,
    auth: WRITE,
    // Stopping may also take the campaign's Content Cards out of every feed (contract §5.6).
    query: z.object({ remove_cards: flag('remove_cards') }),
    success: { status: 200, description: 'The campaign', schema: CampaignOut },
    handler: async (c, { query }) => {
      const db = c.env.DB;
      const input = { workspaceId: c.get('caller').workspace.id, id: idParam(c), now: Date.now() };
      let result: WriteResult;
      if (action === 'launch') {
        const current = await getCampaign(db, input.workspaceId, input.id);
        // Segments or apps may have gone since the campaign was saved.
        if (current && current.status !== 'active') await mustCheck(c, current, true);
        result = await launchCampaign(db, input);
      } else if (action === 'stop') {
        result = await stopCampaign(db, input);
        if (query.remove_cards && result.type === 'saved') {
          await markCardsRemoved(db, {
            workspaceId: input.workspaceId,
            campaignId: input.id,
            at: input.now,
          });
        }
      } else {
        result = await setCampaignArchived(db, { ...input, archived: action === 'archive' });
      }
      return answer(c, written(result, input.id));
    },
  });
}

export const launchCampaignRoute = actionRoute(
  'launch',
  'Launch a draft campaign, or resume a stopped one',
  'Scheduled campaigns get their first send time (an error when none is left in the future); ' +
    'action-based ones start listening for their triggers. Channels Herald cannot deliver yet ' +
    'are refused. Launching an active campaign changes nothing.',
);
export const stopCampaignRoute = actionRoute(
  'stop',
  'Stop an active campaign',
  'Nothing more is sent until it is launched again. With `remove_cards=true` the cards it ' +
    "already sent leave every user's Content Card feed at the next sync.",
);
export const archiveCampaignRoute = actionRoute(
  'archive',
  'Archive a campaign',
  'An active campaign is stopped; archived campaigns cannot be edited or launched.',
);
export const unarchiveCampaignRoute = actionRoute(
  'unarchive',
  'Unarchive a campaign',
  'It comes back stopped (or as a draft) and must be launched again to send.',
);
