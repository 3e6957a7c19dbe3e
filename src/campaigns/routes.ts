import { z } from 'zod';
import { badRequest } from '../http/errors';
import { defineRoute } from '../http/route';
import { parseBrazeTime } from '../ingestion/time';
import { campaignDetails } from './details';
import { campaignDataSeries } from './stats';
import { type Campaign, getCampaign, listCampaigns } from './store';

/** Braze's campaign export endpoints (contract §3.9). */

const TAG = 'Campaigns';
const PAGE_SIZE = 100;

export const CampaignId = z
  .string({ error: 'campaign_id is required' })
  .min(1, 'campaign_id is required');

/** A daily series as `/campaigns/data_series` and `/sends/data_series` answer it. */
export const SeriesOut = z.object({
  message: z.string(),
  data: z.array(
    z
      .object({
        time: z.string(),
        conversions: z.number(),
        unique_recipients: z.number(),
        revenue: z.number(),
        messages: z.record(z.string(), z.array(z.record(z.string(), z.unknown()))),
      })
      .passthrough(),
  ),
});

/** A daily series' window: `length` days ending on the day of `ending_at` (default now). */
export const SeriesQuery = z.object({
  length: z.coerce
    .number({ error: 'length must be 1..100' })
    .int('length must be 1..100')
    .min(1, 'length must be 1..100')
    .max(100, 'length must be 1..100'),
  ending_at: z
    .string()
    .refine((s) => parseBrazeTime(s) !== null, 'ending_at must be an ISO 8601 time')
    .transform((s) => parseBrazeTime(s)!.getTime())
    .optional(),
});

const bool = (name: string) =>
  z
    .enum(['true', 'false'], { error: `${name} must be true or false` })
    .default('false')
    .transform((s) => s === 'true');

/** The campaign, or Braze's answer to an id that is not one of the workspace's campaigns. */
export async function mustGetCampaign(
  db: D1Database,
  workspaceId: string,
  id: string,
): Promise<Campaign> {
  const campaign = await getCampaign(db, workspaceId, id);
  if (!campaign) throw badRequest('Invalid Campaign ID', [`No campaign with id ${id}`]);
  return campaign;
}

export const campaignsListRoute = defineRoute({
  method: 'get',
  path: '/campaigns/list',
  tag: TAG,
  summary: 'List campaigns, 100 per page, by creation time',
  description:
    'Drafts included; archived campaigns only with `include_archived=true`. ' +
    '`last_edit.time[gt]` (`yyyy-MM-ddTHH:mm:ss`, UTC) keeps campaigns edited after that time. ' +
    'Herald has no API campaigns yet, so `is_api_campaign` is always false.',
  auth: { type: 'api_key', permission: 'campaigns.list', bucket: 'default' },
  query: z.object({
    page: z.coerce
      .number({ error: 'page must be a whole number' })
      .int('page must be a whole number')
      .min(0, 'page must not be negative')
      .default(0),
    include_archived: bool('include_archived'),
    sort_direction: z
      .enum(['asc', 'desc'], { error: 'sort_direction must be asc or desc' })
      .default('asc'),
    'last_edit.time[gt]': z
      .string()
      .refine((s) => parseBrazeTime(s) !== null, 'last_edit.time[gt] must be a time')
      .transform((s) => parseBrazeTime(s)!.getTime())
      .optional(),
  }),
  success: {
    status: 200,
    description: 'A page of campaigns',
    schema: z.object({
      message: z.string(),
      campaigns: z.array(
        z.object({
          id: z.string(),
          last_edited: z.string(),
          name: z.string(),
          is_api_campaign: z.boolean(),
          tags: z.array(z.string()),
        }),
      ),
    }),
  },
  handler: async (c, { query }) => {
    const list = await listCampaigns(c.env.DB, {
      workspaceId: c.get('caller').workspace.id,
      includeArchived: query.include_archived,
      editedAfter: query['last_edit.time[gt]'],
      direction: query.sort_direction,
      limit: PAGE_SIZE,
      offset: query.page * PAGE_SIZE,
    });
    return c.json({
      message: 'success',
      campaigns: list.map((s) => ({
        id: s.id,
        last_edited: new Date(s.updatedAt).toISOString(),
        name: s.name,
        is_api_campaign: false,
        tags: s.tags,
      })),
    });
  },
});

export const campaignsDetailsRoute = defineRoute({
  method: 'get',
  path: '/campaigns/details',
  tag: TAG,
  summary: 'Details of one campaign, with its messages by message_variation_id',
  description:
    '`post_launch_draft_version` is accepted; Herald edits campaigns in place, so there is no ' +
    'post-launch draft and the live version is answered.',
  auth: { type: 'api_key', permission: 'campaigns.details', bucket: 'default' },
  query: z.object({
    campaign_id: CampaignId,
    post_launch_draft_version: bool('post_launch_draft_version'),
  }),
  success: {
    status: 200,
    description: 'The campaign',
    schema: z
      .object({
        message: z.string(),
        created_at: z.string(),
        updated_at: z.string(),
        archived: z.boolean(),
        draft: z.boolean(),
        enabled: z.boolean(),
        has_post_launch_draft: z.boolean(),
        name: z.string(),
        description: z.string(),
        schedule_type: z.string(),
        channels: z.array(z.string()),
        first_sent: z.string().nullable(),
        last_sent: z.string().nullable(),
        tags: z.array(z.string()),
        teams: z.array(z.string()),
        messages: z.record(z.string(), z.unknown()),
        conversion_behaviors: z.array(z.unknown()),
      })
      .passthrough(),
  },
  handler: async (c, { query }) => {
    const campaign = await mustGetCampaign(
      c.env.DB,
      c.get('caller').workspace.id,
      query.campaign_id,
    );
    return c.json({ message: 'success', ...campaignDetails(campaign) });
  },
});

export const campaignsDataSeriesRoute = defineRoute({
  method: 'get',
  path: '/campaigns/data_series',
  tag: TAG,
  summary: 'Daily statistics of a campaign',
  description:
    '`length` is 1–100 days ending on the day of `ending_at` (ISO 8601, default now). Every day ' +
    'and every variation of every channel is present, with zeros where nothing was counted.',
  auth: { type: 'api_key', permission: 'campaigns.data_series', bucket: 'campaigns_data_series' },
  query: SeriesQuery.extend({ campaign_id: CampaignId }),
  success: { status: 200, description: 'One entry per day, oldest first', schema: SeriesOut },
  handler: async (c, { query }) => {
    const campaign = await mustGetCampaign(
      c.env.DB,
      c.get('caller').workspace.id,
      query.campaign_id,
    );
    const data = await campaignDataSeries(c.env.DB, {
      campaign,
      endingAt: query.ending_at ?? Date.now(),
      length: query.length,
    });
    return c.json({ message: 'success', data });
  },
});
