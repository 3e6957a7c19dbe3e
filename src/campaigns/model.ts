import { z } from 'zod';
import { parseSegmentFilter, type SegmentFilter } from '../segments/filters';
import { CampaignMessages, type Channel, channelsOf } from './messages';
import { Schedule } from './schedule';
import { ActionDelivery } from './triggers';

/**
 * The campaign model (contract §3): delivery, audience, variants with their messages, control
 * group, conversion events and delivery controls. The same schemas validate the management API's
 * bodies and every JSON column read back from D1.
 */

export const CampaignStatus = z.enum(['draft', 'active', 'stopped']);
export type CampaignStatus = z.infer<typeof CampaignStatus>;

export const DELIVERY_TYPES = ['scheduled', 'action_based', 'api_triggered'] as const;
export type DeliveryType = (typeof DELIVERY_TYPES)[number];

/** Most variants a campaign may test (contract §3.6), besides the control group. */
export const MAX_VARIANTS = 8;
/** Most conversion events per campaign (contract §3.7). */
export const MAX_CONVERSION_EVENTS = 4;
/** Default conversion window: 3 days (contract §3.7). */
export const DEFAULT_CONVERSION_WINDOW = 3 * 86_400;
/** Longest conversion window: 30 days. */
export const MAX_CONVERSION_WINDOW = 30 * 86_400;

const Id = z.string().min(1, 'must not be empty').max(128);
const Name = z.string({ error: 'is required' }).min(1, 'must not be empty').max(255);

// ---- delivery ----

export const ScheduledDelivery = z.strictObject({
  type: z.literal('scheduled'),
  schedule: Schedule,
});
export type ScheduledDelivery = z.infer<typeof ScheduledDelivery>;

export const ApiTriggeredDelivery = z.strictObject({ type: z.literal('api_triggered') });

export const Delivery = z.discriminatedUnion('type', [
  ScheduledDelivery,
  ActionDelivery,
  ApiTriggeredDelivery,
]);
export type Delivery = z.infer<typeof Delivery>;

// ---- audience ----

/**
 * Who a campaign may reach: members of every listed segment (Braze joins a campaign's segments
 * with AND) who also match `filter`, a tree in the segment filter language. Empty: everyone.
 */
export const Audience = z.strictObject({
  segment_ids: z.array(Id).max(50).default([]),
  filter: z
    .unknown()
    .optional()
    .transform((v, ctx): SegmentFilter | null => {
      if (v === undefined || v === null) return null;
      const parsed = parseSegmentFilter(v);
      if (parsed.ok) return parsed.filter;
      ctx.addIssue({ code: 'custom', message: parsed.error });
      return z.NEVER;
    })
    .meta({ description: 'A segment filter tree (see /herald/segments).' }),
});
export type Audience = z.infer<typeof Audience>;

/** The audience as one filter tree for the segment evaluators; null means every user. */
export function audienceFilter(audience: Audience): SegmentFilter | null {
  const parts: SegmentFilter[] = audience.segment_ids.map((segment_id) => ({
    segment_membership: { segment_id, comparison: 'is' as const },
  }));
  if (audience.filter) parts.push(audience.filter);
  if (parts.length === 0) return null;
  return parts.length === 1 ? parts[0]! : { AND: parts };
}

// ---- variants ----

/** A variant as the management API takes it; ids and names are filled in when saved. */
export const VariantInput = z.strictObject({
  /** Kept across edits, so a user stays in the same variant (assignment hashes it). */
  id: z
    .string()
    .regex(/^[A-Za-z0-9_-]{1,64}$/, 'must be 1-64 letters, digits, - or _')
    .optional(),
  name: Name.optional(),
  /** Whole percent; may be left out for a single variant (it gets what control leaves). */
  percentage: z.number().int('must be a whole number').min(0).max(100).optional(),
  messages: CampaignMessages,
});
export type VariantInput = z.infer<typeof VariantInput>;

/** A saved variant: every message object carries its `message_variation_id`. */
export const Variant = z.strictObject({
  id: z.string(),
  name: z.string(),
  percentage: z.number().int(),
  messages: CampaignMessages,
});
export type Variant = z.infer<typeof Variant>;

// ---- conversion events (Braze's `conversion_behaviors` shape, contract §3.9) ----

