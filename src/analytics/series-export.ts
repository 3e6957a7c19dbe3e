import { and, eq } from 'drizzle-orm';
import { drizzle } from 'drizzle-orm/d1';
import { z } from 'zod';
import { analyticsExports } from '../db/analytics';
import { csvLine } from './csv';
import { readSeries, SERIES, SERIES_NAMES, SeriesParams } from './definitions';

/**
 * Analytics series exported as CSV files to R2: a request row in D1, one job on JOBS_QUEUE that
 * reads the series and writes the file, and a status answer with the download link — the same
 * steps as the user exports, for a file of at most a hundred rows.
 */

export const SeriesExportRequest = SeriesParams.extend({
  series: z.enum(SERIES_NAMES, { error: `series must be one of ${SERIES_NAMES.join(', ')}` }),
});
export type SeriesExportRequest = z.infer<typeof SeriesExportRequest>;

/** What a row stores: the request with `ending_at` fixed when it was made. */
const StoredSeriesRequest = SeriesExportRequest.omit({ ending_at: true }).extend({
  ending_at: z.number(),
});

export type SeriesExportRow = typeof analyticsExports.$inferSelect;

/** Register a series export and enqueue its job. */
export async function startSeriesExport(
  env: { DB: D1Database; JOBS_QUEUE: Queue },
  input: { workspaceId: string; request: SeriesExportRequest; now: number },
): Promise<SeriesExportRow> {
  const id = crypto.randomUUID();
  const date = new Date(input.now).toISOString().slice(0, 10);
  const stored: z.infer<typeof StoredSeriesRequest> = {
    ...input.request,
    ending_at: input.request.ending_at ?? input.now,
  };
  const row: SeriesExportRow = {
    id,
    workspaceId: input.workspaceId,
    status: 'queued',
    request: JSON.stringify(stored),
    objectKey: `analytics-export/${input.request.series}/${date}/${id}.csv`,
    rowsWritten: 0,
    error: null,
    createdAt: input.now,
    finishedAt: null,
  };
  await drizzle(env.DB).insert(analyticsExports).values(row);
  await env.JOBS_QUEUE.send({
    type: 'analytics_export',
    workspace_id: input.workspaceId,
    export_id: id,
  });
  return row;
}

/** Read one series export of a workspace. */
export async function getSeriesExport(
  db: D1Database,
  workspaceId: string,
  id: string,
): Promise<SeriesExportRow | null> {
  return (
    (await drizzle(db)
      .select()
      .from(analyticsExports)
      .where(and(eq(analyticsExports.workspaceId, workspaceId), eq(analyticsExports.id, id)))
      .get()) ?? null
  );
}

/** The job: write the series as `time,<key>` rows; running it again rewrites the same file. */
export async function runSeriesExport(
  env: { DB: D1Database; EXPORTS: R2Bucket },
  input: { workspaceId: string; exportId: string },
): Promise<void> {
  const row = await getSeriesExport(env.DB, input.workspaceId, input.exportId);
  if (!row || row.status === 'done' || row.status === 'failed') return;
  const request = StoredSeriesRequest.parse(JSON.parse(row.request));
  const def = SERIES[request.series];
  const series = await readSeries(env.DB, {
    workspaceId: row.workspaceId,
    def,
    params: request,
    now: request.ending_at,
  });
  const body = [csvLine(['time', def.key]), ...series.map((p) => csvLine([p.time, p.value]))];
  await env.EXPORTS.put(row.objectKey, body.join(''), {
    httpMetadata: { contentType: 'text/csv' },
  });
  await drizzle(env.DB)
    .update(analyticsExports)
    .set({ status: 'done', rowsWritten: series.length, finishedAt: Date.now() })
    .where(eq(analyticsExports.id, row.id));
}
