import { and, eq, sql } from 'drizzle-orm';
import { drizzle } from 'drizzle-orm/d1';
import { sendIds } from '../db/schema';

/** Braze's allowance of new custom send ids per workspace per day (contract §3.10.6). */
export const SEND_IDS_PER_DAY = 100;

export type SendIdResult =
  | { type: 'created' }
  /** This campaign already has this send id: nothing new, nothing counted. */
  | { type: 'exists' }
  | { type: 'limit_reached' };

/**
 * Register a custom send id for a campaign, counted against the workspace's UTC day. The count
 * and the insert are one statement, so concurrent requests never pass the allowance together.
 */
export async function createSendId(
  db: D1Database,
  input: { workspaceId: string; campaignId: string; sendId: string; now: number },
): Promise<SendIdResult> {
  const day = new Date(input.now).toISOString().slice(0, 10);
  const res = await drizzle(db).run(sql`
    INSERT INTO ${sendIds} (workspace_id, campaign_id, send_id, day, created_at)
    SELECT ${input.workspaceId}, ${input.campaignId}, ${input.sendId}, ${day}, ${input.now}
    WHERE (SELECT count(*) FROM ${sendIds}
           WHERE ${sendIds.workspaceId} = ${input.workspaceId} AND ${sendIds.day} = ${day})
          < ${SEND_IDS_PER_DAY}
    ON CONFLICT DO NOTHING`);
  if (res.meta.changes > 0) return { type: 'created' };
  const existing = await drizzle(db)
    .select({ day: sendIds.day })
    .from(sendIds)
    .where(
      and(
        eq(sendIds.workspaceId, input.workspaceId),
        eq(sendIds.campaignId, input.campaignId),
        eq(sendIds.sendId, input.sendId),
      ),
    )
    .get();
  return existing ? { type: 'exists' } : { type: 'limit_reached' };
}
