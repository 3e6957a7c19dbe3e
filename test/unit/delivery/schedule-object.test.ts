import { describe, expect, it } from 'vitest';
import { localSendTime } from '../../../src/campaigns/schedule';
import { planSchedule } from '../../../src/delivery/schedule-object';

const at = (iso: string) => Date.parse(iso);
const now = at('2026-11-23T12:00:00Z');
const plan = (schedule: Parameters<typeof planSchedule>[0], companyTimeZone = 'UTC') =>
  planSchedule(schedule, { now, companyTimeZone });

describe('the schedule object', () => {
  it('sends everyone at the instant of a time alone, UTC when it has no zone', () => {
    expect(plan({ time: '2026-11-24T09:30:00' })).toMatchObject({
      ok: true,
      dueAt: at('2026-11-24T09:30:00Z'),
      occurrence: { inLocalTime: false },
    });
    expect(plan({ time: '2026-11-24T09:30:00-05:00' })).toMatchObject({
      dueAt: at('2026-11-24T14:30:00Z'),
    });
  });

  it('starts a local-time send when its wall-clock time arrives in UTC+14, reading no zone', () => {
    const p = plan({ time: '2026-11-24T09:30:00+02:00', in_local_time: true }, 'Europe/Paris');
    expect(p).toEqual({
      ok: true,
      dueAt: at('2026-11-23T19:30:00Z'),
      occurrence: {
        dueAt: at('2026-11-23T19:30:00Z'),
        date: '2026-11-24',
        time: '09:30',
        inLocalTime: true,
        timeZone: 'Europe/Paris',
      },
    });
  });

  it('sends at_optimal_time at 17:00 local on the given date, whatever time of day is given', () => {
    const p = plan({ time: '2026-11-25T03:00:00', at_optimal_time: true });
    expect(p).toMatchObject({ ok: true, occurrence: { date: '2026-11-25', time: '17:00' } });
    if (!p.ok) throw new Error(p.error);
    // A user in Tokyo gets it at 17:00 there; one in New York at 17:00 there.
    expect(localSendTime(p.occurrence, 'Asia/Tokyo', now).at).toBe(at('2026-11-25T08:00:00Z'));
    expect(localSendTime(p.occurrence, 'America/New_York', now).at).toBe(
      at('2026-11-25T22:00:00Z'),
    );
  });

  it('refuses a local time only once it has passed in every zone (UTC-12)', () => {
    // 01:00 on the 23rd is still ahead in UTC-12 (13:00 UTC) at noon UTC.
    expect(plan({ time: '2026-11-23T01:00:00', in_local_time: true }).ok).toBe(true);
    expect(plan({ time: '2026-11-22T23:00:00', in_local_time: true })).toEqual({
      ok: false,
      error: 'schedule.time has already passed in every time zone',
    });
  });

  it('accepts a UTC time already past (it starts at the next tick) but not one beyond 90 days', () => {
    expect(plan({ time: '2026-11-23T11:00:00Z' }).ok).toBe(true);
    expect(plan({ time: '2027-03-01T00:00:00Z' })).toEqual({
      ok: false,
      error: 'schedule.time must be within 90 days',
    });
  });

  it('refuses a time that is not one, and local and optimal time together', () => {
    expect(plan({ time: 'next tuesday' }).ok).toBe(false);
    expect(
      plan({ time: '2026-11-24T09:00:00', in_local_time: true, at_optimal_time: true }),
    ).toEqual({ ok: false, error: 'schedule cannot be both in_local_time and at_optimal_time' });
  });
});
