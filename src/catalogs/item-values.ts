import { type CatalogError, type Checked, catalogError } from './errors';
import type { CatalogField, FieldType } from './validate-catalog';

/** Largest value of one item field, in characters (contract §10.9 #137). */
export const MAX_VALUE_LENGTH = 5_000;
/** Deepest nesting of objects and arrays inside a value (#138). */
export const MAX_NESTING = 50;
/** Longest string a selection can filter on; longer values are refused for filtered fields. */
export const MAX_FILTERED_STRING_LENGTH = 1_000;

/** An item's fields, `id` excluded, each value already of its field's type. */
export type ItemData = Record<string, unknown>;

/** `{ "$add": [...], "$remove": [...] }` on an array field (PATCH only). */
export interface ArrayOp {
  add: unknown[];
  remove: unknown[];
}

/** What one item of a request asks for: values to set, fields to clear, array edits. */
export interface ItemChange {
  set: ItemData;
  unset: string[];
  ops: Record<string, ArrayOp>;
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

const NUMERIC = /^\s*[-+]?(\d+(\.\d*)?|\.\d+)([eE][-+]?\d+)?\s*$/;
const ISO_DATE = /^\d{4}-\d{2}-\d{2}([T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?)?$/;

/**
 * Convert a value to a field's type the way Braze coerces CSV and API input: numbers and
 * booleans become strings for string fields, numeric strings become numbers, `"true"`/`"false"`
 * become booleans, and times are normalised to UTC ISO-8601 so they compare as text.
 */
export function coerceValue(
  type: FieldType,
  v: unknown,
): { ok: true; value: unknown } | { ok: false } {
  switch (type) {
    case 'string':
      if (typeof v === 'string') return { ok: true, value: v };
      if ((typeof v === 'number' && Number.isFinite(v)) || typeof v === 'boolean') {
        return { ok: true, value: String(v) };
      }
      return { ok: false };
    case 'number':
      if (typeof v === 'number' && Number.isFinite(v)) return { ok: true, value: v };
      if (typeof v === 'string' && NUMERIC.test(v)) return { ok: true, value: Number(v) };
      return { ok: false };
    case 'boolean':
      if (typeof v === 'boolean') return { ok: true, value: v };
      if (typeof v === 'string' && /^(true|false)$/i.test(v.trim())) {
        return { ok: true, value: v.trim().toLowerCase() === 'true' };
      }
      return { ok: false };
    case 'time': {
      const m = typeof v === 'string' ? ISO_DATE.exec(v.trim()) : null;
      if (!m) return { ok: false };
      // A time without an offset is UTC, never the runtime's local zone.
      const text = m[1] && !m[4] ? `${m[0]}Z` : m[0];
      const ms = Date.parse(text.replace(' ', 'T'));
      return Number.isNaN(ms) ? { ok: false } : { ok: true, value: new Date(ms).toISOString() };
    }
    case 'array':
      return Array.isArray(v) ? { ok: true, value: v } : { ok: false };
    case 'object':
      return isRecord(v) ? { ok: true, value: v } : { ok: false };
  }
}

/**
 * The first structural problem in a value: object keys with `.` or `$`, or nesting deeper than
 * 50. Stops descending at the limit, so a hostile body cannot exhaust the stack.
 */
export function structureProblem(v: unknown, depth = 0): 'keys' | 'nesting' | null {
  if (typeof v !== 'object' || v === null) return null;
  if (depth >= MAX_NESTING) return 'nesting';
  const children = Array.isArray(v) ? v : Object.values(v);
  if (!Array.isArray(v) && Object.keys(v).some((k) => k.includes('.') || k.includes('$'))) {
    return 'keys';
  }
  for (const child of children) {
    const p = structureProblem(child, depth + 1);
    if (p) return p;
  }
  return null;
}

/** Characters a value takes: a string's length, or the length of its JSON. */
export function valueLength(v: unknown): number {
  return typeof v === 'string' ? v.length : JSON.stringify(v).length;
}

function itemError(id: string, itemId: string, message: string): CatalogError {
  return catalogError(id, message, ['id'], [itemId]);
}

function tooLarge(itemId: string, field: string): CatalogError {
  return itemError(
    'items-too-large',
    itemId,
    `Field ${field} is longer than ${MAX_VALUE_LENGTH} characters`,
  );
}

function readArrayOp(v: unknown): ArrayOp | null {
  if (!isRecord(v)) return null;
  const keys = Object.keys(v);
  if (keys.length === 0 || !keys.every((k) => k === '$add' || k === '$remove')) return null;
  const add = v.$add ?? [];
  const remove = v.$remove ?? [];
  return Array.isArray(add) && Array.isArray(remove) ? { add, remove } : null;
}

/**
 * Check one item's fields (without `id`) against the catalog: unknown fields, structure, types
 * and sizes. `patch` admits `$add`/`$remove` on array fields; `null` clears a field.
 */
export function checkItemFields(input: {
  itemId: string;
  raw: Record<string, unknown>;
  fields: readonly CatalogField[];
  patch: boolean;
}): Checked<ItemChange> {
  const { itemId, raw } = input;
  const types = new Map(input.fields.filter((f) => f.name !== 'id').map((f) => [f.name, f.type]));
  const unknown = Object.keys(raw).filter((k) => !types.has(k));
  if (unknown.length > 0) {
    return {
      ok: false,
      errors: [
        itemError(
          'invalid-fields',
          itemId,
          `Some of the fields given do not exist in the catalog: ${unknown.slice(0, 5).join(', ')}`,
        ),
      ],
    };
  }
  const errors: CatalogError[] = [];
  const change: ItemChange = { set: {}, unset: [], ops: {} };
  for (const [field, value] of Object.entries(raw)) {
    const type = types.get(field)!;
    if (value === null) {
      change.unset.push(field);
      continue;
    }
    const op = input.patch && type === 'array' ? readArrayOp(value) : null;
    const structure = structureProblem(op ? [...op.add, ...op.remove] : value);
    if (structure === 'keys') {
      errors.push(
        itemError(
          'invalid-keys-in-value-object',
          itemId,
          `Object keys in field ${field} cannot contain . or $`,
        ),
      );
      continue;
    }
    if (structure === 'nesting') {
      errors.push(
        itemError(
          'too-deep-nesting-in-value-object',
          itemId,
          `Field ${field} nests deeper than ${MAX_NESTING} levels`,
        ),
      );
      continue;
    }
    if (op) {
      change.ops[field] = op;
      continue;
    }
    const coerced = coerceValue(type, value);
    if (!coerced.ok) {
      errors.push(
        itemError('unable-to-coerce-value', itemId, `Field ${field} could not be read as ${type}`),
      );
      continue;
    }
    if (valueLength(coerced.value) > MAX_VALUE_LENGTH) {
      errors.push(tooLarge(itemId, field));
      continue;
    }
    change.set[field] = coerced.value;
  }
  return errors.length > 0 ? { ok: false, errors } : { ok: true, value: change };
}

/**
 * Apply a change to an item's stored data (`null` for a new or replaced item). Array edits
 * remove first, then append; the result is checked against the size limit again.
 */
export function applyChange(
  itemId: string,
  current: ItemData | null,
  change: ItemChange,
): Checked<ItemData> {
  const next: ItemData = { ...(current ?? {}), ...change.set };
  for (const field of change.unset) delete next[field];
  for (const [field, op] of Object.entries(change.ops)) {
    const removed = new Set(op.remove.map((v) => JSON.stringify(v)));
    const base = Array.isArray(next[field]) ? (next[field] as unknown[]) : [];
    const result = [...base.filter((v) => !removed.has(JSON.stringify(v))), ...op.add];
    if (valueLength(result) > MAX_VALUE_LENGTH) {
      return { ok: false, errors: [tooLarge(itemId, field)] };
    }
    next[field] = result;
  }
  return { ok: true, value: next };
}

/** `filtered-set-field-too-long` when a string field a selection filters on exceeds 1,000. */
export function checkFilteredFields(
  itemId: string,
  data: ItemData,
  filtered: ReadonlySet<string>,
): CatalogError | null {
  for (const field of filtered) {
    const v = data[field];
    if (typeof v === 'string' && v.length > MAX_FILTERED_STRING_LENGTH) {
      return itemError(
        'filtered-set-field-too-long',
        itemId,
        `Field ${field} is used by a selection and cannot exceed ${MAX_FILTERED_STRING_LENGTH} characters`,
      );
    }
  }
  return null;
}
