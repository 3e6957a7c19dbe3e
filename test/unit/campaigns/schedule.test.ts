import { describe, expect, it } from 'vitest';
import {
  firstOccurrence,
  localSendTime,
  nextOccurrence,
  type Occurrence,
  Schedule,
} from '../../../src/campaigns/schedule';

const at = (iso: string) => Date.parse(iso);
const iso = (ms: number) => new Date(ms).toISOString();

/** Every occurrence from launch at `now`, up to `max`. */
function occurrences(json: unknown, now: number, max = 20): Occurrence[] {
  const s = Schedule.parse(json);
  const out: Occurrence[] = [];
  for (let o = firstOccurrence(s, now); o && out.length < max; o = nextOccurrence(s, o.dueAt)) {
    out.push(o);
  }
  return out;
}

describe('Schedule', () => {
  it.each([
    [
      { type: 'recurring', frequency: 'weekly', time: '09:00', start_date: '2026-12-01' },
      'days_of_week',
    ],
    [
      { type: 'recurring', frequency: 'monthly', time: '09:00', start_date: '2026-12-01' },
      'day_of_month',
    ],
    [{ type: 'once', date: '2026-02-30', time: '09:00' }, 'date'],
    [{ type: 'once', date: '2026-12-01', time: '9:00' }, 'time'],
    [{ type: 'once', date: '2026-12-01', time: '09:00', time_zone: 'Mars/Olympus' }, 'time_zone'],
    [
      {
        type: 'recurring',
        frequency: 'daily',
        time: '09:00',
        start_date: '2026-12-02',
        end_date: '2026-12-01',
      },
      'end_date',
    ],
  ])('refuses %j, naming %s', (json, field) => {
    const r = Schedule.safeParse(json);
    expect(r.success).toBe(false);
    expect(r.error!.issues[0]!.path).toContain(field);
  });
});

describe('firstOccurrence and nextOccurrence', () => {
  it('sends a one-off at the wall-clock time of its zone', () => {
    const os = occurrences(
      { type: 'once', date: '2026-12-01', time: '10:00', time_zone: 'America/New_York' },
      at('2026-11-23T00:00:00Z'),
    );
    expect(os.map((o) => iso(o.dueAt))).toEqual(['2026-12-01T15:00:00.000Z']);
  });

  it('reads Rails zone names as Braze does', () => {
    const [o] = occurrences(
      { type: 'once', date: '2026-07-01', time: '10:00', time_zone: 'Eastern Time (US & Canada)' },
      at('2026-06-01T00:00:00Z'),
    );
    expect(iso(o!.dueAt)).toBe('2026-07-01T14:00:00.000Z');
  });

  it('has nothing to send when a one-off time has passed', () => {
    expect(
      occurrences({ type: 'once', date: '2026-11-01', time: '10:00' }, at('2026-11-23T00:00:00Z')),
    ).toEqual([]);
  });

  it('sends "immediately" once, at launch', () => {
    const now = at('2026-11-23T16:00:00Z');
    expect(occurrences({ type: 'immediately' }, now).map((o) => o.dueAt)).toEqual([now]);
  });

  it('repeats every other day up to and including the end date', () => {
    const os = occurrences(
      {
        type: 'recurring',
        frequency: 'daily',
        every: 2,
        time: '08:30',
        start_date: '2026-12-01',
        end_date: '2026-12-07',
      },
      at('2026-11-23T00:00:00Z'),
    );
    expect(os.map((o) => o.date)).toEqual(['2026-12-01', '2026-12-03', '2026-12-05', '2026-12-07']);
  });

  it('skips the send times that passed before launch', () => {
    const os = occurrences(
      {
        type: 'recurring',
        frequency: 'daily',
        time: '08:00',
        start_date: '2026-11-01',
        end_date: '2026-11-25',
      },
      at('2026-11-23T09:00:00Z'),
    );
    expect(os.map((o) => o.date)).toEqual(['2026-11-24', '2026-11-25']);
  });

  it('sends weekly on the chosen days of every other week', () => {
    const os = occurrences(
      {
        type: 'recurring',
        frequency: 'weekly',
        every: 2,
        days_of_week: ['monday', 'wednesday'],
        time: '09:00',
        start_date: '2026-11-30', // a Monday
        end_date: '2026-12-31',
      },
      at('2026-11-23T00:00:00Z'),
    );
    expect(os.map((o) => o.date)).toEqual([
      '2026-11-30',
      '2026-12-02',
      '2026-12-14',
      '2026-12-16',
      '2026-12-28',
      '2026-12-30',
    ]);
  });

  it('sends monthly on the last day of months shorter than day_of_month', () => {
    const os = occurrences(
      {
        type: 'recurring',
        frequency: 'monthly',
        day_of_month: 31,
        time: '12:00',
        start_date: '2027-01-01',
        end_date: '2027-04-30',
      },
      at('2026-11-23T00:00:00Z'),
    );
    expect(os.map((o) => o.date)).toEqual(['2027-01-31', '2027-02-28', '2027-03-31', '2027-04-30']);
  });

  it('keeps the wall-clock time across a daylight saving change', () => {
    const os = occurrences(
      {
        type: 'recurring',
        frequency: 'daily',
        time: '09:00',
        start_date: '2027-03-27',
        end_date: '2027-03-29',
        time_zone: 'Europe/Berlin',
      },
      at('2027-03-01T00:00:00Z'),
    );
    expect(os.map((o) => iso(o.dueAt))).toEqual([
      '2027-03-27T08:00:00.000Z',
      '2027-03-28T07:00:00.000Z',
      '2027-03-29T07:00:00.000Z',
    ]);
  });
});

describe('local-time sends', () => {
  const local = { type: 'once', date: '2026-12-01', time: '10:00', in_local_time: true };

  it('start when the send day begins in Samoa (UTC+13)', () => {
    const [o] = occurrences(local, at('2026-11-23T00:00:00Z'));
    expect(iso(o!.dueAt)).toBe('2026-11-30T11:00:00.000Z');
    expect(o!.inLocalTime).toBe(true);
  });

  it("reach each user at the wall-clock time of the user's zone", () => {
    const [o] = occurrences(local, at('2026-11-23T00:00:00Z'));
    const now = o!.dueAt;
    expect(iso(localSendTime(o!, 'Europe/Paris', now).at)).toBe('2026-12-01T09:00:00.000Z');
    expect(iso(localSendTime(o!, 'Pacific/Auckland', now).at)).toBe('2026-11-30T21:00:00.000Z');
    expect(iso(localSendTime(o!, null, now).at)).toBe('2026-12-01T10:00:00.000Z');
  });

  it('skip a user more than an hour past the time, and send within the hour at once', () => {
    const [o] = occurrences(local, at('2026-11-23T00:00:00Z'));
    const paris = at('2026-12-01T09:00:00Z');
    expect(localSendTime(o!, 'Europe/Paris', paris + 59 * 60_000)).toEqual({
      at: paris + 59 * 60_000,
      skip: false,
    });
    expect(localSendTime(o!, 'Europe/Paris', paris + 61 * 60_000).skip).toBe(true);
  });

  it('can launch until the time passes in the schedule zone, though Samoa has started', () => {
    const os = occurrences(local, at('2026-12-01T09:00:00Z'));
    expect(os).toHaveLength(1);
    expect(occurrences(local, at('2026-12-01T10:00:01Z'))).toEqual([]);
  });
});
