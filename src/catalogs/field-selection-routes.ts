import { ApiError } from '../http/errors';
import { defineRoute } from '../http/route';
import { type CatalogError, catalogError, invalidRequest, orThrow } from './errors';
import { mustGetCatalog, pathParam, success } from './route-helpers';
import { CreateFieldsBody, CreateSelectionBody, MessageOut } from './schemas';
import { addFields, createSelection, deleteField, deleteSelection, listSelections } from './store';
import { checkNewFields } from './validate-catalog';
import { checkCreateSelection, MAX_SELECTIONS } from './validate-selection';

const SYNC_NOTE = 'Asynchronous at Braze; Herald applies it before answering 202.';

/** 409 when the field list changed between read and write: the caller may simply retry. */
function inProcess(name: string): ApiError {
  return new ApiError(409, 'Invalid Request', [
    catalogError(
      'catalog-in-process',
      'Catalog is currently processing. Please try again later.',
      ['catalog_name'],
      [name],
    ),
  ]);
}

function fieldError(status: 400 | 404, id: string, message: string, field: string): ApiError {
  const error: CatalogError = catalogError(id, message, ['field_name'], [field]);
  return new ApiError(status, 'Invalid Request', [error]);
}

export const createFieldsRoute = defineRoute({
  method: 'post',
  path: '/catalogs/{catalog_name}/fields',
  tag: 'Catalog fields and selections',
  summary: 'Add up to 50 fields to a catalog',
  description: `Existing items get no value for the new fields. ${SYNC_NOTE}`,
  auth: {
    type: 'api_key',
    permission: 'catalogs.create_fields',
    bucket: 'catalog_fields_selections',
  },
  body: CreateFieldsBody,
  validateBody: false,
  success: { status: 202, description: 'Added', schema: MessageOut },
  handler: async (c) => {
    const catalog = await mustGetCatalog(c);
    const fields = orThrow(checkNewFields(c.get('body'), catalog.fields));
    const result = await addFields(c.env.DB, { catalog, fields, now: Date.now() });
    if (result === 'conflict') throw inProcess(catalog.name);
    return success(c, 202);
  },
});

export const deleteFieldRoute = defineRoute({
  method: 'delete',
  path: '/catalogs/{catalog_name}/fields/{field_name}',
  tag: 'Catalog fields and selections',
  summary: 'Delete a field and its values from every item',
  description: `A field a selection filters or sorts on cannot be deleted. ${SYNC_NOTE}`,
  auth: {
    type: 'api_key',
    permission: 'catalogs.delete_fields',
    bucket: 'catalog_fields_selections',
  },
  success: { status: 202, description: 'Deleted', schema: MessageOut },
  handler: async (c) => {
    const catalog = await mustGetCatalog(c);
    const field = pathParam(c, 'field_name');
    if (field === 'id') {
      throw fieldError(400, 'invalid-field-name', 'The id field cannot be deleted', field);
    }
    if (!catalog.fields.some((f) => f.name === field)) {
      throw fieldError(404, 'invalid-field-name', 'The catalog has no such field', field);
    }
    const selections = await listSelections(c.env.DB, catalog);
    const used = selections.some(
      (s) =>
        s.definition.sort_field === field || s.definition.filters.some((f) => f.field === field),
    );
    if (used) {
      throw fieldError(
        400,
        'field-referenced-by-selection',
        'The field is used by a selection',
        field,
      );
    }
    const result = await deleteField(c.env.DB, { catalog, field, now: Date.now() });
    if (result === 'conflict') throw inProcess(catalog.name);
    return success(c, 202);
  },
});

export const createSelectionRoute = defineRoute({
  method: 'post',
  path: '/catalogs/{catalog_name}/selections',
  tag: 'Catalog fields and selections',
  summary: 'Create a selection: filters, sort and results limit over a catalog',
  description:
    'At most 30 selections per catalog, 10 filters each, one array field, results limit 1–50. ' +
    `Without both sort_field and sort_order, results come in random order. ${SYNC_NOTE}`,
  auth: {
    type: 'api_key',
    permission: 'catalogs.create_selection',
    bucket: 'catalog_fields_selections',
  },
  body: CreateSelectionBody,
  validateBody: false,
  success: { status: 202, description: 'Created', schema: MessageOut },
  handler: async (c) => {
    const catalog = await mustGetCatalog(c);
    const selection = orThrow(checkCreateSelection(c.get('body'), catalog.fields));
    const result = await createSelection(c.env.DB, {
      catalog,
      selection,
      max: MAX_SELECTIONS,
      now: Date.now(),
    });
    if (result === 'exists') {
      throw invalidRequest([
        catalogError(
          'selection-name-already-exists',
          'A selection with that name already exists in the catalog',
          ['name'],
          [selection.name],
        ),
      ]);
    }
    if (result === 'limit') {
      throw invalidRequest([
        catalogError(
          'selection-limit-reached',
          `A catalog can have at most ${MAX_SELECTIONS} selections`,
          ['catalog_name'],
          [catalog.name],
        ),
      ]);
    }
    return success(c, 202);
  },
});

export const deleteSelectionRoute = defineRoute({
  method: 'delete',
  path: '/catalogs/{catalog_name}/selections/{selection_name}',
  tag: 'Catalog fields and selections',
  summary: 'Delete a selection',
  description: SYNC_NOTE,
  auth: {
    type: 'api_key',
    permission: 'catalogs.delete_selection',
    bucket: 'catalog_fields_selections',
  },
  success: { status: 202, description: 'Deleted', schema: MessageOut },
  handler: async (c) => {
    const catalog = await mustGetCatalog(c);
    const name = pathParam(c, 'selection_name');
    if (!(await deleteSelection(c.env.DB, catalog, name))) {
      throw new ApiError(404, 'Invalid Request', [
        catalogError('invalid-selection', 'Could not find selection', ['selection_name'], [name]),
      ]);
    }
    return success(c, 202);
  },
});
