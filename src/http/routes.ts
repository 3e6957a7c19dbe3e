import { ANALYTICS_ROUTES } from '../analytics/routes';
import {
  archiveCampaignRoute,
  createCampaignRoute,
  getCampaignRoute,
  launchCampaignRoute,
  listCampaignsRoute,
  stopCampaignRoute,
  unarchiveCampaignRoute,
  updateCampaignRoute,
} from '../campaigns/manage-routes';
import {
  campaignsDataSeriesRoute,
  campaignsDetailsRoute,
  campaignsListRoute,
} from '../campaigns/routes';
import { scheduledBroadcastsRoute } from '../campaigns/scheduled-broadcasts';
import { sendIdCreateRoute, sendsDataSeriesRoute } from '../campaigns/sends-routes';
import {
  addItemsRoute,
  deleteItemsRoute,
  listItemsRoute,
  replaceItemsRoute,
  updateItemsRoute,
} from '../catalogs/bulk-item-routes';
import {
  createCatalogRoute,
  deleteCatalogRoute,
  listCatalogsRoute,
} from '../catalogs/catalog-routes';
import {
  createFieldsRoute,
  createSelectionRoute,
  deleteFieldRoute,
  deleteSelectionRoute,
} from '../catalogs/field-selection-routes';
import {
  createItemRoute,
  deleteItemRoute,
  getItemRoute,
  replaceItemRoute,
  updateItemRoute,
} from '../catalogs/item-routes';
import { contentCardEventRoute, listContentCardsRoute } from '../channels/cards/routes';
import {
  blacklistEmailRoute,
  blocklistEmailRoute,
  bounceRemoveRoute,
  emailStatusRoute,
  hardBouncesRoute,
  spamRemoveRoute,
  unsubscribesRoute,
} from '../channels/email/list-routes';
import { listApplyRoute, listPageRoute } from '../channels/email/unsubscribe-routes';
import {
  deleteWebhookConfigRoute,
  getWebhookConfigRoute,
  postmarkWebhookRoute,
  putWebhookConfigRoute,
  sendgridWebhookRoute,
} from '../channels/email/webhook-routes';
import {
  inAppEventRoute,
  listInAppMessagesRoute,
  renderInAppMessageRoute,
} from '../channels/in-app/routes';
import {
  deleteEmailProviderRoute,
  getEmailProviderRoute,
  putEmailProviderRoute,
} from '../channels/provider-routes';
import { PUSH_CONFIG_ROUTES } from '../channels/push/config-routes';
import { pushOpenRoute } from '../channels/push/open-route';
import {
  deleteSmsAccountRoute,
  getSmsAccountRoute,
  putSmsAccountRoute,
} from '../channels/sms/account-routes';
import {
  invalidNumbersRoute,
  removeInvalidNumbersRoute,
} from '../channels/sms/invalid-number-routes';
import { inboundRoute, statusCallbackRoute } from '../channels/sms/webhook-routes';
import {
  createConnectorRoute,
  deleteConnectorRoute,
  eventTypesRoute,
  getConnectorRoute,
  listConnectorsRoute,
  updateConnectorRoute,
} from '../currents/routes';

