/**
 * Wall-clock arithmetic in a user's IANA time zone, for the rules Braze states in local time:
 * frequency-capping windows in local calendar days, quiet hours, local-time schedules.
 */

const formatters = new Map<string, Intl.DateTimeFormat>();

function formatter(timeZone: string): Intl.DateTimeFormat {
  let f = formatters.get(timeZone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', {
      timeZone,
      hourCycle: 'h23',
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
      second: 'numeric',
    });
    formatters.set(timeZone, f);
  }
  return f;
}

export interface LocalParts {
  year: number;
  /** 1..12 */
  month: number;
  day: number;
  hour: number;
  minute: number;
  second: number;
}

/** The wall clock in `timeZone` at instant `ms`. */
export function localParts(ms: number, timeZone: string): LocalParts {
  const parts: Record<string, number> = {};
  for (const p of formatter(timeZone).formatToParts(new Date(ms))) {
    if (p.type !== 'literal') parts[p.type] = Number(p.value);
  }
  return {
    year: parts.year!,
    month: parts.month!,
    day: parts.day!,
    hour: parts.hour! % 24,
    minute: parts.minute!,
    second: parts.second!,
  };
}

/** The zone's offset from UTC at instant `ms`, in milliseconds (east positive). */
export function offsetMs(ms: number, timeZone: string): number {
  const p = localParts(ms, timeZone);
  const asUtc = Date.UTC(p.year, p.month - 1, p.day, p.hour, p.minute, p.second);
  return asUtc - (ms - (((ms % 1_000) + 1_000) % 1_000));
}

/**
 * The instant a wall-clock time occurs in `timeZone`. A time skipped by a DST jump resolves to
 * the same wall time after the jump; a repeated one to its first occurrence.
 */
export function instantOf(
  wall: Omit<LocalParts, 'second'> & { second?: number },
  timeZone: string,
): number {
  const guess = Date.UTC(
    wall.year,
    wall.month - 1,
    wall.day,
    wall.hour,
    wall.minute,
    wall.second ?? 0,
  );
  let at = guess - offsetMs(guess, timeZone);
  at = guess - offsetMs(at, timeZone);
  const earlier = guess - offsetMs(at - 3_600_000, timeZone);
  return earlier < at && localParts(earlier, timeZone).hour === wall.hour ? earlier : at;
}

/**
 * Start of the local calendar day `daysBack` days before the one containing `ms`: with
 * `daysBack = 0`, today's local midnight.
 */
export function localMidnight(ms: number, timeZone: string, daysBack = 0): number {
  const p = localParts(ms, timeZone);
  const d = new Date(Date.UTC(p.year, p.month - 1, p.day - daysBack));
  return instantOf(
    {
      year: d.getUTCFullYear(),
      month: d.getUTCMonth() + 1,
      day: d.getUTCDate(),
      hour: 0,
      minute: 0,
    },
    timeZone,
  );
}

/** Minutes since local midnight at `ms`. */
export function localMinuteOfDay(ms: number, timeZone: string): number {
  const p = localParts(ms, timeZone);
  return p.hour * 60 + p.minute;
}
