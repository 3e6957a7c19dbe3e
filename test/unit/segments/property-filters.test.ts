import { describe, expect, it } from 'vitest';
import { spentSince } from '../../../src/profiles/property-buckets';
import { propertyValueKey } from '../../../src/segments/evaluate-property';
import type { SegmentFilter } from '../../../src/segments/filters';
import type { ProfileSummary, PropertyCounts } from '../../../src/segments/summary';
import { DAY, filter, HOUR, NOW, summary, TODAY, verdicts } from './helpers';

type Case = [name: string, filter: SegmentFilter, profile: ProfileSummary, expected: boolean];

/** `level` of `played` with each value's day counts. */
const levels = (values: [value: string | number | boolean, days: Record<number, number>][]) => ({
  level: Object.fromEntries(values.map(([v, days]) => [propertyValueKey(v), days])),
});
const played = (counts: PropertyCounts) => summary({ eventProperties: { played: counts } });
const ev = (body: Record<string, unknown>) =>
  filter({
    custom_event_property: {
      event_name: 'played',
      property_name: 'level',
      property_value: 'hard',
      comparison: 'count_in_days_more_than',
      value: 0,
      days: 7,
      ...body,
    },
  });
const bought = (properties: Record<string, PropertyCounts>) =>
  summary({ purchases: { properties } });
const pp = (body: Record<string, unknown>) =>
  filter({
    purchase_property: {
      property_name: 'color',
      property_value: 'red',
      comparison: 'count_in_days_exactly',
      days: 7,
      value: 3,
      ...body,
    },
  });
const red = (days: Record<number, number>) => ({ color: { [propertyValueKey('red')]: days } });
const spent = (body: Record<string, unknown>) =>
  filter({ purchase: { comparison: 'revenue_in_days_more_than', days: 7, value: 10, ...body } });
const spender = (since: Record<number, number>) => summary({ purchases: { spentSince: since } });
const nobody = summary();

const CASES: Record<string, Case[]> = {
  custom_event_property: [
    ['counts the value in the window', ev({}), played(levels([['hard', { [TODAY]: 1 }]])), true],
    [
      'a profile without the property counts 0',
      ev({ comparison: 'count_in_days_exactly' }),
      nobody,
      true,
    ],
    [
      'another value of the property does not count',
      ev({}),
      played(levels([['easy', { [TODAY]: 4 }]])),
      false,
    ],
    [
      'another event with the property does not count',
      ev({}),
      summary({ eventProperties: { won: levels([['hard', { [TODAY]: 4 }]]) } }),
      false,
    ],
    [
      'the window includes today and the whole oldest day',
      ev({ comparison: 'count_in_days_exactly', value: 5, days: 3 }),
      played(levels([['hard', { [TODAY]: 2, [TODAY - 3]: 3, [TODAY - 4]: 7 }]])),
      true,
    ],
    [
      'less_than is strict',
      ev({ comparison: 'count_in_days_less_than', value: 2 }),
      played(levels([['hard', { [TODAY - 1]: 2 }]])),
      false,
    ],
    [
      'a number value is not its string look-alike',
      ev({ property_value: 3 }),
      played(levels([['3', { [TODAY]: 1 }]])),
      false,
    ],
    [
      'a number value matches the same number',
      ev({ property_value: 3 }),
      played(levels([[3, { [TODAY]: 1 }]])),
      true,
    ],
    [
      'a boolean value is not the string "true"',
      ev({ property_value: true }),
      played(levels([['true', { [TODAY]: 1 }]])),
      false,
    ],
    [
      'string values are case sensitive',
      ev({ property_value: 'Hard' }),
      played(levels([['hard', { [TODAY]: 1 }]])),
      false,
    ],
    [
      'an event named like a prototype key is not there',
      ev({ event_name: 'constructor', comparison: 'count_in_days_exactly' }),
      nobody,
      true,
    ],
  ],
  purchase_property: [
    [
      'sums every product when no product is named',
      pp({}),
      bought({ p1: red({ [TODAY]: 1 }), p2: red({ [TODAY - 2]: 2 }) }),
      true,
    ],
    [
      'counts one product when it is named',
      pp({ product_id: 'p1', value: 1 }),
      bought({ p1: red({ [TODAY]: 1 }), p2: red({ [TODAY - 2]: 2 }) }),
      true,
    ],
    [
      'an unknown product counts 0',
      pp({ product_id: 'p3', value: 0 }),
      bought({ p1: red({ [TODAY]: 1 }) }),
      true,
    ],
    [
      'days before the window do not count',
      pp({ comparison: 'count_in_days_more_than', value: 0, days: 1 }),
      bought({ p1: red({ [TODAY - 2]: 5 }) }),
      false,
    ],
  ],
  revenue_in_days: [
    [
      'reads the earliest day in the window',
      spent({}),
      spender({ [TODAY - 7]: 12, [TODAY]: 2 }),
      true,
    ],
    [
      'ignores money spent before the window',
      spent({}),
      spender({ [TODAY - 8]: 12, [TODAY - 1]: 2 }),
      false,
    ],
    [
      'nothing spent is 0',
      spent({ comparison: 'revenue_in_days_exactly', value: 0 }),
      nobody,
      true,
    ],
    [
      'less_than compares the amount',
      spent({ comparison: 'revenue_in_days_less_than', value: 2.5 }),
      spender({ [TODAY]: 2.49 }),
      true,
    ],
    [
      'exactly compares the stored amount',
      spent({ comparison: 'revenue_in_days_exactly', value: 0.1 + 0.2 }),
      spender({ [TODAY - 1]: 0.1 + 0.2 }),
      true,
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

describe('property windows', () => {
  it('move at midnight UTC, like the other X-in-Y filters', () => {
    const f = ev({ days: 1 });
    const p = played(levels([['hard', { [TODAY - 1]: 1 }]]));
    expect(verdicts(f, p, {}, (TODAY + 1) * DAY - 1)).toEqual({ memory: true, sql: true });
    expect(verdicts(f, p, {}, (TODAY + 1) * DAY)).toEqual({ memory: false, sql: false });
  });
});

describe('spentSince', () => {
  const at = (daysAgo: number, price: number, quantity = 1) => ({
    time: NOW - daysAgo * DAY,
    price,
    quantity,
  });

  it('sums from each day with a purchase to now', () => {
    expect(spentSince([at(0, 1), at(2, 10), at(2, 5), at(5, 100)], TODAY - 30)).toEqual({
      [TODAY]: 1,
      [TODAY - 2]: 16,
      [TODAY - 5]: 116,
    });
  });

  it('counts only the last 50 purchases, a quantity counting as that many', () => {
    const newestFirst = [at(0, 1, 30), at(1, 2, 30), at(3, 1000)];
    // 30 units at 1, then 20 of the next 30 at 2; the purchase 3 days ago is not among the 50.
    expect(spentSince(newestFirst, TODAY - 30)).toEqual({ [TODAY]: 30, [TODAY - 1]: 70 });
  });

  it('leaves out days older than the summary keeps', () => {
    expect(spentSince([at(0, 1), at(40, 10)], TODAY - 30)).toEqual({ [TODAY]: 1 });
  });

  it('treats purchases at the same time by the order given', () => {
    const t = NOW - HOUR;
    const rows = Array.from({ length: 51 }, (_, i) => ({ time: t, price: i, quantity: 1 }));
    // The first 50 given (prices 0..49) count; the 51st does not.
    expect(spentSince(rows, TODAY - 30)).toEqual({ [TODAY]: (49 * 50) / 2 });
  });
});
