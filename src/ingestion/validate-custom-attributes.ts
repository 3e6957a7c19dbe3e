/**
 * Custom attributes of a `/users/track` attributes object: key rules, scalar values, the `inc`,
 * `add`/`remove` and `$add`/`$remove`/`$update` operators, and nested objects (contract §2.2.1,
 * §8.3 items 40–47).
 */
import { type Checked, fail, isRecord, ok, type Problem } from './identifier';
import { parseBrazeTime } from './time';
import type { CustomAttrOp, Json, Scalar } from './types';
import {
  jsonByteLength,
  MAX_DEPTH,
  MAX_KEY_LENGTH,
  MAX_STRING_LENGTH,
  truncate,
} from './validate-properties';

/** Cap on a nested object or array of objects, in UTF-8 bytes of JSON (§8.3 items 43, 45). */
export const NESTED_MAX_BYTES = 100 * 1024;

// Dates outside this range are kept as strings at the top level and refused when nested (§1.10).
const MIN_YEAR = 0;
const MAX_YEAR = 3000;

/** A custom attribute change, or the reason its (nested) update was dropped. */
export type CustomOutcome =
  | { kind: 'op'; op: CustomAttrOp }
  | { kind: 'dropped'; problem: Problem };

type JsonObject = { [key: string]: Json };

/**
 * Validates one custom attribute. A failed `Checked` rejects the whole object; a `dropped`
 * outcome is an invalid nested value, which per §2.2 discards only this attribute's update.
 */
export function validateCustomAttribute(
  key: string,
  value: unknown,
  opts: { merge: boolean },
): Checked<CustomOutcome> {
  const keyProblem = checkAttributeName(key);
  if (keyProblem) return fail('invalid_attribute_name', keyProblem);
  if (value === null) return op({ op: 'unset', key });
  if (typeof value === 'boolean') return op({ op: 'set', key, type: 'boolean', value });
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) return fail('invalid_attribute_value', `${key} must be finite`);
    return op({ op: 'set', key, type: 'number', value });
  }
  if (typeof value === 'string') return stringAttribute(key, value);
  if (Array.isArray(value)) return arrayAttribute(key, value);
  if (!isRecord(value)) {
    return fail('invalid_attribute_value', `${key} has an unsupported value type`);
  }
  const keys = Object.keys(value);
  if (keys.length === 1 && keys[0] === 'inc') return incAttribute(key, value.inc);
  if (keys.length > 0 && keys.every((k) => k === 'add' || k === 'remove')) {
    return arrayOpAttribute(key, value);
  }
  if (keys.length > 0 && keys.every((k) => k === '$add' || k === '$remove' || k === '$update')) {
    return nested(key, objectArrayOp(key, value, opts.merge));
  }
  if (keys.length === 1 && keys[0] === '$time') {
    const time = timeWrapper(value.$time, key);
    return nested(key, time.ok ? ok({ op: 'set', key, type: 'time', value: time.value }) : time);
  }
  const object = checkNestedObject(value, key, 0);
  if (!object.ok) return nested(key, object);
  const big = oversized(key, object.value);
  if (big) return nested(key, big);
  return op(
    opts.merge
      ? { op: 'merge_object', key, value: object.value }
      : { op: 'set', key, type: 'object', value: object.value },
  );
}

function op(value: CustomAttrOp): Checked<CustomOutcome> {
  return ok({ kind: 'op', op: value });
}

// Nested problems drop this attribute's update but let the rest of the object apply.
function nested(key: string, checked: Checked<CustomAttrOp>): Checked<CustomOutcome> {
  if (checked.ok) return op(checked.value);
  const message = `${key} was not updated: ${checked.problem.message}`;
  return ok({ kind: 'dropped', problem: { type: 'invalid_nested_attribute', message } });
}

function checkAttributeName(key: string): string | null {
  if (key.length === 0) return 'Custom attribute names must not be empty';
  if (key.length > MAX_KEY_LENGTH) {
    return `Custom attribute name ${truncate(key)} must be at most ${MAX_KEY_LENGTH} characters`;
  }
  if (key.startsWith('$')) return `Custom attribute name ${key} must not start with $`;
  return null;
}

