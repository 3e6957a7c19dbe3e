import { index, integer, primaryKey, real, sqliteTable, text } from 'drizzle-orm/sqlite-core';

/**
 * Campaigns (contract §3): a definition edited through `/herald/campaigns` and read by the
 * delivery pipeline. Nested parts are JSON columns, validated by the zod schemas in
 * src/campaigns/model.ts on every read and write.
 */
export const campaigns = sqliteTable(
  'campaigns',
  {
    /** Braze's `campaign_id`. */
    id: text('id').primaryKey(),
    workspaceId: text('workspace_id').notNull(),
    name: text('name').notNull(),
    description: text('description'),
    /** JSON array of strings. */
    tags: text('tags').notNull().default('[]'),
    /** `draft` | `active` | `stopped`; archiving is `archived_at`, apart from the status. */
    status: text('status').notNull(),
    /** `scheduled` | `action_based` | `api_triggered`, also inside `delivery`, kept for indexes. */
    deliveryType: text('delivery_type').notNull(),
    /** JSON: the schedule, the triggers and delay, or nothing (src/campaigns/model.ts). */
    delivery: text('delivery').notNull(),
    /** JSON: segment ids and an extra filter tree. */
    audience: text('audience').notNull(),
    /** JSON array: variants with their percentage and one message object per channel. */
    variants: text('variants').notNull(),
    controlPercentage: integer('control_percentage').notNull().default(0),
    /** Braze's `message_variation_id` of the control group. */
    controlVariationId: text('control_variation_id').notNull(),
    /** JSON array of channels, the same for every variant. */
    channels: text('channels').notNull(),
    /** JSON array in Braze's `conversion_behaviors` shape. */
    conversionEvents: text('conversion_events').notNull().default('[]'),
    /** JSON: re-eligibility, rate limit, frequency capping, quiet hours, subscription state. */
    controls: text('controls').notNull(),
    /** Scheduled campaigns while active: when the next occurrence is due, epoch ms. */
    nextSendAt: integer('next_send_at'),
    launchedAt: integer('launched_at'),
    firstSentAt: integer('first_sent_at'),
    lastSentAt: integer('last_sent_at'),
    archivedAt: integer('archived_at'),
    createdAt: integer('created_at').notNull(),
    updatedAt: integer('updated_at').notNull(),
  },
  (t) => [
    index('campaigns_workspace_created').on(t.workspaceId, t.createdAt),
    index('campaigns_workspace_updated').on(t.workspaceId, t.updatedAt),
    index('campaigns_workspace_kind').on(t.workspaceId, t.deliveryType, t.status),
    // The scheduler's scan runs across workspaces: only rows with a due time are indexed usefully.
    index('campaigns_next_send').on(t.nextSendAt),
  ],
);

/** The columns of one daily counter: `campaign_stats`, and `send_stats` (src/db/sends.ts). */
export function counterColumns() {
  return {
    /** `YYYY-MM-DD`, UTC. */
    day: text('day').notNull(),
    /** '' for campaign-wide counters. */
    channel: text('channel').notNull(),
    /** The `message_variation_id` counted, or ''. */
    variant: text('variant').notNull(),
    field: text('field').notNull(),
    value: real('value').notNull().default(0),
  };
}

/**
 * Per-day campaign statistics behind `/campaigns/data_series`, one row per counter: the delivery
 * pipeline adds to them with `recordCampaignStat` (src/campaigns/stats.ts). `channel` and
 * `variant` are '' for campaign-wide counters (conversions, revenue, unique recipients).
 */
export const campaignStats = sqliteTable(
  'campaign_stats',
  {
    workspaceId: text('workspace_id').notNull(),
    campaignId: text('campaign_id').notNull(),
    ...counterColumns(),
  },
  (t) => [
    primaryKey({
      columns: [t.workspaceId, t.campaignId, t.day, t.channel, t.variant, t.field],
    }),
  ],
);
