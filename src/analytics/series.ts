import type { Metric } from './rollup';
import type { SeriesWindow } from './window';

/**
 * Reads of the analytics rollups (src/db/analytics.ts) for one series window. Each answers a map
 * from bucket key to value; buckets without rows are absent (the caller fills zeros).
 */

async function toMap(stmt: D1PreparedStatement): Promise<Map<string, number>> {
  const { results } = await stmt.all<{ bucket: string; v: number }>();
  return new Map(results.map((r) => [r.bucket, r.v]));
}

/**
 * Sums of an hourly counter per bucket: one name (event, product) or all, one app or all.
 * Revenue sums are rounded to cents.
 */
export function counterSeries(
  db: D1Database,
  input: {
    workspaceId: string;
    metric: Metric;
    name?: string;
    appId?: string;
    window: SeriesWindow;
  },
): Promise<Map<string, number>> {
  const w = input.window;
  const width = w.unit === 'day' ? 10 : 13;
  const filters = ['workspace_id = ?', 'metric = ?', 'hour >= ?', 'hour <= ?'];
  const params: unknown[] = [input.workspaceId, input.metric, w.firstHour, w.lastHour];
  if (input.name !== undefined) {
    filters.push('name = ?');
    params.push(input.name);
  }
  if (input.appId !== undefined) {
    filters.push('app_id = ?');
    params.push(input.appId);
  }
  return toMap(
    db
      .prepare(
        `SELECT substr(hour, 1, ${width}) AS bucket, round(sum(value), 2) AS v
         FROM analytics_counts WHERE ${filters.join(' AND ')} GROUP BY bucket`,
      )
      .bind(...params),
  );
}

const appFilter = (appId: string | undefined) => (appId === undefined ? '' : 'AND app_id = ?');
const appParam = (appId: string | undefined) => (appId === undefined ? [] : [appId]);

/** Distinct active users per day (DAU). */
export function dauSeries(
  db: D1Database,
  input: { workspaceId: string; appId?: string; window: SeriesWindow },
): Promise<Map<string, number>> {
  const w = input.window;
  return toMap(
    db
      .prepare(
        `SELECT day AS bucket, count(DISTINCT profile_id) AS v FROM analytics_active
         WHERE workspace_id = ? AND day >= ? AND day <= ? ${appFilter(input.appId)} GROUP BY day`,
      )
      .bind(input.workspaceId, w.keys[0], w.keys[w.keys.length - 1], ...appParam(input.appId)),
  );
}

/** Distinct active users over the 30 days ending on each day (MAU). */
export function mauSeries(
  db: D1Database,
  input: { workspaceId: string; appId?: string; window: SeriesWindow },
): Promise<Map<string, number>> {
  return toMap(
    db
      .prepare(
        `SELECT d.value AS bucket,
           (SELECT count(DISTINCT profile_id) FROM analytics_active
            WHERE workspace_id = ? AND day > date(d.value, '-30 days') AND day <= d.value
            ${appFilter(input.appId)}) AS v
         FROM json_each(?) d`,
      )
      .bind(input.workspaceId, ...appParam(input.appId), JSON.stringify(input.window.keys)),
  );
}

/**
 * New users per day: profiles created (whole workspace), or users first active in the app that
 * day (one app; a profile is not created in an app).
 */
export function newUserSeries(
  db: D1Database,
  input: { workspaceId: string; appId?: string; window: SeriesWindow },
): Promise<Map<string, number>> {
  if (input.appId === undefined) {
    return counterSeries(db, {
      workspaceId: input.workspaceId,
      metric: 'new_users',
      window: input.window,
    });
  }
  const w = input.window;
  return toMap(
    db
      .prepare(
        `SELECT day AS bucket, count(*) AS v FROM analytics_first_seen
         WHERE workspace_id = ? AND app_id = ? AND day >= ? AND day <= ? GROUP BY day`,
      )
      .bind(input.workspaceId, input.appId, w.keys[0], w.keys[w.keys.length - 1]),
  );
}

/** One page of the names a workspace has seen, alphabetical. */
export async function listNames(
  db: D1Database,
  input: { workspaceId: string; kind: 'event' | 'product'; page: number; pageSize: number },
): Promise<string[]> {
  const { results } = await db
    .prepare(
      `SELECT name FROM analytics_names WHERE workspace_id = ? AND kind = ?
       ORDER BY name LIMIT ? OFFSET ?`,
    )
    .bind(input.workspaceId, input.kind, input.pageSize, input.page * input.pageSize)
    .all<{ name: string }>();
  return results.map((r) => r.name);
}
