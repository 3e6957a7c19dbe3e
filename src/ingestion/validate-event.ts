/**
 * Event (contract §2.2.2) and purchase (§2.2.3) objects of a `/users/track` request.
 */

import { isCurrencyCode } from '../lib/currency';
import {
  type Checked,
  fail,
  isRecord,
  ok,
  resolveIdentifier,
  resolveUpdateExistingOnly,
} from './identifier';
import { parseBrazeTime } from './time';
import type { EventInput, Identifier, PurchaseInput } from './types';
import {
  EVENT_PROPERTIES_MAX_BYTES,
  MAX_STRING_LENGTH,
  PURCHASE_PROPERTIES_MAX_BYTES,
  truncate,
  validateProperties,
} from './validate-properties';

/** Braze records quantity N as N purchases; it refuses more than 100 per object (§2.2.3). */
export const MAX_QUANTITY = 100;

interface Common {
  identifier: Identifier;
  updateExistingOnly: boolean;
  time: number;
  appId: string | null;
}

/**
 * Validates one element of the `events` array; `now` is epoch ms for clamping future times.
 * `at`: the time as epoch ms when the caller already has it (SDK items), instead of `raw.time`.
 */
export function validateEvent(
  raw: unknown,
  index: number,
  now: number,
  at?: number,
): Checked<EventInput> {
  const common = validateCommon(raw, now, at);
  if (!common.ok) return common;
  const obj = raw as Record<string, unknown>;
  const name = requiredString(obj.name, 'name');
  if (!name.ok) return name;
  const properties = validateProperties(obj.properties, { maxBytes: EVENT_PROPERTIES_MAX_BYTES });
  if (!properties.ok) return properties;
  return ok({ index, ...common.value, name: name.value, properties: properties.value });
}

/**
 * Validates one element of the `purchases` array. Any finite price is accepted, negative
 * included: Braze documents no sign rule and refunds are commonly recorded that way.
 */
export function validatePurchase(
  raw: unknown,
  index: number,
  now: number,
  at?: number,
): Checked<PurchaseInput> {
  const common = validateCommon(raw, now, at);
  if (!common.ok) return common;
  const obj = raw as Record<string, unknown>;
  const productId = requiredString(obj.product_id, 'product_id');
  if (!productId.ok) return productId;
  const currency = obj.currency;
  if (typeof currency !== 'string' || !isCurrencyCode(currency)) {
    return fail('invalid_field', 'currency must be an ISO 4217 currency code such as USD');
  }
  if (typeof obj.price !== 'number' || !Number.isFinite(obj.price)) {
    return fail('invalid_field', 'price must be a number');
  }
  const quantity = validateQuantity(obj.quantity);
  if (!quantity.ok) return quantity;
  const properties = validateProperties(obj.properties, {
    maxBytes: PURCHASE_PROPERTIES_MAX_BYTES,
  });
  if (!properties.ok) return properties;
  return ok({
    index,
    ...common.value,
    productId: productId.value,
    currency: currency.toUpperCase(),
    price: obj.price,
    quantity: quantity.value,
    properties: properties.value,
  });
}

function validateCommon(raw: unknown, now: number, at?: number): Checked<Common> {
  if (!isRecord(raw)) return fail('invalid_object', 'Each element must be a JSON object');
  const identifier = resolveIdentifier(raw);
  if (!identifier.ok) return identifier;
  const updateExistingOnly = resolveUpdateExistingOnly(raw, identifier.value);
  if (!updateExistingOnly.ok) return updateExistingOnly;
  const time = at === undefined ? validateTime(raw.time, now) : ok(Math.min(at, now));
  if (!time.ok) return time;
  const appId = raw.app_id;
  if (appId !== undefined && appId !== null && typeof appId !== 'string') {
    return fail('invalid_field', 'app_id must be a string');
  }
  return ok({
    identifier: identifier.value,
    updateExistingOnly: updateExistingOnly.value,
    time: time.value,
    appId: typeof appId === 'string' && appId.length > 0 ? appId : null,
  });
}

function validateTime(raw: unknown, now: number): Checked<number> {
  if (raw === undefined || raw === null) return fail('invalid_time', 'time is required');
  if (typeof raw !== 'string') return fail('invalid_time', 'time must be an ISO 8601 string');
  const parsed = parseBrazeTime(raw);
  if (!parsed)
    return fail('invalid_time', `time is not a recognised date format: ${truncate(raw)}`);
  return ok(Math.min(parsed.getTime(), now));
}

function requiredString(raw: unknown, name: string): Checked<string> {
  if (typeof raw !== 'string' || raw.length === 0) {
    return fail('invalid_field', `${name} must be a non-empty string`);
  }
  if (raw.length > MAX_STRING_LENGTH) {
    return fail('string_too_long', `${name} must be at most ${MAX_STRING_LENGTH} characters`);
  }
  return ok(raw);
}

function validateQuantity(raw: unknown): Checked<number> {
  if (raw === undefined || raw === null) return ok(1);
  if (typeof raw !== 'number' || !Number.isInteger(raw) || raw < 1 || raw > MAX_QUANTITY) {
    return fail('invalid_field', `quantity must be an integer from 1 to ${MAX_QUANTITY}`);
  }
  return ok(raw);
}
