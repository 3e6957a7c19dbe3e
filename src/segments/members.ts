import { getTableColumns, type SQL } from 'drizzle-orm';
import { SQLiteAsyncDialect } from 'drizzle-orm/sqlite-core';
import { segments } from '../db/segments';
import { evaluateFilter } from './evaluate';
import { type Clock, materialVersion, memberPageJsonQuery, memberPageQuery } from './members-sql';
import { countMatching, pageMatching } from './query';
import { cachedDefinitions, forgetDefinitions, type Segment, toSegment } from './store';
import type { ProfileSummary } from './summary';
import { utcDay } from './time';

/**
 * Materialised segment membership: `segment_members` holds one row per (segment, member), so
 * enumeration is a range scan of its primary key instead of evaluating the filter over every
 * profile. Rows are built by a pass over the index when a segment is created or changes
 * (member-passes.ts), kept current by the index consumer from the same summary it writes
 * (membershipContext), and refreshed by the cron for filters that read the clock. Until a
 * segment's rows are ready for its current definition, answers fall back to evaluation.
 */

/** How often the cron re-evaluates segments whose membership changes continuously with time. */
export const REFRESH_MS = 10 * 60_000;
/** Rows of such a segment older than this are not served (evaluation answers). */
export const MAX_AGE_MS = 2 * REFRESH_MS;
/** `time_relative` values of segment_member_state. */
export const CLOCK_CODES: Record<Clock, number> = { none: 0, day: 1, continuous: 2 };
/** `version` of a segment that is no longer live: its rows wait for the sync job to purge them. */
export const DROPPED = 'dropped';

/** A row of `segment_member_state`. */
export interface MemberState {
  segmentId: string;
  version: string;
  ready: boolean;
  clock: Clock;
  passId: string | null;
  cursor: string | null;
  passStartedAt: number | null;
  passProfiles: number;
  evaluatedAt: number | null;
  updatedAt: number;
}

interface StateRow {
  segment_id: string;
  version: string;
  ready: number;
  time_relative: number;
  pass_id: string | null;
  cursor: string | null;
  pass_started_at: number | null;
  pass_profiles: number;
  evaluated_at: number | null;
  updated_at: number;
}

function toState(r: StateRow): MemberState {
  return {
    segmentId: r.segment_id,
    version: r.version,
    ready: r.ready === 1,
    clock: r.time_relative === 2 ? 'continuous' : r.time_relative === 1 ? 'day' : 'none',
    passId: r.pass_id,
    cursor: r.cursor,
    passStartedAt: r.pass_started_at,
    passProfiles: r.pass_profiles,
    evaluatedAt: r.evaluated_at,
    updatedAt: r.updated_at,
  };
}

const dialect = new SQLiteAsyncDialect();

/** A drizzle-built statement as a D1 prepared statement. */
export function prepare(db: D1Database, s: SQL): D1PreparedStatement {
  const q = dialect.sqlToQuery(s);
  return db.prepare(q.sql).bind(...q.params);
}

const STATE_SQL = 'SELECT * FROM segment_member_state WHERE workspace_id = ?';

/** One segment's materialisation state. */
export async function memberState(
  db: D1Database,
  workspaceId: string,
  segmentId: string,
): Promise<MemberState | null> {
  const row = await db
    .prepare(`${STATE_SQL} AND segment_id = ?`)
    .bind(workspaceId, segmentId)
    .first<StateRow>();
  return row ? toState(row) : null;
}

/** Every materialisation state of a workspace. */
export async function memberStates(db: D1Database, workspaceId: string): Promise<MemberState[]> {
  const { results } = await db.prepare(STATE_SQL).bind(workspaceId).all<StateRow>();
  return results.map(toState);
}

/** The version a segment's rows must carry to be served, from the definitions now. */
async function currentVersion(db: D1Database, segment: Segment, now: number): Promise<string> {
  if (!segment.usesMembership) return materialVersion(segment, () => null);
  const defs = await cachedDefinitions(db, segment.workspaceId, now);
  const byId = new Map(defs.map((d) => [d.id, d]));
  return materialVersion(segment, (id) => byId.get(id) ?? null);
}

