import { z } from 'zod';
import type { Json } from '../ingestion/types';
import { wallClock } from '../personalization/strftime';
import { matchesPatterns, patternsOf, translateRegex } from '../segments/regex';
import { parseTime } from '../segments/time';
import { TimeZoneName, WallTime, WEEKDAYS, Weekday, wallTimeToInstant } from './schedule';

/**
 * Action-based delivery (contract §3.3): what triggers a send, how long it waits, which events
 * cancel a waiting send. `matchesTrigger` is the pure test the delivery pipeline runs on each
 * event; it knows nothing of audiences or re-eligibility.
 */

const Name = z.string({ error: 'is required' }).min(1, 'must not be empty').max(255);
const Iso = z.string().refine((s) => parseTime(s) !== null, 'must be an ISO 8601 time');

/** Longest delay Herald accepts: Braze's Delay step bound (contract §10.5). */
export const MAX_DELAY_SECONDS = 30 * 86_400;

// ---- property filters ----

const PropertyPath = z
  .string({ error: 'is required' })
  .min(1, 'must not be empty')
  .max(255)
  .refine((s) => !s.startsWith('.') && !s.endsWith('.') && !s.includes('..'), {
    message: 'must not have an empty path segment around "."',
  });
const Regex = z.string().superRefine((s, ctx) => {
  const t = translateRegex(s);
  if (!t.ok) ctx.addIssue({ code: 'custom', message: t.error });
});
const pf = <S extends z.core.$ZodShape>(shape: S) =>
  z.strictObject({ property_name: PropertyPath, ...shape });

/**
 * A filter on an event's properties; a dotted `property_name` reaches into nested objects. A
 * property of the wrong type matches nothing but the negative comparisons.
 */
export const PropertyFilter = z.discriminatedUnion('comparison', [
  pf({ comparison: z.enum(['exists', 'does_not_exist', 'is_true', 'is_false']) }),
  pf({
    comparison: z.enum(['equals', 'not_equal']),
    value: z.union([z.string(), z.number(), z.boolean()], {
      error: 'must be a string, number or boolean',
    }),
  }),
  pf({
    comparison: z.enum([
      'greater_than',
      'greater_than_or_equal_to',
      'less_than',
      'less_than_or_equal_to',
    ]),
    value: z.number({ error: 'must be a number' }),
  }),
  pf({ comparison: z.enum(['matches_regex', 'does_not_match_regex']), value: Regex }),
  pf({
    comparison: z.enum(['is_any_of', 'is_none_of']),
    value: z
      .array(z.union([z.string(), z.number()]))
      .min(1)
      .max(256),
  }),
  pf({ comparison: z.enum(['before', 'after']), value: Iso }),
]);
export type PropertyFilter = z.infer<typeof PropertyFilter>;

const PropertyFilters = z.array(PropertyFilter).max(20).default([]);

function lookup(properties: Record<string, Json>, path: string): Json | undefined {
  if (Object.hasOwn(properties, path)) return properties[path];
  let v: Json | undefined = properties;
  for (const key of path.split('.')) {
    if (typeof v !== 'object' || v === null || Array.isArray(v) || !Object.hasOwn(v, key)) {
      return undefined;
    }
    v = v[key];
  }
  return v;
}

