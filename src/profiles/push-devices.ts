import type { Json, PushTokenInput } from '../ingestion/types';
import { directoryStub, shardOf } from '../lib/stubs';
import type { DirectoryEntry } from './directory-store';
import type { ProfileStore } from './profile-store';

/**
 * A profile's push devices (`push_tokens`): one row per (app, token), with what a sender needs —
 * the push service it belongs to, a Web Push subscription's endpoint and keys — and whether it
 * still works. Tokens come from `/users/track` `push_tokens` (and the SDK, later); a sender marks
 * a token `invalid` when the push service says it is gone (Web Push 404/410, FCM UNREGISTERED,
 * APNs 410/BadDeviceToken), which stops every later send to it until it is registered again.
 *
 * A token belongs to the last user who registered it (contract §5.3: a device switches users).
 * Each registration links (app, token) to the profile in the identifier directory; before a
 * send the profile checks its tokens there and releases any another profile registered since.
 */

/** The directory value of a token: app id and token, NUL-separated. */
export function pushTokenKey(appId: string, token: string): string {
  return `${appId}\u0000${token}`;
}

/** The push service a token belongs to. */
export type PushKind = 'web' | 'fcm' | 'apns';

/** One active device, as senders read it (`UserProfile.pushDevices`). */
export interface PushDevice {
  appId: string;
  /** The token as the push service knows it (a Web Push subscription's endpoint URL). */
  token: string;
  deviceId: string;
  kind: PushKind;
  /** Web Push only: the subscription's public key and auth secret, base64url. */
  p256dh: string | null;
  auth: string | null;
  /** The last registration, epoch ms: the most recent device is the one with the latest. */
  updatedAt: number;
}

interface ParsedToken {
  kind: PushKind;
  token: string;
  p256dh: string | null;
  auth: string | null;
}

const B64URL = /^[A-Za-z0-9_-]+={0,2}$/;

/**
 * What a registered token is. A Web Push subscription is registered as the JSON the browser's
 * `PushSubscription.toJSON()` gives (`{"endpoint": "https://…", "keys": {"p256dh", "auth"}}`) and
 * stored under its endpoint; an APNs token is hex (32 bytes or more); anything else is an FCM
 * registration token. The app's platform, when the app is registered, overrides the guess at
 * send time.
 */
export function parsePushToken(raw: string): ParsedToken {
  const text = raw.trim();
  if (text.startsWith('{')) {
    try {
      const sub = JSON.parse(text) as {
        endpoint?: unknown;
        keys?: { p256dh?: unknown; auth?: unknown };
      };
      const { endpoint, keys } = sub;
      if (
        typeof endpoint === 'string' &&
        /^https?:\/\/\S+$/i.test(endpoint) &&
        typeof keys?.p256dh === 'string' &&
        typeof keys.auth === 'string' &&
        B64URL.test(keys.p256dh) &&
        B64URL.test(keys.auth)
      ) {
        return { kind: 'web', token: endpoint, p256dh: keys.p256dh, auth: keys.auth };
      }
    } catch {
      // Not a subscription: an opaque token like any other.
    }
  }
  if (/^[0-9a-f]{64,}$/i.test(text) && text.length % 2 === 0) {
    return { kind: 'apns', token: text.toLowerCase(), p256dh: null, auth: null };
  }
  return { kind: 'fcm', token: text, p256dh: null, auth: null };
}

/**
 * Register (or re-register) a token on this profile: active again, keys refreshed. A device
 * holds one token per app, so a device id's older token for the same app is dropped.
 */
export function registerPushToken(store: ProfileStore, input: PushTokenInput, now: number): void {
  const sql = store.sql;
  const t = parsePushToken(input.token);
  const deviceId = input.device_id ?? null;
  sql.exec(
    `INSERT INTO push_tokens (app_id, token, device_id, added_at, kind, p256dh, auth, state,
       last_error, updated_at)
     VALUES (?, ?, ?, ?, ?, ?, ?, 'active', NULL, ?)
     ON CONFLICT (app_id, token) DO UPDATE SET
       device_id = CASE WHEN ? THEN excluded.device_id ELSE push_tokens.device_id END,
       kind = excluded.kind, p256dh = excluded.p256dh, auth = excluded.auth, state = 'active',
       last_error = NULL, updated_at = excluded.updated_at`,
    input.app_id,
    t.token,
    deviceId ?? crypto.randomUUID(),
    now,
    t.kind,
    t.p256dh,
    t.auth,
    now,
    deviceId === null ? 0 : 1,
  );
  if (deviceId !== null) {
    const replaced = sql
      .exec<{ token: string }>(
        'DELETE FROM push_tokens WHERE app_id = ? AND device_id = ? AND token <> ? RETURNING token',
        input.app_id,
        deviceId,
        t.token,
      )
      .toArray();
    for (const r of replaced) {
      store.emitIndexOp({
        op: 'unlink',
        kind: 'push_token',
        value: pushTokenKey(input.app_id, r.token),
      });
    }
  }
  store.emitIndexOp({ op: 'link', kind: 'push_token', value: pushTokenKey(input.app_id, t.token) });
}

