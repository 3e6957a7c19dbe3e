import { offsetMs } from '../lib/local-time';

/**
 * Ruby's `Time#strftime`, which Braze's `date` filter uses, over an instant and a zone. Pure: the
 * zone arithmetic comes from `Intl`, so it runs the same in Node and workerd.
 */

/** Where a time is shown: an IANA zone, or a fixed offset from UTC in minutes. */
export type Zone = { iana: string } | { offsetMinutes: number };

export const UTC: Zone = { iana: 'UTC' };

const MONTHS = [
  'January',
  'February',
  'March',
  'April',
  'May',
  'June',
  'July',
  'August',
  'September',
  'October',
  'November',
  'December',
];
const DAYS = ['Sunday', 'Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday'];

/** Wall-clock fields of an instant in a zone. */
export interface WallClock {
  year: number;
  month: number;
  day: number;
  hour: number;
  minute: number;
  second: number;
  millisecond: number;
  /** 0 = Sunday. */
  weekday: number;
  offsetMinutes: number;
}

/** The offset of `zone` from UTC at instant `ms`, in minutes (east positive). */
export function offsetAt(ms: number, zone: Zone): number {
  if ('offsetMinutes' in zone) return zone.offsetMinutes;
  if (zone.iana === 'UTC') return 0;
  return Math.round(offsetMs(ms, zone.iana) / 60_000);
}

/** Wall-clock fields of `ms` in `zone`. */
export function wallClock(ms: number, zone: Zone): WallClock {
  const offsetMinutes = offsetAt(ms, zone);
  const d = new Date(ms + offsetMinutes * 60_000);
  return {
    year: d.getUTCFullYear(),
    month: d.getUTCMonth() + 1,
    day: d.getUTCDate(),
    hour: d.getUTCHours(),
    minute: d.getUTCMinutes(),
    second: d.getUTCSeconds(),
    millisecond: d.getUTCMilliseconds(),
    weekday: d.getUTCDay(),
    offsetMinutes,
  };
}

function zoneAbbreviation(ms: number, zone: Zone): string {
  if ('offsetMinutes' in zone) return '';
  if (zone.iana === 'UTC' || zone.iana === 'Etc/UTC') return 'UTC';
  const name = new Intl.DateTimeFormat('en-US', { timeZone: zone.iana, timeZoneName: 'short' })
    .formatToParts(new Date(ms))
    .find((p) => p.type === 'timeZoneName');
  return name?.value ?? '';
}

function offsetText(minutes: number, colons: number): string {
  const sign = minutes < 0 ? '-' : '+';
  const abs = Math.abs(minutes);
  const hh = String(Math.floor(abs / 60)).padStart(2, '0');
  const mm = String(abs % 60).padStart(2, '0');
  if (colons === 1) return `${sign}${hh}:${mm}`;
  if (colons === 2) return `${sign}${hh}:${mm}:00`;
  return `${sign}${hh}${mm}`;
}

function dayOfYear(w: WallClock): number {
  return (Date.UTC(w.year, w.month - 1, w.day) - Date.UTC(w.year, 0, 1)) / 86_400_000 + 1;
}

/** Week number with weeks starting on `firstDay` (0 Sunday, 1 Monday), as %U / %W. */
function weekOfYear(w: WallClock, firstDay: number): number {
  const yday = dayOfYear(w) - 1;
  const wday = (w.weekday - firstDay + 7) % 7;
  return Math.floor((yday + 7 - wday) / 7);
}

/** ISO 8601 week-based year and week (%G, %V). */
function isoWeek(w: WallClock): { year: number; week: number } {
  const date = new Date(Date.UTC(w.year, w.month - 1, w.day));
  const dayNum = (w.weekday + 6) % 7;
  date.setUTCDate(date.getUTCDate() - dayNum + 3);
  const firstThursday = new Date(Date.UTC(date.getUTCFullYear(), 0, 4));
  const week =
    1 +
    Math.round(
      ((date.getTime() - firstThursday.getTime()) / 86_400_000 -
        3 +
        ((firstThursday.getUTCDay() + 6) % 7)) /
        7,
    );
  return { year: date.getUTCFullYear(), week };
}

interface Directive {
  value: string | number;
  /** Default padding character and width for numbers. */
  pad?: '0' | ' ';
  width?: number;
}

