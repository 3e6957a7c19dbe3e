import { trackRoute } from '../ingestion/track-route';
import { exportIdsRoute } from '../users/export-routes';
import { aliasNewRoute, aliasUpdateRoute, identifyRoute } from '../users/identity-routes';
import { deleteRoute, mergeRoute, removeRoute, renameRoute } from '../users/lifecycle-routes';
import {
  createAppRoute,
  createKeyRoute,
  getWorkspaceRoute,
  revokeKeyRoute,
  upsertWorkspaceRoute,
} from '../workspaces/operator-routes';
import type { AnyRoute } from './route';

/** Every route the Worker serves, in the order the OpenAPI description lists them. */
export const ROUTES: readonly AnyRoute[] = [
  trackRoute,
  identifyRoute,
  aliasNewRoute,
  aliasUpdateRoute,
  deleteRoute,
  mergeRoute,
  renameRoute,
  removeRoute,
  exportIdsRoute,
  upsertWorkspaceRoute,
  getWorkspaceRoute,
  createKeyRoute,
  revokeKeyRoute,
  createAppRoute,
];
