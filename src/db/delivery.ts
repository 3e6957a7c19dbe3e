import { index, integer, primaryKey, sqliteTable, text } from 'drizzle-orm/sqlite-core';

/**
 * One row per dispatch (contract §9.4): what was sent and to which audience. Queue messages carry
 * only the dispatch id and a batch of recipients, so a large template is stored once, not once
 * per batch, and stays well under the 128 KB queue message limit.
 */
export const dispatches = sqliteTable(
  'dispatches',
  {
    /** Braze's `dispatch_id`. */
    id: text('id').primaryKey(),
    workspaceId: text('workspace_id').notNull(),
    /** `messages.send`, `campaigns.trigger.send`, `campaign` (scheduled / action-based). */
    source: text('source').notNull(),
    campaignId: text('campaign_id'),
    sendId: text('send_id'),
    /** JSON: channel → message object (src/delivery/channels.ts). */
    messages: text('messages').notNull(),
    /** JSON: what the Liquid `campaign` variables read (name, message name, …). */
    context: text('context').notNull().default('{}'),
    /** JSON `DispatchControls` (src/delivery/dispatch-store.ts): the delivery controls that apply. */
    controls: text('controls').notNull().default('{}'),
    /** JSON filter tree of a segment or audience send, paged into the queue; null for lists. */
    audience: text('audience'),
    /** The last profile id paged into the queue; each page advances it exactly once. */
    cursor: text('cursor'),
    /** Recipients handed to the delivery queue so far (audience expansion adds pages). */
    enqueued: integer('enqueued').notNull().default(0),
    /** `expanding` while an audience is paged into the queue, then `enqueued`. */
    status: text('status').notNull(),
    /**
     * Which ledger decides this dispatch's sends: `batch` (D1 `delivery_claims`, the batched
     * path) or `profile` (each user's object). Fixed by the first deliver message (a
     * compare-and-set), so a redelivered or retried message never changes ledgers midway.
     */
    ledger: text('ledger'),
    createdAt: integer('created_at').notNull(),
    updatedAt: integer('updated_at').notNull(),
  },
  (t) => [index('dispatches_workspace_created').on(t.workspaceId, t.createdAt)],
);

/**
 * Sends that exhausted their retries (or a delivery message the consumer could not process
 * after the queue's own retries): kept here, visible through the dead-letter API.
 */
export const deliveryDeadLetters = sqliteTable(
  'delivery_dead_letters',
  {
    id: text('id').primaryKey(),
    workspaceId: text('workspace_id').notNull(),
    dispatchId: text('dispatch_id').notNull(),
    channel: text('channel').notNull(),
    /** JSON: the recipient (profile id and trigger properties) or the whole queue message. */
    recipient: text('recipient').notNull(),
    reason: text('reason').notNull(),
    /** The last HTTP status when a channel answered. */
    status: integer('status'),
    attempts: integer('attempts').notNull(),
    failedAt: integer('failed_at').notNull(),
  },
  (t) => [index('delivery_dead_letters_workspace').on(t.workspaceId, t.failedAt)],
);

/**
 * The batched path's send ledger (src/delivery/batch-ledger.ts): one row per dispatch, profile and
 * channel, claimed for a whole deliver message in one statement. `recorded` turns 1 once the
 * user's profile has its own record of the send (the deferred write-back).
 */
export const deliveryClaims = sqliteTable(
  'delivery_claims',
  {
    dispatchId: text('dispatch_id').notNull(),
    profileId: text('profile_id').notNull(),
    channel: text('channel').notNull(),
    workspaceId: text('workspace_id').notNull(),
    /** `claimed`, `retry_wait`, or final: `sent`, `aborted`, `failed`, `skipped`. */
    state: text('state').notNull(),
    attempt: integer('attempt').notNull(),
    claimedAt: integer('claimed_at').notNull(),
    updatedAt: integer('updated_at').notNull(),
    recorded: integer('recorded').notNull().default(0),
  },
  (t) => [
    primaryKey({ columns: [t.dispatchId, t.profileId, t.channel] }),
    index('delivery_claims_updated').on(t.updatedAt),
  ],
);
