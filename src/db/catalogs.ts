import {
  index,
  integer,
  primaryKey,
  sqliteTable,
  text,
  uniqueIndex,
} from 'drizzle-orm/sqlite-core';

/**
 * Catalogs (contract §8): named tables of non-user data that Liquid reads at render time. Every
 * row carries `workspace_id`, and every index leads with it, so one workspace's catalogs never
 * cost another's reads.
 */
export const catalogs = sqliteTable(
  'catalogs',
  {
    /** Internal id: items and selections hang off it, so a deleted and recreated name starts empty. */
    id: text('id').primaryKey(),
    workspaceId: text('workspace_id').notNull(),
    name: text('name').notNull(),
    description: text('description').notNull().default(''),
    /** JSON `[{ name, type }]`, `id` first; validated by `StoredFields` on every read. */
    fields: text('fields').notNull(),
    /** Kept in step with `catalog_items` inside the same batch as every item write. */
    numItems: integer('num_items').notNull().default(0),
    createdAt: integer('created_at').notNull(),
    updatedAt: integer('updated_at').notNull(),
  },
  (t) => [
    uniqueIndex('catalogs_workspace_name').on(t.workspaceId, t.name),
    index('catalogs_workspace_created').on(t.workspaceId, t.createdAt),
  ],
);

/**
 * Catalog items: one row per item, its fields (all but `id`) as a JSON object. The primary key
 * doubles as the keyset index that pages `GET /catalogs/{name}/items` by item id.
 */
export const catalogItems = sqliteTable(
  'catalog_items',
  {
    workspaceId: text('workspace_id').notNull(),
    catalogId: text('catalog_id').notNull(),
    itemId: text('item_id').notNull(),
    /** JSON object of typed values; times are stored as UTC ISO-8601 strings so they sort. */
    data: text('data').notNull(),
    updatedAt: integer('updated_at').notNull(),
  },
  (t) => [primaryKey({ columns: [t.workspaceId, t.catalogId, t.itemId] })],
);

/** Catalog selections: saved filters, sort and limit for `{% catalog_selection_items %}`. */
export const catalogSelections = sqliteTable(
  'catalog_selections',
  {
    workspaceId: text('workspace_id').notNull(),
    catalogId: text('catalog_id').notNull(),
    name: text('name').notNull(),
    description: text('description'),
    /** JSON `{ filters, results_limit, sort_field, sort_order }`, validated on every read. */
    definition: text('definition').notNull(),
    createdAt: integer('created_at').notNull(),
  },
  (t) => [primaryKey({ columns: [t.workspaceId, t.catalogId, t.name] })],
);
