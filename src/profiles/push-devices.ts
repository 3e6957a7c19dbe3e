import type { Json, PushTokenInput } from '../ingestion/types';

/**
 * A profile's push devices (`push_tokens`): one row per (app, token), with what a sender needs —
 * the push service it belongs to, a Web Push subscription's endpoint and keys — and whether it
 * still works. Tokens come from `/users/track` `push_tokens` (and the SDK, later); a sender marks
 * a token `invalid` when the push service says it is gone (Web Push 404/410, FCM UNREGISTERED,
 * APNs 410/BadDeviceToken), which stops every later send to it until it is registered again.
 */

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
export function registerPushToken(sql: SqlStorage, input: PushTokenInput, now: number): void {
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
    sql.exec(
      'DELETE FROM push_tokens WHERE app_id = ? AND device_id = ? AND token <> ?',
      input.app_id,
      deviceId,
      t.token,
    );
  }
}

/** Take over a merged profile's token row (contract §2.8): the kept profile's own row wins. */
export function absorbPushToken(sql: SqlStorage, row: Record<string, Json>): void {
  const added = row.added_at as number;
  sql.exec(
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
  );
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

/** Mark a token invalid (the push service said it is gone); false when it was not active. */
export function invalidatePushToken(
  sql: SqlStorage,
  input: { appId: string; token: string; reason: string; now: number },
): boolean {
  const res = sql.exec(
    `UPDATE push_tokens SET state = 'invalid', last_error = ?, updated_at = ?
     WHERE app_id = ? AND token = ? AND state = 'active'`,
    input.reason.slice(0, 500),
    input.now,
    input.appId,
    input.token,
  );
  return res.rowsWritten > 0;
}
