import { and, asc, desc, eq, isNull, max, sql } from 'drizzle-orm';
import { drizzle } from 'drizzle-orm/d1';
import { segments } from '../db/segments';
import type { SegmentableProperties } from '../workspaces/settings';
import { parseSegmentFilter, type SegmentFilter } from './filters';
import { unsegmentableProperty } from './segmentable';

/** A segment as the rest of the code sees it. */
export interface Segment {
  id: string;
  workspaceId: string;
  name: string;
  textDescription: string | null;
  tags: string[];
  filter: SegmentFilter;
  usesMembership: boolean;
  analyticsTrackingEnabled: boolean;
  archived: boolean;
  createdAt: number;
  updatedAt: number;
}

type Row = typeof segments.$inferSelect;

/** A `segments` row as a Segment (the stored filter re-validated). */
export function toSegment(row: Row): Segment {
  const parsed = parseSegmentFilter(JSON.parse(row.filter));
  if (!parsed.ok)
    throw new Error(`stored segment ${row.id} has an invalid filter: ${parsed.error}`);
  return {
    id: row.id,
    workspaceId: row.workspaceId,
    name: row.name,
    textDescription: row.textDescription,
    tags: JSON.parse(row.tags) as string[],
    filter: parsed.filter,
    usesMembership: row.usesMembership === 1,
    analyticsTrackingEnabled: row.analyticsTrackingEnabled === 1,
    archived: row.archivedAt !== null,
    createdAt: row.createdAt,
    updatedAt: row.updatedAt,
  };
}

/** The segment ids a filter tree references through segment membership. */
export function referencedSegments(filter: unknown): string[] {
  const out: string[] = [];
  const walk = (node: unknown): void => {
    if (Array.isArray(node)) node.forEach(walk);
    else if (node && typeof node === 'object') {
      for (const [k, v] of Object.entries(node)) {
        if (k === 'segment_membership' && v && typeof v === 'object' && 'segment_id' in v) {
          out.push(String((v as { segment_id: unknown }).segment_id));
        } else walk(v);
      }
    }
  };
  walk(filter);
  return out;
}

/** One segment of a workspace, archived or not. */
export async function getSegment(
  db: D1Database,
  workspaceId: string,
  id: string,
): Promise<Segment | null> {
  const row = await drizzle(db)
    .select()
    .from(segments)
    .where(and(eq(segments.workspaceId, workspaceId), eq(segments.id, id)))
    .get();
  return row ? toSegment(row) : null;
}

/** A page of live segments, by creation time (Braze: 100 per page). */
export async function listSegments(
  db: D1Database,
  input: { workspaceId: string; page: number; pageSize: number; direction: 'asc' | 'desc' },
): Promise<Segment[]> {
  const rows = await drizzle(db)
    .select()
    .from(segments)
    .where(and(eq(segments.workspaceId, input.workspaceId), isNull(segments.archivedAt)))
    .orderBy(
      input.direction === 'asc' ? asc(segments.createdAt) : desc(segments.createdAt),
      asc(segments.id),
    )
    .limit(input.pageSize)
    .offset(input.page * input.pageSize)
    .all();
  return rows.map(toSegment);
}

/** Every live segment of a workspace (for evaluation). */
export async function liveSegments(db: D1Database, workspaceId: string): Promise<Segment[]> {
  const rows = await drizzle(db)
    .select()
    .from(segments)
    .where(and(eq(segments.workspaceId, workspaceId), isNull(segments.archivedAt)))
    .all();
  return rows.map(toSegment);
}

/** A cheap fingerprint of a workspace's segment definitions: changes whenever any segment does. */
export async function definitionsVersion(db: D1Database, workspaceId: string): Promise<string> {
  const row = await drizzle(db)
    .select({ v: max(segments.updatedAt), n: sql<number>`count(*)` })
    .from(segments)
    .where(eq(segments.workspaceId, workspaceId))
    .get();
  return `${row?.v ?? 0}:${row?.n ?? 0}`;
}

export type SaveResult =
  | { type: 'saved'; segment: Segment }
  | { type: 'invalid'; error: string }
  | { type: 'not_found' };

