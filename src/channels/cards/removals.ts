import { and, eq, sql } from 'drizzle-orm';
import { drizzle } from 'drizzle-orm/d1';
import { z } from 'zod';
import { CONTENT_CARD_MAX_TTL_SECONDS } from '../../campaigns/messages';
import { channelProviderExtras } from '../../db/channels';
import type { RemovedCampaigns } from '../../profiles/cards';

/**
 * "Remove cards" when a campaign is stopped (contract §5.6). Cards live in each user's profile,
 * so instead of visiting every profile a workspace-wide marker (campaign → stop time) is kept in
 * D1 (`channel_provider_extras`, channel `content_card:removals`) and every feed read hides the
 * campaign's cards created before it. Cards live at most 30 days, so markers older than that are
 * dropped when the next one is written.
 */

const CHANNEL = 'content_card:removals';
const KEEP_MS = (CONTENT_CARD_MAX_TTL_SECONDS + 86_400) * 1_000;
/** Feed reads may see a new marker this late. */
const CACHE_MS = 5_000;

const Markers = z.record(z.string(), z.number());

/** Hide every card of `campaignId` created up to `at` from every user's feed. */
export async function markCardsRemoved(
  db: D1Database,
  input: { workspaceId: string; campaignId: string; at: number },
): Promise<void> {
  // One statement, so two stops at once both land: the key is merged into the stored JSON.
  const path = `$."${input.campaignId.replaceAll('"', '')}"`;
  await drizzle(db).run(sql`
    INSERT INTO channel_provider_extras (workspace_id, channel, settings, secrets, updated_at)
    VALUES (${input.workspaceId}, ${CHANNEL}, json_object(${input.campaignId.replaceAll('"', '')}, ${input.at}), '{}', ${input.at})
    ON CONFLICT (workspace_id, channel) DO UPDATE SET
      settings = json_set(settings, ${path}, ${input.at}), updated_at = ${input.at}`);
  const markers = await readMarkers(db, input.workspaceId);
  const stale = Object.entries(markers).filter(([, t]) => t < input.at - KEEP_MS);
  if (stale.length > 0) {
    const kept = Object.fromEntries(
      Object.entries(markers).filter(([, t]) => t >= input.at - KEEP_MS),
    );
    await drizzle(db)
      .update(channelProviderExtras)
      .set({ settings: JSON.stringify(kept) })
      .where(
        and(
          eq(channelProviderExtras.workspaceId, input.workspaceId),
          eq(channelProviderExtras.channel, CHANNEL),
        ),
      )
      .run();
  }
  cache.delete(input.workspaceId);
}

async function readMarkers(db: D1Database, workspaceId: string): Promise<RemovedCampaigns> {
  const row = await drizzle(db)
    .select({ settings: channelProviderExtras.settings })
    .from(channelProviderExtras)
    .where(
      and(
        eq(channelProviderExtras.workspaceId, workspaceId),
        eq(channelProviderExtras.channel, CHANNEL),
      ),
    )
    .get();
  if (!row) return {};
  const parsed = Markers.safeParse(JSON.parse(row.settings));
  return parsed.success ? parsed.data : {};
}

const cache = new Map<string, { at: number; markers: RemovedCampaigns }>();

/** The workspace's removal markers (cached a few seconds per isolate). */
export async function removedCardCampaigns(
  db: D1Database,
  workspaceId: string,
  now: number,
): Promise<RemovedCampaigns> {
  const hit = cache.get(workspaceId);
  if (hit && now - hit.at < CACHE_MS) return hit.markers;
  const markers = await readMarkers(db, workspaceId);
  cache.set(workspaceId, { at: now, markers });
  return markers;
}
