import { toHex } from '../lib/hash';
import type { FlatRecord } from './avro';
import type { EventType } from './catalog';

/**
 * The custom HTTP connector's wire format (contract §4.5): batches `{"events": [...]}` of nested
 * events, signed by Herald so a receiver can tell they are genuine.
 */

const USER_FIELDS = new Set(['user_id', 'external_user_id', 'device_id', 'timezone']);
const TOP_FIELDS = new Set(['id', 'time']);

/**
 * One flat event in the nested shape: `user_id`, `external_user_id`, `device_id` and `timezone`
 * under `user`; `id`, `time` and `event_type` top level; every other field under `properties`,
 * where a custom event's JSON `properties` string becomes the object `custom_properties` (a
 * purchase's, `purchase_properties`). Null fields are left out.
 */
export function nestedEvent(type: EventType, flat: FlatRecord): Record<string, unknown> {
  const user: Record<string, unknown> = {};
  const properties: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(flat)) {
    if (v === null || TOP_FIELDS.has(k)) continue;
    if (USER_FIELDS.has(k)) user[k] = v;
    else if (k === 'properties' && typeof v === 'string') {
      const name =
        type === 'users.behaviors.Purchase' ? 'purchase_properties' : 'custom_properties';
      properties[name] = JSON.parse(v);
    } else properties[k] = v;
  }
  return { event_type: type, id: flat.id, time: flat.time, user, properties };
}

/** The header carrying Herald's signature of a batch. */
export const SIGNATURE_HEADER = 'X-Herald-Signature';

/**
 * `t=<unix seconds>,v1=<hex HMAC-SHA256 of "<t>.<body>" under the connector's signing secret>`.
 * Receivers recompute it over the raw body and compare, and refuse old `t` to stop replays.
 */
export async function signatureHeader(input: {
  secret: string;
  body: string;
  now: number;
}): Promise<string> {
  const t = Math.floor(input.now / 1000);
  const enc = new TextEncoder();
  const key = await crypto.subtle.importKey(
    'raw',
    enc.encode(input.secret),
    { name: 'HMAC', hash: 'SHA-256' },
    false,
    ['sign'],
  );
  const mac = await crypto.subtle.sign('HMAC', key, enc.encode(`${t}.${input.body}`));
  return `t=${t},v1=${toHex(new Uint8Array(mac))}`;
}

/** What to do after a POST answered `status` (null: no answer), per Braze's table (§4.5). */
export type HttpVerdict =
  | { type: 'done' }
  /** 400 or 413: resend the events one by one; a single event answered so again is dropped. */
  | { type: 'split' }
  /** Retry later; after `windowMs` since the first failure the events are dead letters. */
  | { type: 'retry'; delayMs: number; windowMs: number };

const HOUR = 3_600_000;

/** Braze's retry rules for one answer. `attempts` counts earlier failures; `baseMs` scales waits. */
export function httpVerdict(input: {
  status: number | null;
  attempts: number;
  baseMs: number;
  random: number;
}): HttpVerdict {
  const { status } = input;
  if (status !== null && status >= 200 && status < 300) return { type: 'done' };
  if (status === 400 || status === 413) return { type: 'split' };
  if (status === 401 || status === 403 || status === 404) {
    // Bad credentials: retry after 2 to 5 minutes, give up after 48 hours.
    const delayMs = (input.baseMs / 30_000) * (120_000 + input.random * 180_000);
    return { type: 'retry', delayMs, windowMs: 48 * HOUR };
  }
  // 429, 5xx and anything else: exponential backoff with jitter, up to 24 hours.
  const exp = Math.min(HOUR, input.baseMs * 2 ** input.attempts);
  return { type: 'retry', delayMs: exp / 2 + (input.random * exp) / 2, windowMs: 24 * HOUR };
}
