import { z } from 'zod';
import { localSendTime, type Occurrence } from '../campaigns/schedule';
import {
  type Delay,
  delayedSendTime,
  type ExceptionEvent,
  matchesTrigger,
  type TriggerEvent,
} from '../campaigns/triggers';
import type { Json } from '../ingestion/types';
import { fnv1a32 } from '../lib/hash';
import { instantOf, localMidnight, localMinuteOfDay, localParts } from '../lib/local-time';
import { toIanaTimeZone } from '../lib/time-zone';
import type { ProfileStore } from './profile-store';

/**
 * The delivery controls a profile applies when a send is claimed (contract §3.5): re-eligibility,
 * global frequency caps in the user's local calendar days, quiet hours in local time, and the
 * subscription state a send targets. Each control is optional: a send states the ones that
 * apply to it (an API send to listed users has none of the campaign ones).
 */

/** A workspace's global frequency-capping rule (contract §3.5.2). */
export const FrequencyRule = z
  .strictObject({
    /** `any`: every capped channel together, a multichannel campaign counting once. */
    channel: z.enum(['any', 'email', 'push', 'sms', 'webhook', 'whats_app']),
    /** Only messages whose campaign carries this tag. */
    tag: z.string().min(1).max(255).optional(),
    limit: z.number().int().min(1).max(1_000),
    unit: z.enum(['minutes', 'days', 'weeks']),
    count: z.number().int().min(1),
  })
  .refine((r) => windowMs(r) <= 30 * 86_400_000, {
    message: 'a frequency-capping window may be at most 30 days',
  });
export type FrequencyRule = z.infer<typeof FrequencyRule>;

function windowMs(r: { unit: string; count: number }): number {
  if (r.unit === 'minutes') return r.count * 60_000;
  return r.count * (r.unit === 'weeks' ? 7 : 1) * 86_400_000;
}

/** Quiet hours in the user's local time (the campaign model validates them: src/campaigns). */
export interface QuietHours {
  /** `HH:mm`, 24-hour. */
  start: string;
  end: string;
  /** Braze: abort the message, or send it when quiet hours end. */
  on_quiet: 'abort' | 'send_at_next_available';
}

export interface SendControls {
  /**
   * Re-eligibility for the claim's campaign: undefined: not checked; null: once per campaign;
   * a number: seconds after the last receipt.
   */
  reeligibleAfterSeconds?: number | null;
  /** Rules to apply; empty or absent when capping is off for this send. */
  frequencyCaps?: FrequencyRule[];
  /** Whether this send counts toward later caps (default true). */
  countsTowardCaps?: boolean;
  /** The campaign's tags, for tag rules. */
  tags?: string[];
  quietHours?: QuietHours | null;
  /** Which subscription attribute and state the send requires. */
  subscription?: {
    attribute: 'email_subscribe' | 'push_subscribe';
    state: 'subscribed' | 'opted_in' | 'all';
  } | null;
  /** SMS: the subscription group the user must be `subscribed` to (Braze sends no one else). */
  subscriptionGroup?: string | null;
  /** The workspace's zone, for users without one (Braze's company time zone). */
  companyTimeZone?: string;
  /** An action-based send: its trigger time, delay and exception events (contract §3.3). */
  trigger?: {
    at: number;
    delay: Delay;
    exceptionEvents: ExceptionEvent[];
    /** The campaign's zone, for delays read in it (and users without a zone). */
    timeZone: string;
    /** No send after this instant, not even a delayed one. */
    endAt: number | null;
  };
  /** A local-time scheduled send: each user at `date time` in their own zone (contract §3.2). */
  localTime?: Pick<Occurrence, 'date' | 'time' | 'timeZone' | 'inLocalTime' | 'dueAt' | 'optimal'>;
}

export type Eligibility =
  | { ok: true }
  | {
      ok: false;
      reason:
        | 'not_reeligible'
        | 'frequency_capped'
        | 'quiet_hours'
        | 'unsubscribed'
        | 'local_time_passed'
        | 'exception_event'
        | 'campaign_ended';
    }
  | { ok: false; reason: 'deferred'; untilMs: number };

/** The user's zone, or the company's. */
export function userTimeZone(store: ProfileStore, fallback: string): string {
  const attr = store.getAttr('time_zone', false);
  const raw = typeof attr?.value === 'string' ? attr.value : null;
  return (raw && toIanaTimeZone(raw)) || toIanaTimeZone(fallback) || 'UTC';
}

