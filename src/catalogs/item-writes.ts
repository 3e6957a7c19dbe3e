import { type CatalogError, catalogError, invalidRequest, itemNotFound } from './errors';
import { getItems, type StoredItem, writeItems } from './item-store';
import { applyChange, checkFilteredFields, type ItemData } from './item-values';
import { type Catalog, listSelections } from './store';
import type { ItemWrite } from './validate-items';

/**
 * How a write treats items: `create` refuses existing ids, `replace` creates or overwrites,
 * `update` edits existing items (unknown ids are skipped in bulk, a 404 for a single item).
 */
export type WriteMode = 'create' | 'replace' | 'update';

/** String fields some selection filters on: their values may not exceed 1,000 characters. */
async function filteredStringFields(db: D1Database, catalog: Catalog): Promise<Set<string>> {
  const strings = new Set(catalog.fields.filter((f) => f.type === 'string').map((f) => f.name));
  const selections = await listSelections(db, catalog);
  const out = new Set<string>();
  for (const s of selections) {
    for (const f of s.definition.filters) if (strings.has(f.field)) out.add(f.field);
  }
  return out;
}

function alreadyExists(ids: readonly string[]): CatalogError[] {
  return ids.map((id) =>
    catalogError('item-already-exists', 'The item already exists in the catalog', ['id'], [id]),
  );
}

/**
 * Apply validated item writes in one transaction, or throw the request's errors and write
 * nothing. `single` makes a missing item a 404 instead of a skipped one.
 */
export async function applyItemWrites(
  db: D1Database,
  input: {
    catalog: Catalog;
    writes: readonly ItemWrite[];
    mode: WriteMode;
    single: boolean;
    now: number;
  },
): Promise<void> {
  const { catalog, writes, mode } = input;
  const ids = writes.map((w) => w.id);
  const current =
    mode === 'replace' ? new Map<string, ItemData>() : await getItems(db, catalog, ids);
  if (mode === 'create') {
    const taken = ids.filter((id) => current.has(id));
    if (taken.length > 0) throw invalidRequest(alreadyExists(taken));
  }
  if (mode === 'update' && input.single && !current.has(ids[0]!)) throw itemNotFound(ids[0]!);

  const filtered = await filteredStringFields(db, catalog);
  const errors: CatalogError[] = [];
  const items: StoredItem[] = [];
  for (const w of writes) {
    const base = mode === 'update' ? current.get(w.id) : null;
    if (mode === 'update' && !base) continue;
    const next = applyChange(w.id, base ?? null, w.change);
    if (!next.ok) {
      errors.push(...next.errors);
      continue;
    }
    const tooLong = checkFilteredFields(w.id, next.value, filtered);
    if (tooLong) errors.push(tooLong);
    else items.push({ id: w.id, data: next.value });
  }
  if (errors.length > 0) throw invalidRequest(errors);

  const storeMode = mode === 'create' ? 'insert' : mode === 'replace' ? 'upsert' : 'update';
  const result = await writeItems(db, { catalog, items, mode: storeMode, now: input.now });
  if (result === 'exists') throw invalidRequest(alreadyExists(ids));
}
