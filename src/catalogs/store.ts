import { and, asc, count, eq, sql } from 'drizzle-orm';
import type { BatchItem } from 'drizzle-orm/batch';
import { drizzle } from 'drizzle-orm/d1';
import { z } from 'zod';
import { catalogItems, catalogSelections, catalogs } from '../db/catalogs';
import type { ItemData } from './item-values';
import { type CatalogField, type NewCatalog, StoredFields } from './validate-catalog';
import { type NewSelection, SelectionDefinition } from './validate-selection';

/** A catalog as the rest of the code sees it. */
export interface Catalog {
  id: string;
  workspaceId: string;
  name: string;
  description: string;
  fields: CatalogField[];
  numItems: number;
  updatedAt: number;
  /** The `fields` column as read, to guard read-modify-write updates of the field list. */
  fieldsJson: string;
}

/** A stored selection, its definition validated. */
export interface Selection {
  name: string;
  description: string | null;
  definition: SelectionDefinition;
}

type CatalogRow = typeof catalogs.$inferSelect;

function toCatalog(row: CatalogRow): Catalog {
  return {
    id: row.id,
    workspaceId: row.workspaceId,
    name: row.name,
    description: row.description,
    fields: StoredFields.parse(JSON.parse(row.fields)),
    numItems: row.numItems,
    updatedAt: row.updatedAt,
    fieldsJson: row.fields,
  };
}

/** Run statements as one D1 batch: a transaction, so a write lands whole or not at all. */
export async function runBatch(db: D1Database, statements: BatchItem<'sqlite'>[]): Promise<void> {
  if (statements.length === 0) return;
  await drizzle(db).batch(statements as [BatchItem<'sqlite'>, ...BatchItem<'sqlite'>[]]);
}

/** True for the error D1 raises when a unique key is already taken. */
export function isUniqueViolation(err: unknown): boolean {
  const text = `${(err as Error)?.message ?? ''} ${String((err as { cause?: unknown })?.cause ?? '')}`;
  return text.includes('UNIQUE constraint failed');
}

/** One catalog of a workspace, by name. */
export async function getCatalog(
  db: D1Database,
  workspaceId: string,
  name: string,
): Promise<Catalog | null> {
  const row = await drizzle(db)
    .select()
    .from(catalogs)
    .where(and(eq(catalogs.workspaceId, workspaceId), eq(catalogs.name, name)))
    .get();
  return row ? toCatalog(row) : null;
}

/** Every catalog of a workspace, oldest first. */
export async function listCatalogs(db: D1Database, workspaceId: string): Promise<Catalog[]> {
  const rows = await drizzle(db)
    .select()
    .from(catalogs)
    .where(eq(catalogs.workspaceId, workspaceId))
    .orderBy(asc(catalogs.createdAt), asc(catalogs.name))
    .all();
  return rows.map(toCatalog);
}

/** Create a catalog; `exists` when the workspace already has one by that name. */
export async function createCatalog(
  db: D1Database,
  input: { workspaceId: string; catalog: NewCatalog; now: number },
): Promise<{ type: 'created'; catalog: Catalog } | { type: 'exists' }> {
  const fields = JSON.stringify(input.catalog.fields);
  const row: CatalogRow = {
    id: crypto.randomUUID(),
    workspaceId: input.workspaceId,
    name: input.catalog.name,
    description: input.catalog.description,
    fields,
    numItems: 0,
    createdAt: input.now,
    updatedAt: input.now,
  };
  try {
    await drizzle(db).insert(catalogs).values(row).run();
  } catch (err) {
    if (isUniqueViolation(err)) return { type: 'exists' };
    throw err;
  }
  return { type: 'created', catalog: toCatalog(row) };
}

/** Delete a catalog with its items and selections, in one transaction. */
export async function deleteCatalog(db: D1Database, catalog: Catalog): Promise<void> {
  const d = drizzle(db);
  const ws = catalog.workspaceId;
  await runBatch(db, [
    d
      .delete(catalogItems)
      .where(and(eq(catalogItems.workspaceId, ws), eq(catalogItems.catalogId, catalog.id))),
    d
      .delete(catalogSelections)
      .where(
        and(eq(catalogSelections.workspaceId, ws), eq(catalogSelections.catalogId, catalog.id)),
      ),
    d.delete(catalogs).where(and(eq(catalogs.workspaceId, ws), eq(catalogs.id, catalog.id))),
  ]);
}

function fieldsUpdate(db: D1Database, catalog: Catalog, fields: CatalogField[], now: number) {
  // Guarded by the list as read: a concurrent change to the fields makes this a no-op.
  return drizzle(db)
    .update(catalogs)
    .set({ fields: JSON.stringify(fields), updatedAt: now })
    .where(
      and(
        eq(catalogs.workspaceId, catalog.workspaceId),
        eq(catalogs.id, catalog.id),
        eq(catalogs.fields, catalog.fieldsJson),
      ),
    );
}

