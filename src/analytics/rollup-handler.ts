import type { ChangeHandler } from '../changes/consumer';
import { log } from '../lib/log';
import { getWorkspace } from '../workspaces/store';
import { rollup } from './rollup';

/** Rows per JSON parameter: keeps each bound string far below D1's 2 MB limit. */
const ROWS_PER_STATEMENT = 1_000;

function chunks<T>(rows: readonly T[]): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < rows.length; i += ROWS_PER_STATEMENT) {
    out.push(rows.slice(i, i + ROWS_PER_STATEMENT));
  }
  return out;
}

const col = (i: number) => `json_extract(j.value, '$[${i}]')`;

/**
 * The change handler that keeps the analytics rollups (docs/analytics.md). One D1 batch — one
 * transaction — per queue batch: it marks each counted record id with this run's token, then adds
 * only the counters of records this run marked, so a message the queue delivers again adds
 * nothing. Active-user, first-seen and name rows are sets and need no such guard.
 */
export function analyticsRollupHandler(env: { DB: D1Database }): ChangeHandler {
  return async (batches) => {
    const rates = new Map<string, Readonly<Record<string, number>>>();
    for (const id of new Set(batches.map((b) => b.workspace_id))) {
      const ws = await getWorkspace(env.DB, id);
      rates.set(id, ws?.settings.usd_exchange_rates ?? {});
    }
    const r = rollup(batches, (id) => rates.get(id) ?? {});
    for (const u of r.unconverted) {
      log('warn', 'purchase currency without a USD rate; revenue not counted', {
        workspace_id: u.workspaceId,
        currency: u.currency,
      });
    }
    const db = env.DB;
    const token = crypto.randomUUID();
    const now = Date.now();
    const statements: D1PreparedStatement[] = [];
    const records = [...new Map(r.counters.map((c) => [c.recordId, c.workspaceId])).entries()];
    for (const chunk of chunks(records)) {
      statements.push(
        db
          .prepare(
            `INSERT OR IGNORE INTO analytics_applied (record_id, workspace_id, token, applied_at)
             SELECT ${col(0)}, ${col(1)}, ?, ? FROM json_each(?) j`,
          )
          .bind(token, now, JSON.stringify(chunk)),
      );
    }
    // A message delivered twice within one queue batch must count once, like one redelivered later.
    const counters = [
      ...new Map(r.counters.map((c) => [`${c.recordId}\n${c.metric}`, c])).values(),
    ];
    for (const chunk of chunks(counters)) {
      const rows = chunk.map((c) => [
        c.recordId,
        c.workspaceId,
        c.metric,
        c.name,
        c.appId,
        c.hour,
        c.value,
      ]);
      statements.push(
        db
          .prepare(
            `INSERT INTO analytics_counts (workspace_id, metric, name, app_id, hour, value)
             SELECT ${col(1)}, ${col(2)}, ${col(3)}, ${col(4)}, ${col(5)}, sum(${col(6)})
             FROM json_each(?) j
             JOIN analytics_applied a ON a.record_id = ${col(0)} AND a.token = ?
             WHERE true
             GROUP BY 1, 2, 3, 4, 5
             ON CONFLICT (workspace_id, metric, name, hour, app_id)
             DO UPDATE SET value = analytics_counts.value + excluded.value`,
          )
          .bind(JSON.stringify(rows), token),
      );
    }
    for (const chunk of chunks(r.names)) {
      statements.push(
        db
          .prepare(
            `INSERT OR IGNORE INTO analytics_names (workspace_id, kind, name, first_seen_at)
             SELECT ${col(0)}, ${col(1)}, ${col(2)}, ${col(3)} FROM json_each(?) j`,
          )
          .bind(JSON.stringify(chunk.map((n) => [n.workspaceId, n.kind, n.name, n.at]))),
      );
    }
    for (const chunk of chunks(r.activity)) {
      const rows = JSON.stringify(chunk.map((a) => [a.workspaceId, a.day, a.appId, a.profileId]));
      statements.push(
        db
          .prepare(
            `INSERT OR IGNORE INTO analytics_active (workspace_id, day, app_id, profile_id)
             SELECT ${col(0)}, ${col(1)}, ${col(2)}, ${col(3)} FROM json_each(?) j`,
          )
          .bind(rows),
        // Events may arrive out of time order: the first day is the earliest one seen.
        db
          .prepare(
            `INSERT INTO analytics_first_seen (workspace_id, day, app_id, profile_id)
             SELECT ${col(0)}, ${col(1)}, ${col(2)}, ${col(3)} FROM json_each(?) j WHERE true
             ON CONFLICT (workspace_id, app_id, profile_id)
             DO UPDATE SET day = excluded.day WHERE excluded.day < analytics_first_seen.day`,
          )
          .bind(rows),
      );
    }
    if (statements.length > 0) await db.batch(statements);
  };
}

/** Days of active-user rows kept: the longest series (100 days) of MAU (30 days each). */
export const ACTIVE_DAYS_KEPT = 130;
/** Applied record ids are kept this long: far beyond any queue redelivery. */
const APPLIED_KEPT_MS = 7 * 86_400_000;

/** Drop applied record ids and active-user days no series can reach any more (daily). */
export async function pruneAnalytics(db: D1Database, at: number): Promise<number> {
  const oldestDay = new Date(at - ACTIVE_DAYS_KEPT * 86_400_000).toISOString().slice(0, 10);
  const [applied, active] = await db.batch([
    db.prepare('DELETE FROM analytics_applied WHERE applied_at < ?').bind(at - APPLIED_KEPT_MS),
    db.prepare('DELETE FROM analytics_active WHERE day < ?').bind(oldestDay),
  ]);
  return (applied?.meta.changes ?? 0) + (active?.meta.changes ?? 0);
}
