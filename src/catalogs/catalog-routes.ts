import { defineRoute } from '../http/route';
import { catalogError, invalidRequest, orThrow } from './errors';
import { mustGetCatalog, success, workspaceOf } from './route-helpers';
import { CatalogsOut, CreateCatalogBody, MessageOut } from './schemas';
import { type Catalog, createCatalog, deleteCatalog, listCatalogs } from './store';
import { checkCreateCatalog } from './validate-catalog';

/** A catalog as Braze shows it. */
function catalogOut(c: Catalog) {
  return {
    description: c.description,
    fields: c.fields,
    name: c.name,
    num_items: c.numItems,
    updated_at: new Date(c.updatedAt).toISOString(),
  };
}

export const listCatalogsRoute = defineRoute({
  method: 'get',
  path: '/catalogs',
  tag: 'Catalogs',
  summary: 'List the catalogs of the workspace',
  auth: { type: 'api_key', permission: 'catalogs.get', bucket: 'catalogs' },
  success: { status: 200, description: 'Every catalog', schema: CatalogsOut },
  handler: async (c) => {
    const list = await listCatalogs(c.env.DB, workspaceOf(c));
    return c.json({ catalogs: list.map(catalogOut), message: 'success' });
  },
});

export const createCatalogRoute = defineRoute({
  method: 'post',
  path: '/catalogs',
  tag: 'Catalogs',
  summary: 'Create a catalog',
  description:
    'One catalog per request. `id` (a string) must be the first field; at most 500 fields. ' +
    'Errors use Braze ids such as `catalog-name-already-exists` and `id-not-first-column`.',
  auth: { type: 'api_key', permission: 'catalogs.create', bucket: 'catalogs' },
  body: CreateCatalogBody,
  validateBody: false,
  success: { status: 201, description: 'The new catalog', schema: CatalogsOut },
  handler: async (c) => {
    const input = orThrow(checkCreateCatalog(c.get('body')));
    const result = await createCatalog(c.env.DB, {
      workspaceId: workspaceOf(c),
      catalog: input,
      now: Date.now(),
    });
    if (result.type === 'exists') {
      throw invalidRequest([
        catalogError(
          'catalog-name-already-exists',
          'A catalog with that name already exists',
          ['name'],
          [input.name],
        ),
      ]);
    }
    return c.json({ catalogs: [catalogOut(result.catalog)], message: 'success' }, 201);
  },
});

export const deleteCatalogRoute = defineRoute({
  method: 'delete',
  path: '/catalogs/{catalog_name}',
  tag: 'Catalogs',
  summary: 'Delete a catalog with its items and selections',
  auth: { type: 'api_key', permission: 'catalogs.delete', bucket: 'catalogs' },
  success: { status: 200, description: 'Deleted', schema: MessageOut },
  handler: async (c) => {
    await deleteCatalog(c.env.DB, await mustGetCatalog(c));
    return success(c, 200);
  },
});
