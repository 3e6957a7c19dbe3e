import { z } from 'zod';
import { RateBucketName } from '../auth/rate-limits';
import { toIanaTimeZone } from '../lib/time-zone';
import { FrequencyRule, GlobalControlGroup } from '../profiles/eligibility';

/** Braze's default allowance of segmentable properties per workspace (§2.4). */
export const DEFAULT_SEGMENTABLE_PROPERTY_LIMIT = 20;
/** The most an operator may raise that allowance to: every one costs profile and index rows. */
export const MAX_SEGMENTABLE_PROPERTIES = 100;

// Braze's property names: at most 255 characters, no leading `$`.
const PropertyName = z
  .string()
  .min(1)
  .max(255)
  .refine((s) => !s.startsWith('$'), 'property names cannot start with $');

/**
 * Per-workspace settings, stored as JSON in D1 and validated here on every read (a trust
 * boundary). Defaults follow Braze's documented defaults.
 */
export const WorkspaceSettings = z.object({
  /** `/users/track` object caps (contract §1.7, §9.1). */
  track_cap_mode: z.enum(['per_array_75', 'combined_75', 'combined_50']).default('per_array_75'),
  /**
   * How `/users/track` and SDK batches apply: `queued` answers once the objects are stored in the
   * ingestion log and applies them moments later (Braze's behaviour); `sync` applies them before
   * answering, at a fraction of the throughput. Null: the deployment's HERALD_TRACK_APPLY.
   */
  track_apply: z.enum(['queued', 'sync']).nullable().default(null),
  /** Default maximum length of array custom attributes: 25, configurable up to 100. */
  array_max_length: z.number().int().min(1).max(100).default(25),
  /**
   * Hosts (`api.example.com`, `10.0.0.5:8080`) or CIDR blocks Connected Content may call even
   * though they are private or on another port than 80/443. Empty: public hosts only.
   */
  connected_content_allowlist: z.array(z.string().min(1).max(255)).max(100).default([]),
  /**
   * Custom event properties enabled for segmentation ("X Custom Event Property In Y Days"). Only
   * these are counted per UTC day on profiles, from the moment they are enabled.
   */
  segmentable_event_properties: z
    .array(z.strictObject({ event_name: z.string().min(1).max(255), property_name: PropertyName }))
    .max(MAX_SEGMENTABLE_PROPERTIES)
    .default([])
    .describe('Custom event properties enabled for segmentation (counted from then on)'),
  /**
   * Purchase properties enabled for segmentation ("X Purchase Property In Y Days"), for every
   * product. They share the allowance with the event properties.
   */
  segmentable_purchase_properties: z
    .array(z.strictObject({ property_name: PropertyName }))
    .max(MAX_SEGMENTABLE_PROPERTIES)
    .default([])
    .describe('Purchase properties enabled for segmentation, for every product'),
  /** How many segmentable properties (events and purchases together) the workspace may enable. */
  segmentable_property_limit: z
    .number()
    .int()
    .min(0)
    .max(MAX_SEGMENTABLE_PROPERTIES)
    .default(DEFAULT_SEGMENTABLE_PROPERTY_LIMIT)
    .describe('How many event and purchase properties together may be enabled (Braze: 20)'),
  /**
   * Global frequency-capping rules (contract §3.5.2): at most 10, all applied; day and week
   * windows are calendar days in the user's time zone.
   */
  frequency_capping_rules: z.array(FrequencyRule).max(10).default([]),
  /** Braze's Global Control Group (contract §3.8); null: none. */
  global_control_group: GlobalControlGroup.nullable().default(null),
  /** Braze's company time zone: users without a time zone are treated as in it. */
  company_time_zone: z
    .string()
    .refine((s) => toIanaTimeZone(s) !== null, 'must be an IANA time zone name')
    .default('UTC'),
  /**
   * Braze's transactional HTTP event postback (contract §3.10.7): each transactional send's
   * outcome is POSTed here. The address guard of webhooks applies.
   */
  transactional_postback_url: z.url().nullable().default(null),
  /**
   * USD per unit of a currency, for purchase revenue in the analytics series: overrides or
   * extends Herald's reference rates (src/analytics/usd.ts, docs/analytics.md).
   */
  usd_exchange_rates: z
    .record(
      z.string().regex(/^[A-Z]{3}$/, 'currency codes are 3 capital letters'),
      z.number().positive(),
    )
    .default({}),
  /** Overrides of the default rate-limit buckets. */
  rate_limits: z
    .partialRecord(
      RateBucketName,
      z.object({
        limit: z.number().int().min(1),
        window_seconds: z.number().int().min(1).max(86_400),
      }),
    )
    .default({}),
});
export type WorkspaceSettings = z.infer<typeof WorkspaceSettings>;

/** The properties a workspace enabled for segmentation, as profiles and the segment saver read them. */
export type SegmentableProperties = Pick<
  WorkspaceSettings,
  'segmentable_event_properties' | 'segmentable_purchase_properties'
>;

/** The segmentable properties to send along with writes; undefined when none are enabled. */
export function segmentableOf(settings: WorkspaceSettings): SegmentableProperties | undefined {
  const { segmentable_event_properties: events, segmentable_purchase_properties: purchases } =
    settings;
  if (events.length === 0 && purchases.length === 0) return undefined;
  return { segmentable_event_properties: events, segmentable_purchase_properties: purchases };
}

/** Why a complete settings object cannot be saved (a rule across fields), or null. */
export function settingsProblem(settings: WorkspaceSettings): string | null {
  const enabled = new Set([
    ...settings.segmentable_event_properties.map((p) =>
      JSON.stringify(['event', p.event_name, p.property_name]),
    ),
    ...settings.segmentable_purchase_properties.map((p) =>
      JSON.stringify(['purchase', p.property_name]),
    ),
  ]).size;
  if (enabled > settings.segmentable_property_limit) {
    return `settings: ${enabled} segmentable properties are enabled but segmentable_property_limit is ${settings.segmentable_property_limit}`;
  }
  return null;
}

/** Parse a stored settings column; a corrupt column falls back to defaults rather than failing. */
export function parseSettings(json: string): WorkspaceSettings {
  try {
    const parsed = WorkspaceSettings.safeParse(JSON.parse(json));
    if (parsed.success) return parsed.data;
  } catch {
    // fall through to defaults
  }
  return WorkspaceSettings.parse({});
}

/** Whether this workspace's `/users/track` and SDK writes are queued (the default) or applied inline. */
export function trackApplyMode(
  settings: WorkspaceSettings,
  deploymentDefault: string | undefined,
): 'queued' | 'sync' {
  return settings.track_apply ?? (deploymentDefault === 'sync' ? 'sync' : 'queued');
}
