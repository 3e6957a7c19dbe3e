import { z } from 'zod';
import { type CatalogError, type Checked, catalogError } from './errors';
import { coerceValue } from './item-values';
import {
  type CatalogField,
  type FieldType,
  MAX_DESCRIPTION_LENGTH,
  MAX_NAME_LENGTH,
  NAME_PATTERN,
} from './validate-catalog';

/** Selections per catalog, filters per selection, largest results limit (contract §10.9 #141). */
export const MAX_SELECTIONS = 30;
export const MAX_FILTERS = 10;
export const MAX_RESULTS_LIMIT = 50;

export const Operator = z.enum([
  'equals',
  'does not equal',
  'greater than',
  'less than',
  'is',
  'before',
  'after',
  'includes value',
  'does not include value',
]);
export type Operator = z.infer<typeof Operator>;

/** Which operators each field type admits (contract §8.2); objects cannot be filtered. */
export const OPERATORS_BY_TYPE: Record<FieldType, readonly Operator[]> = {
  string: ['equals', 'does not equal'],
  number: ['equals', 'does not equal', 'greater than', 'less than'],
  boolean: ['is'],
  time: ['before', 'after'],
  array: ['includes value', 'does not include value'],
  object: [],
};

const SORTABLE: readonly FieldType[] = ['string', 'number', 'boolean', 'time'];

export const SelectionFilter = z.object({
  field: z.string(),
  operator: Operator,
  value: z.union([z.string(), z.number(), z.boolean()]),
});
export type SelectionFilter = z.infer<typeof SelectionFilter>;

/** A selection as stored: the `definition` column is read back through this schema. */
export const SelectionDefinition = z.object({
  filters: z.array(SelectionFilter),
  results_limit: z.number().int().min(1).max(MAX_RESULTS_LIMIT),
  /** Both null: results come in random order. */
  sort_field: z.string().nullable(),
  sort_order: z.enum(['asc', 'desc']).nullable(),
});
export type SelectionDefinition = z.infer<typeof SelectionDefinition>;

export interface NewSelection {
  name: string;
  description: string | null;
  definition: SelectionDefinition;
}

