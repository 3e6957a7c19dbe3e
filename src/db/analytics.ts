import { index, integer, primaryKey, real, sqliteTable, text } from 'drizzle-orm/sqlite-core';

/**
 * Analytics rollups behind Braze's export endpoints (contract §3.1–§3.5), maintained from the
 * profiles' change records by src/analytics/rollup-handler.ts. Every row carries its workspace.
 */

/**
 * Hourly counters: custom events per name, purchases and USD revenue per product, new users,
 * sessions. `app_id` is '' for activity without an app; daily series sum the hours of a UTC day.
 */
export const analyticsCounts = sqliteTable(
  'analytics_counts',
  {
    workspaceId: text('workspace_id').notNull(),
    /** event | purchases | purchase_quantity | revenue | new_users | sessions */
    metric: text('metric').notNull(),
    /** The event name or product id; '' for metrics without one. */
    name: text('name').notNull(),
    appId: text('app_id').notNull(),
    /** `YYYY-MM-DDTHH` (UTC). */
    hour: text('hour').notNull(),
    value: real('value').notNull(),
  },
  (t) => [primaryKey({ columns: [t.workspaceId, t.metric, t.name, t.hour, t.appId] })],
);

/** Every custom event name and product id a workspace has seen (`/events/list`, `/purchases/product_list`). */
export const analyticsNames = sqliteTable(
  'analytics_names',
  {
    workspaceId: text('workspace_id').notNull(),
    /** event | product */
    kind: text('kind').notNull(),
    name: text('name').notNull(),
    firstSeenAt: integer('first_seen_at').notNull(),
  },
  (t) => [primaryKey({ columns: [t.workspaceId, t.kind, t.name] })],
);

/**
 * The exact set of active users per UTC day and app ('' for activity without an app): DAU is a
 * count of one day's rows, MAU a distinct count over 30 days'. Kept 130 days (100 + 30).
 */
export const analyticsActive = sqliteTable(
  'analytics_active',
  {
    workspaceId: text('workspace_id').notNull(),
    /** `YYYY-MM-DD` (UTC). */
    day: text('day').notNull(),
    appId: text('app_id').notNull(),
    profileId: text('profile_id').notNull(),
  },
  (t) => [primaryKey({ columns: [t.workspaceId, t.day, t.appId, t.profileId] })],
);

/** The first day each user was active in each app: new users of one app. */
export const analyticsFirstSeen = sqliteTable(
  'analytics_first_seen',
  {
    workspaceId: text('workspace_id').notNull(),
    appId: text('app_id').notNull(),
    profileId: text('profile_id').notNull(),
    /** `YYYY-MM-DD` (UTC). */
    day: text('day').notNull(),
  },
  (t) => [
    primaryKey({ columns: [t.workspaceId, t.appId, t.profileId] }),
    index('analytics_first_seen_day').on(t.workspaceId, t.appId, t.day),
  ],
);

/**
 * Change records already counted, by record id: a redelivered queue message adds nothing twice.
 * Pruned after 7 days, far beyond the queue's retry window.
 */
export const analyticsApplied = sqliteTable(
  'analytics_applied',
  {
    recordId: text('record_id').primaryKey(),
    workspaceId: text('workspace_id').notNull(),
    /** The handler run that counted it: the counters it adds join on this. */
    token: text('token').notNull(),
    appliedAt: integer('applied_at').notNull(),
  },
  (t) => [index('analytics_applied_at').on(t.appliedAt)],
);

/** Analytics series exported as CSV files to R2, with progress. */
export const analyticsExports = sqliteTable(
  'analytics_exports',
  {
    id: text('id').primaryKey(),
    workspaceId: text('workspace_id').notNull(),
    /** queued | running | done | failed */
    status: text('status').notNull(),
    /** JSON request: series, its parameters. */
    request: text('request').notNull(),
    /** The R2 key of the CSV file. */
    objectKey: text('object_key').notNull(),
    rowsWritten: integer('rows_written').notNull().default(0),
    error: text('error'),
    createdAt: integer('created_at').notNull(),
    finishedAt: integer('finished_at'),
  },
  (t) => [index('analytics_exports_workspace').on(t.workspaceId, t.createdAt)],
);
