import { type CatalogError, type Checked, catalogError } from './errors';
import { checkItemFields, type ItemChange } from './item-values';
import { type CatalogField, MAX_NAME_LENGTH, NAME_PATTERN } from './validate-catalog';

/** Items per bulk request (contract §10.9 #139). */
export const MAX_ITEMS_PER_REQUEST = 50;

/** One item of a write request: its id and what to do to its fields. */
export interface ItemWrite {
  id: string;
  change: ItemChange;
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function fail<T>(errors: CatalogError[]): Checked<T> {
  return { ok: false, errors };
}

/** `items` as a non-empty array of objects, at most `max` of them. */
function readItems(body: unknown, max: number): Checked<Record<string, unknown>[]> {
  const items = isRecord(body) ? body.items : undefined;
  if (!Array.isArray(items) || items.length === 0 || !items.every(isRecord)) {
    return fail([
      catalogError('item-array-invalid', 'items must be an array of objects', ['items']),
    ]);
  }
  if (items.length > max) {
    return fail([
      catalogError(
        'request-includes-too-many-items',
        `The request has too many items: the limit is ${max}`,
        ['items'],
        [items.length],
      ),
    ]);
  }
  return { ok: true, value: items };
}

/** Problems with one item id: not a string, too long, or outside `[A-Za-z0-9_-]`. */
export function itemIdError(id: unknown): CatalogError | null {
  if (typeof id !== 'string') {
    return catalogError('ids-not-strings', 'Item ids must be strings', ['id'], [id]);
  }
  if (id.length > MAX_NAME_LENGTH) {
    return catalogError(
      'ids-too-large',
      `Item ids can be at most ${MAX_NAME_LENGTH} characters`,
      ['id'],
      [id],
    );
  }
  if (id.length === 0 || !NAME_PATTERN.test(id)) {
    return catalogError(
      'invalid-ids',
      'Item ids can only include letters, numbers, hyphens, and underscores',
      ['id'],
      [id],
    );
  }
  return null;
}

/** The ids of a bulk request's items: every item has one, each valid and unique. */
function readIds(items: Record<string, unknown>[]): Checked<string[]> {
  const missing = items.filter((i) => i.id === undefined || i.id === null).length;
  if (missing > 0) {
    return fail([
      catalogError('items-missing-ids', `There are ${missing} item(s) that do not have ids`),
    ]);
  }
  const errors = items.map((i) => itemIdError(i.id)).filter((e) => e !== null);
  if (errors.length > 0) return fail(errors);
  const ids = items.map((i) => i.id as string);
  const seen = new Set<string>();
  const repeated = new Set<string>();
  for (const id of ids) {
    if (seen.has(id)) repeated.add(id);
    seen.add(id);
  }
  if (repeated.size > 0) {
    return fail(
      [...repeated].map((id) =>
        catalogError('ids-not-unique', 'Item ids must be unique in the request', ['id'], [id]),
      ),
    );
  }
  return { ok: true, value: ids };
}

/**
 * Validate a bulk write (`POST`/`PUT`/`PATCH /catalogs/{name}/items`): up to 50 items, each with
 * a valid unique id and fields of the catalog. Every problem is reported; nothing is partial.
 */
export function checkBulkWrite(
  body: unknown,
  fields: readonly CatalogField[],
  patch: boolean,
): Checked<ItemWrite[]> {
  const items = readItems(body, MAX_ITEMS_PER_REQUEST);
  if (!items.ok) return items;
  const ids = readIds(items.value);
  if (!ids.ok) return ids;
  const errors: CatalogError[] = [];
  const writes: ItemWrite[] = [];
  items.value.forEach((item, i) => {
    const id = ids.value[i]!;
    const { id: _, ...raw } = item;
    const checked = checkItemFields({ itemId: id, raw, fields, patch });
    if (checked.ok) writes.push({ id, change: checked.value });
    else errors.push(...checked.errors);
  });
  return errors.length > 0 ? fail(errors) : { ok: true, value: writes };
}

/** Validate a bulk delete body: up to 50 `{ "id": ... }` objects. */
export function checkBulkDelete(body: unknown): Checked<string[]> {
  const items = readItems(body, MAX_ITEMS_PER_REQUEST);
  if (!items.ok) return items;
  return readIds(items.value);
}

/** Validate an item id taken from the path. */
export function checkPathItemId(id: string): Checked<string> {
  const error = itemIdError(id);
  return error ? fail([error]) : { ok: true, value: id };
}

/**
 * Validate a single-item write (`/catalogs/{name}/items/{item_id}`): exactly one item, without
 * `id` in the body (it comes from the path).
 */
export function checkSingleWrite(input: {
  body: unknown;
  itemId: string;
  fields: readonly CatalogField[];
  patch: boolean;
}): Checked<ItemChange> {
  const id = checkPathItemId(input.itemId);
  if (!id.ok) return id;
  const items = readItems(input.body, 1);
  if (!items.ok) return items;
  const raw = items.value[0]!;
  if ('id' in raw) {
    return fail([
      catalogError('id-in-body', 'Item ids belong in the path, not the body', ['id'], [raw.id]),
    ]);
  }
  return checkItemFields({ itemId: input.itemId, raw, fields: input.fields, patch: input.patch });
}