/**
 * Whether the rows answer for the segment's current definition at `now`: always for a filter
 * that does not read the clock; for UTC-day windows when evaluated on today's UTC day (then
 * they are exact: the windows only move at midnight); for continuous ones when at most
 * MAX_AGE_MS old.
 */
export function servable(state: MemberState | null, version: string, now: number): boolean {
  if (!state?.ready || state.version !== version) return false;
  const at = state.evaluatedAt ?? 0;
  if (state.clock === 'day') return utcDay(at) === utcDay(now);
  return state.clock === 'none' || now - at <= MAX_AGE_MS;
}

/** The segment and its state, read in the same D1 batch as `query` (one round trip). */
async function withSegment<T>(
  db: D1Database,
  input: { workspaceId: string; segmentId: string },
  query: D1PreparedStatement,
): Promise<{ segment: Segment | null; state: MemberState | null; rows: T[] }> {
  const [segmentRows, stateRows, result] = await db.batch<unknown>([
    db
      .prepare('SELECT * FROM segments WHERE workspace_id = ? AND id = ?')
      .bind(input.workspaceId, input.segmentId),
    db.prepare(`${STATE_SQL} AND segment_id = ?`).bind(input.workspaceId, input.segmentId),
    query,
  ]);
  const raw = segmentRows?.results[0] as Record<string, unknown> | undefined;
  const state = stateRows?.results[0] as StateRow | undefined;
  return {
    segment: raw ? toSegment(segmentRow(raw)) : null,
    state: state ? toState(state) : null,
    rows: (result?.results ?? []) as T[],
  };
}

/** A raw `segments` row (snake_case columns) as drizzle's row type. */
function segmentRow(raw: Record<string, unknown>): typeof segments.$inferSelect {
  const columns = getTableColumns(segments);
  return Object.fromEntries(
    Object.entries(columns).map(([key, col]) => [key, raw[col.name]]),
  ) as typeof segments.$inferSelect;
}

/**
 * One page of a segment's members in profile-id order after `after` (keyset paging, the same
 * cursor either way): from the materialised rows when they are servable, else by evaluation.
 * The segment, its state and the page are read in one round trip. `segment` null: no such
 * segment in the workspace.
 */
export async function pageMembers(
  db: D1Database,
  input: {
    workspaceId: string;
    segmentId: string;
    now: number;
    after: string | null;
    limit: number;
  },
): Promise<{
  segment: Segment | null;
  members: { profileId: string; externalId: string | null }[];
}> {
  const { now } = input;
  const page = prepare(db, memberPageQuery({ ...input, after: input.after ?? '' }));
  const read = await withSegment<{ profile_id: string; external_id: string | null }>(
    db,
    input,
    page,
  );
  const { segment } = read;
  if (!segment) return { segment, members: [] };
  if (servable(read.state, await currentVersion(db, segment, now), now)) {
    return {
      segment,
      members: read.rows.map((r) => ({ profileId: r.profile_id, externalId: r.external_id })),
    };
  }
  const members = await pageMatching(db, {
    workspaceId: input.workspaceId,
    filter: segment.filter,
    now,
    after: input.after,
    limit: input.limit,
  });
  return { segment, members };
}

/** A preview page as JSON text: `users` is the array, `last` the next cursor when `count` is full. */
export interface MemberPageJson {
  count: number;
  last: string | null;
  users: string;
}

/**
 * pageMembers for the preview API: the page as JSON text, aggregated in D1 when the rows are
 * servable (see memberPageJsonQuery), serialised here when the page is evaluated instead.
 */
