/**
 * Event and purchase `properties` (contract §2.2.2, §8.3 items 48–52).
 */
import { type Checked, fail, isRecord, ok } from './identifier';
import { looksLikeDate } from './time';
import type { Json } from './types';

/** Longest string Braze stores in a property, attribute or nested value (§8.3). */
export const MAX_STRING_LENGTH = 255;
/** Longest property or attribute name (§8.3 item 48). */
export const MAX_KEY_LENGTH = 255;
/** Properties kept per event or purchase; later ones are dropped silently (§8.3 item 50). */
export const MAX_PROPERTIES = 256;
/** Property payload cap for events when it holds arrays or objects (§9.1 item 2). */
export const EVENT_PROPERTIES_MAX_BYTES = 100 * 1024;
/** Property payload cap for purchases when it holds arrays or objects (§9.1 item 2). */
export const PURCHASE_PROPERTIES_MAX_BYTES = 50 * 1024;
/**
 * Deepest nesting accepted inside a property or nested attribute. Braze documents none; the cap
 * keeps recursion (ours and JSON.stringify's) far from the stack limit on hostile input.
 */
export const MAX_DEPTH = 32;

const RESERVED_PROPERTY_NAMES = new Set(['time', 'event_name']);

const encoder = new TextEncoder();

/** Size in UTF-8 bytes of the JSON text of `value`. */
export function jsonByteLength(value: Json): number {
  return encoder.encode(JSON.stringify(value)).length;
}

/** Validates the optional `properties` object of an event or purchase. */
export function validateProperties(
  raw: unknown,
  opts: { maxBytes: number },
): Checked<{ [key: string]: Json }> {
  if (raw === undefined || raw === null) return ok({});
  if (!isRecord(raw)) return fail('invalid_field', 'properties must be an object');
  const entries: [string, Json][] = [];
  let complex = false;
  for (const name of Object.keys(raw).slice(0, MAX_PROPERTIES)) {
    const nameProblem = checkPropertyName(name);
    if (nameProblem) return fail('invalid_property', nameProblem);
    const value = raw[name];
    const checked = checkValue(value, { path: name, depth: 0, inArray: false });
    if (!checked.ok) return checked;
    if (typeof checked.value === 'object' && checked.value !== null) complex = true;
    entries.push([name, checked.value]);
  }
  // Object.fromEntries defines own properties, so a `__proto__` key stays plain data.
  const properties: { [key: string]: Json } = Object.fromEntries(entries);
  if (complex && jsonByteLength(properties) > opts.maxBytes) {
    return fail(
      'properties_too_large',
      `properties must be at most ${opts.maxBytes / 1024} KB when they contain arrays or objects`,
    );
  }
  return ok(properties);
}

function checkPropertyName(name: string): string | null {
  if (name.length === 0) return 'Property names must not be empty';
  if (name.length > MAX_KEY_LENGTH) {
    return `Property name ${truncate(name)} must be at most ${MAX_KEY_LENGTH} characters`;
  }
  if (name.startsWith('$')) return `Property name ${name} must not start with $`;
  if (RESERVED_PROPERTY_NAMES.has(name)) return `Property name ${name} is reserved`;
  return null;
}

interface Where {
  path: string;
  depth: number;
  inArray: boolean;
}

function checkValue(value: unknown, where: Where): Checked<Json> {
  const { path } = where;
  if (value === null || typeof value === 'boolean') return ok(value);
  if (typeof value === 'number') {
    return Number.isFinite(value)
      ? ok(value)
      : fail('invalid_property', `Property ${path} must be a finite number`);
  }
  if (typeof value === 'string') {
    if (value.length > MAX_STRING_LENGTH) {
      return fail(
        'string_too_long',
        `Property ${path} must be at most ${MAX_STRING_LENGTH} characters`,
      );
    }
    if (where.inArray && looksLikeDate(value)) {
      return fail('invalid_property', `Property ${path} is a date, which arrays may not contain`);
    }
    return ok(value);
  }
  if (typeof value !== 'object') {
    return fail('invalid_property', `Property ${path} has an unsupported type`);
  }
  if (where.depth >= MAX_DEPTH) {
    return fail('invalid_property', `Property ${path} is nested more than ${MAX_DEPTH} levels`);
  }
  const depth = where.depth + 1;
  if (Array.isArray(value)) {
    const items: Json[] = [];
    for (let i = 0; i < value.length; i++) {
      const item = checkValue(value[i], { path: `${path}[${i}]`, depth, inArray: true });
      if (!item.ok) return item;
      items.push(item.value);
    }
    return ok(items);
  }
  const entries: [string, Json][] = [];
  for (const [key, member] of Object.entries(value)) {
    if (key.length > MAX_KEY_LENGTH) {
      return fail(
        'invalid_property',
        `Property ${path} has a key longer than ${MAX_KEY_LENGTH} characters`,
      );
    }
    const checked = checkValue(member, { path: `${path}.${key}`, depth, inArray: false });
    if (!checked.ok) return checked;
    entries.push([key, checked.value]);
  }
  return ok(Object.fromEntries(entries));
}

/** Shortens a user-supplied name for use inside an error message. */
export function truncate(s: string): string {
  return s.length > 40 ? `${s.slice(0, 40)}…` : s;
}
