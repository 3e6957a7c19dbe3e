import { describe, expect, it } from 'vitest';
import { rollup } from '../../src/analytics/rollup';
import { toUsd } from '../../src/analytics/usd';
import { seriesWindow } from '../../src/analytics/window';
import type { ChangeBatch } from '../../src/changes/records';

const T = Date.parse('2026-03-10T09:30:00Z');

function batch(records: ChangeBatch['records'], profile = 'p1'): ChangeBatch {
  return { v: 1, workspace_id: 'w', profile_id: profile, records };
}
const event = (id: string, name: string, app: string | null, time = T) => ({
  type: 'event.custom' as const,
  id,
  seq: 1,
  time,
  event_id: id,
  name,
  app_id: app,
  properties: {},
});
const purchase = (id: string, price: number, quantity: number, currency: string) => ({
  type: 'event.purchase' as const,
  id,
  seq: 1,
  time: T,
  event_id: id,
  product_id: 'gem',
  currency,
  price,
  quantity,
  app_id: 'ios',
  properties: {},
});

describe('rollup', () => {
  it('counts an event in its UTC hour, by name and app, and marks its user active', () => {
    const r = rollup([batch([event('r1', 'played', 'web')])], () => ({}));
    expect(r.counters).toEqual([
      {
        recordId: 'r1',
        workspaceId: 'w',
        metric: 'event',
        name: 'played',
        appId: 'web',
        hour: '2026-03-10T09',
        value: 1,
      },
    ]);
    expect(r.activity).toEqual([
      { workspaceId: 'w', day: '2026-03-10', appId: 'web', profileId: 'p1' },
    ]);
    expect(r.names).toEqual([{ workspaceId: 'w', kind: 'event', name: 'played', at: T }]);
  });

  it('marks a user active once per day and app however many events', () => {
    const r = rollup(
      [batch([event('r1', 'a', null), event('r2', 'b', null), event('r3', 'a', 'web')])],
      () => ({}),
    );
    expect(r.activity.map((a) => a.appId)).toEqual(['', 'web']);
    expect(r.names.map((n) => n.name)).toEqual(['a', 'b']);
  });

  it('counts purchases, quantity and USD revenue of price times quantity', () => {
    const r = rollup([batch([purchase('r1', 10, 3, 'EUR')])], () => ({ EUR: 1.5 }));
    const by = Object.fromEntries(r.counters.map((c) => [c.metric, c.value]));
    expect(by).toEqual({ purchases: 1, purchase_quantity: 3, revenue: 45 });
  });

  it('counts a purchase without revenue when its currency has no rate', () => {
    const r = rollup([batch([purchase('r1', 10, 1, 'XAU')])], () => ({}));
    expect(r.counters.map((c) => c.metric)).toEqual(['purchases', 'purchase_quantity']);
    expect(r.unconverted).toEqual([{ workspaceId: 'w', currency: 'XAU' }]);
  });

  it('counts a created profile as a new user', () => {
    const r = rollup(
      [
        batch([
          {
            type: 'profile.created',
            id: 'r1',
            seq: 1,
            time: T,
            identifiers: { external_id: 'x', braze_id: 'p1', user_aliases: [] },
          },
        ]),
      ],
      () => ({}),
    );
    expect(r.counters.map((c) => [c.metric, c.value])).toEqual([['new_users', 1]]);
    expect(r.activity).toEqual([]);
  });
});

describe('toUsd', () => {
  it('leaves USD alone, prefers the workspace rate, rounds to cents', () => {
    expect(toUsd(12.5, 'usd')).toBe(12.5);
    expect(toUsd(10, 'EUR', { EUR: 1.1 })).toBe(11);
    expect(toUsd(1, 'JPY', { JPY: 0.00666 })).toBe(0.01);
    expect(toUsd(1, 'ZZZ')).toBeNull();
  });
});

describe('seriesWindow', () => {
  it('ends with the day holding ending_at', () => {
    const w = seriesWindow({ length: 3, unit: 'day', endingAt: Date.parse('2026-03-01T05:00Z') });
    expect(w.keys).toEqual(['2026-02-27', '2026-02-28', '2026-03-01']);
    expect([w.firstHour, w.lastHour]).toEqual(['2026-02-27T00', '2026-03-01T23']);
  });

  it('ends with the hour holding ending_at, across midnight', () => {
    const w = seriesWindow({ length: 2, unit: 'hour', endingAt: Date.parse('2026-03-01T00:59Z') });
    expect(w.keys).toEqual(['2026-02-28T23', '2026-03-01T00']);
  });
});
