import { z } from 'zod';
import { instantOf } from '../lib/local-time';
import { toIanaTimeZone } from '../lib/time-zone';

/**
 * Scheduled delivery (contract §3.2): as soon as launched, once at a date and time, or recurring
 * daily, weekly or monthly between a start and an optional inclusive end date; at a time in the
 * schedule's zone (Braze's company time zone) or at that wall-clock time in each user's own zone.
 * Pure: the clock is a parameter.
 */

const DAY_MS = 86_400_000;
const HOUR_MS = 3_600_000;
/** Braze starts local-time sends when the scheduled day begins in Samoa, UTC+13. */
const FIRST_ZONE_OFFSET_MS = 13 * HOUR_MS;
/** The last zone to reach a wall-clock time, UTC-12. */
const LAST_ZONE_OFFSET_MS = -12 * HOUR_MS;
/** Users whose local send time passed less than this long ago are still sent to. */
export const LOCAL_TIME_GRACE_MS = HOUR_MS;
/** How far ahead occurrences are searched: a schedule with none in 20 years has none. */
const MAX_SCAN_DAYS = 20 * 366;

export const WEEKDAYS = [
  'sunday',
  'monday',
  'tuesday',
  'wednesday',
  'thursday',
  'friday',
  'saturday',
] as const;
export const Weekday = z.enum(WEEKDAYS);
export type Weekday = z.infer<typeof Weekday>;

/** `HH:mm`, 24-hour. */
export const WallTime = z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/, 'must be HH:mm (24-hour)');

/** `YYYY-MM-DD`, a real calendar date. */
export const CalendarDate = z
  .string()
  .regex(/^\d{4}-\d{2}-\d{2}$/, 'must be YYYY-MM-DD')
  .refine((s) => new Date(`${s}T00:00:00Z`).toISOString().startsWith(s), 'is not a real date');

/** An IANA or Rails zone name, stored as its IANA name (`UTC` stays `UTC`). */
export const TimeZoneName = z
  .string()
  .refine((s) => toIanaTimeZone(s) !== null, 'must be an IANA time zone name')
  .transform((s) => (s === 'UTC' ? s : toIanaTimeZone(s)!));

const Zoned = {
  /** Send at this wall-clock time in each user's zone (the schedule's zone when unknown). */
  in_local_time: z.boolean().default(false),
  /**
   * Intelligent Timing (contract §3.5.6): each user at their best hour of the day, learnt from
   * when they are active; `time` in their zone when there is too little history.
   */
  at_optimal_time: z.boolean().default(false),
  /** Braze's company time zone: where `time` is read unless `in_local_time`. */
  time_zone: TimeZoneName.default('UTC'),
};

export const Schedule = z.discriminatedUnion('type', [
  z.strictObject({ type: z.literal('immediately') }),
  z.strictObject({ type: z.literal('once'), date: CalendarDate, time: WallTime, ...Zoned }),
  z
    .strictObject({
      type: z.literal('recurring'),
      frequency: z.enum(['daily', 'weekly', 'monthly']),
      /** Every N days, weeks or months. */
      every: z.number().int().min(1, 'must be 1..99').max(99, 'must be 1..99').default(1),
      time: WallTime,
      start_date: CalendarDate,
      /** Inclusive. */
      end_date: CalendarDate.nullable().default(null),
      /** Weekly only: the days of the week it sends on. */
      days_of_week: z.array(Weekday).min(1).max(7).optional(),
      /** Monthly only: the day of the month (the month's last day when it is shorter). */
      day_of_month: z.number().int().min(1, 'must be 1..31').max(31, 'must be 1..31').optional(),
      ...Zoned,
    })
    .superRefine((s, ctx) => {
      if (s.frequency === 'weekly' && !s.days_of_week) {
        ctx.addIssue({ code: 'custom', path: ['days_of_week'], message: 'is required weekly' });
      }
      if (s.frequency !== 'weekly' && s.days_of_week) {
        ctx.addIssue({ code: 'custom', path: ['days_of_week'], message: 'is for weekly only' });
      }
      if (s.frequency === 'monthly' && s.day_of_month === undefined) {
        ctx.addIssue({ code: 'custom', path: ['day_of_month'], message: 'is required monthly' });
      }
      if (s.frequency !== 'monthly' && s.day_of_month !== undefined) {
        ctx.addIssue({ code: 'custom', path: ['day_of_month'], message: 'is for monthly only' });
      }
      if (s.end_date !== null && s.end_date < s.start_date) {
        ctx.addIssue({
          code: 'custom',
          path: ['end_date'],
          message: 'must not be before start_date',
        });
      }
    }),
]);
export type Schedule = z.infer<typeof Schedule>;

/** One send of a scheduled campaign. */
export interface Occurrence {
  /** When the scheduler starts it, epoch ms: the send time, or for local time the start of its day in UTC+13. */
  dueAt: number;
  /** The wall-clock date and time of the send, `YYYY-MM-DD` and `HH:mm`. */
  date: string;
  time: string;
  /** Each user at `date time` in their own zone; otherwise everyone at `dueAt`. */
  inLocalTime: boolean;
  /** The zone `date time` is read in for users without one (and for everyone unless local). */
  timeZone: string;
  /**
   * Intelligent Timing: each user at their own best hour of `date` (from their history), `time`
   * when they have too little history. Implies `inLocalTime`.
   */
  optimal?: boolean;
}

