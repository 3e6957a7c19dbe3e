import { and, eq, type SQL, sql } from 'drizzle-orm';
import { QueryBuilder } from 'drizzle-orm/sqlite-core';
import { catalogItems } from '../db/catalogs';
import type { CatalogField, FieldType } from './validate-catalog';
import {
  filterValue,
  hasLiquid,
  type Operator,
  type SelectionDefinition,
  type SelectionFilter,
} from './validate-selection';

/**
 * A selection compiled to one SQL query over `catalog_items`, so D1 filters, sorts and limits
 * and at most 50 rows cross to the Worker. Pure: the same SQL runs on D1 in production and on
 * node:sqlite in unit tests.
 */

/** A filter whose value is final: Liquid rendered, brought to the field's type. */
export interface ResolvedFilter {
  field: string;
  type: FieldType;
  operator: Operator;
  value: string | number | boolean;
}

/**
 * Render Liquid filter values with the recipient's context and coerce every value to its
 * field's type. Null when a rendered value does not fit its type: such a filter matches nothing.
 */
export async function resolveFilters(
  filters: readonly SelectionFilter[],
  fields: readonly CatalogField[],
  renderValue: (template: string) => Promise<string>,
): Promise<ResolvedFilter[] | null> {
  const types = new Map(fields.map((f) => [f.name, f.type]));
  const out: ResolvedFilter[] = [];
  for (const f of filters) {
    const type = types.get(f.field);
    if (!type) return null;
    const raw = hasLiquid(f.value) ? (await renderValue(f.value)).trim() : f.value;
    const value = filterValue(type, raw);
    if (value === null) return null;
    out.push({ field: f.field, type, operator: f.operator, value });
  }
  return out;
}

/** The SQL value of a field: `id` is the key column, the rest live in the JSON `data`. */
function fieldExpr(field: string): SQL {
  if (field === 'id') return sql`${catalogItems.itemId}`;
  return sql`json_extract(${catalogItems.data}, ${`$."${field}"`})`;
}

function condition(f: ResolvedFilter): SQL {
  const x = fieldExpr(f.field);
  // Booleans are stored as JSON true/false, which json_extract reads as 1/0.
  const v = typeof f.value === 'boolean' ? (f.value ? 1 : 0) : f.value;
  switch (f.operator) {
    case 'equals':
    case 'is':
      return sql`${x} = ${v}`;
    // A missing value is "not equal": IS NOT treats NULL as a value.
    case 'does not equal':
      return sql`${x} IS NOT ${v}`;
    case 'greater than':
    case 'after':
      return sql`${x} > ${v}`;
    case 'less than':
    case 'before':
      return sql`${x} < ${v}`;
    case 'includes value':
    case 'does not include value': {
      const path = `$."${f.field}"`;
      const hit = sql`EXISTS (SELECT 1 FROM json_each(${catalogItems.data}, ${path}) WHERE CAST(value AS TEXT) = ${String(v)})`;
      return f.operator === 'includes value' ? hit : sql`NOT ${hit}`;
    }
  }
}

function orderBy(definition: SelectionDefinition): SQL[] {
  if (!definition.sort_field || !definition.sort_order) return [sql`random()`];
  const x = fieldExpr(definition.sort_field);
  const dir = definition.sort_order === 'asc' ? sql`ASC` : sql`DESC`;
  // Items without the field come last either way; ties break by id so pages are stable.
  return [sql`(${x} IS NULL)`, sql`${x} ${dir}`, sql`${catalogItems.itemId} ASC`];
}

/** The query that returns a selection's items: `{ sql, params }` with `item_id` and `data`. */
export function selectionQuery(input: {
  workspaceId: string;
  catalogId: string;
  filters: readonly ResolvedFilter[];
  definition: SelectionDefinition;
}): { sql: string; params: unknown[] } {
  return new QueryBuilder()
    .select({ itemId: catalogItems.itemId, data: catalogItems.data })
    .from(catalogItems)
    .where(
      and(
        eq(catalogItems.workspaceId, input.workspaceId),
        eq(catalogItems.catalogId, input.catalogId),
        ...input.filters.map(condition),
      ),
    )
    .orderBy(...orderBy(input.definition))
    .limit(input.definition.results_limit)
    .toSQL();
}
