import { and, asc, eq, gte, lte } from 'drizzle-orm';
import { drizzle } from 'drizzle-orm/d1';
import { z } from 'zod';
import { segmentSizes } from '../db/segments';
import { defineRoute } from '../http/route';
import { describeFilter, mustGet } from './route-helpers';
import { listSegments } from './store';

const DAY_MS = 86_400_000;

// ---- Braze endpoints ----

export const segmentsListRoute = defineRoute({
  method: 'get',
  path: '/segments/list',
  tag: 'Segments',
  summary: 'List segments, 100 per page, by creation time',
  description: 'Archived segments are excluded.',
  auth: { type: 'api_key', permission: 'segments.list', bucket: 'default' },
  query: z.object({
    page: z.coerce.number().int().min(0).default(0),
    sort_direction: z.enum(['asc', 'desc']).default('asc'),
  }),
  success: {
    status: 200,
    description: 'A page of segments',
    schema: z.object({
      message: z.string(),
      segments: z.array(
        z.object({
          id: z.string(),
          name: z.string(),
          analytics_tracking_enabled: z.boolean(),
          tags: z.array(z.string()),
        }),
      ),
    }),
  },
  handler: async (c, { query }) => {
    const list = await listSegments(c.env.DB, {
      workspaceId: c.get('caller').workspace.id,
      page: query.page,
      pageSize: 100,
      direction: query.sort_direction,
    });
    return c.json({
      message: 'success',
      segments: list.map((s) => ({
        id: s.id,
        name: s.name,
        analytics_tracking_enabled: s.analyticsTrackingEnabled,
        tags: s.tags,
      })),
    });
  },
});

export const segmentsDetailsRoute = defineRoute({
  method: 'get',
  path: '/segments/details',
  tag: 'Segments',
  summary: 'Details of one segment',
  description:
    '`description` summarises the filters; `text_description` is the text entered with the segment.',
  auth: { type: 'api_key', permission: 'segments.details', bucket: 'default' },
  query: z.object({ segment_id: z.string().min(1) }),
  success: {
    status: 200,
    description: 'The segment',
    schema: z.object({
      message: z.string(),
      created_at: z.string(),
      updated_at: z.string(),
      name: z.string(),
      description: z.string(),
      text_description: z.string().nullable(),
      tags: z.array(z.string()),
      teams: z.array(z.string()),
    }),
  },
  handler: async (c, { query }) => {
    const s = await mustGet(c.env.DB, c.get('caller').workspace.id, query.segment_id);
    return c.json({
      message: 'success',
      created_at: new Date(s.createdAt).toISOString(),
      updated_at: new Date(s.updatedAt).toISOString(),
      name: s.name,
      description: describeFilter(s.filter),
      text_description: s.textDescription,
      tags: s.tags,
      teams: [],
    });
  },
});

export const segmentsDataSeriesRoute = defineRoute({
  method: 'get',
  path: '/segments/data_series',
  tag: 'Segments',
  summary: 'Daily size of a segment',
  description:
    'Sizes are recorded once a day by the cron job. `length` is 1–100 days ending at `ending_at` (default now).',
  auth: { type: 'api_key', permission: 'segments.data_series', bucket: 'default' },
  query: z.object({
    segment_id: z.string().min(1),
    length: z.coerce.number().int().min(1).max(100),
    ending_at: z.string().datetime({ offset: true }).optional(),
  }),
  success: {
    status: 200,
    description: 'Daily sizes, oldest first',
    schema: z.object({
      message: z.string(),
      data: z.array(z.object({ time: z.string(), size: z.number().int() })),
    }),
  },
  handler: async (c, { query }) => {
    const workspaceId = c.get('caller').workspace.id;
    await mustGet(c.env.DB, workspaceId, query.segment_id);
    const end = query.ending_at ? Date.parse(query.ending_at) : Date.now();
    const last = new Date(end).toISOString().slice(0, 10);
    const first = new Date(end - (query.length - 1) * DAY_MS).toISOString().slice(0, 10);
    const rows = await drizzle(c.env.DB)
      .select({ date: segmentSizes.date, size: segmentSizes.size })
      .from(segmentSizes)
      .where(
        and(
          eq(segmentSizes.workspaceId, workspaceId),
          eq(segmentSizes.segmentId, query.segment_id),
          gte(segmentSizes.date, first),
          lte(segmentSizes.date, last),
        ),
      )
      .orderBy(asc(segmentSizes.date))
      .all();
    return c.json({ message: 'success', data: rows.map((r) => ({ time: r.date, size: r.size })) });
  },
});
