import {
  index,
  integer,
  primaryKey,
  sqliteTable,
  text,
  uniqueIndex,
} from 'drizzle-orm/sqlite-core';

/**
 * Each workspace's provider account per channel (email: SendGrid or Postmark), set through the
 * operator API. `api_key` is a secret: read by senders only, never answered by any route.
 */
export const channelProviders = sqliteTable(
  'channel_providers',
  {
    workspaceId: text('workspace_id').notNull(),
    channel: text('channel').notNull(),
    provider: text('provider').notNull(),
    apiKey: text('api_key').notNull(),
    baseUrl: text('base_url').notNull(),
    /** The sender used when a message names none; null: every message must give `from`. */
    fromAddress: text('from_address'),
    createdAt: integer('created_at').notNull(),
    updatedAt: integer('updated_at').notNull(),
  },
  (t) => [uniqueIndex('channel_providers_channel').on(t.workspaceId, t.channel)],
);

/**
 * Provider settings beyond the common columns, per channel (Twilio's account SID and sending
 * numbers, a push app's ids, webhook verification keys). `settings` is returned by the operator
 * API; `secrets` (JSON too) is read by senders and webhook verifiers only, never answered.
 */
export const channelProviderExtras = sqliteTable(
  'channel_provider_extras',
  {
    workspaceId: text('workspace_id').notNull(),
    channel: text('channel').notNull(),
    settings: text('settings').notNull().default('{}'),
    secrets: text('secrets').notNull().default('{}'),
    updatedAt: integer('updated_at').notNull(),
  },
  (t) => [primaryKey({ columns: [t.workspaceId, t.channel] })],
);

/**
 * Per-workspace secrets Herald makes for itself, created on first use: the key that signs
 * tracking links (opens, clicks, unsubscribes), so a link cannot be forged to touch another user.
 */
export const workspaceSecrets = sqliteTable(
  'workspace_secrets',
  {
    workspaceId: text('workspace_id').notNull(),
    name: text('name').notNull(),
    value: text('value').notNull(),
    createdAt: integer('created_at').notNull(),
  },
  (t) => [primaryKey({ columns: [t.workspaceId, t.name] })],
);

/**
 * Addresses a channel must not send to, with why (contract §2.10): email hard bounces, email
 * unsubscribes and spam reports, invalid phone numbers. Written by the tracking and provider
 * webhook paths; read by `/email/hard_bounces`, `/email/unsubscribes`,
 * `/sms/invalid_phone_numbers` and by senders before they call a provider.
 */
export const addressStates = sqliteTable(
  'address_states',
  {
    workspaceId: text('workspace_id').notNull(),
    /** email | sms */
    channel: text('channel').notNull(),
    /** The address as sent to (email lower-cased; phone in E.164). */
    address: text('address').notNull(),
    /** hard_bounce | unsubscribe | spam | invalid_number */
    kind: text('kind').notNull(),
    reason: text('reason'),
    profileId: text('profile_id'),
    at: integer('at').notNull(),
  },
  (t) => [
    primaryKey({ columns: [t.workspaceId, t.channel, t.kind, t.address] }),
    // Listings page by time within a workspace and kind.
    index('address_states_time').on(t.workspaceId, t.channel, t.kind, t.at),
  ],
);

/**
 * Subscription groups (contract §2.10, messaging §5): a workspace's named email or SMS lists.
 * For SMS a group owns sending numbers (`settings.numbers`), which decide the group an inbound
 * STOP/START applies to.
 */
export const subscriptionGroupDefs = sqliteTable(
  'subscription_group_defs',
  {
    workspaceId: text('workspace_id').notNull(),
    groupId: text('group_id').notNull(),
    /** email | sms */
    channel: text('channel').notNull(),
    name: text('name').notNull(),
    settings: text('settings').notNull().default('{}'),
    createdAt: integer('created_at').notNull(),
    updatedAt: integer('updated_at').notNull(),
  },
  (t) => [primaryKey({ columns: [t.workspaceId, t.groupId] })],
);
