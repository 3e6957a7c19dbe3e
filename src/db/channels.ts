import { integer, sqliteTable, text, uniqueIndex } from 'drizzle-orm/sqlite-core';

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
