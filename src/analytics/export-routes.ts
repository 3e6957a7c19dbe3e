import { z } from 'zod';
import { grants } from '../auth/permissions';
import type { Ctx } from '../http/context';
import { ApiError, badRequest } from '../http/errors';
import { defineRoute } from '../http/route';
import { EXPORT_FIELDS } from '../profiles/export';
import { startExport } from '../segments/export-job';
import { DASHBOARD_ROW_CAP } from './csv';
import { paramsProblem, SERIES } from './definitions';
import {
  getSeriesExport,
  SeriesExportRequest,
  type SeriesExportRow,
  startSeriesExport,
} from './series-export';

/** CSV exports: users of a segment, and analytics series (docs/analytics.md). */

const TAG = 'Export';
const origin = (c: Ctx) => new URL(c.req.url).origin;

export const UsersCsvRequest = z.object({
  segment_id: z.string().min(1),
  fields_to_export: z.array(z.enum(EXPORT_FIELDS)).min(1),
  custom_attributes_to_export: z.array(z.string().min(1).max(255)).max(500).optional(),
  callback_endpoint: z.url().optional(),
  /** `dashboard` (the admin site) stops at 500,000 users, as Braze's dashboard export does. */
  source: z.enum(['api', 'dashboard']).default('api'),
});

export const usersCsvExportRoute = defineRoute({
  method: 'post',
  path: '/herald/exports/users_csv',
  tag: TAG,
  summary: 'Export the users of a segment as one CSV file',
  description:
    'Columns are the chosen `fields_to_export`, then one per `custom_attributes_to_export` ' +
    '(`custom_attributes.<name>`); arrays and objects are JSON text. Runs as the segment export ' +
    'does (5,000 users a slice, progress at `url`), then joins the slices into `users.csv`. ' +
    '`source: "dashboard"` stops at 500,000 users as Braze\'s dashboard export does; API exports ' +
    'have no cap.',
  auth: { type: 'api_key', permission: 'users.export.segment', bucket: 'default' },
  body: UsersCsvRequest,
  success: {
    status: 201,
    description: 'Export started',
    schema: z.object({ message: z.string(), export_id: z.string(), url: z.string() }),
  },
  handler: async (c, { body }) => {
    const { source, ...request } = body;
    const url = (id: string) => `${origin(c)}/herald/exports/${id}`;
    const started = await startExport(c.env, {
      workspaceId: c.get('caller').workspace.id,
      statusUrl: url,
      request: {
        ...request,
        output_format: 'zip',
        format: 'csv',
        max_rows: source === 'dashboard' ? DASHBOARD_ROW_CAP : null,
      },
    });
    if (started.type === 'no_segment')
      throw badRequest(`segment_id ${body.segment_id} is not a live segment`);
    if (started.type === 'busy')
      throw new ApiError(429, 'An export of this segment is already running');
    return c.json({ message: 'success', export_id: started.row.id, url: url(started.row.id) }, 201);
  },
});

function statusBody(c: Ctx, row: SeriesExportRow) {
  const url = `${origin(c)}/herald/analytics/exports/${row.id}`;
  return {
    message: 'success',
    export_id: row.id,
    status: row.status as 'queued' | 'running' | 'done' | 'failed',
    rows_written: row.rowsWritten,
    error: row.error,
    created_at: new Date(row.createdAt).toISOString(),
    finished_at: row.finishedAt ? new Date(row.finishedAt).toISOString() : null,
    url,
    file: row.status === 'done' ? `${url}/file` : null,
  };
}

const StatusOut = z.object({
  message: z.string(),
  export_id: z.string(),
  status: z.enum(['queued', 'running', 'done', 'failed']),
  rows_written: z.number().int(),
  url: z.string(),
  file: z.string().nullable(),
});

export const seriesCsvExportRoute = defineRoute({
  method: 'post',
  path: '/herald/analytics/exports',
  tag: TAG,
  summary: 'Export an analytics series as a CSV file',
  description:
    '`series` is one of ' +
    Object.entries(SERIES)
      .map(([name, d]) => `\`${name}\` (${d.path})`)
      .join(', ') +
    "; the other fields are that endpoint's parameters. The key also needs the series' own " +
    "permission. The file has a `time` column and the series' value column.",
  auth: { type: 'api_key', permission: 'herald.analytics.export', bucket: 'default' },
  body: SeriesExportRequest,
  success: { status: 201, description: 'Export started', schema: StatusOut },
  handler: async (c, { body }) => {
    const def = SERIES[body.series];
    if (!grants(c.get('caller').key.permissions, def.permission)) {
      throw new ApiError(403, 'Access Denied', [
        `This API key lacks the ${def.permission} permission`,
      ]);
    }
    const problem = paramsProblem(def, body);
    if (problem) throw badRequest(problem);
    const row = await startSeriesExport(c.env, {
      workspaceId: c.get('caller').workspace.id,
      request: body,
      now: Date.now(),
    });
    return c.json(statusBody(c, row), 201);
  },
});

async function mustGetSeriesExport(c: Ctx): Promise<SeriesExportRow> {
  const row = await getSeriesExport(
    c.env.DB,
    c.get('caller').workspace.id,
    c.req.param('export_id') ?? '',
  );
  if (!row) throw new ApiError(404, 'Export not found');
  return row;
}

export const seriesCsvStatusRoute = defineRoute({
  method: 'get',
  path: '/herald/analytics/exports/{export_id}',
  tag: TAG,
  summary: 'Progress of an analytics CSV export and its download link',
  auth: { type: 'api_key', permission: 'herald.analytics.export', bucket: 'default' },
  success: { status: 200, description: 'The export', schema: StatusOut },
  handler: async (c) => c.json(statusBody(c, await mustGetSeriesExport(c))),
});

export const seriesCsvFileRoute = defineRoute({
  method: 'get',
  path: '/herald/analytics/exports/{export_id}/file',
  tag: TAG,
  summary: 'Download an analytics CSV export',
  auth: { type: 'api_key', permission: 'herald.analytics.export', bucket: 'default' },
  success: { status: 200, description: 'The CSV file', schema: z.unknown() },
  handler: async (c) => {
    const row = await mustGetSeriesExport(c);
    const object = row.status === 'done' ? await c.env.EXPORTS.get(row.objectKey) : null;
    if (!object) throw new ApiError(404, 'File not found');
    return new Response(object.body, {
      headers: {
        'content-type': 'text/csv; charset=utf-8',
        'content-disposition': `attachment; filename="${row.objectKey.split('/').pop()}"`,
      },
    });
  },
});
