import { ApiError } from '../http/errors';

/** One entry of Braze's catalog error envelope: `parameters` and `parameter_values` pair up. */
export interface CatalogError {
  id: string;
  message: string;
  parameters: string[];
  parameter_values: unknown[];
}

/** A validation outcome: the value, or every problem found in Braze's terms. */
export type Checked<T> = { ok: true; value: T } | { ok: false; errors: CatalogError[] };

/** Build one catalog error entry. */
export function catalogError(
  id: string,
  message: string,
  parameters: string[] = [],
  values: unknown[] = [],
): CatalogError {
  return { id, message, parameters, parameter_values: values };
}

/** 400 `Invalid Request` with the listed catalog errors. */
export function invalidRequest(errors: CatalogError[]): ApiError {
  return new ApiError(400, 'Invalid Request', errors);
}

/** Throw the errors of a failed check as a 400, or return its value. */
export function orThrow<T>(checked: Checked<T>): T {
  if (!checked.ok) throw invalidRequest(checked.errors);
  return checked.value;
}

/** 404 `catalog-not-found`, as every catalog endpoint answers an unknown name. */
export function catalogNotFound(name: string): ApiError {
  return new ApiError(404, 'Invalid Request', [
    catalogError('catalog-not-found', 'Could not find catalog', ['catalog_name'], [name]),
  ]);
}

/** 404 `item-not-found`. */
export function itemNotFound(itemId: string): ApiError {
  return new ApiError(404, 'Invalid Request', [
    catalogError('item-not-found', 'Could not find item', ['item_id'], [itemId]),
  ]);
}
