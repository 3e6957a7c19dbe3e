import { and, asc, desc, eq, gt, inArray, lt, type SQL, sql } from 'drizzle-orm';
import type { BatchItem } from 'drizzle-orm/batch';
import { drizzle } from 'drizzle-orm/d1';
import { catalogItems, catalogs } from '../db/catalogs';
import { type Cursor, PAGE_SIZE } from './cursor';
import type { ItemData } from './item-values';
import { type Catalog, isUniqueViolation, runBatch, StoredItemData } from './store';

/** D1 binds at most 100 parameters per statement. */
const MAX_PARAMS = 100;
/** `catalog_items` has five columns: twenty rows fill one insert. */
const ROWS_PER_INSERT = Math.floor(MAX_PARAMS / 5);
/** Ids per `IN (...)` look-up, beside the workspace and catalog ids. */
const IDS_PER_LOOKUP = MAX_PARAMS - 2;

/** One stored item. */
export interface StoredItem {
  id: string;
  data: ItemData;
}

function chunks<T>(list: readonly T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < list.length; i += size) out.push(list.slice(i, i + size));
  return out;
}

function inCatalog(catalog: Catalog, ...more: (SQL | undefined)[]): SQL | undefined {
  return and(
    eq(catalogItems.workspaceId, catalog.workspaceId),
    eq(catalogItems.catalogId, catalog.id),
    ...more,
  );
}

function parseData(json: string): ItemData {
  return StoredItemData.parse(JSON.parse(json));
}

/** The stored items with these ids, by id; unknown ids are absent. */
export async function getItems(
  db: D1Database,
  catalog: Catalog,
  ids: readonly string[],
): Promise<Map<string, ItemData>> {
  const out = new Map<string, ItemData>();
  for (const part of chunks([...new Set(ids)], IDS_PER_LOOKUP)) {
    const rows = await drizzle(db)
      .select({ id: catalogItems.itemId, data: catalogItems.data })
      .from(catalogItems)
      .where(inCatalog(catalog, inArray(catalogItems.itemId, part)))
      .all();
    for (const r of rows) out.set(r.id, parseData(r.data));
  }
  return out;
}

async function anyItem(db: D1Database, catalog: Catalog, where: SQL): Promise<boolean> {
  const row = await drizzle(db)
    .select({ id: catalogItems.itemId })
    .from(catalogItems)
    .where(inCatalog(catalog, where))
    .limit(1)
    .get();
  return row !== undefined;
}

/**
 * One page of items in id order, by keyset: 50 items after (or before) the cursor's id, and
 * cursors for the neighbouring pages when they hold anything.
 */
export async function pageItems(
  db: D1Database,
  catalog: Catalog,
  cursor: Cursor | null,
): Promise<{ items: StoredItem[]; prev: Cursor | null; next: Cursor | null }> {
  const backwards = cursor?.direction === 'before';
  const bound = cursor
    ? backwards
      ? lt(catalogItems.itemId, cursor.itemId)
      : gt(catalogItems.itemId, cursor.itemId)
    : undefined;
  const rows = await drizzle(db)
    .select({ id: catalogItems.itemId, data: catalogItems.data })
    .from(catalogItems)
    .where(inCatalog(catalog, bound))
    .orderBy(backwards ? desc(catalogItems.itemId) : asc(catalogItems.itemId))
    .limit(PAGE_SIZE + 1)
    .all();
  const more = rows.length > PAGE_SIZE;
  const page = rows.slice(0, PAGE_SIZE);
  if (backwards) page.reverse();
  const items = page.map((r) => ({ id: r.id, data: parseData(r.data) }));
  const first = items[0]?.id;
  const last = items[items.length - 1]?.id;
  if (first === undefined || last === undefined) return { items, prev: null, next: null };
  const hasPrev = backwards
    ? more
    : cursor !== null && (await anyItem(db, catalog, lt(catalogItems.itemId, first)));
  const hasNext = backwards ? await anyItem(db, catalog, gt(catalogItems.itemId, last)) : more;
  return {
    items,
    prev: hasPrev ? { direction: 'before', itemId: first } : null,
    next: hasNext ? { direction: 'after', itemId: last } : null,
  };
}

