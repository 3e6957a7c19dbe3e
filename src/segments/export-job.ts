import { and, eq, inArray } from 'drizzle-orm';
import { drizzle } from 'drizzle-orm/d1';
import { z } from 'zod';
import { composeCsv } from '../analytics/compose';
import { csvLine, isLastSlice, sliceSize, userCsvColumns, userCsvLine } from '../analytics/csv';
import { segmentExports } from '../db/segments';
import type { Json } from '../ingestion/types';
import { log } from '../lib/log';
import { profileStub } from '../lib/stubs';
import { gzip, zip } from '../lib/zip';
import { EXPORT_FIELDS } from '../profiles/export';
import { pageMembers } from './members';
import { getSegment } from './store';

/** Users per export file: Braze writes roughly one file per 5,000 users. */
export const USERS_PER_FILE = 5_000;
/** Profiles read at once while building a file. */
const CONCURRENCY = 50;

export const ExportRequest = z.object({
  segment_id: z.string().min(1),
  callback_endpoint: z.url().optional(),
  fields_to_export: z.array(z.enum(EXPORT_FIELDS)).min(1),
  custom_attributes_to_export: z.array(z.string().min(1)).max(500).optional(),
  output_format: z.enum(['zip', 'gzip']).default('zip'),
});
export type ExportRequest = z.infer<typeof ExportRequest>;

/**
 * How the files are written: Braze's newline-delimited export objects, zipped or gzipped, or
 * one CSV file (src/analytics/csv.ts); `max_rows` caps the users exported (null: no cap).
 */
export const ExportOptions = z.object({
  format: z.enum(['ndjson', 'csv']).default('ndjson'),
  max_rows: z.number().int().positive().nullable().default(null),
});
export type ExportOptions = z.input<typeof ExportOptions>;

/** What a job row stores: the request, its options, and the status page the callback links to. */
const StoredRequest = ExportRequest.extend({
  status_url: z.string().nullable().default(null),
}).extend(ExportOptions.shape);

/** The stored options of an export row. */
export function exportOptions(row: ExportRow): z.infer<typeof ExportOptions> {
  return ExportOptions.parse(JSON.parse(row.request));
}

/** The name of a CSV export's one file, in its folder. */
export const CSV_FILE = 'users.csv';
/** The key prefix of a CSV export's parts, one per slice, joined into CSV_FILE at the end. */
const csvParts = (row: ExportRow) => `${exportFolder(row)}users-`;

export type ExportRow = typeof segmentExports.$inferSelect;

/** The R2 folder of an export: `segment-export/<segment>/<YYYY-MM-dd>/<object_prefix>/`. */
export function exportFolder(row: {
  segmentId: string;
  objectPrefix: string;
  createdAt: number;
}): string {
  const date = new Date(row.createdAt).toISOString().slice(0, 10);
  return `segment-export/${row.segmentId}/${date}/${row.objectPrefix}/`;
}

export type StartResult =
  | { type: 'started'; row: ExportRow }
  | { type: 'busy' }
  | { type: 'no_segment' };

/** Register an export and enqueue its first slice; one running export per segment. */
export async function startExport(
  env: { DB: D1Database; JOBS_QUEUE: Queue },
  input: {
    workspaceId: string;
    request: ExportRequest & ExportOptions;
    statusUrl: (exportId: string) => string;
  },
): Promise<StartResult> {
  const segment = await getSegment(env.DB, input.workspaceId, input.request.segment_id);
  if (!segment || segment.archived) return { type: 'no_segment' };
  const d = drizzle(env.DB);
  const running = await d
    .select({ id: segmentExports.id })
    .from(segmentExports)
    .where(
      and(
        eq(segmentExports.workspaceId, input.workspaceId),
        eq(segmentExports.segmentId, segment.id),
        inArray(segmentExports.status, ['queued', 'running']),
      ),
    )
    .get();
  if (running) return { type: 'busy' };
  const now = Date.now();
  const id = crypto.randomUUID();
  const row: ExportRow = {
    id,
    workspaceId: input.workspaceId,
    segmentId: segment.id,
    status: 'queued',
    objectPrefix: `${crypto.randomUUID()}-${Math.floor(now / 1000)}`,
    request: JSON.stringify({ ...input.request, status_url: input.statusUrl(id) }),
    usersExported: 0,
    filesWritten: 0,
    cursor: null,
    error: null,
    createdAt: now,
    updatedAt: now,
    finishedAt: null,
  };
  await d.insert(segmentExports).values(row);
  await env.JOBS_QUEUE.send({
    type: 'segment_export',
    workspace_id: input.workspaceId,
    export_id: row.id,
  });
  return { type: 'started', row };
}

/** Read one export of a workspace. */
export async function getExport(
  db: D1Database,
  workspaceId: string,
  id: string,
): Promise<ExportRow | null> {
  return (
    (await drizzle(db)
      .select()
      .from(segmentExports)
      .where(and(eq(segmentExports.workspaceId, workspaceId), eq(segmentExports.id, id)))
      .get()) ?? null
  );
}

function pickCustom(user: Record<string, Json>, names: string[] | undefined): Record<string, Json> {
  if (!names || !user.custom_attributes || typeof user.custom_attributes !== 'object') return user;
  const custom = user.custom_attributes as Record<string, Json>;
  const kept = Object.fromEntries(Object.entries(custom).filter(([k]) => names.includes(k)));
  return { ...user, custom_attributes: kept };
}

