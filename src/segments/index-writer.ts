import { type SQL, sql } from 'drizzle-orm';
import { SQLiteAsyncDialect } from 'drizzle-orm/sqlite-core';
import type { ChangeBatch } from '../changes/records';
import { profileStub } from '../lib/stubs';
import { summaryToRows } from './index-rows';
import { type MembershipContext, membershipContext, passesAhead } from './members';
import { profileMemberStatements, removeMemberStatement } from './members-sql';
import type { ProfileSummary } from './summary';

const CHILD_TABLES = [
  'idx_events',
  'idx_event_days',
  'idx_purchases',
  'idx_purchase_days',
  'idx_subscription_groups',
  'idx_messages',
  'idx_property_counts',
] as const;

/** Property rows per multi-row insert: keeps the one JSON parameter well under D1's limits. */
const ROWS_PER_JSON_INSERT = 200;

function snake(key: string): string {
  return key.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);
}

/** `INSERT INTO t (cols) SELECT vals WHERE <guard>`: one row, written only under the guard. */
function guardedInsert(table: string, row: Record<string, unknown>, guard: SQL): SQL {
  const cols = Object.keys(row);
  const names = sql.raw(cols.map(snake).join(', '));
  const values = sql.join(
    cols.map((c) => sql`${row[c] as string | number | null}`),
    sql`, `,
  );
  return sql`INSERT INTO ${sql.raw(table)} (${names}) SELECT ${values} WHERE ${guard}`;
}

/**
 * `INSERT INTO t (cols) SELECT … FROM json_each(?) WHERE <guard>`: many rows in one statement with
 * one bound parameter, so rows that come in numbers (one per property value) cost one statement.
 * Only for text and integer columns: reals would be re-parsed from their JSON text.
 */
function guardedJsonInsert(table: string, rows: Record<string, unknown>[], guard: SQL): SQL {
  const cols = Object.keys(rows[0]!);
  const names = sql.raw(cols.map(snake).join(', '));
  const values = sql.raw(cols.map((_, i) => `json_extract(j.value, '$[${i}]')`).join(', '));
  const data = JSON.stringify(rows.map((r) => cols.map((c) => r[c])));
  return sql`INSERT INTO ${sql.raw(table)} (${names}) SELECT ${values} FROM json_each(${data}) j WHERE ${guard}`;
}

/**
 * Replace one profile's rows in the index with `summary`, unless the index already holds a newer
 * summary (higher `seq`). Runs as one D1 batch (a transaction): a redelivered or out-of-order
 * message can never overwrite newer data or leave a half-written profile.
 */
export async function writeSummary(
  db: D1Database,
  workspaceId: string,
  summary: ProfileSummary,
): Promise<void> {
  await runBatch(db, summaryStatements(workspaceId, summary));
}

/** The statements that replace one profile's index rows, guarded by `seq` (see writeSummary). */
export function summaryStatements(workspaceId: string, summary: ProfileSummary): SQL[] {
  const rows = summaryToRows(workspaceId, summary);
  const p = rows.profiles[0]!;
  const cols = Object.keys(p);
  const update = sql.join(
    cols
      .filter((c) => c !== 'workspaceId' && c !== 'profileId')
      .map((c) => sql.raw(`${snake(c)} = excluded.${snake(c)}`)),
    sql`, `,
  );
  const statements: SQL[] = [
    sql`${guardedInsert('idx_profiles', p, sql`1`)}
        ON CONFLICT (workspace_id, profile_id) DO UPDATE SET ${update}
        WHERE excluded.seq >= idx_profiles.seq`,
  ];
  // Child rows follow only when this summary is the one now stored.
  const current = sql`EXISTS (SELECT 1 FROM idx_profiles WHERE workspace_id = ${workspaceId}
      AND profile_id = ${summary.profileId} AND seq = ${summary.seq})`;
  for (const t of CHILD_TABLES) {
    statements.push(
      sql`DELETE FROM ${sql.raw(t)} WHERE workspace_id = ${workspaceId} AND profile_id = ${summary.profileId} AND ${current}`,
    );
  }
  const children: [string, Record<string, unknown>[]][] = [
    ['idx_events', rows.events],
    ['idx_event_days', rows.eventDays],
    ['idx_purchases', rows.purchases],
    ['idx_purchase_days', rows.purchaseDays],
    ['idx_subscription_groups', rows.subscriptionGroups],
    ['idx_messages', rows.messages],
  ];
  for (const [table, list] of children) {
    for (const row of list) statements.push(guardedInsert(table, row, current));
  }
  for (let i = 0; i < rows.propertyCounts.length; i += ROWS_PER_JSON_INSERT) {
    const chunk = rows.propertyCounts.slice(i, i + ROWS_PER_JSON_INSERT);
    statements.push(guardedJsonInsert('idx_property_counts', chunk, current));
  }
  return statements;
}

const dialect = new SQLiteAsyncDialect();

/** Statements per D1 batch: well under the per-invocation query limit. */
const BATCH_STATEMENTS = 400;