/** True when a filter value holds Liquid, to be rendered per recipient before comparing. */
export function hasLiquid(value: unknown): value is string {
  return typeof value === 'string' && (value.includes('{{') || value.includes('{%'));
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function invalidFilter(field: unknown, why: string): CatalogError {
  return catalogError('selection-has-invalid-filter', `Invalid filter: ${why}`, ['field'], [field]);
}

/** A filter's value in the form comparisons use, or null when it does not fit the field type. */
export function filterValue(type: FieldType, value: unknown): string | number | boolean | null {
  if (type === 'array') {
    return typeof value === 'string' || typeof value === 'number' ? value : null;
  }
  const coerced = coerceValue(type, value);
  return coerced.ok ? (coerced.value as string | number | boolean) : null;
}

function checkFilter(raw: unknown, types: Map<string, FieldType>): Checked<SelectionFilter> {
  if (!isRecord(raw)) return { ok: false, errors: [invalidFilter(null, 'not an object')] };
  const type = typeof raw.field === 'string' ? types.get(raw.field) : undefined;
  if (!type) return { ok: false, errors: [invalidFilter(raw.field, 'unknown field')] };
  const operator = Operator.safeParse(raw.operator);
  if (!operator.success || !OPERATORS_BY_TYPE[type].includes(operator.data)) {
    return {
      ok: false,
      errors: [
        invalidFilter(raw.field, `operator ${String(raw.operator)} does not apply to ${type}`),
      ],
    };
  }
  // Liquid is kept as written and rendered at send time.
  const value = hasLiquid(raw.value) ? raw.value : filterValue(type, raw.value);
  if (value === null) {
    return { ok: false, errors: [invalidFilter(raw.field, `value does not fit ${type}`)] };
  }
  return { ok: true, value: { field: raw.field as string, operator: operator.data, value } };
}

function checkSort(
  sel: Record<string, unknown>,
  types: Map<string, FieldType>,
): Checked<Pick<SelectionDefinition, 'sort_field' | 'sort_order'>> {
  const { sort_field: field, sort_order: order } = sel;
  if (field === undefined && order === undefined) {
    return { ok: true, value: { sort_field: null, sort_order: null } };
  }
  if (field === undefined || order === undefined) {
    return {
      ok: false,
      errors: [
        catalogError('invalid-sorting', 'sort_field and sort_order must be given together', [
          'sort_field',
          'sort_order',
        ]),
      ],
    };
  }
  const errors: CatalogError[] = [];
  const type = typeof field === 'string' ? types.get(field) : undefined;
  if (!type || !SORTABLE.includes(type)) {
    errors.push(
      catalogError(
        'invalid-sort-field',
        'sort_field must name a sortable field',
        ['sort_field'],
        [field],
      ),
    );
  }
  if (order !== 'asc' && order !== 'desc') {
    errors.push(
      catalogError('invalid-sort-order', 'sort_order must be asc or desc', ['sort_order'], [order]),
    );
  }
  if (errors.length > 0) return { ok: false, errors };
  return { ok: true, value: { sort_field: field as string, sort_order: order as 'asc' | 'desc' } };
}

/**
 * Validate a `POST /catalogs/{name}/selections` body against the catalog's fields. The per-catalog
 * limits that need stored state (name taken, 30 selections) are the store's to check.
 */
export function checkCreateSelection(
  body: unknown,
  fields: readonly CatalogField[],
): Checked<NewSelection> {
  const sel = isRecord(body) ? body.selection : undefined;
  if (!isRecord(sel)) {
    return {
      ok: false,
      errors: [catalogError('invalid-selection', 'selection must be an object', ['selection'])],
    };
  }
  const errors: CatalogError[] = [];
  const { name, description = null } = sel;
  if (typeof name !== 'string' || !NAME_PATTERN.test(name) || name.length > MAX_NAME_LENGTH) {
    errors.push(
      catalogError(
        'invalid-selection',
        `Selection names are 1-${MAX_NAME_LENGTH} letters, numbers, hyphens, and underscores`,
        ['name'],
        [name],
      ),
    );
  }
  if (
    description !== null &&
    (typeof description !== 'string' || description.length > MAX_DESCRIPTION_LENGTH)
  ) {
    errors.push(
      catalogError(
        'invalid-selection',
        `description must be a string of at most ${MAX_DESCRIPTION_LENGTH} characters`,
        ['description'],
      ),
    );
  }
  const types = new Map(fields.map((f) => [f.name, f.type]));
  const rawFilters = sel.filters ?? [];
  const filters: SelectionFilter[] = [];
  if (!Array.isArray(rawFilters)) {
    errors.push(invalidFilter(null, 'filters must be an array'));
  } else if (rawFilters.length > MAX_FILTERS) {
    errors.push(
      catalogError(
        'too-many-filters',
        `A selection can have at most ${MAX_FILTERS} filters`,
        ['filters'],
        [rawFilters.length],
      ),
    );
  } else {
    for (const raw of rawFilters) {
      const f = checkFilter(raw, types);
      if (f.ok) filters.push(f.value);
      else errors.push(...f.errors);
    }
    const arrays = new Set(
      filters.filter((f) => types.get(f.field) === 'array').map((f) => f.field),
    );
    if (arrays.size > 1) {
      errors.push(
        catalogError(
          'selection-contains-too-many-arrays',
          'A selection can filter on at most one array field',
          ['filters'],
          [...arrays],
        ),
      );
    }
  }
  const limit = sel.results_limit ?? MAX_RESULTS_LIMIT;
  if (
    typeof limit !== 'number' ||
    !Number.isInteger(limit) ||
    limit < 1 ||
    limit > MAX_RESULTS_LIMIT
  ) {
    errors.push(
      catalogError(
        'selection-invalid-results-limit',
        `results_limit must be an integer from 1 to ${MAX_RESULTS_LIMIT}`,
        ['results_limit'],
        [limit],
      ),
    );
  }
  const sort = checkSort(sel, types);
  if (!sort.ok) errors.push(...sort.errors);
  if (errors.length > 0 || !sort.ok) return { ok: false, errors };
  return {
    ok: true,
    value: {
      name: name as string,
      description: description as string | null,
      definition: { filters, results_limit: limit as number, ...sort.value },
    },
  };
}
