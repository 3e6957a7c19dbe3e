import { describe, expect, it } from 'vitest';
import { instantOf, localMidnight, localParts, offsetMs } from '../../../src/lib/local-time';
import { quietUntil } from '../../../src/profiles/eligibility';

const at = (iso: string) => Date.parse(iso);

describe('local time', () => {
  it('reads the wall clock and offset in a zone, across DST', () => {
    expect(localParts(at('2024-07-01T12:34:56Z'), 'America/New_York')).toEqual({
      year: 2024,
      month: 7,
      day: 1,
      hour: 8,
      minute: 34,
      second: 56,
    });
    expect(offsetMs(at('2024-01-15T12:00:00Z'), 'America/New_York')).toBe(-5 * 3_600_000);
    expect(offsetMs(at('2024-07-15T12:00:00Z'), 'America/New_York')).toBe(-4 * 3_600_000);
    expect(offsetMs(at('2024-07-15T12:00:00Z'), 'Asia/Kolkata')).toBe(5.5 * 3_600_000);
  });

  it('finds the instant of a wall time, skipping forward over a DST gap', () => {
    const wall = { year: 2024, month: 3, day: 10, minute: 30 };
    expect(instantOf({ ...wall, hour: 1 }, 'America/New_York')).toBe(at('2024-03-10T06:30:00Z'));
    // 02:30 does not exist that night in New York: it resolves after the jump.
    expect(instantOf({ ...wall, hour: 3 }, 'America/New_York')).toBe(at('2024-03-10T07:30:00Z'));
    // 01:30 happens twice on 3 November: the first one is taken.
    expect(
      instantOf({ year: 2024, month: 11, day: 3, hour: 1, minute: 30 }, 'America/New_York'),
    ).toBe(at('2024-11-03T05:30:00Z'));
  });

  it('gives local midnights, counting calendar days back', () => {
    const now = at('2024-06-15T03:00:00Z'); // 23:00 on the 14th in New York
    expect(localMidnight(now, 'America/New_York')).toBe(at('2024-06-14T04:00:00Z'));
    expect(localMidnight(now, 'America/New_York', 1)).toBe(at('2024-06-13T04:00:00Z'));
    expect(localMidnight(now, 'UTC')).toBe(at('2024-06-15T00:00:00Z'));
  });
});

describe('quiet hours (contract §3.5.5)', () => {
  const overnight = { start: '22:00', end: '08:00', on_quiet: 'send_at_next_available' } as const;

  it('is quiet inside a window that wraps midnight, until its local end', () => {
    // 23:30 in Paris (UTC+2 in June): quiet until 08:00 the next morning.
    expect(quietUntil(overnight, at('2024-06-14T21:30:00Z'), 'Europe/Paris')).toBe(
      at('2024-06-15T06:00:00Z'),
    );
    // 07:59 the next morning: still quiet, one minute left.
    expect(quietUntil(overnight, at('2024-06-15T05:59:00Z'), 'Europe/Paris')).toBe(
      at('2024-06-15T06:00:00Z'),
    );
    // 08:00 and noon: not quiet.
    expect(quietUntil(overnight, at('2024-06-15T06:00:00Z'), 'Europe/Paris')).toBeNull();
    expect(quietUntil(overnight, at('2024-06-15T10:00:00Z'), 'Europe/Paris')).toBeNull();
  });

  it('handles a daytime window and an empty one', () => {
    const lunch = { start: '12:00', end: '13:00', on_quiet: 'abort' } as const;
    expect(quietUntil(lunch, at('2024-06-15T12:30:00Z'), 'UTC')).toBe(at('2024-06-15T13:00:00Z'));
    expect(quietUntil(lunch, at('2024-06-15T13:00:00Z'), 'UTC')).toBeNull();
    expect(quietUntil({ ...lunch, end: '12:00' }, at('2024-06-15T12:30:00Z'), 'UTC')).toBeNull();
  });

  it("uses the user's zone: the same instant is quiet in one zone and not in another", () => {
    const instant = at('2024-06-15T02:00:00Z');
    expect(quietUntil(overnight, instant, 'Europe/Paris')).not.toBeNull(); // 04:00
    expect(quietUntil(overnight, instant, 'America/Los_Angeles')).toBeNull(); // 19:00
  });
});