/** Take over a merged profile's token row (contract §2.8): the kept profile's own row wins. */
export function absorbPushToken(store: ProfileStore, row: Record<string, Json>): void {
  const added = row.added_at as number;
  const taken = store.sql.exec(
    `INSERT OR IGNORE INTO push_tokens (app_id, token, device_id, added_at, kind, p256dh, auth,
       state, last_error, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    row.app_id as string,
    row.token as string,
    row.device_id as string,
    added,
    (row.kind as string | null | undefined) ?? null,
    (row.p256dh as string | null | undefined) ?? null,
    (row.auth as string | null | undefined) ?? null,
    (row.state as string | undefined) ?? 'active',
    (row.last_error as string | null | undefined) ?? null,
    (row.updated_at as number | null | undefined) ?? added,
  ).rowsWritten;
  if (taken > 0 && (row.state ?? 'active') === 'active') {
    store.emitIndexOp({
      op: 'link',
      kind: 'push_token',
      value: pushTokenKey(row.app_id as string, row.token as string),
    });
  }
}

/** Directory unlinks for every token of a profile that is going away (merged, deleted). */
export function unlinkAllPushTokens(store: ProfileStore): void {
  for (const r of store.sql
    .exec<{ app_id: string; token: string }>('SELECT app_id, token FROM push_tokens')
    .toArray()) {
    store.emitIndexOp({ op: 'unlink', kind: 'push_token', value: pushTokenKey(r.app_id, r.token) });
  }
}

/** Every active device, most recently registered first. */
export function activePushDevices(sql: SqlStorage): PushDevice[] {
  return sql
    .exec<{
      app_id: string;
      token: string;
      device_id: string;
      kind: string | null;
      p256dh: string | null;
      auth: string | null;
      updated_at: number | null;
      added_at: number;
    }>(
      `SELECT app_id, token, device_id, kind, p256dh, auth, updated_at, added_at FROM push_tokens
       WHERE state = 'active' ORDER BY coalesce(updated_at, added_at) DESC, rowid DESC`,
    )
    .toArray()
    .map((r) => ({
      appId: r.app_id,
      token: r.token,
      deviceId: r.device_id,
      kind: (r.kind as PushKind | null) ?? parsePushToken(r.token).kind,
      p256dh: r.p256dh,
      auth: r.auth,
      updatedAt: r.updated_at ?? r.added_at,
    }));
}

/**
 * Mark a token invalid (the push service said it is gone, or another user registered it);
 * false when it was not active. The profile's directory link goes with it.
 */
export function invalidatePushToken(
  store: ProfileStore,
  input: { appId: string; token: string; reason: string; now: number },
): boolean {
  const res = store.sql.exec(
    `UPDATE push_tokens SET state = 'invalid', last_error = ?, updated_at = ?
     WHERE app_id = ? AND token = ? AND state = 'active'`,
    input.reason.slice(0, 500),
    input.now,
    input.appId,
    input.token,
  );
  if (res.rowsWritten === 0) return false;
  store.emitIndexOp({
    op: 'unlink',
    kind: 'push_token',
    value: pushTokenKey(input.appId, input.token),
  });
  return true;
}

/**
 * The devices whose token another profile registered after this one (the directory lists a
 * token's profiles in registration order). A token the directory does not know stays here.
 */
export async function movedDevices(
  ns: Env['IDENTITY_INDEX'],
  input: { workspaceId: string; profileId: string; devices: PushDevice[] },
): Promise<PushDevice[]> {
  const byShard = new Map<number, string[]>();
  for (const d of input.devices) {
    const key = pushTokenKey(d.appId, d.token);
    const shard = shardOf('push_token', key);
    byShard.set(shard, [...(byShard.get(shard) ?? []), key]);
  }
  const owners = new Map<string, DirectoryEntry[]>();
  await Promise.all(
    [...byShard].map(async ([shard, keys]) => {
      const found = await directoryStub(ns, input.workspaceId, shard).lookup(
        keys.map((value) => ({ kind: 'push_token', value })),
      );
      for (const key of keys) owners.set(key, found[`push_token:${key}`] ?? []);
    }),
  );
  return input.devices.filter((d) => {
    const entries = owners.get(pushTokenKey(d.appId, d.token)) ?? [];
    const last = entries[entries.length - 1];
    return last !== undefined && last.profileId !== input.profileId;
  });
}
