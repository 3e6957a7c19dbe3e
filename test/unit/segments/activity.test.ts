import { describe, expect, it } from 'vitest';
import type { SegmentFilter } from '../../../src/segments/filters';
import type { ActivitySummary, ProfileSummary } from '../../../src/segments/summary';
import { DAY, filter, HOUR, NOW, summary, TODAY, verdicts } from './helpers';

type Case = [name: string, filter: SegmentFilter, profile: ProfileSummary, expected: boolean];

function activity(patch: Partial<ActivitySummary> = {}): ActivitySummary {
  return { count: 1, first: NOW - 10 * DAY, last: NOW - HOUR, days: {}, ...patch };
}
const ev = (body: Record<string, unknown>) =>
  filter({ custom_event: { event_name: 'open', ...body } });
const opened = (patch: Partial<ActivitySummary> = {}) =>
  summary({ events: { open: activity(patch) } });
const pu = (body: Record<string, unknown>) => filter({ purchase: body });
const bought = (patch: Partial<ActivitySummary & { revenue: number }> = {}) => {
  const p1 = { ...activity(patch), revenue: 12.5, ...patch };
  return summary({
    purchases: {
      count: p1.count,
      revenue: p1.revenue,
      first: p1.first,
      last: p1.last,
      products: { p1 },
      days: p1.days,
    },
  });
};
const nobody = summary();
const midnight = TODAY * DAY;