const Window = z
  .number()
  .int('must be a whole number of seconds')
  .min(1, 'must be at least 1 second')
  .max(MAX_CONVERSION_WINDOW, 'must be at most 30 days (2592000 seconds)')
  .default(DEFAULT_CONVERSION_WINDOW);
const AppIds = z.array(Id).min(1).max(50).nullable().default(null);

export const ConversionEvent = z.discriminatedUnion('type', [
  z.strictObject({ type: z.literal('Clicks Email'), window: Window }),
  z.strictObject({ type: z.literal('Opens Email'), window: Window }),
  z.strictObject({ type: z.literal('Makes Any Purchase'), window: Window }),
  z.strictObject({ type: z.literal('Makes Specific Purchase'), window: Window, product: Name }),
  z.strictObject({
    type: z.literal('Performs Custom Event'),
    window: Window,
    custom_event_name: Name,
  }),
  z.strictObject({ type: z.literal('Upgrades App'), window: Window, app_ids: AppIds }),
  z.strictObject({ type: z.literal('Starts Session'), window: Window, app_ids: AppIds }),
]);
export type ConversionEvent = z.infer<typeof ConversionEvent>;

// ---- delivery controls (contract §3.5) ----

export const QuietHours = z
  .strictObject({
    /** `HH:mm` in the user's local time (the campaign's zone when unknown). */
    start: z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/, 'must be HH:mm (24-hour)'),
    end: z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/, 'must be HH:mm (24-hour)'),
    /** Inside quiet hours: drop the send, or send when they end. */
    on_quiet: z.enum(['abort', 'send_at_next_available']).default('abort'),
  })
  .refine((q) => q.start !== q.end, { path: ['end'], message: 'must differ from start' });
export type QuietHours = z.infer<typeof QuietHours>;

export const DeliveryControls = z.strictObject({
  /** Seconds after a receipt before the user may receive again; null: only once. */
  reeligibility_seconds: z
    .number()
    .int('must be a whole number of seconds')
    .min(0)
    .max(10 * 365 * 86_400)
    .nullable()
    .default(null),
  /** Sends per minute (per channel for a multichannel campaign); null: as fast as possible. */
  rate_limit_per_minute: z
    .number()
    .int()
    .min(10, 'must be 10..500000')
    .max(500_000, 'must be 10..500000')
    .nullable()
    .default(null),
  /** Whether the workspace's frequency capping rules limit this campaign. */
  frequency_capping: z.boolean().default(true),
  /** With capping off: whether its sends still count toward the caps (Braze's default: no). */
  counts_toward_frequency_cap: z.boolean().optional(),
  /** Action-based campaigns only. */
  quiet_hours: QuietHours.nullable().default(null),
  /** Braze's `recipient_subscription_state`. */
  subscription_state: z.enum(['subscribed', 'opted_in', 'all']).default('subscribed'),
  /** Whether members of the workspace's Global Control Group are withheld. */
  global_control_group: z.boolean().default(true),
});
export type DeliveryControls = z.infer<typeof DeliveryControls>;

// ---- the whole definition ----

