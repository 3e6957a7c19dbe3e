import { and, desc, eq, isNull } from 'drizzle-orm';
import { drizzle } from 'drizzle-orm/d1';
import type { KeyPermission } from '../auth/permissions';
import { apiKeys, apps, workspaces } from '../db/schema';
import { sha256Hex } from '../lib/hash';
import { newSecret } from '../lib/ids';
import { parseSettings, settingsProblem, WorkspaceSettings } from './settings';

export interface Workspace {
  id: string;
  name: string;
  settings: WorkspaceSettings;
  createdAt: number;
}

export interface ApiKeyRecord {
  id: string;
  workspaceId: string;
  name: string;
  permissions: KeyPermission[];
  ipAllowlist: string[];
  createdAt: number;
  lastSeenAt: number | null;
}

function toWorkspace(row: typeof workspaces.$inferSelect): Workspace {
  return {
    id: row.id,
    name: row.name,
    settings: parseSettings(row.settings),
    createdAt: row.createdAt,
  };
}

function toKey(row: typeof apiKeys.$inferSelect): ApiKeyRecord {
  return {
    id: row.id,
    workspaceId: row.workspaceId,
    name: row.name,
    permissions: JSON.parse(row.permissions) as KeyPermission[],
    ipAllowlist: JSON.parse(row.ipAllowlist) as string[],
    createdAt: row.createdAt,
    lastSeenAt: row.lastSeenAt,
  };
}

/** Read one workspace, or null. */
export async function getWorkspace(db: D1Database, id: string): Promise<Workspace | null> {
  const row = await drizzle(db).select().from(workspaces).where(eq(workspaces.id, id)).get();
  return row ? toWorkspace(row) : null;
}

export type UpsertResult =
  | { type: 'saved'; workspace: Workspace; created: boolean }
  | { type: 'invalid'; error: string };

/**
 * Create a workspace, or update name and settings of an existing one with the same id. Given
 * settings replace stored ones key by key; the result must still satisfy the cross-field rules.
 */
export async function upsertWorkspace(
  db: D1Database,
  input: { id: string; name: string; settings?: Partial<WorkspaceSettings> },
): Promise<UpsertResult> {
  const now = Date.now();
  const existing = await getWorkspace(db, input.id);
  const settings = WorkspaceSettings.parse({ ...(existing?.settings ?? {}), ...input.settings });
  const problem = settingsProblem(settings);
  if (problem) return { type: 'invalid', error: problem };
  await drizzle(db)
    .insert(workspaces)
    .values({
      id: input.id,
      name: input.name,
      settings: JSON.stringify(settings),
      createdAt: now,
      updatedAt: now,
    })
    .onConflictDoUpdate({
      target: workspaces.id,
      set: { name: input.name, settings: JSON.stringify(settings), updatedAt: now },
    });
  const workspace = await getWorkspace(db, input.id);
  if (!workspace) throw new Error(`workspace ${input.id} vanished after upsert`);
  return { type: 'saved', workspace, created: existing === null };
}

/**
 * Create a REST API key. The secret is returned once and only its hash is stored. When
 * `secret` is given (the pinned demo key) and a key with that secret already exists in the same
 * workspace, that key is returned instead: creation is idempotent.
 */
export async function createApiKey(
  db: D1Database,
  input: {
    workspaceId: string;
    name: string;
    permissions: KeyPermission[];
    ipAllowlist: string[];
    secret?: string;
  },
): Promise<{ key: ApiKeyRecord; secret: string; created: boolean }> {
  const secret = input.secret ?? newSecret();
  const keyHash = await sha256Hex(secret);
  const d = drizzle(db);
  const existing = await d.select().from(apiKeys).where(eq(apiKeys.keyHash, keyHash)).get();
  if (existing) {
    if (existing.workspaceId !== input.workspaceId || existing.revokedAt !== null) {
      throw new Error('that key secret is already in use');
    }
    const same =
      existing.name === input.name &&
      existing.permissions === JSON.stringify(input.permissions) &&
      existing.ipAllowlist === JSON.stringify(input.ipAllowlist);
    // Keys are immutable: re-posting a pinned key must not silently ignore a different request.
    if (!same)
      throw new Error('a key with that secret exists with other name, permissions or allowlist');
    return { key: toKey(existing), secret, created: false };
  }
  const row = {
    id: `key_${crypto.randomUUID().replaceAll('-', '').slice(0, 16)}`,
    workspaceId: input.workspaceId,
    name: input.name,
    keyHash,
    permissions: JSON.stringify(input.permissions),
    ipAllowlist: JSON.stringify(input.ipAllowlist),
    createdAt: Date.now(),
    lastSeenAt: null,
    revokedAt: null,
  };
  await d.insert(apiKeys).values(row);
  return { key: toKey(row), secret, created: true };
}

/** The live (not revoked) key with this secret, or null. */
export async function findApiKeyBySecret(
  db: D1Database,
  secret: string,
): Promise<ApiKeyRecord | null> {
  const keyHash = await sha256Hex(secret);
  const row = await drizzle(db)
    .select()
    .from(apiKeys)
    .where(and(eq(apiKeys.keyHash, keyHash), isNull(apiKeys.revokedAt)))
    .get();
  return row ? toKey(row) : null;
}

/** Every live key of a workspace, newest first, without secrets. */
export async function listApiKeys(db: D1Database, workspaceId: string): Promise<ApiKeyRecord[]> {
  const rows = await drizzle(db)
    .select()
    .from(apiKeys)
    .where(and(eq(apiKeys.workspaceId, workspaceId), isNull(apiKeys.revokedAt)))
    .orderBy(desc(apiKeys.createdAt))
    .all();
  return rows.map(toKey);
}

/** Revoke a key; answers false when no live key has that id in the workspace. */
export async function revokeApiKey(
  db: D1Database,
  input: { workspaceId: string; keyId: string },
): Promise<boolean> {
  const result = await drizzle(db)
    .update(apiKeys)
    .set({ revokedAt: Date.now() })
    .where(
      and(
        eq(apiKeys.id, input.keyId),
        eq(apiKeys.workspaceId, input.workspaceId),
        isNull(apiKeys.revokedAt),
      ),
    )
    .run();
  return result.meta.changes > 0;
}

/** Record that a key was used, at most once a minute per key to keep D1 writes rare. */
export async function touchApiKey(db: D1Database, keyId: string, now: number): Promise<void> {
  await drizzle(db).update(apiKeys).set({ lastSeenAt: now }).where(eq(apiKeys.id, keyId)).run();
}

export interface AppRecord {
  id: string;
  workspaceId: string;
  name: string;
  platform: string;
  createdAt: number;
}

/** Create an SDK app (its id is the public app key), idempotent when `id` is given. */
export async function createApp(
  db: D1Database,
  input: { workspaceId: string; name: string; platform: string; id?: string },
): Promise<{ app: AppRecord; created: boolean }> {
  const d = drizzle(db);
  const id = input.id ?? crypto.randomUUID();
  const existing = await d.select().from(apps).where(eq(apps.id, id)).get();
  if (existing) {
    if (existing.workspaceId !== input.workspaceId) throw new Error('that app id is in use');
    return { app: existing, created: false };
  }
  const row = { ...input, id, createdAt: Date.now() };
  await d.insert(apps).values(row);
  return { app: row, created: true };
}

/** Every app of a workspace. */
export async function listApps(db: D1Database, workspaceId: string): Promise<AppRecord[]> {
  return drizzle(db).select().from(apps).where(eq(apps.workspaceId, workspaceId)).all();
}
