import type { SQLInputValue } from 'node:sqlite';
import { getTableColumns } from 'drizzle-orm';
import { SQLiteSyncDialect } from 'drizzle-orm/sqlite-core';
import { describe, expect, it } from 'vitest';
import * as idx from '../../../src/db/segment-index';
import { ALL_PRODUCTS, summaryToRows } from '../../../src/segments/index-rows';
import { summaryStatements } from '../../../src/segments/index-writer';
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
    properties: { p1: { color: { '"red"': { [TODAY]: 1 } } } },
    spentSince: { [TODAY]: 3.5 },
  },
  eventProperties: { open: { level: { '3': { [TODAY]: 2 }, '"hard"': { [TODAY - 1]: 1 } } } },
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
    const days = summaryToRows(WS, full).purchaseDays.map((d) => [
      d.productId,
      d.day,
      d.count,
      d.spentSince,
    ]);
    expect(days).toEqual([
      [ALL_PRODUCTS, TODAY, 1, 3.5],
      ['p1', TODAY, 1, null],
    ]);
  });

  it('writes an all-products day for money spent even without a count that day', () => {
    const s = summary({ purchases: { days: { [TODAY]: 2 }, spentSince: { [TODAY - 3]: 9 } } });
    const days = summaryToRows(WS, s).purchaseDays.map((d) => [d.day, d.count, d.spentSince]);
    expect(days.sort((a, b) => Number(a[0]) - Number(b[0]))).toEqual([
      [TODAY - 3, 0, 9],
      [TODAY, 2, null],
    ]);
  });

  it('writes one property row per event or product, property and value, days as JSON', () => {
    const rows = summaryToRows(WS, full).propertyCounts.map((r) => [
      r.kind,
      r.name,
      r.property,
      r.value,
      JSON.parse(r.days),
    ]);
    expect(rows).toEqual([
      ['event', 'open', 'level', '3', { [TODAY]: 2 }],
      ['event', 'open', 'level', '"hard"', { [TODAY - 1]: 1 }],
      ['purchase', 'p1', 'color', '"red"', { [TODAY]: 1 }],
    ]);
  });

  it('writes property rows through one guarded multi-row statement', () => {
    const db = openIndex();
    const dialect = new SQLiteSyncDialect();
    const statements = summaryStatements(WS, full);
    for (const s of statements) {
      const q = dialect.sqlToQuery(s);
      db.prepare(q.sql).run(...(q.params as SQLInputValue[]));
    }
    const inserts = statements.filter((s) =>
      dialect.sqlToQuery(s).sql.startsWith('INSERT INTO idx_property_counts'),
    );
    expect(inserts).toHaveLength(1);
    const stored = db
      .prepare(
        'SELECT kind, name, property, value, days FROM idx_property_counts ORDER BY kind, value',
      )
      .all();
    expect(stored).toEqual([
      {
        kind: 'event',
        name: 'open',
        property: 'level',
        value: '"hard"',
        days: `{"${TODAY - 1}":1}`,
      },
      { kind: 'event', name: 'open', property: 'level', value: '3', days: `{"${TODAY}":2}` },
      { kind: 'purchase', name: 'p1', property: 'color', value: '"red"', days: `{"${TODAY}":1}` },
    ]);
    db.close();
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
