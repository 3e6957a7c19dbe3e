import { z } from 'zod';
import { CHANNELS } from './channels';

/**
 * Messages on DELIVERY_QUEUE. A `deliver` message names a dispatch (its content is in D1) and a
 * batch of recipients for one channel; an `expand` message pages the dispatch's audience from
 * the segment index into `deliver` messages; a `record` message carries the batched path's
 * finished sends to their users' profiles (the deferred write-back). All stay small whatever
 * the template size.
 */

/** Recipients per deliver message made from an API request's list: Braze's API batch size. */
export const RECIPIENTS_PER_MESSAGE = 50;

/**
 * Recipients per deliver message made from an audience page (profile ids only, ~50 bytes each,
 * so ~5 KB of the queue's 128 KB). Twice the API batch: the per-message work (two D1 round trips,
 * the statistics, one write-back message, the queue hand-over) is shared by twice the sends,
 * which measured ~12% less CPU per send than 50 (bench/RESULTS.md, Delivery). A consumer batch of
 * 10 such messages is 1,000 webhooks, within Workers Paid's 10,000 subrequests per invocation.
 */
export const EXPAND_RECIPIENTS_PER_MESSAGE = 100;

/** The most recipients (or finished sends) one deliver (or record) message may carry. */
export const MAX_RECIPIENTS_PER_MESSAGE = Math.max(
  RECIPIENTS_PER_MESSAGE,
  EXPAND_RECIPIENTS_PER_MESSAGE,
);

/** Audience profiles read from the index per expand message. */
export const EXPAND_PAGE = 1_000;

/** Attempts per recipient and channel before the send is dead-lettered (contract §5.4). */
export const MAX_ATTEMPTS = 5;

const JsonRecord = z.record(z.string(), z.json());

export const QueuedIdentifier = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('external_id'), value: z.string() }),
  z.object({ kind: z.literal('braze_id'), value: z.string() }),
  z.object({ kind: z.literal('user_alias'), label: z.string(), name: z.string() }),
  z.object({ kind: z.literal('email'), value: z.string() }),
  z.object({ kind: z.literal('phone'), value: z.string() }),
]);

/** One recipient: a profile id (from the index) or an identifier (from an API request). */
export const QueuedRecipient = z.object({
  profile_id: z.string().optional(),
  id: QueuedIdentifier.optional(),
  trigger_properties: JsonRecord.optional(),
  /** Action-based sends: the triggering event's properties (`event_properties` in Liquid). */
  event_properties: JsonRecord.optional(),
  /** Action-based sends: when the trigger happened, epoch ms. */
  triggered_at: z.number().optional(),
  /** Action-based sends: the change record that triggered it; one send per trigger. */
  trigger_id: z.string().optional(),
});
export type QueuedRecipient = z.infer<typeof QueuedRecipient>;

/** One send the batched path made, for its user's profile to record (`record` messages). */
export const SendDone = z.object({
  profile_id: z.string(),
  result: z.enum(['sent', 'aborted', 'failed']),
  attempt: z.number().int().min(1),
  /** When the channel answered, epoch ms. */
  at: z.number(),
  reason: z.string().optional(),
  status: z.number().int().nullable().optional(),
  extras: z.record(z.string(), z.string()).optional(),
  detail: JsonRecord.optional(),
});
export type SendDone = z.infer<typeof SendDone>;

export const DeliveryMessage = z.discriminatedUnion('type', [
  z.object({
    v: z.literal(1),
    type: z.literal('deliver'),
    workspace_id: z.string(),
    dispatch_id: z.string(),
    channel: z.enum(CHANNELS),
    /** 1 for first sends; a channel retry re-enqueues one recipient with the next attempt. */
    attempt: z.number().int().min(1),
    recipients: z.array(QueuedRecipient).min(1).max(MAX_RECIPIENTS_PER_MESSAGE),
  }),
  z.object({
    v: z.literal(1),
    type: z.literal('expand'),
    workspace_id: z.string(),
    dispatch_id: z.string(),
    /** The profile id this page starts after (the dispatch row's cursor when it was sent). */
    after: z.string().nullable(),
    /** How many times this page already waited for the page before it to commit. */
    waits: z.number().int().min(0).optional(),
  }),
  z.object({
    v: z.literal(1),
    type: z.literal('record'),
    workspace_id: z.string(),
    dispatch_id: z.string(),
    channel: z.enum(CHANNELS),
    /** The batched path's finished sends of one deliver message, one per profile. */
    sends: z.array(SendDone).min(1).max(MAX_RECIPIENTS_PER_MESSAGE),
  }),
]);
export type DeliveryMessage = z.infer<typeof DeliveryMessage>;
export type DeliverMessage = Extract<DeliveryMessage, { type: 'deliver' }>;
