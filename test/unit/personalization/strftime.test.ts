import { describe, expect, it } from 'vitest';
import {
  offsetAt,
  rubyTimeString,
  strftime,
  UTC,
  wallClock,
  type Zone,
} from '../../../src/personalization/strftime';

// Friday 5 January 2024, 07:08:09.045 UTC.
const T = Date.UTC(2024, 0, 5, 7, 8, 9, 45);
const NEW_YORK: Zone = { iana: 'America/New_York' };

describe('strftime', () => {
  it.each([
    ['%Y-%m-%d %H:%M:%S', '2024-01-05 07:08:09'],
    ['%-m/%-d/%y', '1/5/24'],
    ['%e|%_d|%0e', ' 5| 5|05'],
    ['%I:%M %p|%l %P', '07:08 AM| 7 am'],
    ['%j|%U|%W|%V|%G|%g', '005|00|01|01|2024|24'],
    ['%a %A %b %B %^b %#A', 'Fri Friday Jan January JAN FRIDAY'],
    ['%u %w', '5 5'],
    ['%L|%N|%3N|%6L|%12N', '045|045000000|045|045000|045000000000'],
    ['%s', String(Math.floor(T / 1000))],
    ['%C%y', '2024'],
    ['%10B|%-10B|%03d|%_3H', '   January|January|005|  7'],
    ['%F %T %z %Z', '2024-01-05 07:08:09 +0000 UTC'],
    ['%c', 'Fri Jan  5 07:08:09 2024'],
    ['%v', ' 5-JAN-2024'],
    ['%%d %q', '%d %q'],
  ])('formats %s', (format, expected) => {
    expect(strftime(T, UTC, format)).toBe(expected);
  });

  it('shows a fixed offset with one or two colons and no zone name', () => {
    const zone: Zone = { offsetMinutes: -(3 * 60 + 30) };
    expect(strftime(T, zone, '%H:%M %z %:z %::z [%Z]')).toBe('03:38 -0330 -03:30 -03:30:00 []');
  });

  it('counts hours past midnight for times before the epoch', () => {
    expect(strftime(Date.UTC(1969, 11, 31, 23, 0, 0), UTC, '%F %T %s')).toBe(
      '1969-12-31 23:00:00 -3600',
    );
  });

  it('prints zone abbreviations and offsets across a DST change', () => {
    const before = Date.UTC(2024, 2, 10, 6, 59, 59);
    expect(strftime(before, NEW_YORK, '%T %Z %z')).toBe('01:59:59 EST -0500');
    expect(strftime(before + 1000, NEW_YORK, '%T %Z %z')).toBe('03:00:00 EDT -0400');
  });
});

describe('zone arithmetic', () => {
  it('finds the offset of an IANA zone at an instant', () => {
    expect(offsetAt(Date.UTC(2024, 0, 15), NEW_YORK)).toBe(-300);
    expect(offsetAt(Date.UTC(2024, 6, 15), NEW_YORK)).toBe(-240);
    expect(offsetAt(Date.UTC(2024, 6, 15), { iana: 'Asia/Kathmandu' })).toBe(345);
  });

  it('gives wall-clock fields in the zone', () => {
    const w = wallClock(Date.UTC(2024, 10, 3, 6, 30), NEW_YORK);
    expect(w).toMatchObject({ year: 2024, month: 11, day: 3, hour: 1, minute: 30, weekday: 0 });
    expect(w.offsetMinutes).toBe(-300);
  });
});

describe('rubyTimeString', () => {
  it('prints UTC times with the UTC suffix and others with their offset, as Ruby Time#to_s', () => {
    expect(rubyTimeString(T, UTC)).toBe('2024-01-05 07:08:09 UTC');
    expect(rubyTimeString(T, NEW_YORK)).toBe('2024-01-05 02:08:09 -0500');
  });
});