import { connectorDeadLettersRoute, connectorStatusRoute } from '../currents/status-routes';
import {
  messagesScheduleCreateRoute,
  messagesScheduleDeleteRoute,
  messagesScheduleUpdateRoute,
  triggerScheduleCreateRoute,
  triggerScheduleDeleteRoute,
  triggerScheduleUpdateRoute,
} from '../delivery/schedule-routes';
import { messagesSendRoute } from '../delivery/send-routes';
import { deadLettersRoute, dispatchStatusRoute } from '../delivery/status-routes';
import { transactionalSendRoute } from '../delivery/transactional-route';
import { triggerSendRoute } from '../delivery/trigger-routes';
import {
  archiveFlagRoute,
  createFlagRoute,
  getFlagRoute,
  listFlagsRoute,
  unarchiveFlagRoute,
  updateFlagRoute,
  userFlagsRoute,
} from '../flags/routes';
import {
  ingestionDeadLettersRoute,
  ingestionFlushRoute,
  ingestionStatusRoute,
} from '../ingestion/status-routes';
import { trackRoute } from '../ingestion/track-route';
import { renderRoute } from '../personalization/render-route';
import {
  createSdkAuthKeyRoute,
  deleteSdkAuthKeyRoute,
  listSdkAuthKeysRoute,
  primarySdkAuthKeyRoute,
  sdkAuthEnforcementRoute,
} from '../sdk-api/auth-routes';
import { sdkBatchRoute, sdkFeatureFlagsRoute } from '../sdk-api/routes';
import {
  sdkContentCardsRoute,
  sdkInAppMessagesRoute,
  sdkRenderInAppRoute,
} from '../sdk-api/sync-routes';
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
import { segmentMembershipRoute } from '../segments/member-routes';
import {
  segmentsDataSeriesRoute,
  segmentsDetailsRoute,
  segmentsListRoute,
} from '../segments/routes';
import {
  archiveGroupRoute,
  createGroupRoute,
  getGroupRoute,
  listGroupsRoute,
  unarchiveGroupRoute,
  updateGroupRoute,
} from '../subscriptions/group-routes';
import {
  statusGetRoute,
  statusSetRoute,
  statusSetV2Route,
  userStatusRoute,
} from '../subscriptions/status-routes';
import {
  contentBlockInfoRoute,
  createContentBlockRoute,
  listContentBlocksRoute,
  updateContentBlockRoute,
} from '../templates/content-block-routes';
import {
  deleteCredentialRoute,
  listCredentialsRoute,
  putCredentialRoute,
} from '../templates/credential-routes';
import {
  createEmailTemplateRoute,
  emailTemplateInfoRoute,
  listEmailTemplatesRoute,
  updateEmailTemplateRoute,
} from '../templates/email-template-routes';
import { clickRedirectRoute, openPixelRoute } from '../tracking/routes';
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
  segmentMembershipRoute,
  userSegmentsRoute,
  createFlagRoute,
  listFlagsRoute,
  getFlagRoute,
  updateFlagRoute,
  archiveFlagRoute,
  unarchiveFlagRoute,
  userFlagsRoute,
  sdkBatchRoute,
  sdkFeatureFlagsRoute,
  sdkContentCardsRoute,
  sdkInAppMessagesRoute,
  sdkRenderInAppRoute,
  createSdkAuthKeyRoute,
  listSdkAuthKeysRoute,
  primarySdkAuthKeyRoute,
  deleteSdkAuthKeyRoute,
  sdkAuthEnforcementRoute,
  campaignsListRoute,
  campaignsDetailsRoute,
  campaignsDataSeriesRoute,
  sendIdCreateRoute,
  sendsDataSeriesRoute,
  createCampaignRoute,
  listCampaignsRoute,
  getCampaignRoute,
  updateCampaignRoute,
  launchCampaignRoute,
  stopCampaignRoute,
  archiveCampaignRoute,
  unarchiveCampaignRoute,
  listCatalogsRoute,
  createCatalogRoute,
  deleteCatalogRoute,
  listItemsRoute,
  addItemsRoute,
  updateItemsRoute,
  replaceItemsRoute,
  deleteItemsRoute,
  getItemRoute,
  createItemRoute,
  updateItemRoute,
  replaceItemRoute,
  deleteItemRoute,
  createFieldsRoute,
  deleteFieldRoute,
  createSelectionRoute,
  deleteSelectionRoute,
  createContentBlockRoute,
  updateContentBlockRoute,
  listContentBlocksRoute,
  contentBlockInfoRoute,
  createEmailTemplateRoute,
  updateEmailTemplateRoute,
  listEmailTemplatesRoute,
  emailTemplateInfoRoute,
  renderRoute,
  messagesSendRoute,
  triggerSendRoute,
  messagesScheduleCreateRoute,
  messagesScheduleUpdateRoute,
  messagesScheduleDeleteRoute,
  triggerScheduleCreateRoute,
  triggerScheduleUpdateRoute,
  triggerScheduleDeleteRoute,
  scheduledBroadcastsRoute,
  transactionalSendRoute,
  dispatchStatusRoute,
  deadLettersRoute,
  upsertWorkspaceRoute,
  getWorkspaceRoute,
  createKeyRoute,
  revokeKeyRoute,
  createAppRoute,
  putCredentialRoute,
  deleteCredentialRoute,
  listCredentialsRoute,
  putEmailProviderRoute,
  getEmailProviderRoute,
  deleteEmailProviderRoute,
  // Analytics (docs/analytics.md).
  ...ANALYTICS_ROUTES,
  // Content Cards and in-app messages (src/channels/cards, src/channels/in-app)
  listContentCardsRoute,
  contentCardEventRoute,
  listInAppMessagesRoute,
  renderInAppMessageRoute,
  inAppEventRoute,
  // Email tracking, lists and provider webhooks (src/tracking, src/channels/email).
  openPixelRoute,
  clickRedirectRoute,
  listPageRoute,
  listApplyRoute,
  emailStatusRoute,
  hardBouncesRoute,
  unsubscribesRoute,
  bounceRemoveRoute,
  spamRemoveRoute,
  blocklistEmailRoute,
  blacklistEmailRoute,
  sendgridWebhookRoute,
  postmarkWebhookRoute,
  putWebhookConfigRoute,
  getWebhookConfigRoute,
  deleteWebhookConfigRoute,
  // SMS (Twilio) and subscription groups.
  putSmsAccountRoute,
  getSmsAccountRoute,
  deleteSmsAccountRoute,
  statusCallbackRoute,
  inboundRoute,
  invalidNumbersRoute,
  removeInvalidNumbersRoute,
  statusSetRoute,
  statusSetV2Route,
  statusGetRoute,
  userStatusRoute,
  createGroupRoute,
  listGroupsRoute,
  getGroupRoute,
  updateGroupRoute,
  archiveGroupRoute,
  unarchiveGroupRoute,
  // Currents
  createConnectorRoute,
  listConnectorsRoute,
  getConnectorRoute,
  updateConnectorRoute,
  deleteConnectorRoute,
  connectorStatusRoute,
  ingestionStatusRoute,
  ingestionDeadLettersRoute,
  ingestionFlushRoute,
  connectorDeadLettersRoute,
  eventTypesRoute,
  ...PUSH_CONFIG_ROUTES,
  pushOpenRoute,
];