/**
 * Run one slice of an export: write the next file of up to 5,000 users to R2, record progress,
 * and enqueue the next slice; on the last one mark the export done and call the callback.
 * Re-running a slice after a crash rewrites the same file name, so nothing is duplicated.
 */
export async function runExportSlice(
  env: { DB: D1Database; EXPORTS: R2Bucket; USER_PROFILE: Env['USER_PROFILE']; JOBS_QUEUE: Queue },
  input: { workspaceId: string; exportId: string },
): Promise<void> {
  const d = drizzle(env.DB);
  const row = await getExport(env.DB, input.workspaceId, input.exportId);
  if (!row || row.status === 'done' || row.status === 'failed') return;
  const request = StoredRequest.parse(JSON.parse(row.request));
  const segment = await getSegment(env.DB, row.workspaceId, row.segmentId);
  const finish = async (status: 'done' | 'failed', error: string | null) => {
    const now = Date.now();
    await d
      .update(segmentExports)
      .set({ status, error, updatedAt: now, finishedAt: now })
      .where(eq(segmentExports.id, row.id));
    if (request.callback_endpoint) {
      const body =
        status === 'done'
          ? { success: true, object_prefix: row.objectPrefix, url: request.status_url }
          : { success: false, error };
      await fetch(request.callback_endpoint, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(body),
      }).catch((err) =>
        log('warn', 'export callback failed', { export_id: row.id, error: String(err) }),
      );
    }
  };
  if (!segment) return finish('failed', 'segment no longer exists');

  const now = Date.now();
  const asked = sliceSize({
    perFile: USERS_PER_FILE,
    maxRows: request.max_rows,
    exported: row.usersExported,
  });
  const members =
    asked === 0
      ? []
      : (
          await pageMembers(env.DB, {
            workspaceId: row.workspaceId,
            segmentId: segment.id,
            now,
            after: row.cursor,
            limit: asked,
          })
        ).members;
  const fields =
    request.custom_attributes_to_export && !request.fields_to_export.includes('custom_attributes')
      ? [...request.fields_to_export, 'custom_attributes' as const]
      : request.fields_to_export;
  const csvColumns =
    request.format === 'csv'
      ? userCsvColumns({
          fields: request.fields_to_export,
          ...(request.custom_attributes_to_export
            ? { customAttributes: request.custom_attributes_to_export }
            : {}),
        })
      : [];
  const lines: string[] = [];
  for (let i = 0; i < members.length; i += CONCURRENCY) {
    const answers = await Promise.all(
      members.slice(i, i + CONCURRENCY).map((m) =>
        profileStub(env.USER_PROFILE, row.workspaceId, m.profileId).exportUser({
          workspaceId: row.workspaceId,
          profileId: m.profileId,
          addressedBy: null,
          now,
          fields,
        }),
      ),
    );
    for (const a of answers) {
      if (a.status !== 'ok') continue;
      if (request.format === 'csv') lines.push(userCsvLine(a.user, csvColumns));
      else lines.push(JSON.stringify(pickCustom(a.user, request.custom_attributes_to_export)));
    }
  }
  if (members.length > 0 && request.format === 'csv') {
    // One part per slice, the first with the header, joined into one file when the export is done.
    const part = `${csvParts(row)}${String(row.filesWritten).padStart(6, '0')}.csv`;
    const header = row.filesWritten === 0 ? csvLine(csvColumns) : '';
    await env.EXPORTS.put(part, header + lines.join(''));
  } else if (members.length > 0) {
    const data = new TextEncoder().encode(lines.length ? `${lines.join('\n')}\n` : '');
    const base = `${row.segmentId}-${String(row.filesWritten).padStart(5, '0')}`;
    const body =
      request.output_format === 'gzip'
        ? await gzip(data)
        : await zip([{ name: `${base}.txt`, data }]);
    const key = `${exportFolder(row)}${base}.${request.output_format === 'gzip' ? 'gz' : 'zip'}`;
    await env.EXPORTS.put(key, body);
  }
  const done = isLastSlice({
    asked,
    read: members.length,
    maxRows: request.max_rows,
    exported: row.usersExported + lines.length,
  });
  // Queues deliver at least once: a slice commits only if no copy of it committed first.
  const committed = await d
    .update(segmentExports)
    .set({
      status: done ? row.status : 'running',
      usersExported: row.usersExported + lines.length,
      filesWritten: row.filesWritten + (members.length > 0 ? 1 : 0),
      cursor: members.length > 0 ? members[members.length - 1]!.profileId : row.cursor,
      updatedAt: Date.now(),
    })
    .where(and(eq(segmentExports.id, row.id), eq(segmentExports.filesWritten, row.filesWritten)))
    .run();
  if (committed.meta.changes === 0) return;
  if (done && request.format === 'csv') {
    await composeCsv(env.EXPORTS, {
      partsPrefix: csvParts(row),
      finalKey: `${exportFolder(row)}${CSV_FILE}`,
      header: csvLine(csvColumns),
    });
  }
  if (done) await finish('done', null);
  else
    await env.JOBS_QUEUE.send({
      type: 'segment_export',
      workspace_id: row.workspaceId,
      export_id: row.id,
    });
}
