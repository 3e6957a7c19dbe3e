import { index, integer, sqliteTable, text } from 'drizzle-orm/sqlite-core';

/**
 * Scheduled API messages (contract §3.10.2, §3.10.5): a `/messages/send` or
 * `/campaigns/trigger/send` request kept until its time, then started by the minute job exactly
 * as the immediate endpoint would start it (src/delivery/due-schedules.ts).
 */
export const apiSchedules = sqliteTable(
  'api_schedules',
  {
    /** Braze's `schedule_id`. */
    id: text('id').primaryKey(),
    workspaceId: text('workspace_id').notNull(),
    /** `messages` (`/messages/schedule/*`) or `campaign` (`/campaigns/trigger/schedule/*`). */
    kind: text('kind').notNull(),
    /** The API-triggered campaign (`campaign`), or the analytics `campaign_id` given, if any. */
    campaignId: text('campaign_id'),
    /** JSON: the request body without `schedule`, validated again when it is started. */
    request: text('request').notNull(),
    /** JSON: Braze's schedule object as given (`time`, `in_local_time`, `at_optimal_time`). */
    schedule: text('schedule').notNull(),
    /** `scheduled`, then `sent` (dispatched), `skipped` (campaign inactive), `failed` or `deleted`. */
    status: text('status').notNull(),
    /** When the minute job starts it, epoch ms; set only while `scheduled` (the job's scan). */
    dueAt: integer('due_at'),
    /** Why a schedule was skipped or failed. */
    reason: text('reason'),
    createdAt: integer('created_at').notNull(),
    updatedAt: integer('updated_at').notNull(),
  },
  (t) => [
    // The minute job's scan runs across workspaces over the pending rows only.
    index('api_schedules_due').on(t.dueAt),
    index('api_schedules_workspace').on(t.workspaceId, t.createdAt),
  ],
);
