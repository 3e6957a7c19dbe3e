import { z } from 'zod';
import type { Ctx } from '../http/context';
import { ApiError, badRequest } from '../http/errors';
import { defineRoute } from '../http/route';
import { ExportRequest, exportFolder, exportOptions, getExport, startExport } from './export-job';

function statusUrl(c: Ctx, id: string): string {
  return `${new URL(c.req.url).origin}/herald/exports/${id}`;
}

export const exportSegmentRoute = defineRoute({
  method: 'post',
  path: '/users/export/segment',
  tag: 'Export',
  summary: 'Export every user of a segment to files in object storage',
  description:
    'Files of newline-delimited user export objects, about one per 5,000 users, zipped (default) ' +
    'or gzipped, under `segment-export/<segment_id>/<YYYY-MM-dd>/<object_prefix>/` in the ' +
    'EXPORTS bucket. `url` is the export status page, which lists the files with download links ' +
    'and shows progress while it runs. `callback_endpoint` is POSTed `{"success": true, ...}` when ' +
    'done. One export per segment at a time: a second answers 429.',
  auth: { type: 'api_key', permission: 'users.export.segment', bucket: 'default' },
  body: ExportRequest,
  success: {
    status: 201,
    description: 'Export started',
    schema: z.object({ message: z.string(), object_prefix: z.string(), url: z.string() }),
  },
  handler: async (c, { body }) => {
    const started = await startExport(c.env, {
      statusUrl: (id) => statusUrl(c, id),
      workspaceId: c.get('caller').workspace.id,
      request: body,
    });
    if (started.type === 'no_segment')
      throw badRequest(`segment_id ${body.segment_id} is not a live segment`);
    if (started.type === 'busy')
      throw new ApiError(429, 'An export of this segment is already running');
    return c.json(
      {
        message: 'success',
        object_prefix: started.row.objectPrefix,
        url: statusUrl(c, started.row.id),
      },
      201,
    );
  },
});

export const exportStatusRoute = defineRoute({
  method: 'get',
  path: '/herald/exports/{export_id}',
  tag: 'Export',
  summary: 'Progress of a segment export and its files',
  auth: { type: 'api_key', permission: 'users.export.segment', bucket: 'default' },
  success: {
    status: 200,
    description: 'The export',
    schema: z.object({
      message: z.string(),
      status: z.enum(['queued', 'running', 'done', 'failed']),
      users_exported: z.number().int(),
      files: z.array(z.object({ key: z.string(), size: z.number(), url: z.string() })),
    }),
  },
  handler: async (c) => {
    const row = await getExport(
      c.env.DB,
      c.get('caller').workspace.id,
      c.req.param('export_id') ?? '',
    );
    if (!row) throw new ApiError(404, 'Export not found');
    const listed = await c.env.EXPORTS.list({ prefix: exportFolder(row) });
    const options = exportOptions(row);
    return c.json({
      message: 'success',
      status: row.status,
      segment_id: row.segmentId,
      object_prefix: row.objectPrefix,
      users_exported: row.usersExported,
      files_written: row.filesWritten,
      format: options.format,
      row_limit: options.max_rows,
      // The dashboard-style export stopped at its cap (docs/analytics.md).
      row_limit_reached: options.max_rows !== null && row.usersExported >= options.max_rows,
      error: row.error,
      created_at: new Date(row.createdAt).toISOString(),
      finished_at: row.finishedAt ? new Date(row.finishedAt).toISOString() : null,
      files: listed.objects.map((o) => ({
        key: o.key,
        size: o.size,
        url: `${statusUrl(c, row.id)}/files/${encodeURIComponent(o.key.split('/').pop() ?? '')}`,
      })),
    });
  },
});

export const exportFileRoute = defineRoute({
  method: 'get',
  path: '/herald/exports/{export_id}/files/{file}',
  tag: 'Export',
  summary: 'Download one file of a segment export',
  auth: { type: 'api_key', permission: 'users.export.segment', bucket: 'default' },
  success: { status: 200, description: 'The file (zip, gzip or CSV)', schema: z.unknown() },
  handler: async (c) => {
    const row = await getExport(
      c.env.DB,
      c.get('caller').workspace.id,
      c.req.param('export_id') ?? '',
    );
    const file = c.req.param('file') ?? '';
    if (!row || file.includes('/')) throw new ApiError(404, 'File not found');
    const object = await c.env.EXPORTS.get(`${exportFolder(row)}${file}`);
    if (!object) throw new ApiError(404, 'File not found');
    return new Response(object.body, {
      headers: {
        'content-type': file.endsWith('.csv')
          ? 'text/csv; charset=utf-8'
          : file.endsWith('.zip')
            ? 'application/zip'
            : 'application/gzip',
        'content-disposition': `attachment; filename="${file}"`,
      },
    });
  },
});