function directive(
  ms: number,
  w: WallClock,
  zone: Zone,
  conv: string,
  colons: number,
): Directive | null {
  const hour12 = w.hour % 12 === 0 ? 12 : w.hour % 12;
  switch (conv) {
    case 'Y':
      return { value: w.year };
    case 'C':
      return { value: Math.floor(w.year / 100), pad: '0', width: 2 };
    case 'y':
      return { value: w.year % 100, pad: '0', width: 2 };
    case 'm':
      return { value: w.month, pad: '0', width: 2 };
    case 'B':
      return { value: MONTHS[w.month - 1]! };
    case 'b':
    case 'h':
      return { value: MONTHS[w.month - 1]!.slice(0, 3) };
    case 'd':
      return { value: w.day, pad: '0', width: 2 };
    case 'e':
      return { value: w.day, pad: ' ', width: 2 };
    case 'j':
      return { value: dayOfYear(w), pad: '0', width: 3 };
    case 'H':
      return { value: w.hour, pad: '0', width: 2 };
    case 'k':
      return { value: w.hour, pad: ' ', width: 2 };
    case 'I':
      return { value: hour12, pad: '0', width: 2 };
    case 'l':
      return { value: hour12, pad: ' ', width: 2 };
    case 'M':
      return { value: w.minute, pad: '0', width: 2 };
    case 'S':
      return { value: w.second, pad: '0', width: 2 };
    case 'p':
      return { value: w.hour < 12 ? 'AM' : 'PM' };
    case 'P':
      return { value: w.hour < 12 ? 'am' : 'pm' };
    case 'A':
      return { value: DAYS[w.weekday]! };
    case 'a':
      return { value: DAYS[w.weekday]!.slice(0, 3) };
    case 'u':
      return { value: w.weekday === 0 ? 7 : w.weekday };
    case 'w':
      return { value: w.weekday };
    case 'U':
      return { value: weekOfYear(w, 0), pad: '0', width: 2 };
    case 'W':
      return { value: weekOfYear(w, 1), pad: '0', width: 2 };
    case 'G':
      return { value: isoWeek(w).year };
    case 'g':
      return { value: isoWeek(w).year % 100, pad: '0', width: 2 };
    case 'V':
      return { value: isoWeek(w).week, pad: '0', width: 2 };
    case 'Z':
      return { value: zoneAbbreviation(ms, zone) };
    case 'z':
      return { value: offsetText(w.offsetMinutes, colons) };
    case 's':
      return { value: Math.floor(ms / 1000) };
    case 'n':
      return { value: '\n' };
    case 't':
      return { value: '\t' };
    case '%':
      return { value: '%' };
    case 'c':
      return { value: strftime(ms, zone, '%a %b %e %H:%M:%S %Y') };
    case '+':
      return { value: strftime(ms, zone, '%a %b %e %H:%M:%S %Z %Y') };
    case 'D':
    case 'x':
      return { value: strftime(ms, zone, '%m/%d/%y') };
    case 'F':
      return { value: strftime(ms, zone, '%Y-%m-%d') };
    case 'T':
    case 'X':
      return { value: strftime(ms, zone, '%H:%M:%S') };
    case 'R':
      return { value: strftime(ms, zone, '%H:%M') };
    case 'r':
      return { value: strftime(ms, zone, '%I:%M:%S %p') };
    case 'v':
      return { value: strftime(ms, zone, '%e-%^b-%Y') };
    default:
      return null;
  }
}

const TOKEN = /%([-_0^#]*)(\d*)(:{0,2})([a-zA-Z%+])/g;

/**
 * Format `ms` in `zone` with a Ruby strftime format. Flags `-` (no padding), `_` (spaces),
 * `0` (zeros), `^` (upper case), `#` (swap case) and widths work as in Ruby; unknown directives
 * are copied through unchanged, as Ruby's `Time#strftime` does (`%Q` is DateTime's, so it too).
 *
 * @example strftime(Date.UTC(2024, 2, 10, 15, 4), UTC, '%a %-d %b %Y, %-I:%M %p') // 'Sun 10 Mar 2024, 3:04 PM'
 */
export function strftime(ms: number, zone: Zone, format: string): string {
  const w = wallClock(ms, zone);
  return format.replace(
    TOKEN,
    (whole, flags: string, width: string, colons: string, conv: string) => {
      // Ruby reads a width on %L and %N as a number of digits, cut or zero-filled on the right.
      if (conv === 'L' || conv === 'N') {
        const digits = width ? Number(width) : conv === 'L' ? 3 : 9;
        return String(w.millisecond).padStart(3, '0').padEnd(digits, '0').slice(0, digits);
      }
      const d = directive(ms, w, zone, conv, colons.length);
      if (d === null) return whole;
      let text: string;
      if (typeof d.value === 'number') {
        const negative = d.value < 0;
        const digits = String(Math.abs(d.value));
        let pad = d.pad ?? '0';
        let size = width ? Number(width) : (d.width ?? 0);
        if (flags.includes('-')) size = 0;
        if (flags.includes('_')) pad = ' ';
        if (flags.includes('0')) pad = '0';
        text = (negative ? '-' : '') + digits.padStart(size, pad);
      } else {
        text = d.value;
        if (width && !flags.includes('-')) {
          text = text.padStart(Number(width), flags.includes('0') ? '0' : ' ');
        }
      }
      if (flags.includes('^')) text = text.toUpperCase();
      if (flags.includes('#')) {
        text = text === text.toUpperCase() ? text.toLowerCase() : text.toUpperCase();
      }
      return text;
    },
  );
}

/** Ruby's `Time#to_s`: `2024-03-01 09:30:00 UTC`, or `... -0600` outside UTC. */
export function rubyTimeString(ms: number, zone: Zone): string {
  const isUtc = 'iana' in zone ? zone.iana === 'UTC' : zone.offsetMinutes === 0;
  return strftime(ms, zone, isUtc ? '%Y-%m-%d %H:%M:%S UTC' : '%Y-%m-%d %H:%M:%S %z');
}
