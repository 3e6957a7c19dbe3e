import { afterEach, describe, expect, it } from 'vitest';
import { LiquidTime, parseZone, toTime } from '../../../src/personalization/liquid-time';

const NOW = Date.UTC(2024, 2, 10, 15, 4, 5);
const savedTz = process.env.TZ;

afterEach(() => {
  process.env.TZ = savedTz;
});

describe('toTime', () => {
  it.each(['America/New_York', 'Asia/Tokyo', 'UTC'])(
    'reads a written-out date as UTC when the host zone is %s',
    (zone) => {
      process.env.TZ = zone;
      const local = new Date(2024, 0, 15).getTimezoneOffset();
      expect(local).toBe(zone === 'America/New_York' ? 300 : zone === 'Asia/Tokyo' ? -540 : 0);
      expect(toTime('March 10, 2024 08:30', NOW)?.ms).toBe(Date.UTC(2024, 2, 10, 8, 30));
    },
  );

  it('keeps the offset written in an ISO time', () => {
    const t = toTime('2024-03-10T10:00:00.250-05:00', NOW);
    expect(t?.ms).toBe(Date.UTC(2024, 2, 10, 15, 0, 0, 250));
    expect(t?.zone).toEqual({ offsetMinutes: -300 });
  });

  it('reads zone-less and UTC ISO times as UTC', () => {
    expect(toTime('2024-03-10 10:00', NOW)).toEqual(new LiquidTime(Date.UTC(2024, 2, 10, 10)));
    expect(toTime('2024-03-10T10:00:00Z', NOW)?.ms).toBe(Date.UTC(2024, 2, 10, 10));
    expect(toTime('2024-03-10 10:00:00 UTC', NOW)?.ms).toBe(Date.UTC(2024, 2, 10, 10));
  });

  it('reads now, today and Unix seconds', () => {
    expect(toTime('now', NOW)?.ms).toBe(NOW);
    expect(toTime('Today', NOW)?.ms).toBe(NOW);
    expect(toTime(1_700_000_000, NOW)?.ms).toBe(1_700_000_000_000);
    expect(toTime('1700000000', NOW)?.ms).toBe(1_700_000_000_000);
  });

  it('returns the same time for a LiquidTime', () => {
    const t = new LiquidTime(NOW, { iana: 'Europe/Paris' });
    expect(toTime(t, 0)).toBe(t);
  });

  it.each([['not a date'], [''], [null], [{}], [Number.NaN]])('gives null for %j', (input) => {
    expect(toTime(input, NOW)).toBeNull();
  });
});

describe('parseZone', () => {
  it.each([
    ['America/Chicago', { iana: 'America/Chicago' }],
    ['Central Time (US & Canada)', { iana: 'America/Chicago' }],
    ['UTC', { iana: 'UTC' }],
    ['+05:30', { offsetMinutes: 330 }],
    ['-0800', { offsetMinutes: -480 }],
    ['-5', { offsetMinutes: -300 }],
    [-5, { offsetMinutes: -300 }],
    [5.5, { offsetMinutes: 330 }],
  ])('reads %j', (input, zone) => {
    expect(parseZone(input)).toEqual(zone);
  });

  it.each([['Mars/Olympus_Mons'], [''], [null]])('gives null for %j', (input) => {
    expect(parseZone(input)).toBeNull();
  });
});
