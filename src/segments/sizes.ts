import { sql } from 'drizzle-orm';
import { drizzle } from 'drizzle-orm/d1';
import { workspaces } from '../db/schema';
import { segmentSizes } from '../db/segments';
import { countMembers } from './members';
import { liveSegments } from './store';

/**
 * Record today's size of every segment with analytics tracking, for `/segments/data_series`.
 * Runs hourly; the last run of a UTC day leaves that day's size.
 */
export async function recordSegmentSizes(
  db: D1Database,
  input: { workspaceId?: string; at: number },
): Promise<number> {
  const d = drizzle(db);
  const ids = input.workspaceId
    ? [input.workspaceId]
    : (await d.select({ id: workspaces.id }).from(workspaces).all()).map((w) => w.id);
  const date = new Date(input.at).toISOString().slice(0, 10);
  let recorded = 0;
  for (const workspaceId of ids) {
    for (const segment of await liveSegments(db, workspaceId)) {
      if (!segment.analyticsTrackingEnabled) continue;
      // Materialised rows when they answer exactly (see countMembers), else evaluation.
      const { size } = await countMembers(db, {
        workspaceId,
        segmentId: segment.id,
        now: input.at,
      });
      await d
        .insert(segmentSizes)
        .values({ workspaceId, segmentId: segment.id, date, size, recordedAt: input.at })
        .onConflictDoUpdate({
          target: [segmentSizes.workspaceId, segmentSizes.segmentId, segmentSizes.date],
          set: { size: sql`excluded.size`, recordedAt: sql`excluded.recorded_at` },
        });
      recorded++;
    }
  }
  return recorded;
}
