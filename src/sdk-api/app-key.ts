import { eq } from 'drizzle-orm';
import { drizzle } from 'drizzle-orm/d1';
import { apps } from '../db/schema';
import type { Ctx } from '../http/context';
import { ApiError } from '../http/errors';
import { getWorkspace, type Workspace } from '../workspaces/store';

/** Apps are read on every SDK request: cached per isolate (an app never changes workspace). */
const appCache = new Map<string, { workspaceId: string; at: number }>();
const APP_CACHE_MS = 60_000;

/** The workspace an SDK's public app key names; 401 `Invalid app key` for any other key. */
export async function appWorkspace(
  c: Ctx,
  appKey: string,
): Promise<{ appId: string; workspace: Workspace }> {
  const now = Date.now();
  let hit = appCache.get(appKey);
  if (!hit || now - hit.at > APP_CACHE_MS) {
    const row = await drizzle(c.env.DB).select().from(apps).where(eq(apps.id, appKey)).get();
    if (!row) throw new ApiError(401, 'Invalid app key');
    hit = { workspaceId: row.workspaceId, at: now };
    appCache.set(appKey, hit);
  }
  const workspace = await getWorkspace(c.env.DB, hit.workspaceId);
  if (!workspace) throw new ApiError(401, 'Invalid app key');
  return { appId: appKey, workspace };
}
