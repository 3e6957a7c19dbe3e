/**
 * Parsing of the date/time formats Braze accepts (contract §1.10). Every pattern must match the
 * whole string so that ordinary strings and bare numbers are never mistaken for dates; a string
 * without a zone is read as UTC.
 */

// Extended ISO 8601 plus Braze's variants: a space instead of `T`, `:` before the milliseconds
// (`yyyy-MM-dd'T'HH:mm:ss:SSSZ`), a zone written `Z`, `±HH`, `±HHMM`, `±HH:MM`, `UTC` or `GMT`.
const ISO_LIKE = new RegExp(
  '^([+-]\\d{6}|\\d{4})-(\\d{2})-(\\d{2})' +
    '(?:[Tt ](\\d{2}):(\\d{2})(?::(\\d{2})(?:[.,:](\\d{1,9}))?)?' +
    ' ?(Z|z|UTC|GMT|[+-]\\d{2}(?::?\\d{2})?)?)?$',
);

// `MM/dd/yyyy` and the "date-looking" `12/1/2021` and `12-1-2021` (month first, as in the docs).
const MONTH_FIRST = /^(\d{1,2})([/-])(\d{1,2})\2(\d{4})$/;

const WEEKDAYS = 'Sun|Mon|Tue|Wed|Thu|Fri|Sat';
const MONTH_NAMES = 'jan feb mar apr may jun jul aug sep oct nov dec'.split(' ');
const ZONE = 'Z|UTC|GMT|[+-]\\d{2}(?::?\\d{2})?|[ECMP][SD]T';

// `ddd MM dd HH:mm:ss.TZD YYYY`: the docs' pattern, read leniently as `Tue 05 28 18:47:12.+01:00
// 2020` or the Unix `date` shape `Tue May 28 18:47:12 UTC 2020`.
const UNIX_LIKE = new RegExp(
  `^(?:${WEEKDAYS}),? +(\\d{1,2}|${MONTH_NAMES.join('|')}) +(\\d{1,2}) +` +
    `(\\d{2}):(\\d{2}):(\\d{2})(?:\\.(\\d{1,9}))?(?:\\.? ?(${ZONE}))? +(\\d{4})$`,
  'i',
);

// North-American abbreviations are the only named zones accepted; others are ambiguous.
const ABBREVIATIONS: Record<string, number> = {
  EST: -300,
  EDT: -240,
  CST: -360,
  CDT: -300,
  MST: -420,
  MDT: -360,
  PST: -480,
  PDT: -420,
};

interface Parts {
  year: number;
  month: number;
  day: number;
  hour?: number;
  minute?: number;
  second?: number;
  fraction?: string;
  zone?: string;
}

/** Parses any time format Braze accepts (§1.10) into a Date; null when the string is not one. */
export function parseBrazeTime(input: string): Date | null {
  if (typeof input !== 'string' || input.length > 64) return null;
  const iso = ISO_LIKE.exec(input);
  if (iso) {
    return build({
      year: Number(iso[1]),
      month: Number(iso[2]),
      day: Number(iso[3]),
      hour: optionalNumber(iso[4]),
      minute: optionalNumber(iso[5]),
      second: optionalNumber(iso[6]),
      fraction: iso[7],
      zone: iso[8],
    });
  }
  const monthFirst = MONTH_FIRST.exec(input);
  if (monthFirst) {
    return build({
      year: Number(monthFirst[4]),
      month: Number(monthFirst[1]),
      day: Number(monthFirst[3]),
    });
  }
  const unix = UNIX_LIKE.exec(input);
  if (unix) {
    const month = unix[1] ?? '';
    const named = MONTH_NAMES.indexOf(month.toLowerCase());
    return build({
      year: Number(unix[8]),
      month: named >= 0 ? named + 1 : Number(month),
      day: Number(unix[2]),
      hour: Number(unix[3]),
      minute: Number(unix[4]),
      second: Number(unix[5]),
      fraction: unix[6],
      zone: unix[7],
    });
  }
  return null;
}

/** True when a custom attribute string should be auto-converted to a time (§1.10). */
export function looksLikeDate(s: string): boolean {
  return parseBrazeTime(s) !== null;
}

function optionalNumber(s: string | undefined): number | undefined {
  return s === undefined ? undefined : Number(s);
}

function build(p: Parts): Date | null {
  const hour = p.hour ?? 0;
  const minute = p.minute ?? 0;
  const second = p.second ?? 0;
  if (p.month < 1 || p.month > 12) return null;
  if (p.day < 1 || p.day > daysInMonth(p.year, p.month)) return null;
  if (hour > 23 || minute > 59 || second > 59) return null;
  const offset = zoneOffsetMinutes(p.zone);
  if (offset === null) return null;
  const ms = p.fraction ? Number(p.fraction.slice(0, 3).padEnd(3, '0')) : 0;
  // setUTCFullYear, unlike Date.UTC, does not remap years 0..99 onto 1900..1999.
  const date = new Date(0);
  date.setUTCFullYear(p.year, p.month - 1, p.day);
  date.setUTCHours(hour, minute, second, ms);
  const time = date.getTime() - offset * 60_000;
  return Number.isFinite(time) ? new Date(time) : null;
}

function daysInMonth(year: number, month: number): number {
  if (month === 2) {
    const leap = (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;
    return leap ? 29 : 28;
  }
  return [4, 6, 9, 11].includes(month) ? 30 : 31;
}

function zoneOffsetMinutes(zone: string | undefined): number | null {
  if (zone === undefined) return 0;
  const upper = zone.toUpperCase();
  if (upper === 'Z' || upper === 'UTC' || upper === 'GMT') return 0;
  const named = ABBREVIATIONS[upper];
  if (named !== undefined) return named;
  const m = /^([+-])(\d{2}):?(\d{2})?$/.exec(zone);
  if (!m) return null;
  const hours = Number(m[2]);
  const minutes = Number(m[3] ?? '0');
  if (hours > 23 || minutes > 59) return null;
  return (m[1] === '-' ? -1 : 1) * (hours * 60 + minutes);
}
