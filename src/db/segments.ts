import { index, integer, primaryKey, sqliteTable, text } from 'drizzle-orm/sqlite-core';

/** Segment definitions: a filter tree (src/segments/filters.ts) with Braze's metadata. */
export const segments = sqliteTable(
  'segments',
  {
    id: text('id').primaryKey(),
    workspaceId: text('workspace_id').notNull(),
    name: text('name').notNull(),
    /** User-entered text (Braze's `text_description`). */
    textDescription: text('text_description'),
    /** JSON array of strings. */
    tags: text('tags').notNull().default('[]'),
    /** JSON filter tree, validated by `parseSegmentFilter` on every read and write. */
    filter: text('filter').notNull(),
    /** True when the tree uses segment membership: such a segment cannot itself be referenced. */
    usesMembership: integer('uses_membership').notNull().default(0),
    analyticsTrackingEnabled: integer('analytics_tracking_enabled').notNull().default(1),
    archivedAt: integer('archived_at'),
    createdAt: integer('created_at').notNull(),
    updatedAt: integer('updated_at').notNull(),
  },
  (t) => [
    index('segments_workspace_created').on(t.workspaceId, t.createdAt),
    index('segments_workspace_updated').on(t.workspaceId, t.updatedAt),
  ],
);

/** Daily exact sizes, recorded by the cron job, served by `/segments/data_series`. */
export const segmentSizes = sqliteTable(
  'segment_sizes',
  {
    workspaceId: text('workspace_id').notNull(),
    segmentId: text('segment_id').notNull(),
    /** `YYYY-MM-DD` (UTC). */
    date: text('date').notNull(),
    size: integer('size').notNull(),
    recordedAt: integer('recorded_at').notNull(),
  },
  (t) => [primaryKey({ columns: [t.workspaceId, t.segmentId, t.date] })],
);

/** Segment export jobs (`/users/export/segment`), with progress. */
export const segmentExports = sqliteTable(
  'segment_exports',
  {
    id: text('id').primaryKey(),
    workspaceId: text('workspace_id').notNull(),
    segmentId: text('segment_id').notNull(),
    /** queued | running | done | failed */
    status: text('status').notNull(),
    objectPrefix: text('object_prefix').notNull(),
    /** JSON request: fields, custom attributes, output format, callback. */
    request: text('request').notNull(),
    usersExported: integer('users_exported').notNull().default(0),
    filesWritten: integer('files_written').notNull().default(0),
    /** Keyset cursor: the last profile id exported. */
    cursor: text('cursor'),
    error: text('error'),
    createdAt: integer('created_at').notNull(),
    updatedAt: integer('updated_at').notNull(),
    finishedAt: integer('finished_at'),
  },
  (t) => [index('segment_exports_segment').on(t.workspaceId, t.segmentId, t.status)],
);