function stringAttribute(key: string, value: string): Checked<CustomOutcome> {
  if (value.length > MAX_STRING_LENGTH) {
    return fail('string_too_long', `${key} must be at most ${MAX_STRING_LENGTH} characters`);
  }
  const date = parseBrazeTime(value);
  if (date && inYearRange(date)) {
    return op({ op: 'set', key, type: 'time', value: date.toISOString() });
  }
  return op({ op: 'set', key, type: 'string', value });
}

function inYearRange(date: Date): boolean {
  const year = date.getUTCFullYear();
  return year >= MIN_YEAR && year <= MAX_YEAR;
}

function arrayAttribute(key: string, value: unknown[]): Checked<CustomOutcome> {
  if (value.length > 0 && value.every(isRecord)) {
    const items: JsonObject[] = [];
    for (const [i, element] of value.entries()) {
      const item = checkNestedObject(element, `${key}[${i}]`, 1);
      if (!item.ok) return nested(key, item);
      items.push(item.value);
    }
    const big = oversized(key, items);
    if (big) return nested(key, big);
    return op({ op: 'set', key, type: 'object_array', value: items });
  }
  const scalars = checkScalars(value, key);
  if (!scalars.ok) return scalars;
  // Braze keeps each value once, at its first position (§2.2.1).
  return op({ op: 'set', key, type: 'array', value: [...new Set(scalars.value)] });
}

function checkScalars(value: unknown, path: string): Checked<Scalar[]> {
  if (!Array.isArray(value)) {
    return fail('invalid_attribute_value', `${path} must be an array`);
  }
  const out: Scalar[] = [];
  for (const item of value) {
    if (typeof item === 'string') {
      if (item.length > MAX_STRING_LENGTH) {
        return fail(
          'string_too_long',
          `${path} values must be at most ${MAX_STRING_LENGTH} characters`,
        );
      }
      out.push(item);
    } else if (typeof item === 'boolean' || (typeof item === 'number' && Number.isFinite(item))) {
      out.push(item);
    } else {
      return fail(
        'invalid_attribute_value',
        `${path} must hold only strings, numbers and booleans, or only objects`,
      );
    }
  }
  return ok(out);
}

function incAttribute(key: string, by: unknown): Checked<CustomOutcome> {
  if (typeof by !== 'number' || !Number.isSafeInteger(by)) {
    return fail('invalid_attribute_value', `${key}.inc must be an integer`);
  }
  return op({ op: 'inc', key, by });
}

function arrayOpAttribute(key: string, value: Record<string, unknown>): Checked<CustomOutcome> {
  const add = value.add === undefined ? ok<Scalar[]>([]) : checkScalars(value.add, `${key}.add`);
  if (!add.ok) return add;
  const remove =
    value.remove === undefined ? ok<Scalar[]>([]) : checkScalars(value.remove, `${key}.remove`);
  if (!remove.ok) return remove;
  return op({ op: 'array', key, add: add.value, remove: remove.value });
}

function objectArrayOp(
  key: string,
  value: Record<string, unknown>,
  merge: boolean,
): Checked<CustomAttrOp> {
  for (const name of ['$add', '$remove', '$update']) {
    if (value[name] !== undefined && !Array.isArray(value[name])) {
      return fail('invalid_nested_attribute', `${key}.${name} must be an array`);
    }
  }
  const remove: { idKey: string; idValue: Json }[] = [];
  for (const [i, item] of listOf(value.$remove).entries()) {
    const target = identifierTarget(item, `${key}.$remove[${i}]`);
    if (!target.ok) return target;
    remove.push(target.value);
  }
  const update: { idKey: string; idValue: Json; patch: JsonObject }[] = [];
  for (const [i, item] of listOf(value.$update).entries()) {
    const path = `${key}.$update[${i}]`;
    const target = identifierTarget(item, path);
    if (!target.ok) return target;
    const patch = (item as Record<string, unknown>).$new_object;
    if (!isRecord(patch)) return fail('invalid_nested_attribute', `${path}.$new_object is missing`);
    const checked = checkNestedObject(patch, `${path}.$new_object`, 1);
    if (!checked.ok) return checked;
    update.push({ ...target.value, patch: checked.value });
  }
  const add: JsonObject[] = [];
  for (const [i, item] of listOf(value.$add).entries()) {
    if (!isRecord(item))
      return fail('invalid_nested_attribute', `${key}.$add items must be objects`);
    const checked = checkNestedObject(item, `${key}.$add[${i}]`, 1);
    if (!checked.ok) return checked;
    add.push(checked.value);
  }
  const big = oversized(key, { remove, update, add });
  if (big) return big;
  return ok({ op: 'object_array', key, remove, update, add, merge });
}

