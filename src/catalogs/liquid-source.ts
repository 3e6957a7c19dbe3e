import type { CatalogItem, CatalogSource } from '../personalization/sources';
import { getItems } from './item-store';
import { resolveFilters, selectionQuery } from './selection-query';
import { getCatalog, getSelection, itemOut, StoredItemData } from './store';

/**
 * The catalogs a render may read, for one workspace: `{% catalog_items %}` and
 * `{% catalog_selection_items %}` over D1. A selection runs as one query, so at most its results
 * limit (≤ 50) of rows leave D1 whatever the catalog's size.
 */
export function d1CatalogSource(db: D1Database, workspaceId: string): CatalogSource {
  return {
    async items(catalogName, ids) {
      const catalog = await getCatalog(db, workspaceId, catalogName);
      if (!catalog || ids.length === 0) return [];
      const found = await getItems(db, catalog, ids);
      const out: CatalogItem[] = [];
      for (const id of ids) {
        const data = found.get(id);
        if (data) out.push(itemOut(id, data));
      }
      return out;
    },

    async selection(catalogName, selectionName, renderValue) {
      const catalog = await getCatalog(db, workspaceId, catalogName);
      if (!catalog) return [];
      const selection = await getSelection(db, catalog, selectionName);
      if (!selection) return [];
      const filters = await resolveFilters(
        selection.definition.filters,
        catalog.fields,
        renderValue,
      );
      if (!filters) return [];
      const q = selectionQuery({
        workspaceId,
        catalogId: catalog.id,
        filters,
        definition: selection.definition,
      });
      const { results } = await db
        .prepare(q.sql)
        .bind(...q.params)
        .all<{ item_id: string; data: string }>();
      return results.map((r) => itemOut(r.item_id, StoredItemData.parse(JSON.parse(r.data))));
    },
  };
}
