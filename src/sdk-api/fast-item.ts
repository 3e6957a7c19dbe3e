import type { SdkItem } from './batch';

/**
 * A fast check for the SDK items devices send most (events, sessions, attributes, purchases):
 * plain comparisons instead of zod's discriminated union, which was half of planning a batch.
 * It accepts only items `SdkItem` accepts and answers the same value; anything it is unsure of
 * (another type, an extra key, a value near a rule's edge) answers null, and the caller parses
 * with `SdkItem`, which also words the error. test/unit/sdk-api/fast-item.test.ts holds the two
 * to each other.
 */

const CLIENT_ID = /^[A-Za-z0-9_.:-]{8,128}$/;
const ANONYMOUS_ID = /^[A-Za-z0-9_-]{8,128}$/;

type Raw = Record<string, unknown>;

function isPlainObject(v: unknown): v is Raw {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) return false;
  const proto = Object.getPrototypeOf(v);
  return proto === Object.prototype || proto === null;
}

/** True when every key of `o` is in `allowed` (each required key is type-checked by the caller). */
function keysWithin(o: Raw, allowed: ReadonlySet<string>): boolean {
  for (const k in o) if (Object.hasOwn(o, k) && !allowed.has(k)) return false;
  return true;
}

function clientId(v: unknown): v is string {
  return typeof v === 'string' && CLIENT_ID.test(v);
}

function user(v: unknown): SdkItem['user'] | null {
  if (!isPlainObject(v)) return null;
  let only: string | null = null;
  for (const k in v) {
    if (!Object.hasOwn(v, k)) continue;
    if (only !== null) return null;
    only = k;
  }
  if (only === 'external_id') {
    const id = v.external_id;
    return typeof id === 'string' && id.length >= 1 && id.length <= 512
      ? { external_id: id }
      : null;
  }
  if (only === 'anonymous_id') {
    const id = v.anonymous_id;
    return typeof id === 'string' && ANONYMOUS_ID.test(id) ? { anonymous_id: id } : null;
  }
  return null;
}

const COMMON = ['id', 'user', 'time', 'type'];
const keys = (...more: string[]) => new Set([...COMMON, ...more]);
const EVENT = keys('name', 'properties');
const PURCHASE = keys('product_id', 'currency', 'price', 'quantity', 'properties');
const SESSION_START = keys('session_id');
const SESSION_END = keys('session_id', 'duration');
const ATTRIBUTES = keys('attributes');

/** The item as `SdkItem.parse` would answer it, or null to let zod decide. */
export function fastItem(raw: unknown): SdkItem | null {
  if (!isPlainObject(raw)) return null;
  const { id, time, type } = raw;
  if (!clientId(id)) return null;
  if (typeof time !== 'number' || !Number.isSafeInteger(time) || time < 0) return null;
  const who = user(raw.user);
  if (!who) return null;
  const common = { id, user: who, time };
  switch (type) {
    case 'event': {
      const { name, properties } = raw;
      if (!keysWithin(raw, EVENT) || typeof name !== 'string') return null;
      if (properties === undefined) return { ...common, type, name };
      if (!isPlainObject(properties)) return null;
      return { ...common, type, name, properties: { ...properties } };
    }
    case 'purchase': {
      const { product_id, currency, price, quantity, properties } = raw;
      if (!keysWithin(raw, PURCHASE)) return null;
      if (typeof product_id !== 'string' || typeof currency !== 'string') return null;
      if (typeof price !== 'number' || !Number.isFinite(price)) return null;
      if (
        quantity !== undefined &&
        !(typeof quantity === 'number' && Number.isSafeInteger(quantity))
      )
        return null;
      if (properties !== undefined && !isPlainObject(properties)) return null;
      return {
        ...common,
        type,
        product_id,
        currency,
        price,
        ...(quantity !== undefined ? { quantity: quantity as number } : {}),
        ...(properties !== undefined ? { properties: { ...(properties as Raw) } } : {}),
      };
    }
    case 'session_start':
      if (!keysWithin(raw, SESSION_START) || !clientId(raw.session_id)) return null;
      return { ...common, type, session_id: raw.session_id };
    case 'session_end': {
      const { duration } = raw;
      if (!keysWithin(raw, SESSION_END) || !clientId(raw.session_id)) return null;
      if (typeof duration !== 'number' || !(duration >= 0 && duration <= 86_400 * 7)) return null;
      return { ...common, type, session_id: raw.session_id, duration };
    }
    case 'attributes':
      if (!keysWithin(raw, ATTRIBUTES) || !isPlainObject(raw.attributes)) return null;
      return { ...common, type, attributes: { ...raw.attributes } };
    default:
      return null;
  }
}
