import { index, integer, primaryKey, sqliteTable, text } from 'drizzle-orm/sqlite-core';
import { counterColumns } from './campaigns';

/**
 * Custom send ids made with `/sends/id/create` (contract §3.10.6): one row per (campaign,
 * send id), so a workspace's new ids of a UTC day can be counted against Braze's 100.
 */
export const sendIds = sqliteTable(
  'send_ids',
  {
    workspaceId: text('workspace_id').notNull(),
    campaignId: text('campaign_id').notNull(),
    sendId: text('send_id').notNull(),
    /** `YYYY-MM-DD` (UTC) of creation: the day the id counts against. */
    day: text('day').notNull(),
    createdAt: integer('created_at').notNull(),
  },
  (t) => [
    primaryKey({ columns: [t.workspaceId, t.campaignId, t.sendId] }),
    index('send_ids_workspace_day').on(t.workspaceId, t.day),
  ],
);

/**
 * Per-send daily statistics behind `/sends/data_series` (contract §3.9): the campaign counters
 * of API sends, kept again under their `send_id` for 14 days. Same shape as `campaign_stats`.
 */
export const sendStats = sqliteTable(
  'send_stats',
  {
    workspaceId: text('workspace_id').notNull(),
    campaignId: text('campaign_id').notNull(),
    sendId: text('send_id').notNull(),
    ...counterColumns(),
  },
  (t) => [
    primaryKey({
      columns: [t.workspaceId, t.campaignId, t.sendId, t.day, t.channel, t.variant, t.field],
    }),
    // Pruning after 14 days runs across workspaces by day.
    index('send_stats_day').on(t.day),
  ],
);
