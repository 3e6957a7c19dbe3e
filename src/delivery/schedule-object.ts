import { z } from 'zod';
import type { Occurrence } from '../campaigns/schedule';
import { parseBrazeTime } from '../ingestion/time';
import { toIanaTimeZone } from '../lib/time-zone';

/**
 * Braze's schedule object (contract §3.10.3) and when a scheduled API message starts. Pure: the
 * clock is a parameter.
 *
 * - `time` only: everyone at that instant (no zone means UTC).
 * - `in_local_time`: each user at that wall-clock time in their own zone (the workspace's
 *   company zone when they have none). Refused once the time has passed in every zone.
 * - `at_optimal_time`: each user at their own best hour of the given date, learnt by their
 *   profile from when they were active (`bestLocalHour`); users with too little history get
 *   Braze's documented fallback, a fixed local time (`OPTIMAL_FALLBACK_TIME`). The time of day
 *   given is ignored, as Braze ignores it.
 *
 * A local or optimal send starts when its wall-clock time arrives in the earliest zone (UTC+14);
 * each profile then waits for its own zone, and users more than an hour late are skipped
 * (`localSendTime`, the campaigns' local-time rule). Until it starts, an update or delete
 * reaches every user.
 */

const HOUR_MS = 3_600_000;
/** The earliest zone on Earth (Line Islands): no user's wall clock reaches a time before it. */
const FIRST_ZONE_OFFSET_MS = 14 * HOUR_MS;
/** The last zone to reach a wall-clock time, UTC-12. */
const LAST_ZONE_OFFSET_MS = -12 * HOUR_MS;
/** Braze schedules up to 90 days ahead. */
const MAX_AHEAD_MS = 90 * 24 * HOUR_MS;
/** Intelligent Timing's fallback: a fixed local time of day (contract §3.5.6). */
export const OPTIMAL_FALLBACK_TIME = '17:00';

export const ScheduleObject = z.object(
  {
    time: z.string({ error: 'schedule.time must be an ISO 8601 time' }),
    in_local_time: z.boolean({ error: 'schedule.in_local_time must be a boolean' }).optional(),
    at_optimal_time: z.boolean({ error: 'schedule.at_optimal_time must be a boolean' }).optional(),
  },
  { error: 'schedule must be an object with a time' },
);
export type ScheduleObject = z.infer<typeof ScheduleObject>;

export type SchedulePlan =
  | {
      ok: true;
      /** When the minute job starts the send, epoch ms. */
      dueAt: number;
      /** The send as an occurrence: `inLocalTime` sends carry their wall-clock date and time. */
      occurrence: Occurrence;
    }
  | { ok: false; error: string };

/** A local wall-clock reading of `time`: its written date and `HH:mm`, any zone ignored. */
const WALL = /^(\d{4}-\d{2}-\d{2})(?:[Tt ](\d{2}):(\d{2}))?/;

/** When a schedule starts, or why it cannot be scheduled. */
export function planSchedule(
  s: ScheduleObject,
  input: { now: number; companyTimeZone: string },
): SchedulePlan {
  const parsed = parseBrazeTime(s.time);
  if (parsed === null) return { ok: false, error: 'schedule.time must be an ISO 8601 time' };
  if (s.in_local_time && s.at_optimal_time) {
    return { ok: false, error: 'schedule cannot be both in_local_time and at_optimal_time' };
  }
  const tooFar = (dueAt: number) => dueAt - input.now > MAX_AHEAD_MS;
  if (!s.in_local_time && !s.at_optimal_time) {
    const dueAt = parsed.getTime();
    if (tooFar(dueAt)) return { ok: false, error: 'schedule.time must be within 90 days' };
    const iso = parsed.toISOString();
    return {
      ok: true,
      dueAt,
      occurrence: {
        dueAt,
        date: iso.slice(0, 10),
        time: iso.slice(11, 16),
        inLocalTime: false,
        timeZone: 'UTC',
      },
    };
  }
  const wall = WALL.exec(s.time);
  if (!wall) return { ok: false, error: 'schedule.time must be an ISO 8601 time' };
  const date = wall[1]!;
  const time = s.at_optimal_time ? OPTIMAL_FALLBACK_TIME : `${wall[2] ?? '00'}:${wall[3] ?? '00'}`;
  const asUtc = Date.parse(`${date}T${time}:00Z`);
  if (input.now > asUtc - LAST_ZONE_OFFSET_MS) {
    return { ok: false, error: 'schedule.time has already passed in every time zone' };
  }
  // An optimal send starts with the date in the earliest zone: a user's best hour may be early.
  const dueAt = s.at_optimal_time
    ? Date.parse(`${date}T00:00:00Z`) - FIRST_ZONE_OFFSET_MS
    : asUtc - FIRST_ZONE_OFFSET_MS;
  if (tooFar(dueAt)) return { ok: false, error: 'schedule.time must be within 90 days' };
  return {
    ok: true,
    dueAt,
    occurrence: {
      dueAt,
      date,
      time,
      inLocalTime: true,
      timeZone: toIanaTimeZone(input.companyTimeZone) ?? 'UTC',
      ...(s.at_optimal_time ? { optimal: true } : {}),
    },
  };
}
