import type { AttrType, CustomAttrOp, Json, Scalar } from '../ingestion/types';

/** A custom attribute as stored on a profile. */
export interface StoredAttr {
  type: AttrType;
  value: Json;
}

/** Nested objects and arrays of objects may not exceed this many bytes (contract §8.3). */
export const MAX_NESTED_BYTES = 100 * 1024;

export type OpResult =
  | { type: 'set'; attr: StoredAttr }
  | { type: 'unset' }
  | { type: 'rejected'; reason: string };

type JsonObject = { [key: string]: Json };

function isObject(v: Json | undefined): v is JsonObject {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function sameJson(a: Json | undefined, b: Json | undefined): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}

/** Deep-merge `patch` into `base`: objects merge key by key; arrays and scalars replace. */
export function deepMerge(base: JsonObject, patch: JsonObject): JsonObject {
  const out: JsonObject = { ...base };
  for (const [k, v] of Object.entries(patch)) {
    const current = out[k];
    // `{"$time": ...}` is a value, not a container.
    out[k] = isObject(current) && isObject(v) && !('$time' in v) ? deepMerge(current, v) : v;
  }
  return out;
}

/** Unique values, an element seen again moving to the end, as Braze's arrays behave. */
function addUnique(list: Scalar[], values: Scalar[]): Scalar[] {
  let out = list;
  for (const v of values) {
    out = out.filter((x) => x !== v);
    out.push(v);
  }
  return out;
}

/** Keep the newest `max` elements: a full array evicts its oldest (first) elements. */
function trim(list: Scalar[], max: number): Scalar[] {
  return list.length > max ? list.slice(list.length - max) : list;
}

function tooLarge(value: Json): boolean {
  return JSON.stringify(value).length > MAX_NESTED_BYTES;
}

/**
 * Apply one custom attribute operation to the stored value. Pure: the caller persists the result.
 * Type conflicts (incrementing a string, adding to a non-array) reject the operation.
 */
export function applyCustomOp(
  current: StoredAttr | undefined,
  op: CustomAttrOp,
  arrayMaxLength: number,
): OpResult {
  switch (op.op) {
    case 'unset':
      return { type: 'unset' };
    case 'set': {
      if (op.type === 'array') {
        // A whole array keeps first occurrences (Braze stores ['a','a','b'] as ['a','b']).
        const list = trim([...new Set(op.value as Scalar[])], arrayMaxLength);
        return { type: 'set', attr: { type: 'array', value: list } };
      }
      return { type: 'set', attr: { type: op.type, value: op.value } };
    }
    case 'inc': {
      if (current && current.type !== 'number') {
        return { type: 'rejected', reason: `${op.key} is a ${current.type}, not a number` };
      }
      const base = typeof current?.value === 'number' ? current.value : 0;
      return { type: 'set', attr: { type: 'number', value: base + op.by } };
    }
    case 'array': {
      if (current && current.type !== 'array') {
        return { type: 'rejected', reason: `${op.key} is a ${current.type}, not an array` };
      }
      const existing = Array.isArray(current?.value) ? (current.value as Scalar[]) : [];
      const removed = existing.filter((x) => !op.remove.includes(x));
      const list = trim(addUnique(removed, op.add), arrayMaxLength);
      return { type: 'set', attr: { type: 'array', value: list } };
    }
    case 'merge_object': {
      if (current && current.type !== 'object') {
        return { type: 'set', attr: { type: 'object', value: op.value } };
      }
      const base = isObject(current?.value) ? current.value : {};
      const merged = deepMerge(base, op.value);
      if (tooLarge(merged)) return { type: 'rejected', reason: `${op.key} would exceed 100 KB` };
      return { type: 'set', attr: { type: 'object', value: merged } };
    }
    case 'object_array': {
      if (current && current.type !== 'object_array') {
        return {
          type: 'rejected',
          reason: `${op.key} is a ${current.type}, not an array of objects`,
        };
      }
      let items = (Array.isArray(current?.value) ? current.value : []).filter(isObject);
      items = items.filter((item) => !op.remove.some((r) => sameJson(item[r.idKey], r.idValue)));
      items = items.map((item) => {
        const match = op.update.find((u) => sameJson(item[u.idKey], u.idValue));
        if (!match) return item;
        return op.merge ? deepMerge(item, match.patch) : match.patch;
      });
      items = [...items, ...op.add];
      if (tooLarge(items)) return { type: 'rejected', reason: `${op.key} would exceed 100 KB` };
      return { type: 'set', attr: { type: 'object_array', value: items } };
    }
  }
}
