import { z } from 'zod';
import { ENGAGEMENT_EVENTS } from '../profiles/engagement-events';

/**
 * Change records: what a profile emits for every accepted change, for the layers that come next
 * (segment index, triggers, Currents). A profile sends them in batches on CHANGES_QUEUE; within a
 * profile `seq` increases by one per record, so consumers can order and de-duplicate.
 */

const JsonValue: z.ZodType<unknown> = z.json();

const Base = z.object({
  /** Unique id, for consumers to de-duplicate (delivery is at least once). */
  id: z.string(),
  /** Per-profile sequence number, starting at 1. */
  seq: z.number().int().positive(),
  /** When the change happened (event time for events), epoch ms. */
  time: z.number(),
});

const IdentifierSnapshot = z.object({
  external_id: z.string().nullable(),
  braze_id: z.string(),
  user_aliases: z.array(z.object({ alias_name: z.string(), alias_label: z.string() })),
});

export const ChangeRecord = z.discriminatedUnion('type', [
  Base.extend({
    type: z.literal('profile.created'),
    identifiers: IdentifierSnapshot,
  }),
  Base.extend({
    type: z.literal('attributes.changed'),
    changes: z.array(
      z.object({
        key: z.string(),
        custom: z.boolean(),
        old: JsonValue,
        new: JsonValue,
      }),
    ),
  }),
  Base.extend({
    type: z.literal('event.custom'),
    event_id: z.string(),
    name: z.string(),
    app_id: z.string().nullable(),
    properties: z.record(z.string(), JsonValue),
  }),
  Base.extend({
    type: z.literal('event.purchase'),
    event_id: z.string(),
    product_id: z.string(),
    currency: z.string(),
    price: z.number(),
    quantity: z.number().int(),
    app_id: z.string().nullable(),
    properties: z.record(z.string(), JsonValue),
  }),
  /** An SDK session started or ended (src/profiles/sessions.ts). */
  Base.extend({
    type: z.enum(['session.started', 'session.ended']),
    session_id: z.string(),
    app_id: z.string(),
    /** Ends only: seconds. */
    duration: z.number().optional(),
  }),
  Base.extend({
    type: z.literal('identity.changed'),
    change: z.enum([
      'external_id_set',
      'external_id_renamed',
      'external_id_removed',
      'alias_added',
      'alias_updated',
      'alias_removed',
    ]),
    identifiers: IdentifierSnapshot,
    detail: z.record(z.string(), JsonValue),
  }),
  Base.extend({
    type: z.literal('subscription.changed'),
    channel: z.enum(['email', 'push', 'subscription_group']),
    group_id: z.string().nullable(),
    state: z.string().nullable(),
  }),
  Base.extend({
    type: z.literal('profile.merged'),
    /** The profile that absorbed this one's data. */
    merged_from: z.string(),
  }),
  Base.extend({
    type: z.literal('profile.orphaned'),
    merged_into: z.string(),
  }),
  Base.extend({
    type: z.literal('profile.deleted'),
  }),
  Base.extend({
    type: z.enum(['segment.entered', 'segment.exited']),
    segment_id: z.string(),
  }),
  /** A message to this user was sent, aborted or failed for good (src/profiles/sends.ts). */
  Base.extend({
    type: z.literal('message.event'),
    event: z.enum([
      'send',
      'abort',
      'failure',
      'frequency_cap',
      'control',
      'conversion',
      'revenue',
      // Engagement after the send (src/profiles/engagement.ts): tracking hits, provider
      // webhooks and SDK reports.
      ...ENGAGEMENT_EVENTS,
    ]),
    channel: z.string(),
    dispatch_id: z.string(),
    send_id: z.string().nullable(),
    campaign_id: z.string().nullable(),
    variant_id: z.string().nullable(),
    /** abort_message's reason, or why the channel failed. */
    reason: z.string().nullable(),
    /** The channel's answer (a webhook's HTTP status); null when nothing answered. */
    status: z.number().nullable(),
    message_extras: z.record(z.string(), z.string()),
    /** Conversions: which of the campaign's conversion events (0 = primary). */
    conversion: z.number().int().min(0).max(3).optional(),
    /** Revenue: the purchase's price × quantity, inside the primary conversion window. */
    revenue: z.number().optional(),
    /** Engagement: whether this is the user's first event of its kind for the campaign. */
    unique: z.boolean().optional(),
    /** Click: the link's destination. */
    url: z.string().optional(),
    /** Engagement: channel specifics (bounce type, provider, device, button). */
    detail: z.record(z.string(), JsonValue).optional(),
  }),
]);
export type ChangeRecord = z.infer<typeof ChangeRecord>;

/** A record before the outbox gives it its id and sequence number. */
export type ChangeRecordDraft = ChangeRecord extends infer R
  ? R extends ChangeRecord
    ? Omit<R, 'id' | 'seq'>
    : never
  : never;

/** One profile's records, in sequence order. */
export const ChangeBatch = z.object({
  v: z.literal(1),
  workspace_id: z.string(),
  profile_id: z.string(),
  records: z.array(ChangeRecord).min(1),
  /**
   * The profile's outbox row up to which these records were handed to the caller: the consumer
   * acks it when it reads the profile, so handed-off records are released once they are in the
   * queue.
   */
  outbox_up_to: z.number().int().optional(),
});
export type ChangeBatch = z.infer<typeof ChangeBatch>;

/**
 * One queue message: change batches of one or more profiles. Packing several profiles into a
 * message keeps the message rate far below the per-queue limit at high ingestion rates.
 */
export const ChangeMessage = z.object({
  v: z.literal(1),
  batches: z.array(ChangeBatch).min(1),
});
export type ChangeMessage = z.infer<typeof ChangeMessage>;
