import { index, integer, primaryKey, sqliteTable, text } from 'drizzle-orm/sqlite-core';

/**
 * Currents connectors (src/currents): where a workspace's event stream goes. `config` is the
 * JSON the API answers (event types, transformations, the destination); `secrets` (the HTTP
 * connector's bearer token and signing key) is read by the flusher only and never answered.
 */
export const currentsConnectors = sqliteTable(
  'currents_connectors',
  {
    workspaceId: text('workspace_id').notNull(),
    /** 24 hex characters, Braze's integration id shape; the `<integration-id>` of object keys. */
    id: text('id').notNull(),
    name: text('name').notNull(),
    /** `storage` (Avro files in R2) or `http` (custom HTTP connector). */
    kind: text('kind').notNull(),
    enabled: integer('enabled', { mode: 'boolean' }).notNull(),
    config: text('config').notNull(),
    secrets: text('secrets').notNull().default('{}'),
    createdAt: integer('created_at').notNull(),
    updatedAt: integer('updated_at').notNull(),
  },
  (t) => [primaryKey({ columns: [t.workspaceId, t.id] })],
);

/** Running totals per connector, added to by each buffer shard after every flush. */
export const currentsStats = sqliteTable(
  'currents_stats',
  {
    workspaceId: text('workspace_id').notNull(),
    connectorId: text('connector_id').notNull(),
    eventsSent: integer('events_sent').notNull().default(0),
    /** Avro files written (storage) or batches accepted (HTTP). */
    batchesSent: integer('batches_sent').notNull().default(0),
    /** Failed writes or POSTs (each is retried; events are kept until they succeed or expire). */
    failures: integer('failures').notNull().default(0),
    deadLetters: integer('dead_letters').notNull().default(0),
    lastFlushAt: integer('last_flush_at'),
    lastError: text('last_error'),
    lastErrorAt: integer('last_error_at'),
  },
  (t) => [primaryKey({ columns: [t.workspaceId, t.connectorId] })],
);

/** Events an HTTP connector could not deliver within its retry window, kept for inspection. */
export const currentsDeadLetters = sqliteTable(
  'currents_dead_letters',
  {
    workspaceId: text('workspace_id').notNull(),
    connectorId: text('connector_id').notNull(),
    /** The event's Currents id. */
    eventId: text('event_id').notNull(),
    eventType: text('event_type').notNull(),
    /** The event as the connector would have sent it (JSON). */
    event: text('event').notNull(),
    reason: text('reason').notNull(),
    status: integer('status'),
    attempts: integer('attempts').notNull(),
    failedAt: integer('failed_at').notNull(),
  },
  (t) => [
    primaryKey({ columns: [t.workspaceId, t.connectorId, t.eventId] }),
    index('currents_dead_letters_time').on(t.workspaceId, t.connectorId, t.failedAt),
  ],
);
