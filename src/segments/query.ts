import { sql } from 'drizzle-orm';
import { drizzle } from 'drizzle-orm/d1';
import { compileFilter } from './compile-sql';
import type { SegmentFilter } from './filters';
import { cachedDefinitions } from './store';

/**
 * Workspace-wide questions answered from the profile index (D1) by compiling a filter tree to
 * SQL. Relative time filters are computed against `now` at query time, never frozen.
 */

async function whereFor(
  db: D1Database,
  input: { workspaceId: string; filter: SegmentFilter; now: number },
) {
  const defs = await cachedDefinitions(db, input.workspaceId, input.now);
  const byId = new Map(defs.map((d) => [d.id, d.filter]));
  return compileFilter(input.filter, {
    workspaceId: input.workspaceId,
    now: input.now,
    segment: (id) => byId.get(id) ?? null,
  });
}

/** How many indexed profiles match. */
export async function countMatching(
  db: D1Database,
  input: { workspaceId: string; filter: SegmentFilter; now: number },
): Promise<number> {
  const where = await whereFor(db, input);
  const row = await drizzle(db).get<{ n: number }>(
    sql`SELECT count(*) AS n FROM idx_profiles p WHERE p.workspace_id = ${input.workspaceId} AND (${where})`,
  );
  return row?.n ?? 0;
}

/** One page of matching profiles in profile-id order, after `cursor` (keyset paging). */
export async function pageMatching(
  db: D1Database,
  input: {
    workspaceId: string;
    filter: SegmentFilter;
    now: number;
    after: string | null;
    limit: number;
  },
): Promise<{ profileId: string; externalId: string | null }[]> {
  const where = await whereFor(db, input);
  const after = input.after ?? '';
  const rows = await drizzle(db).all<{ profile_id: string; external_id: string | null }>(
    sql`SELECT p.profile_id, p.external_id FROM idx_profiles p
        WHERE p.workspace_id = ${input.workspaceId} AND p.profile_id > ${after} AND (${where})
        ORDER BY p.profile_id LIMIT ${input.limit}`,
  );
  return rows.map((r) => ({ profileId: r.profile_id, externalId: r.external_id }));
}
