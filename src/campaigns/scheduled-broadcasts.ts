import { and, asc, eq, isNull, lte } from 'drizzle-orm';
import { drizzle } from 'drizzle-orm/d1';
import { z } from 'zod';
import { campaigns } from '../db/campaigns';
import { defineRoute } from '../http/route';
import { parseBrazeTime } from '../ingestion/time';
import { strftime } from '../personalization/strftime';
import { ScheduledDelivery } from './model';
import { occurrenceAt } from './schedule';

/**
 * `GET /messages/scheduled_broadcasts` (contract §3.9): the workspace's scheduled campaigns
 * with a send to come before `end_time`, each once with its next occurrence. As at Braze, only
 * campaigns scheduled in the product are listed, not messages scheduled through the API.
 */

const ScheduledBroadcast = z.object({
  name: z.string(),
  id: z.string(),
  type: z.literal('Campaign'),
  tags: z.array(z.string()),
  next_send_time: z.string(),
  schedule_type: z.string(),
});
type ScheduledBroadcast = z.infer<typeof ScheduledBroadcast>;

/** Active scheduled campaigns of a workspace whose next send is due by `until`, soonest first. */
async function upcomingCampaigns(
  db: D1Database,
  input: { workspaceId: string; until: number },
): Promise<ScheduledBroadcast[]> {
  const rows = await drizzle(db)
    .select({
      id: campaigns.id,
      name: campaigns.name,
      tags: campaigns.tags,
      delivery: campaigns.delivery,
      nextSendAt: campaigns.nextSendAt,
    })
    .from(campaigns)
    .where(
      and(
        eq(campaigns.workspaceId, input.workspaceId),
        eq(campaigns.deliveryType, 'scheduled'),
        eq(campaigns.status, 'active'),
        isNull(campaigns.archivedAt),
        lte(campaigns.nextSendAt, input.until),
      ),
    )
    .orderBy(asc(campaigns.nextSendAt), asc(campaigns.id))
    .all();
  const out: ScheduledBroadcast[] = [];
  for (const row of rows) {
    const { schedule } = ScheduledDelivery.parse(JSON.parse(row.delivery));
    const next = row.nextSendAt === null ? null : occurrenceAt(schedule, row.nextSendAt);
    if (!next) continue;
    out.push({
      name: row.name,
      id: row.id,
      type: 'Campaign',
      tags: z.array(z.string()).parse(JSON.parse(row.tags)),
      // A local-time send has no one instant: its wall-clock time, without a zone (Braze's form).
      next_send_time: next.inLocalTime
        ? `${next.date}T${next.time}:00`
        : strftime(next.dueAt, { iana: next.timeZone }, '%Y-%m-%dT%H:%M:%S%:z'),
      schedule_type: next.inLocalTime ? 'local_time_zones' : next.timeZone,
    });
  }
  return out;
}

export const scheduledBroadcastsRoute = defineRoute({
  method: 'get',
  path: '/messages/scheduled_broadcasts',
  tag: 'Campaigns',
  summary: 'Scheduled campaigns with a send to come before end_time',
  description:
    '`end_time` (ISO 8601) is read as midnight UTC of its day, as Braze does. Recurring ' +
    'campaigns appear once, with their next send. `next_send_time` carries the zone of the ' +
    'schedule; local-time sends show the wall-clock time without a zone and `schedule_type` ' +
    '`local_time_zones`. Messages scheduled through the API are not listed (as at Braze).',
  auth: { type: 'api_key', permission: 'messages.schedule_broadcasts', bucket: 'default' },
  query: z.object({
    end_time: z
      .string({ error: 'end_time is required' })
      .refine((s) => parseBrazeTime(s) !== null, 'end_time must be an ISO 8601 time')
      .transform((s) => Date.parse(`${parseBrazeTime(s)!.toISOString().slice(0, 10)}T00:00:00Z`)),
  }),
  success: {
    status: 200,
    description: 'The upcoming scheduled campaigns, soonest first',
    schema: z.object({ scheduled_broadcasts: z.array(ScheduledBroadcast), message: z.string() }),
  },
  handler: async (c, { query }) => {
    const scheduled = await upcomingCampaigns(c.env.DB, {
      workspaceId: c.get('caller').workspace.id,
      until: query.end_time,
    });
    return c.json({ scheduled_broadcasts: scheduled, message: 'success' });
  },
});