/**
 * Create or replace a segment after validating its tree, its property filters against the
 * workspace's segmentable properties, and Braze's nesting rule: a segment that uses segment
 * membership cannot be referenced, and references must name live segments of the same workspace
 * (which also rules out cycles).
 */
export async function saveSegment(
  db: D1Database,
  input: {
    workspaceId: string;
    id?: string;
    name: string;
    textDescription: string | null;
    tags: string[];
    filter: unknown;
    analyticsTrackingEnabled: boolean;
    segmentable: SegmentableProperties;
  },
): Promise<SaveResult> {
  const parsed = parseSegmentFilter(input.filter);
  if (!parsed.ok) return { type: 'invalid', error: parsed.error };
  const disabled = unsegmentableProperty(parsed.filter, input.segmentable);
  if (disabled) return { type: 'invalid', error: disabled };
  const refs = referencedSegments(parsed.filter);
  for (const ref of refs) {
    if (ref === input.id)
      return { type: 'invalid', error: `segment_membership: a segment cannot reference itself` };
    const target = await getSegment(db, input.workspaceId, ref);
    if (!target || target.archived)
      return { type: 'invalid', error: `segment_membership: segment ${ref} does not exist` };
    if (target.usesMembership) {
      return {
        type: 'invalid',
        error: `segment_membership: segment ${ref} itself uses segment membership and cannot be referenced`,
      };
    }
  }
  const d = drizzle(db);
  const now = Date.now();
  if (input.id && refs.length > 0) {
    // Braze's rule read the other way: a segment others reference cannot start using membership.
    const all = await liveSegments(db, input.workspaceId);
    const referrer = all.find((s) => referencedSegments(s.filter).includes(input.id!));
    if (referrer) {
      return {
        type: 'invalid',
        error: `segment_membership: this segment is referenced by ${referrer.id} and cannot use segment membership`,
      };
    }
  }
  const values = {
    name: input.name,
    textDescription: input.textDescription,
    tags: JSON.stringify(input.tags),
    filter: JSON.stringify(parsed.filter),
    usesMembership: refs.length > 0 ? 1 : 0,
    analyticsTrackingEnabled: input.analyticsTrackingEnabled ? 1 : 0,
    updatedAt: now,
  };
  if (input.id) {
    const res = await d
      .update(segments)
      .set(values)
      .where(and(eq(segments.workspaceId, input.workspaceId), eq(segments.id, input.id)))
      .run();
    if (res.meta.changes === 0) return { type: 'not_found' };
  } else {
    input.id = crypto.randomUUID();
    await d
      .insert(segments)
      .values({ ...values, id: input.id, workspaceId: input.workspaceId, createdAt: now });
  }
  const saved = await getSegment(db, input.workspaceId, input.id);
  return saved ? { type: 'saved', segment: saved } : { type: 'not_found' };
}

/** Archive or unarchive a segment. */
export async function setArchived(
  db: D1Database,
  input: { workspaceId: string; id: string; archived: boolean },
): Promise<boolean> {
  const now = Date.now();
  const res = await drizzle(db)
    .update(segments)
    .set({ archivedAt: input.archived ? now : null, updatedAt: now })
    .where(and(eq(segments.workspaceId, input.workspaceId), eq(segments.id, input.id)))
    .run();
  return res.meta.changes > 0;
}

const CACHE_MS = 5_000;
const cache = new Map<string, { checkedAt: number; version: string; segments: Segment[] }>();

/**
 * Live segment definitions for evaluation, cached per isolate. The version is re-checked at most
 * every 5 seconds, so an edited segment takes effect within that time without a redeploy.
 */
export async function cachedDefinitions(
  db: D1Database,
  workspaceId: string,
  now: number,
): Promise<Segment[]> {
  const hit = cache.get(workspaceId);
  if (hit && now - hit.checkedAt < CACHE_MS) return hit.segments;
  const version = await definitionsVersion(db, workspaceId);
  if (hit && hit.version === version) {
    hit.checkedAt = now;
    return hit.segments;
  }
  const fresh = await liveSegments(db, workspaceId);
  cache.set(workspaceId, { checkedAt: now, version, segments: fresh });
  return fresh;
}

/** Drop a workspace's cached definitions, so the next read is fresh. */
export function forgetDefinitions(workspaceId: string): void {
  cache.delete(workspaceId);
}
