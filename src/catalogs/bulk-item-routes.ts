import type { Permission } from '../auth/permissions';
import { DEFAULT_MAX_BODY_BYTES, readJsonBody } from '../http/body';
import { defineRoute } from '../http/route';
import { decodeCursor, linkHeader } from './cursor';
import { catalogError, invalidRequest, orThrow } from './errors';
import { deleteItems, pageItems } from './item-store';
import { applyItemWrites, type WriteMode } from './item-writes';
import { mustGetCatalog, success } from './route-helpers';
import { BulkDeleteBody, BulkItemsBody, ItemsOut, ListItemsQuery, MessageOut } from './schemas';
import { itemOut } from './store';
import { checkBulkDelete, checkBulkWrite } from './validate-items';

const SYNC_NOTE =
  'Asynchronous at Braze; Herald applies the request before answering, all items or none, ' +
  'and answers 202 as Braze does.';

function bulkWriteRoute(input: {
  method: 'post' | 'patch' | 'put';
  mode: WriteMode;
  permission: Permission;
  summary: string;
  description: string;
}) {
  return defineRoute({
    method: input.method,
    path: '/catalogs/{catalog_name}/items',
    tag: 'Catalog items',
    summary: input.summary,
    description: `${input.description} ${SYNC_NOTE}`,
    auth: { type: 'api_key', permission: input.permission, bucket: 'catalog_items_async' },
    body: BulkItemsBody,
    validateBody: false,
    success: { status: 202, description: 'Applied', schema: MessageOut },
    handler: async (c) => {
      const catalog = await mustGetCatalog(c);
      const writes = orThrow(
        checkBulkWrite(c.get('body'), catalog.fields, input.mode === 'update'),
      );
      await applyItemWrites(c.env.DB, {
        catalog,
        writes,
        mode: input.mode,
        single: false,
        now: Date.now(),
      });
      return success(c, 202);
    },
  });
}

export const addItemsRoute = bulkWriteRoute({
  method: 'post',
  mode: 'create',
  permission: 'catalogs.add_items',
  summary: 'Create up to 50 catalog items',
  description: 'Ids that already exist are refused with `item-already-exists`.',
});

export const updateItemsRoute = bulkWriteRoute({
  method: 'patch',
  mode: 'update',
  permission: 'catalogs.update_items',
  summary: 'Edit up to 50 existing catalog items',
  description:
    'Only the given fields change; array fields accept `{"$add": [...], "$remove": [...]}`. ' +
    'Ids that do not exist are skipped.',
});

export const replaceItemsRoute = bulkWriteRoute({
  method: 'put',
  mode: 'replace',
  permission: 'catalogs.replace_items',
  summary: 'Replace (or create) up to 50 catalog items',
  description: 'Each item is stored exactly as given; fields left out are cleared.',
});

export const deleteItemsRoute = defineRoute({
  method: 'delete',
  path: '/catalogs/{catalog_name}/items',
  tag: 'Catalog items',
  summary: 'Delete up to 50 catalog items',
  description: `Ids that do not exist are ignored. ${SYNC_NOTE}`,
  auth: { type: 'api_key', permission: 'catalogs.delete_items', bucket: 'catalog_items_async' },
  body: BulkDeleteBody,
  validateBody: false,
  success: { status: 202, description: 'Applied', schema: MessageOut },
  handler: async (c) => {
    const catalog = await mustGetCatalog(c);
    // The router reads no body for DELETE; Braze's bulk delete has one.
    const body = await readJsonBody(c.req.raw, DEFAULT_MAX_BODY_BYTES);
    const ids = orThrow(checkBulkDelete(body));
    await deleteItems(c.env.DB, { catalog, ids, now: Date.now() });
    return success(c, 202);
  },
});

export const listItemsRoute = defineRoute({
  method: 'get',
  path: '/catalogs/{catalog_name}/items',
  tag: 'Catalog items',
  summary: 'List catalog items, 50 per page, in id order',
  description:
    'Further pages are linked from the `Link` header (`rel="prev"`, `rel="next"`); there is ' +
    'no header when everything fits on one page.',
  auth: { type: 'api_key', permission: 'catalogs.get_items', bucket: 'catalog_items_sync' },
  query: ListItemsQuery,
  success: { status: 200, description: 'A page of items', schema: ItemsOut },
  handler: async (c, { query }) => {
    const catalog = await mustGetCatalog(c);
    const cursor = query.cursor === undefined ? null : decodeCursor(query.cursor);
    if (query.cursor !== undefined && !cursor) {
      throw invalidRequest([
        catalogError('invalid-cursor', "'cursor' is not valid", ['cursor'], [query.cursor]),
      ]);
    }
    const page = await pageItems(c.env.DB, catalog, cursor);
    const link = linkHeader(`/catalogs/${catalog.name}/items`, page);
    if (link) c.header('Link', link);
    return c.json({ items: page.items.map((i) => itemOut(i.id, i.data)), message: 'success' });
  },
});
