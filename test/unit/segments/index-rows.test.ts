import { getTableColumns } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import * as idx from '../../../src/db/segment-index';
import { ALL_PRODUCTS, summaryToRows } from '../../../src/segments/index-rows';
import { DAY, NOW, openIndex, summary, TABLES, TODAY, WS } from './helpers';

const full = summary({
  profileId: 'p9',
  custom: { color: { type: 'string', value: 'blue' }, seen: { type: 'time', value: NOW } },
  events: { open: { count: 2, first: NOW - DAY, last: NOW, days: { [TODAY]: 2 } } },
  purchases: {
    count: 1,
    revenue: 3.5,
    first: NOW,
    last: NOW,
    products: { p1: { count: 1, revenue: 3.5, first: NOW, last: NOW, days: { [TODAY]: 1 } } },
    days: { [TODAY]: 1 },
  },
  subscriptionGroups: { g1: 'subscribed' },
  messages: {
    c1: { receivedAt: NOW, openedAt: null, clickedAt: null, convertedAt: null, inControl: true },
  },
  standard: { email_undeliverable: true },
});

describe('summaryToRows', () => {
  it('keys every row by the drizzle column property names of its table', () => {
    const rows = summaryToRows(WS, full);
    for (const [key, table] of Object.entries(TABLES)) {
      const list = rows[key as keyof typeof rows];
      expect(list.length, key).toBeGreaterThan(0);
      const columns = Object.keys(getTableColumns(table)).sort();
      for (const row of list) expect(Object.keys(row).sort(), key).toEqual(columns);
    }
  });

  it('stores custom attributes as {t, v} and flags as 0/1', () => {
    const [p] = summaryToRows(WS, full).profiles;
    expect(JSON.parse(p!.custom)).toEqual({
      color: { t: 'string', v: 'blue' },
      seen: { t: 'time', v: NOW },
    });
    expect(p!.emailUndeliverable).toBe(1);
    expect(summaryToRows(WS, full).messages[0]!.inControl).toBe(1);
  });

  it('writes daily purchase rows per product and for all products together', () => {
    const days = summaryToRows(WS, full).purchaseDays.map((d) => [d.productId, d.day, d.count]);
    expect(days).toEqual([
      [ALL_PRODUCTS, TODAY, 1],
      ['p1', TODAY, 1],
    ]);
  });

  it('produces rows the migrated schema accepts', () => {
    const db = openIndex();
    const rows = summaryToRows(WS, full);
    const columns = getTableColumns(idx.indexProfiles);
    const p = rows.profiles[0]!;
    const names = Object.keys(p).map((k) => columns[k as keyof typeof columns].name);
    const insert = `INSERT INTO idx_profiles (${names.join(', ')}) VALUES (${names.map(() => '?').join(', ')})`;
    expect(() =>
      db.prepare(insert).run(...(Object.values(p) as (string | number | null)[])),
    ).not.toThrow();
    db.close();
  });
});