export function checkEligibility(
  store: ProfileStore,
  input: { controls: SendControls; campaignId: string | null; channel: string; now: number },
): Eligibility {
  const { controls, now } = input;
  if (controls.subscription && controls.subscription.state !== 'all') {
    const attr = store.getAttr(controls.subscription.attribute, false);
    const state = typeof attr?.value === 'string' ? attr.value : 'subscribed';
    const ok =
      controls.subscription.state === 'opted_in'
        ? state === 'opted_in'
        : state === 'opted_in' || state === 'subscribed';
    if (!ok) return { ok: false, reason: 'unsubscribed' };
  }
  if (controls.subscriptionGroup) {
    const row = store.sql
      .exec<{ state: string }>(
        'SELECT state FROM subscription_groups WHERE group_id = ?',
        controls.subscriptionGroup,
      )
      .toArray()[0];
    if (row?.state !== 'subscribed') return { ok: false, reason: 'unsubscribed' };
  }
  if (controls.reeligibleAfterSeconds !== undefined && input.campaignId !== null) {
    const row = store.sql
      .exec<{ last: number | null }>(
        'SELECT last_received_at AS last FROM message_engagement WHERE campaign_id = ?',
        input.campaignId,
      )
      .toArray()[0];
    if (row?.last != null) {
      const after = controls.reeligibleAfterSeconds;
      if (after === null || now - row.last < after * 1_000) {
        return { ok: false, reason: 'not_reeligible' };
      }
    }
  }
  if (controls.trigger) {
    const t = controls.trigger;
    const local =
      t.delay.type !== 'immediately' && t.delay.type !== 'after' && t.delay.in_local_time;
    const zone = local ? userTimeZone(store, t.timeZone) : t.timeZone;
    const due = delayedSendTime(t.delay, t.at, zone);
    if (t.endAt !== null && Math.max(due, now) > t.endAt)
      return { ok: false, reason: 'campaign_ended' };
    if (due > now) return { ok: false, reason: 'deferred', untilMs: due };
    if (t.exceptionEvents.length > 0 && exceptionSince(store, t.exceptionEvents, t.at)) {
      return { ok: false, reason: 'exception_event' };
    }
  }
  if (controls.localTime?.inLocalTime) {
    const attr = store.getAttr('time_zone', false);
    const own = typeof attr?.value === 'string' ? attr.value : null;
    let occurrence = controls.localTime;
    if (occurrence.optimal) {
      const zone = (own && toIanaTimeZone(own)) || occurrence.timeZone;
      const best = bestLocalHour(store, zone, now);
      if (best !== null)
        occurrence = { ...occurrence, time: `${String(best).padStart(2, '0')}:00` };
    }
    const slot = localSendTime(occurrence, own, now);
    if (slot.skip) return { ok: false, reason: 'local_time_passed' };
    if (slot.at > now) return { ok: false, reason: 'deferred', untilMs: slot.at };
  }
  const zone = userTimeZone(store, controls.companyTimeZone ?? 'UTC');
  if (controls.quietHours) {
    const inQuiet = quietUntil(controls.quietHours, now, zone);
    if (inQuiet !== null) {
      return controls.quietHours.on_quiet === 'abort'
        ? { ok: false, reason: 'quiet_hours' }
        : { ok: false, reason: 'deferred', untilMs: inQuiet };
    }
  }
  for (const rule of controls.frequencyCaps ?? []) {
    if (rule.channel !== 'any' && rule.channel !== input.channel) continue;
    if (sentInWindow(store, rule, now, zone) >= rule.limit) {
      return { ok: false, reason: 'frequency_capped' };
    }
  }
  return { ok: true };
}

/** True when the user did an exception event after the trigger (from the bounded raw events). */
function exceptionSince(store: ProfileStore, events: ExceptionEvent[], since: number): boolean {
  const rows = store.sql
    .exec<{ kind: string; name: string; payload: string }>(
      `SELECT kind, name, payload FROM raw_events WHERE time > ? AND kind IN ('custom', 'purchase')
       ORDER BY time`,
      since,
    )
    .toArray();
  for (const row of rows) {
    // A custom event's payload is its properties; a purchase's holds them under `properties`.
    const payload = JSON.parse(row.payload) as Record<string, Json>;
    const event: TriggerEvent =
      row.kind === 'purchase'
        ? {
            type: 'purchase',
            productId: row.name,
            properties: (payload.properties ?? {}) as Record<string, Json>,
          }
        : { type: 'custom_event', name: row.name, properties: payload };
    if (events.some((e) => matchesTrigger(e, event))) return true;
  }
  return false;
}

/** Activity needed before a user's own best hour is trusted (else the fallback time). */
const MIN_ACTIVITY_FOR_BEST_HOUR = 5;
/** History Intelligent Timing reads: the last 30 days. */
const BEST_HOUR_LOOKBACK_MS = 30 * 86_400_000;

/**
 * Intelligent Timing's prediction (contract §3.5.6): the local hour of day at which this user
 * was most often active over the last 30 days — their custom events and purchases (sessions
 * join when the SDK records them), from the profile's recent raw events (ties go to the earlier
 * hour). Null with too little history. Braze also weighs push and email opens; those arrive
 * with the channels.
 */