const dayNumber = (date: string) => Date.parse(`${date}T00:00:00Z`) / DAY_MS;
const dateOf = (day: number) => new Date(day * DAY_MS).toISOString().slice(0, 10);

/** The instant a wall-clock date and time occur in a zone (DST gaps resolve forwards). */
export function wallTimeToInstant(date: string, time: string, timeZone: string): number {
  const [year, month, day] = date.split('-').map(Number) as [number, number, number];
  const [hour, minute] = time.split(':').map(Number) as [number, number];
  return instantOf({ year, month, day, hour, minute }, timeZone);
}

function occurrence(s: Exclude<Schedule, { type: 'immediately' }>, date: string): Occurrence {
  const local = s.in_local_time || s.at_optimal_time;
  const dueAt = local
    ? Date.parse(`${date}T00:00:00Z`) - FIRST_ZONE_OFFSET_MS
    : wallTimeToInstant(date, s.time, s.time_zone);
  return {
    dueAt,
    date,
    time: s.time,
    inLocalTime: local,
    timeZone: s.time_zone,
    ...(s.at_optimal_time ? { optimal: true } : {}),
  };
}

function daysInMonth(year: number, month0: number): number {
  return new Date(Date.UTC(year, month0 + 1, 0)).getUTCDate();
}

/** The send dates of a schedule, in order. */
function* sendDates(s: Exclude<Schedule, { type: 'immediately' }>): Generator<string> {
  if (s.type === 'once') {
    yield s.date;
    return;
  }
  const start = dayNumber(s.start_date);
  const end = s.end_date === null ? start + MAX_SCAN_DAYS : dayNumber(s.end_date);
  if (s.frequency === 'daily') {
    for (let d = start; d <= end; d += s.every) yield dateOf(d);
  } else if (s.frequency === 'weekly') {
    const days = new Set(s.days_of_week!.map((w) => WEEKDAYS.indexOf(w)));
    // Weeks start on Sunday; "every N weeks" counts from the week holding the start date.
    const firstSunday = start - new Date(start * DAY_MS).getUTCDay();
    for (let d = start; d <= end; d++) {
      const week = Math.floor((d - firstSunday) / 7);
      if (week % s.every === 0 && days.has(new Date(d * DAY_MS).getUTCDay())) yield dateOf(d);
    }
  } else {
    const first = new Date(start * DAY_MS);
    for (let k = 0; ; k += s.every) {
      const y = first.getUTCFullYear() + Math.floor((first.getUTCMonth() + k) / 12);
      const m = (first.getUTCMonth() + k) % 12;
      const d = Date.UTC(y, m, Math.min(s.day_of_month!, daysInMonth(y, m))) / DAY_MS;
      if (d > end) return;
      if (d >= start) yield dateOf(d);
    }
  }
}

/**
 * The occurrence a campaign launched at `now` sends first, or null when every send time has
 * passed. A local-time occurrence counts while its time has not passed in the schedule's zone
 * (Braze's rule for launching one); users already past it are then skipped or sent within the
 * hour by the sender.
 */
export function firstOccurrence(s: Schedule, now: number): Occurrence | null {
  if (s.type === 'immediately') {
    const iso = new Date(now).toISOString();
    return {
      dueAt: now,
      date: iso.slice(0, 10),
      time: iso.slice(11, 16),
      inLocalTime: false,
      timeZone: 'UTC',
    };
  }
  for (const date of sendDates(s)) {
    const at = wallTimeToInstant(date, s.time, s.time_zone);
    if (at >= now) return occurrence(s, date);
  }
  return null;
}

/** The occurrence after the one due at `previousDueAt`, or null when the schedule has ended. */
export function nextOccurrence(s: Schedule, previousDueAt: number): Occurrence | null {
  if (s.type === 'immediately') return null;
  for (const date of sendDates(s)) {
    const o = occurrence(s, date);
    if (o.dueAt > previousDueAt) return o;
  }
  return null;
}

/** The occurrence of a schedule that is due at `dueAt`, for a scheduler holding only that time. */
export function occurrenceAt(s: Schedule, dueAt: number): Occurrence | null {
  if (s.type === 'immediately') return firstOccurrence(s, dueAt);
  return nextOccurrence(s, dueAt - 1);
}

/**
 * When a user in `userZone` (or the occurrence's zone) gets a local-time occurrence, and whether
 * it is still sendable at `now`: more than an hour late is skipped (Braze's rule).
 */
export function localSendTime(
  o: Occurrence,
  userZone: string | null,
  now: number,
): { at: number; skip: boolean } {
  const zone = (userZone && toIanaTimeZone(userZone)) || o.timeZone;
  const at = o.inLocalTime ? wallTimeToInstant(o.date, o.time, zone) : o.dueAt;
  return { at: Math.max(at, now), skip: now - at > LOCAL_TIME_GRACE_MS };
}

/** The last moment any user can still receive an occurrence. */
export function occurrenceEnd(o: Occurrence): number {
  if (!o.inLocalTime) return o.dueAt;
  return Date.parse(`${o.date}T${o.time}:00Z`) - LAST_ZONE_OFFSET_MS + LOCAL_TIME_GRACE_MS;
}