/**
 * Keep `num_items` exact inside the write's own transaction: before the rows change, add the
 * ids that are new (`insert`) or subtract the ids that exist (`remove`).
 */
function countStatement(
  db: D1Database,
  input: { catalog: Catalog; ids: readonly string[]; kind: 'insert' | 'remove'; now: number },
) {
  const list = sql.join(
    input.ids.map((id) => sql`${id}`),
    sql`, `,
  );
  const existing = sql`(SELECT count(*) FROM catalog_items WHERE workspace_id = ${input.catalog.workspaceId} AND catalog_id = ${input.catalog.id} AND item_id IN (${list}))`;
  const delta =
    input.kind === 'insert' ? sql`${input.ids.length} - ${existing}` : sql`0 - ${existing}`;
  return drizzle(db)
    .update(catalogs)
    .set({ numItems: sql`${catalogs.numItems} + ${delta}`, updatedAt: input.now })
    .where(
      and(eq(catalogs.workspaceId, input.catalog.workspaceId), eq(catalogs.id, input.catalog.id)),
    );
}

function rowsOf(catalog: Catalog, items: readonly StoredItem[], now: number) {
  return items.map((i) => ({
    workspaceId: catalog.workspaceId,
    catalogId: catalog.id,
    itemId: i.id,
    data: JSON.stringify(i.data),
    updatedAt: now,
  }));
}

/**
 * Write items in one transaction. `insert` refuses ids that exist (the whole request fails with
 * `exists`), `upsert` creates or replaces, `update` rewrites existing rows only.
 */
export async function writeItems(
  db: D1Database,
  input: {
    catalog: Catalog;
    items: readonly StoredItem[];
    mode: 'insert' | 'upsert' | 'update';
    now: number;
  },
): Promise<'written' | 'exists'> {
  const { catalog, items, now } = input;
  if (items.length === 0) return 'written';
  if (items.length > IDS_PER_LOOKUP - 4) throw new Error('too many items for one write');
  const d = drizzle(db);
  const ids = items.map((i) => i.id);
  const statements: BatchItem<'sqlite'>[] = [];
  if (input.mode === 'update') {
    for (const row of rowsOf(catalog, items, now)) {
      statements.push(
        d
          .update(catalogItems)
          .set({ data: row.data, updatedAt: now })
          .where(inCatalog(catalog, eq(catalogItems.itemId, row.itemId))),
      );
    }
    statements.push(
      d
        .update(catalogs)
        .set({ updatedAt: now })
        .where(and(eq(catalogs.workspaceId, catalog.workspaceId), eq(catalogs.id, catalog.id))),
    );
  } else {
    statements.push(countStatement(db, { catalog, ids, kind: 'insert', now }));
    for (const part of chunks(rowsOf(catalog, items, now), ROWS_PER_INSERT)) {
      const insert = d.insert(catalogItems).values(part);
      statements.push(
        input.mode === 'insert'
          ? insert
          : insert.onConflictDoUpdate({
              target: [catalogItems.workspaceId, catalogItems.catalogId, catalogItems.itemId],
              set: { data: sql`excluded.data`, updatedAt: sql`excluded.updated_at` },
            }),
      );
    }
  }
  try {
    await runBatch(db, statements);
  } catch (err) {
    // A concurrent insert won the race for an id: the batch rolled back whole.
    if (input.mode === 'insert' && isUniqueViolation(err)) return 'exists';
    throw err;
  }
  return 'written';
}

/** Delete items by id in one transaction; ids that do not exist are ignored. */
export async function deleteItems(
  db: D1Database,
  input: { catalog: Catalog; ids: readonly string[]; now: number },
): Promise<void> {
  const { catalog, ids, now } = input;
  if (ids.length === 0) return;
  if (ids.length > IDS_PER_LOOKUP - 4) throw new Error('too many items for one delete');
  await runBatch(db, [
    countStatement(db, { catalog, ids, kind: 'remove', now }),
    drizzle(db)
      .delete(catalogItems)
      .where(inCatalog(catalog, inArray(catalogItems.itemId, [...ids]))),
  ]);
}