/** Whether event properties satisfy one property filter. */
export function matchesProperty(f: PropertyFilter, properties: Record<string, Json>): boolean {
  const v = lookup(properties, f.property_name);
  const present = v !== undefined && v !== null;
  switch (f.comparison) {
    case 'exists':
      return present;
    case 'does_not_exist':
      return !present;
    case 'is_true':
      return v === true;
    case 'is_false':
      return v === false;
    case 'equals':
      return v === f.value;
    case 'not_equal':
      return v !== f.value;
    case 'greater_than':
      return typeof v === 'number' && v > f.value;
    case 'greater_than_or_equal_to':
      return typeof v === 'number' && v >= f.value;
    case 'less_than':
      return typeof v === 'number' && v < f.value;
    case 'less_than_or_equal_to':
      return typeof v === 'number' && v <= f.value;
    case 'matches_regex':
      return typeof v === 'string' && matchesPatterns(v, patternsOf(f.value));
    case 'does_not_match_regex':
      return !(typeof v === 'string' && matchesPatterns(v, patternsOf(f.value)));
    case 'is_any_of':
      return (typeof v === 'string' || typeof v === 'number') && f.value.includes(v);
    case 'is_none_of':
      return !((typeof v === 'string' || typeof v === 'number') && f.value.includes(v));
    case 'before':
    case 'after': {
      const at = typeof v === 'string' ? parseTime(v) : null;
      const bound = parseTime(f.value)!;
      return at !== null && (f.comparison === 'before' ? at < bound : at > bound);
    }
  }
}

// ---- triggers and exception events ----

const CustomEventTrigger = z.strictObject({
  type: z.literal('custom_event'),
  event_name: Name,
  property_filters: PropertyFilters,
});
const PurchaseTrigger = z.strictObject({
  type: z.literal('purchase'),
  /** Any product when absent. */
  product_id: Name.optional(),
  property_filters: PropertyFilters,
});
const SessionStartTrigger = z.strictObject({
  type: z.literal('session_start'),
  /** Only the user's very first session. */
  first_session: z.boolean().default(false),
  /** Any app when absent. */
  app_ids: z.array(Name).min(1).max(50).optional(),
});

export const Trigger = z.discriminatedUnion('type', [
  CustomEventTrigger,
  PurchaseTrigger,
  SessionStartTrigger,
  z.strictObject({ type: z.literal('segment_entry'), segment_id: Name }),
]);
export type Trigger = z.infer<typeof Trigger>;

export const ExceptionEvent = z.discriminatedUnion('type', [
  CustomEventTrigger,
  PurchaseTrigger,
  z.strictObject({ type: z.literal('session_start') }),
]);
export type ExceptionEvent = z.infer<typeof ExceptionEvent>;

/** How long a triggered send waits (contract §3.3, setting 1). */
export const Delay = z.discriminatedUnion('type', [
  z.strictObject({ type: z.literal('immediately') }),
  z
    .strictObject({
      type: z.literal('after'),
      value: z.number().int().min(1, 'must be at least 1'),
      unit: z.enum(['seconds', 'minutes', 'hours', 'days', 'weeks']),
    })
    .refine((d) => delaySeconds(d) <= MAX_DELAY_SECONDS, {
      path: ['value'],
      message: 'makes a delay over 30 days',
    }),
  z.strictObject({
    type: z.literal('next_weekday'),
    weekday: Weekday,
    time: WallTime,
    in_local_time: z.boolean().default(true),
  }),
  z.strictObject({
    type: z.literal('calendar_days'),
    days: z.number().int().min(1, 'must be 1..30').max(30, 'must be 1..30'),
    time: WallTime,
    in_local_time: z.boolean().default(true),
  }),
]);
export type Delay = z.infer<typeof Delay>;

const UNIT_SECONDS = { seconds: 1, minutes: 60, hours: 3_600, days: 86_400, weeks: 604_800 };

/** A fixed delay in seconds. */
export function delaySeconds(d: { value: number; unit: keyof typeof UNIT_SECONDS }): number {
  return d.value * UNIT_SECONDS[d.unit];
}

