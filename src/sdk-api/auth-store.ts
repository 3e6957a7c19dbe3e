import { z } from 'zod';
import { importPublicKey, type SdkKeyAlg } from './jwt';

/**
 * Each app's SDK authentication settings, in D1 `channel_provider_extras` under channel
 * `sdk_auth:<app id>` (public keys are not secret, so they live in `settings`): whether the app
 * requires a signed user token, and its public keys (at most 3; one primary, every one valid so
 * keys can rotate).
 */

export const MAX_KEYS = 3;

export const SdkAuthKey = z.object({
  id: z.string(),
  public_key: z.string(),
  alg: z.enum(['RS256', 'ES256']),
  description: z.string(),
  is_primary: z.boolean(),
  created_at: z.number(),
});
export type SdkAuthKey = z.infer<typeof SdkAuthKey>;

export const SdkAuthConfig = z.object({
  enforcement: z.enum(['disabled', 'required']).default('disabled'),
  keys: z.array(SdkAuthKey).default([]),
});
export type SdkAuthConfig = z.infer<typeof SdkAuthConfig>;

const channelOf = (appId: string) => `sdk_auth:${appId}`;

interface Loaded {
  config: SdkAuthConfig;
  updatedAt: number | null;
}

async function load(db: D1Database, workspaceId: string, appId: string): Promise<Loaded> {
  const row = await db
    .prepare(
      'SELECT settings, updated_at FROM channel_provider_extras WHERE workspace_id = ? AND channel = ?',
    )
    .bind(workspaceId, channelOf(appId))
    .first<{ settings: string; updated_at: number }>();
  if (!row) return { config: SdkAuthConfig.parse({}), updatedAt: null };
  const parsed = SdkAuthConfig.safeParse(JSON.parse(row.settings));
  // A row this module did not write is not trusted: it enforces nothing and has no keys.
  return {
    config: parsed.success ? parsed.data : SdkAuthConfig.parse({}),
    updatedAt: row.updated_at,
  };
}

/** The app's settings as stored. */
export async function readSdkAuth(
  db: D1Database,
  workspaceId: string,
  appId: string,
): Promise<SdkAuthConfig> {
  return (await load(db, workspaceId, appId)).config;
}

/**
 * Change the app's settings with `change` (answering the new settings or an error message);
 * retried when another request changed them in between, so concurrent writes never lose a key.
 */
export async function updateSdkAuth(
  db: D1Database,
  input: { workspaceId: string; appId: string; now: number },
  change: (config: SdkAuthConfig) => SdkAuthConfig | { error: string },
): Promise<SdkAuthConfig | { error: string }> {
  for (let attempt = 0; attempt < 5; attempt++) {
    const { config, updatedAt } = await load(db, input.workspaceId, input.appId);
    const next = change(structuredClone(config));
    if ('error' in next) return next;
    const stamp = Math.max(input.now, (updatedAt ?? 0) + 1);
    const settings = JSON.stringify(next);
    const result =
      updatedAt === null
        ? await db
            .prepare(
              `INSERT INTO channel_provider_extras (workspace_id, channel, settings, secrets, updated_at)
               VALUES (?, ?, ?, '{}', ?) ON CONFLICT DO NOTHING`,
            )
            .bind(input.workspaceId, channelOf(input.appId), settings, stamp)
            .run()
        : await db
            .prepare(
              `UPDATE channel_provider_extras SET settings = ?, updated_at = ?
               WHERE workspace_id = ? AND channel = ? AND updated_at = ?`,
            )
            .bind(settings, stamp, input.workspaceId, channelOf(input.appId), updatedAt)
            .run();
    if (result.meta.changes > 0) {
      cache.delete(`${input.workspaceId}\n${input.appId}`);
      return next;
    }
  }
  throw new Error('SDK authentication settings kept changing; try again');
}

/** What a request check needs: the enforcement and the imported keys. */
export interface SdkAuthState {
  required: boolean;
  keys: { alg: SdkKeyAlg; key: CryptoKey }[];
}

/** Read on every SDK request: cached per isolate for a short while (writes clear their own). */
const cache = new Map<string, { state: SdkAuthState; at: number }>();
const CACHE_MS = 10_000;

/** The app's enforcement and keys, ready to verify tokens. */
export async function sdkAuthState(
  db: D1Database,
  input: { workspaceId: string; appId: string; now: number },
): Promise<SdkAuthState> {
  const k = `${input.workspaceId}\n${input.appId}`;
  const hit = cache.get(k);
  if (hit && input.now - hit.at < CACHE_MS) return hit.state;
  const config = await readSdkAuth(db, input.workspaceId, input.appId);
  const keys: SdkAuthState['keys'] = [];
  for (const key of config.keys) {
    const imported = await importPublicKey(key.public_key);
    if (imported) keys.push(imported);
  }
  const state = { required: config.enforcement === 'required', keys };
  cache.set(k, { state, at: input.now });
  return state;
}
