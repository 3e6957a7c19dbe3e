import { and, eq } from 'drizzle-orm';
import { drizzle } from 'drizzle-orm/d1';
import { channelProviderExtras } from '../db/channels';

/**
 * One row of `channel_provider_extras` per (workspace, channel key): a provider setting's JSON
 * `settings` (what the operator API may show) and `secrets` (read by senders and webhook
 * verifiers only). The channel stores (push credentials, email webhook verification) keep their
 * own schemas and read through here.
 */

export interface ExtrasRow {
  /** Parsed JSON; unparseable text reads as null, for the caller's schema to refuse. */
  settings: unknown;
  secrets: unknown;
  updatedAt: number;
}

const where = (workspaceId: string, channel: string) =>
  and(
    eq(channelProviderExtras.workspaceId, workspaceId),
    eq(channelProviderExtras.channel, channel),
  );

function parse(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return null;
  }
}

export async function getExtras(
  db: D1Database,
  workspaceId: string,
  channel: string,
): Promise<ExtrasRow | null> {
  const row = await drizzle(db)
    .select()
    .from(channelProviderExtras)
    .where(where(workspaceId, channel))
    .get();
  if (!row) return null;
  return { settings: parse(row.settings), secrets: parse(row.secrets), updatedAt: row.updatedAt };
}

/** Create or replace the row; `created` is false when one was replaced. */
export async function putExtras(
  db: D1Database,
  input: { workspaceId: string; channel: string; settings: unknown; secrets: unknown; now: number },
): Promise<{ created: boolean }> {
  const d = drizzle(db);
  const existed = await d
    .select({ at: channelProviderExtras.updatedAt })
    .from(channelProviderExtras)
    .where(where(input.workspaceId, input.channel))
    .get();
  const settings = JSON.stringify(input.settings);
  const secrets = JSON.stringify(input.secrets);
  await d
    .insert(channelProviderExtras)
    .values({
      workspaceId: input.workspaceId,
      channel: input.channel,
      settings,
      secrets,
      updatedAt: input.now,
    })
    .onConflictDoUpdate({
      target: [channelProviderExtras.workspaceId, channelProviderExtras.channel],
      set: { settings, secrets, updatedAt: input.now },
    })
    .run();
  return { created: !existed };
}

/** Remove the row; false when there was none. */
export async function deleteExtras(
  db: D1Database,
  workspaceId: string,
  channel: string,
): Promise<boolean> {
  const res = await drizzle(db)
    .delete(channelProviderExtras)
    .where(where(workspaceId, channel))
    .run();
  return res.meta.changes > 0;
}