export async function pageMembersJson(
  db: D1Database,
  input: {
    workspaceId: string;
    segmentId: string;
    now: number;
    after: string | null;
    limit: number;
  },
): Promise<{ segment: Segment | null; page: MemberPageJson }> {
  const { now } = input;
  const query = prepare(db, memberPageJsonQuery({ ...input, after: input.after ?? '' }));
  let read: Awaited<
    ReturnType<typeof withSegment<{ n: number; last: string | null; users: string }>>
  >;
  try {
    read = await withSegment(db, input, query);
  } catch (err) {
    // D1 caps one value at 2,000,000 bytes: a page of very long external ids can exceed it.
    if (!/too big|TOOBIG/i.test(String(err))) throw err;
    const { segment, members } = await pageMembers(db, input);
    return { segment, page: pageJson(members) };
  }
  const { segment } = read;
  if (!segment) return { segment, page: { count: 0, last: null, users: '[]' } };
  if (servable(read.state, await currentVersion(db, segment, now), now)) {
    const row = read.rows[0];
    return {
      segment,
      page: { count: row?.n ?? 0, last: row?.last ?? null, users: row?.users ?? '[]' },
    };
  }
  const members = await pageMatching(db, {
    workspaceId: input.workspaceId,
    filter: segment.filter,
    now,
    after: input.after,
    limit: input.limit,
  });
  return { segment, page: pageJson(members) };
}

function pageJson(members: { profileId: string; externalId: string | null }[]): MemberPageJson {
  return {
    count: members.length,
    last: members[members.length - 1]?.profileId ?? null,
    users: JSON.stringify(
      members.map((m) => ({ braze_id: m.profileId, external_id: m.externalId })),
    ),
  };
}

/**
 * A segment's size: the row count when the rows are servable and exact now (the filter does not
 * read the clock, or only through UTC-day windows evaluated today); otherwise evaluated over the
 * index against `now`.
 */
export async function countMembers(
  db: D1Database,
  input: { workspaceId: string; segmentId: string; now: number },
): Promise<{ segment: Segment | null; size: number }> {
  const { now } = input;
  const count = db
    .prepare('SELECT count(*) AS n FROM segment_members WHERE workspace_id = ? AND segment_id = ?')
    .bind(input.workspaceId, input.segmentId);
  const read = await withSegment<{ n: number }>(db, input, count);
  const { segment, state } = read;
  if (!segment) return { segment, size: 0 };
  if (
    servable(state, await currentVersion(db, segment, now), now) &&
    state?.clock !== 'continuous'
  ) {
    return { segment, size: read.rows[0]?.n ?? 0 };
  }
  const size = await countMatching(db, {
    workspaceId: input.workspaceId,
    filter: segment.filter,
    now,
  });
  return { segment, size };
}

/** How the index consumer decides one workspace's memberships. */
export interface MembershipContext {
  /** materialVersion of every live segment, as this context evaluates it. */
  versions: Map<string, string>;
  /** The live segments the summary matches at `now`. */
  evaluate(summary: ProfileSummary): string[];
}

/**
 * The workspace's live definitions as the index consumer evaluates them (isolate cache, or read
 * afresh with `fresh`).
 */
export async function membershipContext(
  db: D1Database,
  input: { workspaceId: string; now: number; fresh?: boolean },
): Promise<MembershipContext> {
  if (input.fresh) forgetDefinitions(input.workspaceId);
  const defs = await cachedDefinitions(db, input.workspaceId, input.now);
  const byId = new Map(defs.map((d) => [d.id, d]));
  const ctx = { now: input.now, segment: (id: string) => byId.get(id)?.filter ?? null };
  return {
    versions: new Map(defs.map((d) => [d.id, materialVersion(d, (id) => byId.get(id) ?? null)])),
    evaluate: (summary) =>
      defs.filter((d) => evaluateFilter(d.filter, summary, ctx)).map((d) => d.id),
  };
}

/**
 * Whether a pass may have started from definitions newer than `versions` (the consumer's cache
 * is up to 5 s old): then the rows just written must be redone from fresh definitions.
 */
export async function passesAhead(
  db: D1Database,
  workspaceId: string,
  versions: Map<string, string>,
): Promise<boolean> {
  const states = await memberStates(db, workspaceId);
  return states.some((s) => s.version !== DROPPED && versions.get(s.segmentId) !== s.version);
}