export function bestLocalHour(store: ProfileStore, zone: string, now: number): number | null {
  const rows = store.sql
    .exec<{ time: number }>(
      'SELECT time FROM raw_events WHERE time > ?',
      now - BEST_HOUR_LOOKBACK_MS,
    )
    .toArray();
  if (rows.length < MIN_ACTIVITY_FOR_BEST_HOUR) return null;
  const hours = new Array<number>(24).fill(0);
  for (const r of rows) hours[localParts(r.time, zone).hour]! += 1;
  let best = 0;
  for (let h = 1; h < 24; h++) if (hours[h]! > hours[best]!) best = h;
  return best;
}

/** When quiet hours end, if `now` falls inside them; null otherwise. */
export function quietUntil(q: QuietHours, now: number, zone: string): number | null {
  const minute = (s: string) => Number(s.slice(0, 2)) * 60 + Number(s.slice(3));
  const start = minute(q.start);
  const end = minute(q.end);
  if (start === end) return null;
  const m = localMinuteOfDay(now, zone);
  const inside = start < end ? m >= start && m < end : m >= start || m < end;
  if (!inside) return null;
  // The end is today's local `end`, or tomorrow's when the window wraps past midnight. Wall
  // times, not minutes after midnight, so a DST change that day does not shift it.
  const endOn = (dayStart: number) => {
    const d = localParts(dayStart, zone);
    return instantOf({ ...d, hour: Math.floor(end / 60), minute: end % 60 }, zone);
  };
  const today = localMidnight(now, zone);
  const endToday = endOn(today);
  if (endToday > now) return endToday;
  // Local days last 23 to 25 hours: 26 hours after midnight is always the next day.
  return endOn(localMidnight(today + 26 * 3_600_000, zone));
}

/** Sends that count toward `rule` inside its window, which ends now. */
function sentInWindow(store: ProfileStore, rule: FrequencyRule, now: number, zone: string): number {
  const from =
    rule.unit === 'minutes'
      ? now - rule.count * 60_000
      : localMidnight(now, zone, rule.count * (rule.unit === 'weeks' ? 7 : 1) - 1);
  const channelClause = rule.channel === 'any' ? '' : 'AND channel = ?';
  const tagClause =
    rule.tag === undefined ? '' : 'AND EXISTS (SELECT 1 FROM json_each(tags) WHERE value = ?)';
  const params: (string | number)[] = [from];
  if (rule.channel !== 'any') params.push(rule.channel);
  if (rule.tag !== undefined) params.push(rule.tag);
  // In-app messages and Content Cards neither count nor are capped (contract §3.5.2).
  const what = rule.channel === 'any' ? 'count(DISTINCT dispatch_id)' : 'count(*)';
  const row = store.sql
    .exec<{ n: number }>(
      `SELECT ${what} AS n FROM sends WHERE state = 'sent' AND counts = 1
         AND channel NOT IN ('content_card', 'in_app_message')
         AND updated_at >= ? ${channelClause} ${tagClause}`,
      ...params,
    )
    .one();
  return row.n;
}

/**
 * The workspace's Global Control Group (contract §3.8): `percentage` of all users, withheld
 * from every campaign that respects it. Built, as Braze does, from ranges of random-bucket
 * numbers: the 100 ranges of 100 buckets are ordered by a hash of the group's seed and the first
 * `percentage` are the group, so new users in those buckets join it and the share stays stable.
 * Re-creating the group with a new seed reshuffles it.
 */
export const GlobalControlGroup = z.strictObject({
  percentage: z.number().int().min(1, 'must be 1..15').max(15, 'must be 1..15'),
  seed: z.string().min(1).max(64),
  /** Campaigns carrying one of these tags ignore the group. */
  exclusion_tags: z.array(z.string().min(1).max(255)).max(100).default([]),
});
export type GlobalControlGroup = z.infer<typeof GlobalControlGroup>;

const rangeOrders = new Map<string, Set<number>>();

/** True when a user with this random bucket (0..9999) is in the group. */
export function inGlobalControlGroup(
  randomBucket: number,
  group: Pick<GlobalControlGroup, 'percentage' | 'seed'>,
): boolean {
  const cacheKey = `${group.seed}\n${group.percentage}`;
  let ranges = rangeOrders.get(cacheKey);
  if (!ranges) {
    const order = Array.from({ length: 100 }, (_, i) => i).sort(
      (a, b) => fnv1a32(`${group.seed}:${a}`) - fnv1a32(`${group.seed}:${b}`) || a - b,
    );
    ranges = new Set(order.slice(0, group.percentage));
    rangeOrders.set(cacheKey, ranges);
  }
  return ranges.has(Math.floor(randomBucket / 100));
}
