import { trackRoute } from '../ingestion/track-route';
import { exportFileRoute, exportSegmentRoute, exportStatusRoute } from '../segments/export-routes';
import {
  archiveSegmentRoute,
  createSegmentRoute,
  estimateRoute,
  getSegmentRoute,
  segmentPreviewRoute,
  segmentSizeRoute,
  unarchiveSegmentRoute,
  updateSegmentRoute,
  userSegmentsRoute,
} from '../segments/manage-routes';
import {
  segmentsDataSeriesRoute,
  segmentsDetailsRoute,
  segmentsListRoute,
} from '../segments/routes';
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
  exportSegmentRoute,
  exportStatusRoute,
  exportFileRoute,
  segmentsListRoute,
  segmentsDetailsRoute,
  segmentsDataSeriesRoute,
  createSegmentRoute,
  estimateRoute,
  getSegmentRoute,
  updateSegmentRoute,
  archiveSegmentRoute,
  unarchiveSegmentRoute,
  segmentSizeRoute,
  segmentPreviewRoute,
  userSegmentsRoute,
  upsertWorkspaceRoute,
  getWorkspaceRoute,
  createKeyRoute,
  revokeKeyRoute,
  createAppRoute,
];
