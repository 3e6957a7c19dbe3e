import { type SQL, sql } from 'drizzle-orm';
import type { LeafFilter, SegmentFilter } from './filters';
import { referencedSegments } from './store';

/**
 * The pure half of materialised membership (members.ts runs it on D1): which definition a
 * segment's rows follow, whether its filter reads the clock, and the statements that write rows.
 */

/** What a materialisation needs to know of a segment. */
export interface Definition {
  id: string;
  filter: SegmentFilter;
  updatedAt: number;
}

/**
 * The definition a segment's rows follow: its own `updated_at` and those of the segments it
 * references, so editing a referenced segment rebuilds the referrer too.
 */
export function materialVersion(
  segment: Definition,
  resolve: (id: string) => Definition | null,
): string {
  const refs = referencedSegments(segment.filter).map(
    (id) => `${id}:${resolve(id)?.updatedAt ?? 'none'}`,
  );
  return [String(segment.updatedAt), ...refs].join('|');
}

/**
 * How a filter's membership depends on the clock: `none`; `day` when only through X-in-Y
 * windows of UTC days (membership can then only change at UTC midnight); `continuous` when
 * through "more/less than N days ago / in the future" comparisons (it changes at any moment).
 */
export type Clock = 'none' | 'day' | 'continuous';

const RANK: Record<Clock, number> = { none: 0, day: 1, continuous: 2 };
const strongest = (clocks: Clock[]): Clock =>
  clocks.reduce<Clock>((a, b) => (RANK[b] > RANK[a] ? b : a), 'none');

function leafClock(leaf: LeafFilter): Clock {
  const body = Object.values(leaf)[0] as Record<string, unknown>;
  if (/_x_days_/.test(String(body.comparison ?? ''))) return 'continuous';
  return 'days' in body ? 'day' : 'none';
}

/** How membership of `filter` depends on the clock, counting the segments it references. */
export function clockOf(
  filter: SegmentFilter,
  resolve: (id: string) => SegmentFilter | null,
  visiting: string[] = [],
): Clock {
  if ('AND' in filter) return strongest(filter.AND.map((f) => clockOf(f, resolve, visiting)));
  if ('OR' in filter) return strongest(filter.OR.map((f) => clockOf(f, resolve, visiting)));
  if ('NOT' in filter) return clockOf(filter.NOT, resolve, visiting);
  if ('segment_membership' in filter) {
    const id = filter.segment_membership.segment_id;
    const target = visiting.includes(id) ? null : resolve(id);
    return target === null ? 'none' : clockOf(target, resolve, [...visiting, id]);
  }
  return leafClock(filter);
}

/** Bounds of one slice of a pass: profile ids in (`after`, `upTo`], `upTo` null = to the end. */
export interface SliceRange {
  after: string;
  upTo: string | null;
}

/** An existing row only changes when the member's external id did (set or changed since). */
const KEEP_EXTERNAL_ID = sql`ON CONFLICT (workspace_id, segment_id, profile_id) DO UPDATE
  SET external_id = excluded.external_id WHERE segment_members.external_id IS NOT excluded.external_id`;

function inRange(column: string, range: SliceRange): SQL {
  const col = sql.raw(column);
  const upper = range.upTo === null ? sql`` : sql` AND ${col} <= ${range.upTo}`;
  return sql`${col} > ${range.after}${upper}`;
}

/**
 * Bring one slice of a segment's rows to what `where` (compileFilter over `idx_profiles p`)
 * selects now: rows whose profile no longer matches (or is gone) are deleted, matching profiles
 * missing a row are inserted. Only rows that differ are written. Both statements apply only
 * while `guard` holds (the pass still owns the slice).
 */
export function reconcileStatements(input: {
  workspaceId: string;
  segmentId: string;
  where: SQL;
  range: SliceRange;
  guard: SQL;
}): SQL[] {
  const { workspaceId: ws, segmentId: seg, where, range, guard } = input;
  return [
    sql`DELETE FROM segment_members
        WHERE workspace_id = ${ws} AND segment_id = ${seg} AND ${inRange('profile_id', range)}
        AND NOT EXISTS (SELECT 1 FROM idx_profiles p WHERE p.workspace_id = ${ws}
          AND p.profile_id = segment_members.profile_id AND (${where}))
        AND ${guard}`,
    sql`INSERT INTO segment_members (workspace_id, segment_id, profile_id, external_id)
        SELECT p.workspace_id, ${seg}, p.profile_id, p.external_id FROM idx_profiles p
        WHERE p.workspace_id = ${ws} AND ${inRange('p.profile_id', range)} AND (${where})
        AND ${guard}
        ${KEEP_EXTERNAL_ID}`,
  ];
}

/**
 * One profile's rows after the index consumer wrote its summary: it is in exactly `segments`
 * (the live segments it matches). Applied only while the summary of `seq` is the one the index
 * holds, like the profile's other index rows.
 */
export function profileMemberStatements(input: {
  workspaceId: string;
  profileId: string;
  externalId: string | null;
  seq: number;
  segments: string[];
}): SQL[] {
  const { workspaceId: ws, profileId: pid } = input;
  const current = sql`EXISTS (SELECT 1 FROM idx_profiles WHERE workspace_id = ${ws}
      AND profile_id = ${pid} AND seq = ${input.seq})`;
  const list = JSON.stringify(input.segments);
  const statements = [
    sql`DELETE FROM segment_members WHERE workspace_id = ${ws} AND profile_id = ${pid}
        AND segment_id NOT IN (SELECT value FROM json_each(${list})) AND ${current}`,
  ];
  if (input.segments.length > 0) {
    statements.push(
      sql`INSERT INTO segment_members (workspace_id, segment_id, profile_id, external_id)
          SELECT ${ws}, j.value, ${pid}, ${input.externalId} FROM json_each(${list}) j
          WHERE ${current} ${KEEP_EXTERNAL_ID}`,
    );
  }
  return statements;
}

/** A profile leaves every segment (deleted, or merged into another). */
export function removeMemberStatement(workspaceId: string, profileId: string): SQL {
  return sql`DELETE FROM segment_members WHERE workspace_id = ${workspaceId} AND profile_id = ${profileId}`;
}

/** Keyset page of a segment's rows (profile and external ids), in profile-id order. */
export function memberPageQuery(input: {
  workspaceId: string;
  segmentId: string;
  after: string;
  limit: number;
}): SQL {
  return sql`SELECT m.profile_id, m.external_id FROM segment_members m
      WHERE m.workspace_id = ${input.workspaceId} AND m.segment_id = ${input.segmentId}
        AND m.profile_id > ${input.after}
      ORDER BY m.profile_id LIMIT ${input.limit}`;
}

/**
 * The same page aggregated by SQLite into one row: its size, its last profile id (the next
 * cursor when the page is full) and its users as the preview's JSON array, so a page crosses
 * from D1 to the Worker as one string and reaches the response without being parsed or
 * re-serialised (three to four times cheaper than reading the rows, bench/RESULTS.md).
 */
export function memberPageJsonQuery(input: {
  workspaceId: string;
  segmentId: string;
  after: string;
  limit: number;
}): SQL {
  return sql`SELECT count(*) AS n, max(profile_id) AS last,
      json_group_array(json_object('braze_id', profile_id, 'external_id', external_id)) AS users
    FROM (${memberPageQuery(input)})`;
}
