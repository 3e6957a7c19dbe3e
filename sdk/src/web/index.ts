/**
 * Herald's Web SDK: sessions, users, attributes, custom events and purchases sent to Herald's
 * edge in batches (docs/sdk-protocol.md), an offline queue that survives reloads, retries with
 * backoff, feature flags, Content Cards, in-app messages and Web Push. Braze-like names, so
 * moving an app over is mostly a rename (docs/web-sdk.md).
 *
 *   import * as herald from './herald-sdk.js';
 *   herald.initialize('<app key>', { baseUrl: 'https://herald.example.com' });
 *   herald.automaticallyShowInAppMessages();
 *   herald.changeUser('user-42');
 *   herald.logCustomEvent('viewed_item', { sku: 'A1' });
 */

export {
  type Card,
  type ContentCards,
  dismissCard,
  getCachedContentCards,
  logContentCardClick,
  logContentCardImpressions,
  requestContentCardsRefresh,
  subscribeToContentCardsUpdates,
} from '../cards';
export {
  changeUser,
  destroy,
  type FeatureFlag,
  type FlagProperty,
  getAllFeatureFlags,
  getFeatureFlag,
  getUser,
  getUserId,
  initialize,
  type Json,
  type KeyValueStorage,
  logCustomEvent,
  logFeatureFlagImpression,
  logPurchase,
  type Options,
  openSession,
  refreshFeatureFlags,
  requestImmediateDataFlush,
  type SdkAuthenticationError,
  setSdkAuthenticationSignature,
  subscribeToFeatureFlagsUpdates,
  subscribeToSdkAuthenticationFailures,
  VERSION,
} from '../core';
export {
  type InAppMessage,
  logInAppMessageClick,
  logInAppMessageImpression,
  requestInAppMessagesRefresh,
  subscribeToInAppMessage,
} from '../iam';
export { hideContentCards, showContentCards } from './cards-ui';
export { automaticallyShowInAppMessages, showInAppMessage } from './iam-ui';
export {
  isPushBlocked,
  isPushPermissionGranted,
  isPushSupported,
  requestPushPermission,
  unregisterPush,
} from './push';
