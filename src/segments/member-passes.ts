import { sql } from 'drizzle-orm';
import { drizzle } from 'drizzle-orm/d1';
import { workspaces } from '../db/schema';
import type { JobMessage } from '../jobs/messages';
import { compileFilter } from './compile-sql';
import {
  CLOCK_CODES,
  DROPPED,
  type MemberState,
  memberState,
  memberStates,
  prepare,
  REFRESH_MS,
} from './members';
import { type Clock, clockOf, materialVersion, reconcileStatements } from './members-sql';
import { liveSegments } from './store';
import { utcDay } from './time';

/**
 * Passes build and refresh a segment's `segment_members` rows: the segment's compiled filter
 * over the index, one slice of profiles (in profile-id order) per D1 batch, each slice deleting
 * rows that no longer match and inserting the missing ones. A pass records its cursor and
 * progress in `segment_member_state`; a slice commits only while its pass still owns the cursor
 * (queues deliver at least once), and a newer definition simply starts a new pass.
 */

/** Profiles per slice: one slice is one D1 batch of about a second on 100,000 profiles. */
export const SLICE_PROFILES = 100_000;
/** Wall time one job message spends on slices before it hands the pass to the next message. */
const PASS_BUDGET_MS = 20_000;
/** A pass whose state has not moved for this long lost its message: it is enqueued again. */
const STALL_MS = 5 * 60_000;
/** Rows purged per statement when a segment is no longer live. */
const PURGE_ROWS = 50_000;

interface Bindings {
  DB: D1Database;
  JOBS_QUEUE: Queue;
}

function passMessage(workspaceId: string, segmentId: string, passId: string): JobMessage {
  return {
    type: 'segment_members_pass',
    workspace_id: workspaceId,
    segment_id: segmentId,
    pass_id: passId,
  };
}

async function startPass(
  env: Bindings,
  input: {
    workspaceId: string;
    segmentId: string;
    version: string;
    ready: boolean;
    clock: Clock;
  },
  now: number,
): Promise<void> {
  const passId = crypto.randomUUID();
  await env.DB.prepare(
    `INSERT INTO segment_member_state (workspace_id, segment_id, version, ready, time_relative,
       pass_id, cursor, pass_started_at, pass_profiles, evaluated_at, updated_at)
     VALUES (?, ?, ?, ?, ?, ?, '', ?, 0, NULL, ?)
     ON CONFLICT (workspace_id, segment_id) DO UPDATE SET version = excluded.version,
       ready = excluded.ready, time_relative = excluded.time_relative, pass_id = excluded.pass_id,
       cursor = '', pass_started_at = excluded.pass_started_at, pass_profiles = 0,
       updated_at = excluded.updated_at`,
  )
    .bind(
      input.workspaceId,
      input.segmentId,
      input.version,
      input.ready ? 1 : 0,
      CLOCK_CODES[input.clock],
      passId,
      now,
      now,
    )
    .run();
  await env.JOBS_QUEUE.send(passMessage(input.workspaceId, input.segmentId, passId));
}

/**
 * UTC-day windows move at midnight: refresh once the rows are from an earlier day. Continuous
 * comparisons move all the time: refresh every REFRESH_MS.
 */
function refreshDue(state: MemberState, now: number): boolean {
  const at = state.evaluatedAt ?? 0;
  if (state.clock === 'day') return utcDay(at) < utcDay(now);
  return state.clock === 'continuous' && now - at >= REFRESH_MS;
}

async function purge(db: D1Database, workspaceId: string, segmentId: string): Promise<number> {
  let purged = 0;
  for (;;) {
    const res = await db
      .prepare(
        `DELETE FROM segment_members WHERE workspace_id = ?1 AND segment_id = ?2
           AND profile_id IN (SELECT profile_id FROM segment_members
             WHERE workspace_id = ?1 AND segment_id = ?2 ORDER BY profile_id LIMIT ?3)`,
      )
      .bind(workspaceId, segmentId, PURGE_ROWS)
      .run();
    purged += res.meta.changes;
    if (res.meta.changes < PURGE_ROWS) break;
  }
  await db
    .prepare(
      'DELETE FROM segment_member_state WHERE workspace_id = ? AND segment_id = ? AND version = ?',
    )
    .bind(workspaceId, segmentId, DROPPED)
    .run();
  return purged;
}

/**
 * Bring a workspace's materialisations in line with its live segments: a pass for every segment
 * that is new or whose definition changed (its rows are not served meanwhile), a refresh pass
 * for clock-reading segments that are due (refreshDue; rows stay served), a new message
 * for a stalled pass, and segments no longer live marked dropped (purged with `purge`).
 */