function listOf(value: unknown): unknown[] {
  return Array.isArray(value) ? value : [];
}

function identifierTarget(item: unknown, path: string): Checked<{ idKey: string; idValue: Json }> {
  if (!isRecord(item)) return fail('invalid_nested_attribute', `${path} must be an object`);
  const idKey = item.$identifier_key;
  if (typeof idKey !== 'string' || idKey.length === 0) {
    return fail('invalid_nested_attribute', `${path}.$identifier_key must be a non-empty string`);
  }
  if (item.$identifier_value === undefined) {
    return fail('invalid_nested_attribute', `${path}.$identifier_value is missing`);
  }
  const idValue = checkNestedValue(item.$identifier_value, `${path}.$identifier_value`, 1);
  if (!idValue.ok) return idValue;
  return ok({ idKey, idValue: idValue.value });
}

function oversized(key: string, value: Json): Checked<never> | null {
  if (jsonByteLength(value) <= NESTED_MAX_BYTES) return null;
  return fail('invalid_nested_attribute', `${key} must be at most ${NESTED_MAX_BYTES / 1024} KB`);
}

function timeWrapper(raw: unknown, path: string): Checked<string> {
  if (typeof raw !== 'string')
    return fail('invalid_nested_attribute', `${path}.$time must be a date string`);
  const date = parseBrazeTime(raw);
  if (!date) return fail('invalid_nested_attribute', `${path}.$time is not a recognised date`);
  if (!inYearRange(date)) {
    return fail('invalid_nested_attribute', `${path}.$time must have a year from 0 to 3000`);
  }
  return ok(date.toISOString());
}

function checkNestedObject(
  value: Record<string, unknown>,
  path: string,
  depth: number,
): Checked<JsonObject> {
  const entries: [string, Json][] = [];
  for (const [key, member] of Object.entries(value)) {
    const problem = checkNestedKey(key);
    if (problem)
      return fail('invalid_nested_attribute', `${path} has key ${truncate(key)}: ${problem}`);
    const checked = checkNestedValue(member, `${path}.${key}`, depth + 1);
    if (!checked.ok) return checked;
    entries.push([key, checked.value]);
  }
  // Object.fromEntries defines own properties, so a `__proto__` key stays plain data.
  return ok(Object.fromEntries(entries));
}

function checkNestedKey(key: string): string | null {
  if (key.length === 0) return 'keys must not be empty';
  if (key.length > MAX_KEY_LENGTH) return `keys must be at most ${MAX_KEY_LENGTH} characters`;
  if (/\s/.test(key)) return 'keys must not contain spaces';
  if (key.includes('.') || key.includes('$')) return 'keys must not contain . or $';
  return null;
}

function checkNestedValue(value: unknown, path: string, depth: number): Checked<Json> {
  if (value === null || typeof value === 'boolean') return ok(value);
  if (typeof value === 'number') {
    return Number.isFinite(value)
      ? ok(value)
      : fail('invalid_nested_attribute', `${path} must be a finite number`);
  }
  if (typeof value === 'string') {
    return value.length > MAX_STRING_LENGTH
      ? fail('invalid_nested_attribute', `${path} must be at most ${MAX_STRING_LENGTH} characters`)
      : ok(value);
  }
  if (depth > MAX_DEPTH) {
    return fail('invalid_nested_attribute', `${path} is nested more than ${MAX_DEPTH} levels`);
  }
  if (Array.isArray(value)) {
    const items: Json[] = [];
    for (let i = 0; i < value.length; i++) {
      const item = checkNestedValue(value[i], `${path}[${i}]`, depth + 1);
      if (!item.ok) return item;
      items.push(item.value);
    }
    return ok(items);
  }
  if (!isRecord(value)) return fail('invalid_nested_attribute', `${path} has an unsupported type`);
  const keys = Object.keys(value);
  if (keys.length === 1 && keys[0] === '$time') {
    const time = timeWrapper(value.$time, path);
    return time.ok ? ok({ $time: time.value }) : time;
  }
  return checkNestedObject(value, path, depth);
}
