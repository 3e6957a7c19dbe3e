import type { Ctx } from '../http/context';
import { catalogNotFound } from './errors';
import { type Catalog, getCatalog } from './store';

/** The caller's workspace id. */
export function workspaceOf(c: Ctx): string {
  return c.get('caller').workspace.id;
}

/** The catalog named by the `{catalog_name}` path parameter, or a 404 `catalog-not-found`. */
export async function mustGetCatalog(c: Ctx): Promise<Catalog> {
  const name = c.req.param('catalog_name') ?? '';
  const catalog = await getCatalog(c.env.DB, workspaceOf(c), name);
  if (!catalog) throw catalogNotFound(name);
  return catalog;
}

/** A path parameter, as given. */
export function pathParam(c: Ctx, name: string): string {
  return c.req.param(name) ?? '';
}

/** `{ "message": "success" }` with a status. */
export function success(c: Ctx, status: 200 | 201 | 202) {
  return c.json({ message: 'success' }, status);
}
