import { z } from 'zod';
import { badRequest } from '../http/errors';
import { type AnyRoute, defineRoute } from '../http/route';
import {
  paramsProblem,
  readSeries,
  SERIES,
  type SeriesDefinition,
  SeriesParams,
} from './definitions';
import {
  seriesCsvExportRoute,
  seriesCsvFileRoute,
  seriesCsvStatusRoute,
  usersCsvExportRoute,
} from './export-routes';
import { listNames } from './series';

/** Braze's export and analytics endpoints (contract §3.1, §3.3–§3.5). */

const TAG = 'Analytics';
/** `/events/list` pages (contract §8.4 #72); product pages are the same size. */
export const NAMES_PAGE_SIZE = 250;

const Page = z.object({
  page: z.coerce
    .number({ error: 'page must be a whole number from 0' })
    .int('page must be a whole number from 0')
    .min(0, 'page must be a whole number from 0')
    .default(0),
});

export const eventsListRoute = defineRoute({
  method: 'get',
  path: '/events/list',
  tag: TAG,
  summary: 'Custom event names, 250 per page, alphabetical',
  description: '`page` counts from 0.',
  auth: { type: 'api_key', permission: 'events.list', bucket: 'export_lists' },
  query: Page,
  success: {
    status: 200,
    description: 'A page of event names',
    schema: z.object({ message: z.string(), events: z.array(z.string()) }),
  },
  handler: async (c, { query }) => {
    const events = await listNames(c.env.DB, {
      workspaceId: c.get('caller').workspace.id,
      kind: 'event',
      page: query.page,
      pageSize: NAMES_PAGE_SIZE,
    });
    return c.json({ message: 'success', events });
  },
});

export const productListRoute = defineRoute({
  method: 'get',
  path: '/purchases/product_list',
  tag: TAG,
  summary: 'Product ids of purchases, 250 per page, alphabetical',
  description: '`page` counts from 0.',
  auth: { type: 'api_key', permission: 'purchases.product_list', bucket: 'export_lists' },
  query: Page,
  success: {
    status: 200,
    description: 'A page of product ids',
    schema: z.object({ products: z.array(z.string()), message: z.string() }),
  },
  handler: async (c, { query }) => {
    const products = await listNames(c.env.DB, {
      workspaceId: c.get('caller').workspace.id,
      kind: 'product',
      page: query.page,
      pageSize: NAMES_PAGE_SIZE,
    });
    return c.json({ products, message: 'success' });
  },
});

function seriesRoute(def: SeriesDefinition): AnyRoute {
  const params = [
    '`length` (1–100, required) units ending with the one holding `ending_at` (ISO 8601, default now)',
    def.hourly ? '`unit` `day` (default) or `hour`' : 'daily only',
    '`app_id` restricts to one app',
    def.nameParam
      ? `\`${def.nameParam.name}\` ${def.nameParam.required ? 'names the event (required)' : 'restricts to one product'}`
      : null,
  ].filter((p) => p !== null);
  return defineRoute({
    method: 'get',
    path: def.path,
    tag: TAG,
    summary: def.summary,
    description: `${params.join('; ')}. Every bucket is present, oldest first, zero when nothing happened; buckets are UTC days or hours.`,
    auth: { type: 'api_key', permission: def.permission, bucket: 'default' },
    query: SeriesParams,
    success: {
      status: 200,
      description: 'The series',
      schema: z.object({
        message: z.string(),
        data: z.array(z.object({ time: z.string(), [def.key]: z.number() })),
      }),
    },
    handler: async (c, { query }) => {
      const problem = paramsProblem(def, query);
      if (problem) throw badRequest(problem);
      const series = await readSeries(c.env.DB, {
        workspaceId: c.get('caller').workspace.id,
        def,
        params: query,
        now: Date.now(),
      });
      return c.json({
        message: 'success',
        data: series.map((p) => ({ time: p.time, [def.key]: p.value })),
      });
    },
  });
}

/** Every analytics route, for src/http/routes.ts. */
export const ANALYTICS_ROUTES: readonly AnyRoute[] = [
  eventsListRoute,
  productListRoute,
  ...Object.values(SERIES).map(seriesRoute),
  usersCsvExportRoute,
  seriesCsvExportRoute,
  seriesCsvStatusRoute,
  seriesCsvFileRoute,
];