/** A campaign's definition as the management API takes it. */
export const CampaignInput = z
  .strictObject({
    name: Name,
    description: z.string().max(2_000).nullable().default(null),
    tags: z.array(z.string().min(1).max(100)).max(50).default([]),
    delivery: Delivery,
    audience: Audience.default({ segment_ids: [], filter: null }),
    variants: z.array(VariantInput).min(1, 'must list at least one variant').max(MAX_VARIANTS),
    control_percentage: z.number().int('must be a whole number').min(0).max(100).default(0),
    conversion_events: z.array(ConversionEvent).max(MAX_CONVERSION_EVENTS).default([]),
    delivery_controls: DeliveryControls.default(DeliveryControls.parse({})),
  })
  .superRefine((c, ctx) => {
    const issue = (path: (string | number)[], message: string) =>
      ctx.addIssue({ code: 'custom', path, message });
    const channels = channelsOf(c.variants[0]!.messages);
    for (const [i, v] of c.variants.entries()) {
      const own = channelsOf(v.messages);
      if (i > 0 && own.join() !== channels.join()) {
        issue(
          ['variants', i, 'messages'],
          `must send on the same channels as variants.0 (${channels.join(', ')})`,
        );
      }
    }
    if (channels.length > 1 && c.variants.length > 1) {
      issue(
        ['variants'],
        'a multichannel campaign has exactly one variant (A/B tests need one channel)',
      );
    }
    if (channels.length > 1 && c.control_percentage > 0) {
      issue(['control_percentage'], 'must be 0: control groups need a single-channel campaign');
    }
    const given = c.variants.filter((v) => v.percentage !== undefined).length;
    if (c.variants.length > 1 && given < c.variants.length) {
      issue(['variants'], 'every variant needs a percentage when there are several');
    } else {
      const sum =
        c.control_percentage +
        c.variants.reduce((n, v) => n + (v.percentage ?? 100 - c.control_percentage), 0);
      if (sum !== 100) {
        issue(
          ['variants'],
          `variant percentages and control_percentage must add up to 100, not ${sum}`,
        );
      }
    }
    const ids = new Set<string>();
    for (const [i, v] of c.variants.entries()) {
      for (const id of [v.id, ...Object.values(v.messages).map((m) => m?.message_variation_id)]) {
        if (id === undefined) continue;
        if (ids.has(id)) issue(['variants', i], `id ${id} is used twice`);
        ids.add(id);
      }
    }
    for (const [i, e] of c.conversion_events.entries()) {
      if ((e.type === 'Clicks Email' || e.type === 'Opens Email') && !channels.includes('email')) {
        issue(['conversion_events', i, 'type'], `${e.type} needs an email message`);
      }
    }
    if (c.delivery_controls.quiet_hours && c.delivery.type !== 'action_based') {
      issue(['delivery_controls', 'quiet_hours'], 'are for action-based campaigns only');
    }
  });
export type CampaignInput = z.infer<typeof CampaignInput>;

/** The normalised definition that is stored: ids, names and percentages filled in. */
export interface CampaignDefinition {
  name: string;
  description: string | null;
  tags: string[];
  delivery: Delivery;
  audience: Audience;
  variants: Variant[];
  controlPercentage: number;
  controlVariationId: string;
  channels: Channel[];
  conversionEvents: ConversionEvent[];
  controls: DeliveryControls;
}

/**
 * Fill in what the caller left out. On an edit, variants without an id keep the id of the
 * variant at the same position, and messages without a `message_variation_id` keep the one of
 * the same variant and channel, so assignments and statistics survive ordinary edits.
 */
export function normalize(
  input: CampaignInput,
  previous: Pick<CampaignDefinition, 'variants' | 'controlVariationId'> | null,
  newId: () => string = () => crypto.randomUUID(),
): CampaignDefinition {
  const channels = channelsOf(input.variants[0]!.messages);
  const variants = input.variants.map((v, i): Variant => {
    const id = v.id ?? previous?.variants[i]?.id ?? newId();
    const before = previous?.variants.find((p) => p.id === id);
    const messages = Object.fromEntries(
      channels.map((channel) => {
        const m = v.messages[channel]!;
        const kept = before?.messages[channel]?.message_variation_id;
        return [channel, { ...m, message_variation_id: m.message_variation_id ?? kept ?? newId() }];
      }),
    ) as CampaignMessages;
    return {
      id,
      name: v.name ?? `Variant ${i + 1}`,
      percentage: v.percentage ?? 100 - input.control_percentage,
      messages,
    };
  });
  return {
    name: input.name,
    description: input.description,
    tags: input.tags,
    delivery: input.delivery,
    audience: input.audience,
    variants,
    controlPercentage: input.control_percentage,
    controlVariationId: previous?.controlVariationId ?? newId(),
    channels,
    conversionEvents: input.conversion_events,
    controls: input.delivery_controls,
  };
}

/** What a `message_variation_id` names in a campaign: one variant's message, or the control group. */
export type Variation =
  | { type: 'message'; variant: Variant; channel: Channel }
  | { type: 'control'; channel: Channel };

/** Find a `message_variation_id` in a campaign; null when it is not one of the campaign's. */
export function findVariation(
  d: Pick<CampaignDefinition, 'variants' | 'channels' | 'controlPercentage' | 'controlVariationId'>,
  id: string,
): Variation | null {
  if (id === d.controlVariationId && d.controlPercentage > 0) {
    return { type: 'control', channel: d.channels[0]! };
  }
  for (const variant of d.variants) {
    for (const channel of d.channels) {
      if (variant.messages[channel]?.message_variation_id === id) {
        return { type: 'message', variant, channel };
      }
    }
  }
  return null;
}