/**
 * Run drizzle-built statements as D1 batches (each a transaction). A profile's statements are
 * kept in one batch so its rows are never half-written.
 */
async function runBatch(
  db: D1Database,
  statements: SQL[],
  groups: number[] = [statements.length],
): Promise<void> {
  let start = 0;
  let chunk: SQL[] = [];
  const flush = async () => {
    if (chunk.length === 0) return;
    await db.batch(
      chunk.map((s) => {
        const q = dialect.sqlToQuery(s);
        return db.prepare(q.sql).bind(...q.params);
      }),
    );
    chunk = [];
  };
  for (const size of groups) {
    if (chunk.length > 0 && chunk.length + size > BATCH_STATEMENTS) await flush();
    chunk.push(...statements.slice(start, start + size));
    start += size;
  }
  await flush();
}

function removeStatements(workspaceId: string, profileId: string): SQL[] {
  return [
    ...['idx_profiles', ...CHILD_TABLES].map(
      (t) =>
        sql`DELETE FROM ${sql.raw(t)} WHERE workspace_id = ${workspaceId} AND profile_id = ${profileId}`,
    ),
    removeMemberStatement(workspaceId, profileId),
  ];
}

function memberStatements(ctx: MembershipContext, workspaceId: string, s: ProfileSummary): SQL[] {
  return profileMemberStatements({
    workspaceId,
    profileId: s.profileId,
    externalId: s.externalId,
    seq: s.seq,
    segments: ctx.evaluate(s),
  });
}

/** Remove a profile from the index (deleted, or merged into another). */
export async function removeFromIndex(
  db: D1Database,
  workspaceId: string,
  profileId: string,
): Promise<void> {
  await runBatch(db, removeStatements(workspaceId, profileId));
}

/**
 * The change handler that keeps the profile index in sync. It does not replay the records: it
 * reads each profile's current summary (acking the records the profile handed off), so order and
 * duplicates do not matter and the `seq` guard keeps the newest summary. All profiles of a queue
 * message are written in as few D1 batches as the limits allow.
 */
export function indexSyncHandler(env: { DB: D1Database; USER_PROFILE: Env['USER_PROFILE'] }) {
  return async (batches: ChangeBatch[]): Promise<void> => {
    const profiles = new Map<
      string,
      { workspaceId: string; profileId: string; ackUpTo?: number }
    >();
    for (const b of batches) {
      const key = `${b.workspace_id}\u0000${b.profile_id}`;
      const seen = profiles.get(key) ?? { workspaceId: b.workspace_id, profileId: b.profile_id };
      if (b.outbox_up_to !== undefined) seen.ackUpTo = Math.max(seen.ackUpTo ?? 0, b.outbox_up_to);
      profiles.set(key, seen);
    }
    const answers = await Promise.all(
      [...profiles.values()].map(async (p) => ({
        p,
        answer: await profileStub(env.USER_PROFILE, p.workspaceId, p.profileId).summary({
          workspaceId: p.workspaceId,
          profileId: p.profileId,
          addressedBy: null,
          now: Date.now(),
          ackUpTo: p.ackUpTo,
        }),
      })),
    );
    // Materialised membership (members.ts) is decided from the same summary, in the same batch.
    const now = Date.now();
    const contexts = new Map<string, MembershipContext>();
    const written = new Map<string, ProfileSummary[]>();
    const statements: SQL[] = [];
    const groups: number[] = [];
    for (const { p, answer } of answers) {
      let list: SQL[] = [];
      if (answer.status === 'ok') {
        let ctx = contexts.get(p.workspaceId);
        if (!ctx) {
          ctx = await membershipContext(env.DB, { workspaceId: p.workspaceId, now });
          contexts.set(p.workspaceId, ctx);
        }
        list = [
          ...summaryStatements(p.workspaceId, answer.summary),
          ...memberStatements(ctx, p.workspaceId, answer.summary),
        ];
        written.set(p.workspaceId, [...(written.get(p.workspaceId) ?? []), answer.summary]);
      } else if (answer.status !== 'not_found') list = removeStatements(p.workspaceId, p.profileId);
      statements.push(...list);
      if (list.length > 0) groups.push(list.length);
    }
    await runBatch(env.DB, statements, groups);
    // The definitions above may be up to 5 s old. A pass that started from newer ones before this
    // batch may already have passed these profiles: redo their rows from fresh definitions (a
    // pass that starts later reads the index this batch wrote).
    for (const [workspaceId, ctx] of contexts) {
      if (!(await passesAhead(env.DB, workspaceId, ctx.versions))) continue;
      const fresh = await membershipContext(env.DB, { workspaceId, now, fresh: true });
      const same =
        fresh.versions.size === ctx.versions.size &&
        [...fresh.versions].every(([id, v]) => ctx.versions.get(id) === v);
      if (same) continue;
      const redo = (written.get(workspaceId) ?? []).map((s) =>
        memberStatements(fresh, workspaceId, s),
      );
      await runBatch(
        env.DB,
        redo.flat(),
        redo.map((l) => l.length),
      );
    }
  };
}
