import { z } from 'zod';
import { ApiError, badRequest } from '../http/errors';
import { defineRoute } from '../http/route';
import { SendId } from '../http/schemas';
import { CampaignId, mustGetCampaign, SeriesOut, SeriesQuery } from './routes';
import { createSendId, SEND_IDS_PER_DAY } from './send-ids';
import { SEND_STATS_DAYS, sendDataSeries } from './send-stats';
import type { Campaign } from './store';

/** Braze's send id endpoints (contract §3.10.6, §3.9): custom send ids and their statistics. */

const TAG = 'Campaigns';

/**
 * The API-triggered campaign a send id belongs to (send ids are for API campaigns), or Braze's
 * answer to an id that is not one of the workspace's.
 */
async function mustGetApiCampaign(
  db: D1Database,
  workspaceId: string,
  id: string,
): Promise<Campaign> {
  const campaign = await mustGetCampaign(db, workspaceId, id);
  if (campaign.delivery.type !== 'api_triggered') {
    throw badRequest('Invalid Campaign ID', [`${id} is not an API-triggered campaign`]);
  }
  return campaign;
}

export const sendIdCreateRoute = defineRoute({
  method: 'post',
  path: '/sends/id/create',
  tag: TAG,
  summary: 'Create a send id to track sends of an API-triggered campaign',
  description:
    'Without `send_id` one is generated. At most 100 new (campaign, send id) pairs per ' +
    'workspace per UTC day (an existing pair is answered again and not counted), and 100 ' +
    'requests a day. Use the id as `send_id` in `/campaigns/trigger/send` or `/messages/send`; ' +
    '`/sends/data_series` reports it.',
  auth: { type: 'api_key', permission: 'sends.id.create', bucket: 'sends_id_create' },
  body: z.object({ campaign_id: CampaignId, send_id: SendId.optional() }),
  success: {
    status: 201,
    description: 'The send id',
    schema: z.object({ message: z.string(), send_id: z.string() }),
  },
  handler: async (c, { body }) => {
    const workspaceId = c.get('caller').workspace.id;
    const campaign = await mustGetApiCampaign(c.env.DB, workspaceId, body.campaign_id);
    const sendId = body.send_id ?? crypto.randomUUID().replaceAll('-', '');
    const res = await createSendId(c.env.DB, {
      workspaceId,
      campaignId: campaign.id,
      sendId,
      now: Date.now(),
    });
    if (res.type === 'limit_reached') {
      throw new ApiError(429, 'API rate limit exceeded', [
        `At most ${SEND_IDS_PER_DAY} new send ids may be created per workspace per day`,
      ]);
    }
    return c.json({ message: 'success', send_id: sendId }, 201);
  },
});

export const sendsDataSeriesRoute = defineRoute({
  method: 'get',
  path: '/sends/data_series',
  tag: TAG,
  summary: 'Daily statistics of one send id of an API-triggered campaign',
  description:
    '`length` is 1–100 days ending on the day of `ending_at` (ISO 8601, default now), in the ' +
    `shape of \`/campaigns/data_series\`. Statistics are kept ${SEND_STATS_DAYS} days after the ` +
    'send; older days read as zeros. A webhook answered 2xx counts as `delivered`, one that ' +
    'failed for good as `undelivered`.',
  auth: { type: 'api_key', permission: 'sends.data_series', bucket: 'default' },
  query: SeriesQuery.extend({
    campaign_id: CampaignId,
    send_id: z.string({ error: 'send_id is required' }).min(1, 'send_id is required'),
  }),
  success: { status: 200, description: 'One entry per day, oldest first', schema: SeriesOut },
  handler: async (c, { query }) => {
    const workspaceId = c.get('caller').workspace.id;
    const campaign = await mustGetApiCampaign(c.env.DB, workspaceId, query.campaign_id);
    const now = Date.now();
    const data = await sendDataSeries(c.env.DB, {
      campaign,
      sendId: query.send_id,
      endingAt: query.ending_at ?? now,
      length: query.length,
      now,
    });
    return c.json({ message: 'success', data });
  },
});
