import {
  type ApiKeyRecord,
  findApiKeyBySecret,
  getWorkspace,
  touchApiKey,
  type Workspace,
} from '../workspaces/store';

/**
 * Key and workspace look-ups cached in the isolate. Braze keys are immutable (permissions and
 * allowlists cannot change), so the only staleness is revocation, bounded by CACHE_TTL_MS.
 */
const CACHE_TTL_MS = 30_000;
const NEGATIVE_TTL_MS = 5_000;
const MAX_ENTRIES = 10_000;
const TOUCH_INTERVAL_MS = 60_000;

export interface Caller {
  key: ApiKeyRecord;
  workspace: Workspace;
}

const cache = new Map<string, { value: Caller | null; expires: number }>();
const lastTouched = new Map<string, number>();

/** Resolve a REST API key secret to its key and workspace, or null when unknown or revoked. */
export async function authenticate(
  db: D1Database,
  secret: string,
  now: number,
): Promise<Caller | null> {
  const hit = cache.get(secret);
  if (hit && hit.expires > now) return hit.value;
  const key = await findApiKeyBySecret(db, secret);
  const workspace = key ? await getWorkspace(db, key.workspaceId) : null;
  const value = key && workspace ? { key, workspace } : null;
  if (cache.size >= MAX_ENTRIES) cache.clear();
  cache.set(secret, { value, expires: now + (value ? CACHE_TTL_MS : NEGATIVE_TTL_MS) });
  return value;
}

/**
 * Update the key's "last seen" time without a D1 write per request: at most once a minute per
 * key per isolate. Returns the promise so callers can hand it to `waitUntil`.
 */
export function recordKeyUse(db: D1Database, keyId: string, now: number): Promise<void> | null {
  const last = lastTouched.get(keyId) ?? 0;
  if (now - last < TOUCH_INTERVAL_MS) return null;
  lastTouched.set(keyId, now);
  return touchApiKey(db, keyId, now);
}

/** Forget cached look-ups (after a key is revoked or settings change in this isolate). */
export function clearAuthCache(): void {
  cache.clear();
}
