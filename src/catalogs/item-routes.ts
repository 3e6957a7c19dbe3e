import type { Permission } from '../auth/permissions';
import { defineRoute } from '../http/route';
import { itemNotFound, orThrow } from './errors';
import { deleteItems, getItems } from './item-store';
import { applyItemWrites, type WriteMode } from './item-writes';
import { mustGetCatalog, pathParam, success } from './route-helpers';
import { ItemsOut, MessageOut, SingleItemBody } from './schemas';
import { itemOut } from './store';
import { checkPathItemId, checkSingleWrite } from './validate-items';

const PATH = '/catalogs/{catalog_name}/items/{item_id}';

export const getItemRoute = defineRoute({
  method: 'get',
  path: PATH,
  tag: 'Catalog items',
  summary: 'Read one catalog item',
  auth: { type: 'api_key', permission: 'catalogs.get_item', bucket: 'catalog_items_sync' },
  success: { status: 200, description: 'The item', schema: ItemsOut },
  handler: async (c) => {
    const catalog = await mustGetCatalog(c);
    const id = pathParam(c, 'item_id');
    const data = (await getItems(c.env.DB, catalog, [id])).get(id);
    if (!data) throw itemNotFound(id);
    return c.json({ items: [itemOut(id, data)], message: 'success' });
  },
});

function singleWriteRoute(input: {
  method: 'post' | 'patch' | 'put';
  mode: WriteMode;
  permission: Permission;
  status: 200 | 201;
  summary: string;
  description: string;
}) {
  return defineRoute({
    method: input.method,
    path: PATH,
    tag: 'Catalog items',
    summary: input.summary,
    description: `${input.description} The body holds one item without \`id\` (\`id-in-body\`).`,
    auth: { type: 'api_key', permission: input.permission, bucket: 'catalog_items_sync' },
    body: SingleItemBody,
    validateBody: false,
    success: { status: input.status, description: 'Done', schema: MessageOut },
    handler: async (c) => {
      const catalog = await mustGetCatalog(c);
      const itemId = pathParam(c, 'item_id');
      const change = orThrow(
        checkSingleWrite({
          body: c.get('body'),
          itemId,
          fields: catalog.fields,
          patch: input.mode === 'update',
        }),
      );
      await applyItemWrites(c.env.DB, {
        catalog,
        writes: [{ id: itemId, change }],
        mode: input.mode,
        single: true,
        now: Date.now(),
      });
      return success(c, input.status);
    },
  });
}

export const createItemRoute = singleWriteRoute({
  method: 'post',
  mode: 'create',
  permission: 'catalogs.create_item',
  status: 201,
  summary: 'Create one catalog item',
  description: 'An existing id is refused with `item-already-exists`.',
});

export const updateItemRoute = singleWriteRoute({
  method: 'patch',
  mode: 'update',
  permission: 'catalogs.update_item',
  status: 200,
  summary: 'Edit one catalog item',
  description:
    'Only the given fields change; array fields accept `{"$add": [...], "$remove": [...]}`.',
});

export const replaceItemRoute = singleWriteRoute({
  method: 'put',
  mode: 'replace',
  permission: 'catalogs.replace_item',
  status: 200,
  summary: 'Replace (or create) one catalog item',
  description: 'The item is stored exactly as given; fields left out are cleared.',
});

export const deleteItemRoute = defineRoute({
  method: 'delete',
  path: PATH,
  tag: 'Catalog items',
  summary: 'Delete one catalog item',
  auth: { type: 'api_key', permission: 'catalogs.delete_item', bucket: 'catalog_items_sync' },
  success: { status: 202, description: 'Deleted', schema: MessageOut },
  handler: async (c) => {
    const catalog = await mustGetCatalog(c);
    const id = orThrow(checkPathItemId(pathParam(c, 'item_id')));
    if (!(await getItems(c.env.DB, catalog, [id])).has(id)) throw itemNotFound(id);
    await deleteItems(c.env.DB, { catalog, ids: [id], now: Date.now() });
    return success(c, 202);
  },
});
