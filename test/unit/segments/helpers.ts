import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { DatabaseSync, type SQLInputValue } from 'node:sqlite';
import { getTableColumns, getTableName, sql } from 'drizzle-orm';
import { SQLiteSyncDialect, type SQLiteTable } from 'drizzle-orm/sqlite-core';
import * as idx from '../../../src/db/segment-index';
import { compileFilter } from '../../../src/segments/compile-sql';
import { evaluateFilter } from '../../../src/segments/evaluate';
import { parseSegmentFilter, type SegmentFilter } from '../../../src/segments/filters';
import { type IndexRows, summaryToRows } from '../../../src/segments/index-rows';
import type { ProfileSummary } from '../../../src/segments/summary';
import { NOW } from '../../fixtures/summary';

export { DAY, HOUR, NOW, summary } from '../../fixtures/summary';

export const TODAY = Math.floor(NOW / 86_400_000);
export const WS = 'ws_test';

/** An in-memory SQLite database with every migration applied. */
export function openIndex(): DatabaseSync {
  const db = new DatabaseSync(':memory:');
  const dir = join(import.meta.dirname, '../../../migrations');
  for (const file of readdirSync(dir)
    .filter((f) => f.endsWith('.sql'))
    .sort()) {
    for (const statement of readFileSync(join(dir, file), 'utf8').split(
      '--> statement-breakpoint',
    )) {
      if (statement.trim()) db.exec(statement);
    }
  }
  return db;
}

/** The drizzle table behind each key of summaryToRows' result. */
export const TABLES: Record<keyof IndexRows, SQLiteTable> = {
  profiles: idx.indexProfiles,
  events: idx.indexEvents,
  eventDays: idx.indexEventDays,
  purchases: idx.indexPurchases,
  purchaseDays: idx.indexPurchaseDays,
  subscriptionGroups: idx.indexSubscriptionGroups,
  messages: idx.indexMessages,
  propertyCounts: idx.indexPropertyCounts,
};

/** Loads summaries into the index tables through summaryToRows. */
export function load(db: DatabaseSync, summaries: ProfileSummary[]): void {
  for (const s of summaries) {
    const rows = summaryToRows(WS, s);
    for (const key of Object.keys(TABLES) as (keyof IndexRows)[]) {
      const table = TABLES[key];
      const columns = getTableColumns(table);
      for (const row of rows[key] as Record<string, unknown>[]) {
        const props = Object.keys(row);
        const names = props.map((p) => columns[p]!.name);
        db.prepare(
          `INSERT INTO ${getTableName(table)} (${names.join(', ')}) VALUES (${names.map(() => '?').join(', ')})`,
        ).run(...props.map((p) => row[p] as SQLInputValue));
      }
    }
  }
}

const dialect = new SQLiteSyncDialect();

export type Segments = Record<string, SegmentFilter>;

/** Profile ids the compiled SQL selects, sorted. */
export function sqlMatches(
  db: DatabaseSync,
  filter: SegmentFilter,
  segments: Segments = {},
  now = NOW,
): string[] {
  const where = compileFilter(filter, {
    workspaceId: WS,
    now,
    segment: (id) => segments[id] ?? null,
  });
  const q = dialect.sqlToQuery(
    sql`SELECT p.profile_id FROM idx_profiles p WHERE p.workspace_id = ${WS} AND (${where}) ORDER BY p.profile_id`,
  );
  const rows = db.prepare(q.sql).all(...(q.params as SQLInputValue[])) as { profile_id: string }[];
  return rows.map((r) => r.profile_id);
}

/** Profile ids the in-memory evaluator matches, sorted. */
export function memoryMatches(
  summaries: ProfileSummary[],
  filter: SegmentFilter,
  segments: Segments = {},
  now = NOW,
): string[] {
  const ctx = { now, segment: (id: string) => segments[id] ?? null };
  return summaries
    .filter((s) => evaluateFilter(filter, s, ctx))
    .map((s) => s.profileId)
    .sort();
}

/** Both evaluators' verdict on one profile: `{ memory, sql }`. */
export function verdicts(
  filter: SegmentFilter,
  s: ProfileSummary,
  segments: Segments = {},
  now = NOW,
): { memory: boolean; sql: boolean } {
  const db = openIndex();
  load(db, [s]);
  const memory = evaluateFilter(filter, s, { now, segment: (id) => segments[id] ?? null });
  const hit = sqlMatches(db, filter, segments, now).includes(s.profileId);
  db.close();
  return { memory, sql: hit };
}

/** Parses a filter as a client would send it; a test filter that does not parse is a test bug. */
export function filter(json: unknown): SegmentFilter {
  const r = parseSegmentFilter(json);
  if (!r.ok) throw new Error(r.error);
  return r.filter;
}