export const ActionDelivery = z
  .strictObject({
    type: z.literal('action_based'),
    triggers: z.array(Trigger).min(1, 'must list at least one trigger').max(20),
    delay: Delay.default({ type: 'immediately' }),
    /** Events that cancel a waiting send; only with a delay. */
    exception_events: z.array(ExceptionEvent).max(20).default([]),
    /** Triggers before this time (default: the launch) do not count. */
    start_at: Iso.nullable().default(null),
    /** After this time no send goes out, not even a delayed one. */
    end_at: Iso.nullable().default(null),
    /** Check the audience again when a delayed send is due. */
    reevaluate_audience_at_send: z.boolean().default(false),
    /** Braze's company time zone: where delay times are read unless `in_local_time`. */
    time_zone: TimeZoneName.default('UTC'),
  })
  .superRefine((d, ctx) => {
    if (d.exception_events.length > 0 && d.delay.type === 'immediately') {
      ctx.addIssue({
        code: 'custom',
        path: ['exception_events'],
        message: 'need a delay: an immediate send cannot be cancelled',
      });
    }
    const sessionTrigger = d.triggers.some((t) => t.type === 'session_start');
    const sessionException = d.exception_events.findIndex((e) => e.type === 'session_start');
    if (sessionTrigger && sessionException >= 0) {
      ctx.addIssue({
        code: 'custom',
        path: ['exception_events', sessionException],
        message: 'session start cannot be both a trigger and an exception event',
      });
    }
    if (d.start_at && d.end_at && parseTime(d.end_at)! <= parseTime(d.start_at)!) {
      ctx.addIssue({ code: 'custom', path: ['end_at'], message: 'must be after start_at' });
    }
  });
export type ActionDelivery = z.infer<typeof ActionDelivery>;

/** An event as triggers see it. */
export type TriggerEvent =
  | { type: 'custom_event'; name: string; properties: Record<string, Json> }
  | { type: 'purchase'; productId: string; properties: Record<string, Json> }
  | { type: 'session_start'; appId: string | null; firstSession: boolean }
  | { type: 'segment_entry'; segmentId: string };

/** Whether an event fires a trigger or exception event (property filters all apply). */
export function matchesTrigger(t: Trigger | ExceptionEvent, e: TriggerEvent): boolean {
  switch (t.type) {
    case 'custom_event':
      return (
        e.type === 'custom_event' &&
        e.name === t.event_name &&
        t.property_filters.every((f) => matchesProperty(f, e.properties))
      );
    case 'purchase':
      return (
        e.type === 'purchase' &&
        (t.product_id === undefined || t.product_id === e.productId) &&
        t.property_filters.every((f) => matchesProperty(f, e.properties))
      );
    case 'session_start':
      if (e.type !== 'session_start') return false;
      if ('first_session' in t && t.first_session && !e.firstSession) return false;
      return !('app_ids' in t && t.app_ids) || (e.appId !== null && t.app_ids.includes(e.appId));
    case 'segment_entry':
      return e.type === 'segment_entry' && e.segmentId === t.segment_id;
  }
}

/**
 * When a send triggered at `triggeredAt` is due. `zone` is the user's zone for local-time delays
 * (the campaign's zone when the user has none), otherwise the campaign's zone.
 */
export function delayedSendTime(delay: Delay, triggeredAt: number, zone: string): number {
  switch (delay.type) {
    case 'immediately':
      return triggeredAt;
    case 'after':
      return triggeredAt + delaySeconds(delay) * 1000;
    case 'next_weekday': {
      const today = zonedDate(triggeredAt, zone);
      const ahead =
        (WEEKDAYS.indexOf(delay.weekday) - new Date(`${today}T00:00:00Z`).getUTCDay() + 7) % 7;
      const at = wallTimeToInstant(addDays(today, ahead), delay.time, zone);
      return at > triggeredAt ? at : wallTimeToInstant(addDays(today, ahead + 7), delay.time, zone);
    }
    case 'calendar_days':
      return wallTimeToInstant(addDays(zonedDate(triggeredAt, zone), delay.days), delay.time, zone);
  }
}

function zonedDate(ms: number, zone: string): string {
  const w = wallClock(ms, { iana: zone });
  return `${w.year}-${String(w.month).padStart(2, '0')}-${String(w.day).padStart(2, '0')}`;
}

function addDays(date: string, days: number): string {
  return new Date(Date.parse(`${date}T00:00:00Z`) + days * 86_400_000).toISOString().slice(0, 10);
}