/** Append fields; `conflict` when the field list changed since it was read. */
export async function addFields(
  db: D1Database,
  input: { catalog: Catalog; fields: CatalogField[]; now: number },
): Promise<'added' | 'conflict'> {
  const next = [...input.catalog.fields, ...input.fields];
  const result = await fieldsUpdate(db, input.catalog, next, input.now).run();
  return result.meta.changes > 0 ? 'added' : 'conflict';
}

/**
 * Remove a field from the catalog and its value from every item, in one transaction. The items
 * are only touched if the field list was still the one read.
 */
export async function deleteField(
  db: D1Database,
  input: { catalog: Catalog; field: string; now: number },
): Promise<'deleted' | 'conflict'> {
  const { catalog } = input;
  const next = catalog.fields.filter((f) => f.name !== input.field);
  const d = drizzle(db);
  const fieldsStillRead = sql`EXISTS (SELECT 1 FROM catalogs WHERE id = ${catalog.id} AND fields = ${JSON.stringify(next)})`;
  const [updated] = (await d.batch([
    fieldsUpdate(db, catalog, next, input.now),
    d
      .update(catalogItems)
      .set({ data: sql`json_remove(${catalogItems.data}, ${`$."${input.field}"`})` })
      .where(
        and(
          eq(catalogItems.workspaceId, catalog.workspaceId),
          eq(catalogItems.catalogId, catalog.id),
          fieldsStillRead,
        ),
      ),
  ])) as unknown as [D1Result, D1Result];
  return updated.meta.changes > 0 ? 'deleted' : 'conflict';
}

type SelectionRow = typeof catalogSelections.$inferSelect;

function toSelection(row: SelectionRow): Selection {
  return {
    name: row.name,
    description: row.description,
    definition: SelectionDefinition.parse(JSON.parse(row.definition)),
  };
}

/** A catalog's selections, by name. */
export async function listSelections(db: D1Database, catalog: Catalog): Promise<Selection[]> {
  const rows = await drizzle(db)
    .select()
    .from(catalogSelections)
    .where(
      and(
        eq(catalogSelections.workspaceId, catalog.workspaceId),
        eq(catalogSelections.catalogId, catalog.id),
      ),
    )
    .orderBy(asc(catalogSelections.name))
    .all();
  return rows.map(toSelection);
}

/** One selection of a catalog, or null. */
export async function getSelection(
  db: D1Database,
  catalog: Catalog,
  name: string,
): Promise<Selection | null> {
  const row = await drizzle(db)
    .select()
    .from(catalogSelections)
    .where(
      and(
        eq(catalogSelections.workspaceId, catalog.workspaceId),
        eq(catalogSelections.catalogId, catalog.id),
        eq(catalogSelections.name, name),
      ),
    )
    .get();
  return row ? toSelection(row) : null;
}

/** Save a selection; `exists` for a taken name, `limit` when the catalog already has `max`. */
export async function createSelection(
  db: D1Database,
  input: { catalog: Catalog; selection: NewSelection; max: number; now: number },
): Promise<'created' | 'exists' | 'limit'> {
  const { catalog } = input;
  const d = drizzle(db);
  const where = and(
    eq(catalogSelections.workspaceId, catalog.workspaceId),
    eq(catalogSelections.catalogId, catalog.id),
  );
  const existing = await d.select({ n: count() }).from(catalogSelections).where(where).get();
  if ((existing?.n ?? 0) >= input.max) return 'limit';
  try {
    await d
      .insert(catalogSelections)
      .values({
        workspaceId: catalog.workspaceId,
        catalogId: catalog.id,
        name: input.selection.name,
        description: input.selection.description,
        definition: JSON.stringify(input.selection.definition),
        createdAt: input.now,
      })
      .run();
  } catch (err) {
    if (isUniqueViolation(err)) return 'exists';
    throw err;
  }
  return 'created';
}

/** Delete a selection; false when there was none by that name. */
export async function deleteSelection(
  db: D1Database,
  catalog: Catalog,
  name: string,
): Promise<boolean> {
  const result = await drizzle(db)
    .delete(catalogSelections)
    .where(
      and(
        eq(catalogSelections.workspaceId, catalog.workspaceId),
        eq(catalogSelections.catalogId, catalog.id),
        eq(catalogSelections.name, name),
      ),
    )
    .run();
  return result.meta.changes > 0;
}

/** Item data as stored: a JSON object, parsed at the D1 boundary. */
export const StoredItemData = z.record(z.string(), z.unknown());

/** An item as the API shows it: `id` first, then its fields. */
export function itemOut(itemId: string, data: ItemData): Record<string, unknown> & { id: string } {
  return { id: itemId, ...data };
}