const CASES: Record<string, Case[]> = {
  custom_event: [
    ['did matches a profile with the event', ev({ comparison: 'did' }), opened(), true],
    ['did refuses a profile without it', ev({ comparison: 'did' }), nobody, false],
    ['did_not matches a profile without it', ev({ comparison: 'did_not' }), nobody, true],
    [
      'an event named like a prototype key is not there',
      filter({ custom_event: { event_name: 'constructor', comparison: 'did' } }),
      nobody,
      false,
    ],
    [
      'count_more_than is strict',
      ev({ comparison: 'count_more_than', value: 3 }),
      opened({ count: 3 }),
      false,
    ],
    [
      'count_less_than counts a missing event as 0',
      ev({ comparison: 'count_less_than', value: 1 }),
      nobody,
      true,
    ],
    [
      'count_exactly compares the total',
      ev({ comparison: 'count_exactly', value: 4 }),
      opened({ count: 4 }),
      true,
    ],
    [
      'X-in-Y includes today (day 0)',
      ev({ comparison: 'count_in_days_more_than', value: 1, days: 1 }),
      opened({ days: { [TODAY]: 2 } }),
      true,
    ],
    [
      'X-in-Y includes the whole oldest day (last 3 days at 13:00 covers 85 hours)',
      ev({ comparison: 'count_in_days_exactly', value: 2, days: 3 }),
      opened({ days: { [TODAY - 3]: 2 } }),
      true,
    ],
    [
      'X-in-Y stops at the day before the window',
      ev({ comparison: 'count_in_days_exactly', value: 0, days: 3 }),
      opened({ days: { [TODAY - 4]: 2 } }),
      true,
    ],
    [
      'X-in-Y sums the days in the window',
      ev({ comparison: 'count_in_days_exactly', value: 5, days: 7 }),
      opened({ days: { [TODAY]: 1, [TODAY - 6]: 4, [TODAY - 8]: 9 } }),
      true,
    ],
    [
      'X-in-Y counts saturate at 51',
      ev({ comparison: 'count_in_days_exactly', value: 50, days: 30 }),
      opened({ days: { [TODAY]: 40, [TODAY - 1]: 30 } }),
      false,
    ],
    [
      'X-in-Y more than 50 matches saturated counts',
      ev({ comparison: 'count_in_days_more_than', value: 50, days: 30 }),
      opened({ days: { [TODAY]: 40, [TODAY - 1]: 30 } }),
      true,
    ],
    [
      'X-in-Y less than matches a profile without the event',
      ev({ comparison: 'count_in_days_less_than', value: 1, days: 30 }),
      nobody,
      true,
    ],
    [
      'first_did_before compares the first time',
      ev({ comparison: 'first_did_before', value: new Date(NOW - 9 * DAY).toISOString() }),
      opened(),
      true,
    ],
    [
      'last_did_after compares the last time',
      ev({ comparison: 'last_did_after', value: new Date(NOW - HOUR).toISOString() }),
      opened(),
      false,
    ],
    [
      'last_did_less_than_x_days_ago takes fractions of a day',
      ev({ comparison: 'last_did_less_than_x_days_ago', value: 0.25 }),
      opened({ last: NOW - 5 * HOUR }),
      true,
    ],
    [
      'last_did_less_than_x_days_ago excludes older times',
      ev({ comparison: 'last_did_less_than_x_days_ago', value: 0.25 }),
      opened({ last: NOW - 7 * HOUR }),
      false,
    ],
    [
      'first_did_more_than_x_days_ago uses 24-hour units',
      ev({ comparison: 'first_did_more_than_x_days_ago', value: 10 }),
      opened({ first: NOW - 10 * DAY }),
      false,
    ],
    [
      'first_did_more_than_x_days_ago matches older',
      ev({ comparison: 'first_did_more_than_x_days_ago', value: 10 }),
      opened({ first: NOW - 10 * DAY - 1 }),
      true,
    ],
    [
      'recency filters never match a profile without the event',
      ev({ comparison: 'last_did_more_than_x_days_ago', value: 1 }),
      nobody,
      false,
    ],
  ],
  purchase: [
    ['made_any matches a buyer', pu({ comparison: 'made_any' }), bought(), true],
    [
      'made_none matches a profile without purchases',
      pu({ comparison: 'made_none' }),
      nobody,
      true,
    ],
    [
      'made_any for a product needs that product',
      pu({ product_id: 'p2', comparison: 'made_any' }),
      bought(),
      false,
    ],
    [
      'count_more_than counts all products',
      pu({ comparison: 'count_more_than', value: 1 }),
      bought({ count: 2 }),
      true,
    ],
    [
      'count_exactly counts one product',
      pu({ product_id: 'p1', comparison: 'count_exactly', value: 2 }),
      bought({ count: 2 }),
      true,
    ],
    [
      'count_in_days for all products reads the all-products days',
      pu({ comparison: 'count_in_days_more_than', value: 1, days: 7 }),
      bought({ days: { [TODAY - 7]: 2 } }),
      true,
    ],
    [
      'count_in_days for another product sees nothing',
      pu({ product_id: 'p2', comparison: 'count_in_days_exactly', value: 0, days: 7 }),
      bought({ days: { [TODAY]: 2 } }),
      true,
    ],
    [
      'revenue_more_than compares lifetime money spent',
      pu({ comparison: 'revenue_more_than', value: 12 }),
      bought(),
      true,
    ],
    [
      'revenue_exactly compares a product revenue',
      pu({ product_id: 'p1', comparison: 'revenue_exactly', value: 12.5 }),
      bought(),
      true,
    ],
    [
      'revenue_less_than counts no purchases as 0',
      pu({ comparison: 'revenue_less_than', value: 1 }),
      nobody,
      true,
    ],
    [
      'first_purchase_after compares the first purchase',
      pu({ comparison: 'first_purchase_after', value: new Date(NOW - 11 * DAY).toISOString() }),
      bought(),
      true,
    ],
    [
      'last_purchase_more_than_x_days_ago refuses a recent buyer',
      pu({ comparison: 'last_purchase_more_than_x_days_ago', value: 1 }),
      bought(),
      false,
    ],
    [
      'last_purchase_less_than_x_days_ago for a product',
      pu({ product_id: 'p1', comparison: 'last_purchase_less_than_x_days_ago', value: 1 }),
      bought(),
      true,
    ],
    [
      'purchase recency never matches a profile without purchases',
      pu({ comparison: 'first_purchase_before', value: '2100-01-01T00:00:00Z' }),
      nobody,
      false,
    ],
  ],
  sessions: [
    [
      'session count_more_than',
      filter({ session: { comparison: 'count_more_than', value: 2 } }),
      summary({ sessions: { count: 3 } }),
      true,
    ],
    [
      'session count_exactly 0 matches a profile without sessions',
      filter({ session: { comparison: 'count_exactly', value: 0 } }),
      nobody,
      true,
    ],
    [
      'last_used_app after (Braze API form)',
      filter({ last_used_app: { comparison: 'after', value: '2024-06-14T00:00:00+0000' } }),
      summary({ sessions: { count: 1, first: midnight - 5 * DAY, last: midnight } }),
      true,
    ],
    [
      'last_used_app before refuses a later session',
      filter({ last_used_app: { comparison: 'before', value: '2024-06-14T00:00:00Z' } }),
      summary({ sessions: { count: 1, first: midnight - 5 * DAY, last: midnight } }),
      false,
    ],
    [
      'first_used_app more_than_x_days_ago',
      filter({ first_used_app: { comparison: 'more_than_x_days_ago', value: 4 } }),
      summary({ sessions: { count: 1, first: midnight - 5 * DAY, last: midnight } }),
      true,
    ],
    [
      'last_used_app never matches a profile without sessions',
      filter({ last_used_app: { comparison: 'more_than_x_days_ago', value: 0 } }),
      nobody,
      false,
    ],
    [
      'created_at less_than_x_days_ago',
      filter({ created_at: { comparison: 'less_than_x_days_ago', value: 101 } }),
      nobody,
      true,
    ],
    [
      'created_at more_than_x_days_ago',
      filter({ created_at: { comparison: 'more_than_x_days_ago', value: 101 } }),
      nobody,
      false,
    ],
  ],
};

for (const [group, cases] of Object.entries(CASES)) {
  describe(group, () => {
    it.each(cases)('%s', (_name, f, profile, expected) => {
      expect(verdicts(f, profile)).toEqual({ memory: expected, sql: expected });
    });
  });
}

describe('relative times', () => {
  it('are measured from the evaluation time, not frozen', () => {
    const f = ev({ comparison: 'last_did_less_than_x_days_ago', value: 1 });
    const p = opened({ last: NOW - HOUR });
    expect(verdicts(f, p, {}, NOW)).toEqual({ memory: true, sql: true });
    expect(verdicts(f, p, {}, NOW + DAY)).toEqual({ memory: false, sql: false });
  });

  it('move the X-in-Y window at midnight UTC', () => {
    const f = ev({ comparison: 'count_in_days_more_than', value: 0, days: 1 });
    const p = opened({ days: { [TODAY - 1]: 1 } });
    expect(verdicts(f, p, {}, (TODAY + 1) * DAY - 1)).toEqual({ memory: true, sql: true });
    expect(verdicts(f, p, {}, (TODAY + 1) * DAY)).toEqual({ memory: false, sql: false });
  });
});
