import { Drop } from 'liquidjs';
import { toIanaTimeZone } from '../lib/time-zone';
import { rubyTimeString, UTC, type Zone } from './strftime';

/**
 * A point in time as templates see it: time-typed custom attributes and the result of
 * `time_zone`. It prints like Ruby's `Time#to_s` (what Braze's engine shows for a bare time) and
 * compares by instant.
 */
export class LiquidTime extends Drop {
  constructor(
    readonly ms: number,
    readonly zone: Zone = UTC,
  ) {
    super();
  }

  override valueOf(): string {
    return rubyTimeString(this.ms, this.zone);
  }

  override toString(): string {
    return this.valueOf();
  }

  /** Used by `as_json_string` and JSON output: ISO 8601 in UTC. */
  toJSON(): string {
    return new Date(this.ms).toISOString();
  }
}

// ISO-like dates, as Ruby's `Time.parse` reads them: without a zone they are UTC (Braze's servers
// run in UTC); with an offset the time keeps it, so `date: '%H %z'` shows the written hour.
const ISO =
  /^(\d{4})-(\d{2})-(\d{2})(?:[ T](\d{2}):(\d{2})(?::(\d{2})(\.\d+)?)?)?\s*(Z|UTC|GMT|[+-]\d{2}(?::?\d{2})?)?$/i;

// A zone written in a free-form date (`Sun, 10 Mar 2024 10:00:00 GMT`, `... EST`): the runtime's
// parser then reads it right. Without one, the runtime would read the local zone.
const NAMED_ZONE = /(?:\b(?:UTC|GMT|Z|[ECMP][SD]T)\b|[+-]\d{2}:?\d{2})\s*$/i;

function isoTime(m: RegExpExecArray): LiquidTime | null {
  const [, y, mo, d, h = '0', mi = '0', sec = '0', frac = '', designator = ''] = m;
  const wall = Date.UTC(
    Number(y),
    Number(mo) - 1,
    Number(d),
    Number(h),
    Number(mi),
    Number(sec),
    frac ? Math.round(Number(frac) * 1000) : 0,
  );
  if (Number.isNaN(wall)) return null;
  const offset = /^([+-])(\d{2}):?(\d{2})?$/.exec(designator);
  if (!offset) return new LiquidTime(wall);
  const minutes = (Number(offset[2]) * 60 + Number(offset[3] ?? 0)) * (offset[1] === '-' ? -1 : 1);
  return new LiquidTime(wall - minutes * 60_000, { offsetMinutes: minutes });
}

/** A free-form date (`March 10, 2024`), read as UTC wall-clock time whatever the host's zone. */
function looseTime(s: string): LiquidTime | null {
  const parsed = Date.parse(s);
  if (Number.isNaN(parsed)) return null;
  if (NAMED_ZONE.test(s)) return new LiquidTime(parsed);
  // Parsed as local time: read the local wall clock back and take it as UTC.
  const local = new Date(parsed);
  return new LiquidTime(
    Date.UTC(
      local.getFullYear(),
      local.getMonth(),
      local.getDate(),
      local.getHours(),
      local.getMinutes(),
      local.getSeconds(),
      local.getMilliseconds(),
    ),
  );
}

/**
 * Read anything the `date` filter accepts as a time: `now`/`today`, Unix seconds (number or digit
 * string), a LiquidTime, or a date string. Null when it is not a time (the filter then returns its
 * input unchanged, as Liquid does).
 *
 * @example toTime('2024-03-10T10:00:00-05:00', now) // 10:00 at offset -05:00
 */
export function toTime(input: unknown, now: number): LiquidTime | null {
  if (input instanceof LiquidTime) return input;
  if (input instanceof Date)
    return Number.isNaN(input.getTime()) ? null : new LiquidTime(input.getTime());
  if (typeof input === 'number')
    return Number.isFinite(input) ? new LiquidTime(input * 1000) : null;
  if (typeof input !== 'string') return null;
  const s = input.trim();
  if (s === '') return null;
  const lower = s.toLowerCase();
  if (lower === 'now' || lower === 'today') return new LiquidTime(now);
  if (/^-?\d+(\.\d+)?$/.test(s)) return new LiquidTime(Math.floor(Number(s) * 1000));
  const iso = ISO.exec(s);
  return iso ? isoTime(iso) : looseTime(s);
}

/**
 * Read a zone argument: an IANA name, a Rails zone name, `UTC`, or an offset such as `-0500`,
 * `+05:30` or `-5`. Null when unknown.
 */
export function parseZone(input: unknown): Zone | null {
  if (typeof input === 'number' && Number.isFinite(input)) {
    return { offsetMinutes: Math.round(input * 60) };
  }
  if (typeof input !== 'string') return null;
  const s = input.trim();
  const offset = /^([+-])(\d{1,2}):?(\d{2})?$/.exec(s);
  if (offset) {
    const minutes = Number(offset[2]) * 60 + Number(offset[3] ?? 0);
    return { offsetMinutes: offset[1] === '-' ? -minutes : minutes };
  }
  if (s.toUpperCase() === 'UTC' || s.toUpperCase() === 'GMT') return UTC;
  const iana = toIanaTimeZone(s);
  return iana ? { iana } : null;
}
