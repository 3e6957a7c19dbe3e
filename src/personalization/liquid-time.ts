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

// Date-only and `YYYY-MM-DD HH:MM[:SS[.fff]]` forms carry no zone: Braze reads them as UTC, so
// parse them explicitly rather than letting the runtime's local zone leak in.
const NAIVE =
  /^(\d{4})-(\d{2})-(\d{2})(?:[ T](\d{2}):(\d{2})(?::(\d{2})(\.\d+)?)?)?(?:\s*(UTC|Z))?$/i;

/**
 * Read anything the `date` filter accepts as an instant, in epoch ms: `now`/`today`, Unix seconds
 * (number or digit string), a LiquidTime, or a date string. Null when it is not a time (the filter
 * then returns its input unchanged, as Liquid does).
 */
export function toInstant(input: unknown, now: number): number | null {
  if (input instanceof LiquidTime) return input.ms;
  if (input instanceof Date) return Number.isNaN(input.getTime()) ? null : input.getTime();
  if (typeof input === 'number') return Number.isFinite(input) ? input * 1000 : null;
  if (typeof input !== 'string') return null;
  const s = input.trim();
  if (s === '') return null;
  const lower = s.toLowerCase();
  if (lower === 'now' || lower === 'today') return now;
  if (/^-?\d+(\.\d+)?$/.test(s)) return Math.floor(Number(s) * 1000);
  const naive = NAIVE.exec(s);
  if (naive) {
    const [, y, mo, d, h = '0', mi = '0', sec = '0', frac = ''] = naive;
    const ms = frac ? Math.round(Number(frac) * 1000) : 0;
    const t = Date.UTC(
      Number(y),
      Number(mo) - 1,
      Number(d),
      Number(h),
      Number(mi),
      Number(sec),
      ms,
    );
    return Number.isNaN(t) ? null : t;
  }
  const parsed = Date.parse(s.replace(/ UTC$/i, 'Z'));
  return Number.isNaN(parsed) ? null : parsed;
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
