import { eq } from 'drizzle-orm';
import { drizzle } from 'drizzle-orm/d1';
import { apps } from '../db/schema';
import type { Ctx } from '../http/context';
import { ApiError } from '../http/errors';
import { getWorkspace, type Workspace } from '../workspaces/store';

/**
 * Apps and their workspaces are read on every SDK request: cached per isolate for 30 seconds, as
 * REST keys and their workspaces are (src/auth/api-keys.ts), so a settings change reaches SDK
 * traffic within that time. An unknown key is remembered for 5 seconds.
 */
const appCache = new Map<string, { workspace: Workspace | null; expires: number }>();
const APP_CACHE_MS = 30_000;
const UNKNOWN_APP_MS = 5_000;
const MAX_APPS = 10_000;

/** The workspace an SDK's public app key names; 401 `Invalid app key` for any other key. */
export async function appWorkspace(
  c: Ctx,
  appKey: string,
): Promise<{ appId: string; workspace: Workspace }> {
  const now = Date.now();
  let hit = appCache.get(appKey);
  if (!hit || hit.expires <= now) {
    const row = await drizzle(c.env.DB).select().from(apps).where(eq(apps.id, appKey)).get();
    const workspace = row ? await getWorkspace(c.env.DB, row.workspaceId) : null;
    hit = { workspace, expires: now + (workspace ? APP_CACHE_MS : UNKNOWN_APP_MS) };
    if (appCache.size >= MAX_APPS) appCache.clear();
    appCache.set(appKey, hit);
  }
  if (!hit.workspace) throw new ApiError(401, 'Invalid app key');
  return { appId: appKey, workspace: hit.workspace };
}