export async function syncMemberState(
  env: Bindings,
  input: { workspaceId: string; now: number; purge: boolean },
): Promise<{ started: number; purged: number }> {
  const { workspaceId: ws, now } = input;
  const live = await liveSegments(env.DB, ws);
  const byId = new Map(live.map((s) => [s.id, s]));
  const states = new Map((await memberStates(env.DB, ws)).map((s) => [s.segmentId, s]));
  let started = 0;
  for (const segment of live) {
    const version = materialVersion(segment, (id) => byId.get(id) ?? null);
    const state: MemberState | undefined = states.get(segment.id);
    const clock = clockOf(segment.filter, (id) => byId.get(id)?.filter ?? null);
    const base = { workspaceId: ws, segmentId: segment.id, version, clock };
    if (!state || state.version !== version) {
      await startPass(env, { ...base, ready: false }, now);
      started++;
    } else if (state.passId !== null) {
      if (now - state.updatedAt > STALL_MS) {
        await env.JOBS_QUEUE.send(passMessage(ws, segment.id, state.passId));
      }
    } else if (refreshDue(state, now)) {
      await startPass(env, { ...base, ready: state.ready }, now);
      started++;
    }
  }
  let purged = 0;
  for (const state of states.values()) {
    if (byId.has(state.segmentId)) continue;
    if (state.version !== DROPPED) {
      await env.DB.prepare(
        `UPDATE segment_member_state SET version = ?, ready = 0, pass_id = NULL, cursor = NULL,
           updated_at = ? WHERE workspace_id = ? AND segment_id = ?`,
      )
        .bind(DROPPED, now, ws, state.segmentId)
        .run();
    }
    if (input.purge) purged += await purge(env.DB, ws, state.segmentId);
  }
  return { started, purged };
}

/** syncMemberState for every workspace (the minute cron's job), purging dropped segments. */
export async function syncAllMemberStates(
  env: Bindings,
  input: { workspaceId?: string; now: number },
): Promise<{ started: number; purged: number }> {
  const ids = input.workspaceId
    ? [input.workspaceId]
    : (await drizzle(env.DB).select({ id: workspaces.id }).from(workspaces).all()).map((w) => w.id);
  const total = { started: 0, purged: 0 };
  for (const workspaceId of ids) {
    const r = await syncMemberState(env, { workspaceId, now: input.now, purge: true });
    total.started += r.started;
    total.purged += r.purged;
  }
  return total;
}

/** The last profile id of the slice after `after`, or null when the rest fits in one slice. */
async function sliceEnd(db: D1Database, workspaceId: string, after: string) {
  const row = await db
    .prepare(
      `SELECT profile_id FROM idx_profiles WHERE workspace_id = ? AND profile_id > ?
       ORDER BY profile_id LIMIT 1 OFFSET ?`,
    )
    .bind(workspaceId, after, SLICE_PROFILES - 1)
    .first<{ profile_id: string }>();
  if (row) return { upTo: row.profile_id, profiles: SLICE_PROFILES };
  const rest = await db
    .prepare('SELECT count(*) AS n FROM idx_profiles WHERE workspace_id = ? AND profile_id > ?')
    .bind(workspaceId, after)
    .first<{ n: number }>();
  return { upTo: null, profiles: rest?.n ?? 0 };
}

/**
 * Run a pass's slices until it finishes or its time budget is spent (then the next message takes
 * over). Stops at once when the pass is no longer the segment's current one.
 */
export async function runMemberPass(
  env: Bindings,
  input: { workspaceId: string; segmentId: string; passId: string; budgetMs?: number },
): Promise<'done' | 'continued' | 'stale'> {
  const { workspaceId: ws, segmentId: seg, passId } = input;
  const began = Date.now();
  for (;;) {
    const state = await memberState(env.DB, ws, seg);
    if (!state || state.passId !== passId || state.cursor === null) return 'stale';
    const live = await liveSegments(env.DB, ws);
    const byId = new Map(live.map((s) => [s.id, s]));
    const segment = byId.get(seg);
    if (!segment || materialVersion(segment, (id) => byId.get(id) ?? null) !== state.version) {
      return 'stale';
    }
    // A pass started by the cron evaluates at its start time or later, never earlier.
    const now = Math.max(Date.now(), state.passStartedAt ?? 0);
    const after = state.cursor;
    const { upTo, profiles } = await sliceEnd(env.DB, ws, after);
    const where = compileFilter(segment.filter, {
      workspaceId: ws,
      now,
      segment: (id) => byId.get(id)?.filter ?? null,
    });
    const owns = sql`segment_member_state.pass_id = ${passId} AND segment_member_state.cursor = ${after}`;
    const guard = sql`EXISTS (SELECT 1 FROM segment_member_state WHERE workspace_id = ${ws}
        AND segment_id = ${seg} AND ${owns})`;
    const advance =
      upTo === null
        ? sql`ready = 1, evaluated_at = pass_started_at, pass_id = NULL, cursor = NULL`
        : sql`cursor = ${upTo}`;
    const statements = [
      ...reconcileStatements({
        workspaceId: ws,
        segmentId: seg,
        where,
        range: { after, upTo },
        guard,
      }),
      sql`UPDATE segment_member_state SET ${advance}, pass_profiles = pass_profiles + ${profiles},
          updated_at = ${Date.now()} WHERE workspace_id = ${ws} AND segment_id = ${seg} AND ${owns}`,
    ];
    const results = await env.DB.batch(statements.map((s) => prepare(env.DB, s)));
    if ((results[results.length - 1]?.meta.changes ?? 0) === 0) return 'stale';
    if (upTo === null) return 'done';
    if (Date.now() - began >= (input.budgetMs ?? PASS_BUDGET_MS)) {
      await env.JOBS_QUEUE.send(passMessage(ws, seg, passId));
      return 'continued';
    }
  }
}
