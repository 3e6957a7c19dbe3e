import { env, SELF } from 'cloudflare:test';
import { describe, expect, it } from 'vitest';
import { analyticsRollupHandler } from '../../src/analytics/rollup-handler';
import { createApp } from '../fixtures/campaigns';
import { eventually } from '../fixtures/delivery';
import { get } from '../fixtures/segments';
import { createWorkspace, type TestWorkspace } from '../fixtures/workspace';

/**
 * The analytics endpoints read rollups that the change consumer keeps: each test tracks through
 * /users/track, waits for the consumer, and reads the series as a Braze client would.
 */

const ev = (user: string, name: string, time: string, app_id?: string) => ({
  external_id: user,
  name,
  time,
  ...(app_id ? { app_id } : {}),
});
const buy = (user: string, product_id: string, price: number, time: string, extra = {}) => ({
  external_id: user,
  product_id,
  currency: 'USD',
  price,
  time,
  ...extra,
});

/** Read a series until its total reaches `total` (the consumer runs after /users/track answers). */
async function series(ws: TestWorkspace, path: string, key: string, total: number) {
  const res = await eventually(
    () => get(ws, path),
    (r) => r.status === 200 && r.json.data.reduce((s: number, d: any) => s + d[key], 0) >= total,
  );
  expect(res.status).toBe(200);
  return res.json.data as Record<string, any>[];
}

describe('custom event series', () => {
  it('counts events per day with every day present, zeros filled, oldest first', async () => {
    const ws = await createWorkspace();
    await ws.post('/users/track', {
      events: [
        ev('a', 'played', '2026-03-08T10:00:00Z'),
        ev('a', 'played', '2026-03-10T09:00:00Z'),
        ev('b', 'played', '2026-03-10T23:59:00Z'),
        ev('b', 'quit', '2026-03-10T12:00:00Z'),
      ],
    });
    const data = await series(
      ws,
      '/events/data_series?event=played&length=4&ending_at=2026-03-10T12:00:00Z',
      'count',
      3,
    );
    expect(data).toEqual([
      { time: '2026-03-07', count: 0 },
      { time: '2026-03-08', count: 1 },
      { time: '2026-03-09', count: 0 },
      { time: '2026-03-10', count: 2 },
    ]);
  });

  it('counts per hour with unit=hour, times as ISO date-times', async () => {
    const ws = await createWorkspace();
    await ws.post('/users/track', {
      events: [
        ev('a', 'played', '2026-03-10T09:15:00Z'),
        ev('a', 'played', '2026-03-10T09:45:00Z'),
        ev('b', 'played', '2026-03-10T11:00:00Z'),
      ],
    });
    const data = await series(
      ws,
      '/events/data_series?event=played&length=3&unit=hour&ending_at=2026-03-10T11:30:00Z',
      'count',
      3,
    );
    expect(data).toEqual([
      { time: '2026-03-10T09:00:00+00:00', count: 2 },
      { time: '2026-03-10T10:00:00+00:00', count: 0 },
      { time: '2026-03-10T11:00:00+00:00', count: 1 },
    ]);
  });

  it('restricts to one app with app_id', async () => {
    const ws = await createWorkspace();
    await ws.post('/users/track', {
      events: [
        ev('a', 'played', '2026-03-10T09:00:00Z', 'ios'),
        ev('b', 'played', '2026-03-10T09:00:00Z', 'web'),
        ev('c', 'played', '2026-03-10T09:00:00Z', 'web'),
        ev('d', 'played', '2026-03-10T09:00:00Z'),
      ],
    });
    const q = 'event=played&length=1&ending_at=2026-03-10T12:00:00Z';
    expect(await series(ws, `/events/data_series?${q}`, 'count', 4)).toEqual([
      { time: '2026-03-10', count: 4 },
    ]);
    expect((await get(ws, `/events/data_series?${q}&app_id=web`)).json.data).toEqual([
      { time: '2026-03-10', count: 2 },
    ]);
    expect((await get(ws, `/events/data_series?${q}&app_id=android`)).json.data).toEqual([
      { time: '2026-03-10', count: 0 },
    ]);
  });

  it('lists event names alphabetically, 250 a page', async () => {
    const ws = await createWorkspace();
    const names = Array.from({ length: 260 }, (_, i) => `e${String(i).padStart(3, '0')}`);
    const at = new Date().toISOString();
    for (let i = 0; i < names.length; i += 75) {
      await ws.post('/users/track', {
        events: names.slice(i, i + 75).map((n) => ev('a', n, at)),
      });
    }
    const last = await eventually(
      () => get(ws, '/events/list?page=1'),
      (r) => r.json.events?.length === 10,
    );
    expect(last.json).toEqual({ message: 'success', events: names.slice(250) });
    expect((await get(ws, '/events/list')).json.events).toEqual(names.slice(0, 250));
    expect((await get(ws, '/events/list?page=2')).json.events).toEqual([]);
  });

  it('requires event and a length of 1 to 100', async () => {
    const ws = await createWorkspace();
    const missing = await get(ws, '/events/data_series?length=3');
    expect(missing.status).toBe(400);
    expect(missing.json.message).toContain('event is required');
    for (const length of ['0', '101', 'x']) {
      const res = await get(ws, `/events/data_series?event=a&length=${length}`);
      expect(res.status).toBe(400);
      expect(res.json.message).toContain('length');
    }
    expect((await get(ws, '/events/data_series?event=a&length=100')).status).toBe(200);
    const unit = await get(ws, '/events/data_series?event=a&length=3&unit=week');
    expect(unit.status).toBe(400);
    expect(unit.json.message).toContain('unit');
    const end = await get(ws, '/events/data_series?event=a&length=3&ending_at=yesterday');
    expect(end.status).toBe(400);
    expect(end.json.message).toContain('ending_at');
  });

  it('refuses segment_id rather than answer an unfiltered series', async () => {
    const ws = await createWorkspace();
    const res = await get(ws, '/events/data_series?event=a&length=3&segment_id=s1');
    expect(res.status).toBe(400);
    expect(res.json.message).toBe('segment_id is not supported by Herald yet');
  });
});

describe('purchase series', () => {
  it('sums quantities and USD revenue per day, for all products or one', async () => {
    const ws = await createWorkspace({ usd_exchange_rates: { EUR: 1.5 } });
    await ws.post('/users/track', {
      purchases: [
        buy('a', 'gem', 2, '2026-03-09T10:00:00Z', { quantity: 3 }),
        buy('b', 'gem', 2, '2026-03-10T10:00:00Z'),
        buy('b', 'sword', 10, '2026-03-10T11:00:00Z', { currency: 'EUR' }),
      ],
    });
    const q = 'length=2&ending_at=2026-03-10T23:00:00Z';
    expect(await series(ws, `/purchases/quantity_series?${q}`, 'purchase_quantity', 5)).toEqual([
      { time: '2026-03-09', purchase_quantity: 3 },
      { time: '2026-03-10', purchase_quantity: 2 },
    ]);
    expect((await get(ws, `/purchases/revenue_series?${q}`)).json.data).toEqual([
      { time: '2026-03-09', revenue: 6 },
      { time: '2026-03-10', revenue: 17 },
    ]);
    expect((await get(ws, `/purchases/revenue_series?${q}&product=gem`)).json.data).toEqual([
      { time: '2026-03-09', revenue: 6 },
      { time: '2026-03-10', revenue: 2 },
    ]);
    const hourly = await get(ws, `/purchases/quantity_series?${q}&unit=hour&product=sword`);
    expect(hourly.json.data).toHaveLength(2);
    expect(hourly.json.data[1]).toEqual({
      time: '2026-03-10T23:00:00+00:00',
      purchase_quantity: 0,
    });
    const products = await get(ws, '/purchases/product_list');
    expect(products.json).toEqual({ products: ['gem', 'sword'], message: 'success' });
  });
});

describe('KPIs', () => {
  it('counts daily active users once each, per app, and 30-day MAU', async () => {
    const ws = await createWorkspace();
    await ws.post('/users/track', {
      events: [
        ev('a', 'x', '2026-02-01T10:00:00Z', 'web'),
        ev('a', 'x', '2026-03-01T10:00:00Z', 'web'),
        ev('a', 'y', '2026-03-01T11:00:00Z', 'web'),
        ev('b', 'x', '2026-03-01T10:00:00Z', 'ios'),
        ev('c', 'x', '2026-03-02T10:00:00Z'),
      ],
      purchases: [buy('d', 'gem', 1, '2026-03-02T10:00:00Z')],
    });
    const q = 'length=3&ending_at=2026-03-02T12:00:00Z';
    expect(await series(ws, `/kpi/dau/data_series?${q}`, 'dau', 4)).toEqual([
      { time: '2026-02-28', dau: 0 },
      { time: '2026-03-01', dau: 2 },
      { time: '2026-03-02', dau: 2 },
    ]);
    expect((await get(ws, `/kpi/dau/data_series?${q}&app_id=web`)).json.data).toEqual([
      { time: '2026-02-28', dau: 0 },
      { time: '2026-03-01', dau: 1 },
      { time: '2026-03-02', dau: 0 },
    ]);
    // a was active on Feb 1, which the 30 days ending Feb 28 (Jan 30 – Feb 28) include and the
    // 30 days ending Mar 2 (Feb 1 – Mar 2) do too; a counts once however often active.
    expect((await get(ws, `/kpi/mau/data_series?${q}`)).json.data).toEqual([
      { time: '2026-02-28', mau: 1 },
      { time: '2026-03-01', mau: 2 },
      { time: '2026-03-02', mau: 4 },
    ]);
    const late = await get(ws, '/kpi/mau/data_series?length=1&ending_at=2026-03-31T00:00:00Z');
    expect(late.json.data).toEqual([{ time: '2026-03-31', mau: 2 }]);
  });

  it('counts new users on the day their profile was created', async () => {
    const ws = await createWorkspace();
    await ws.post('/users/track', {
      attributes: [{ external_id: 'n1' }, { external_id: 'n2' }],
      events: [ev('n3', 'x', new Date().toISOString(), 'web')],
    });
    const data = await series(ws, '/kpi/new_users/data_series?length=2', 'new_users', 3);
    expect(data.map((d) => d.new_users)).toEqual([0, 3]);
    expect(data[1]!.time).toBe(new Date().toISOString().slice(0, 10));
    const web = await get(ws, '/kpi/new_users/data_series?length=1&app_id=web');
    expect(web.json.data).toEqual([{ time: data[1]!.time, new_users: 1 }]);
  });

  it('counts SDK sessions per app, and their users as active', async () => {
    const ws = await createWorkspace();
    const appKey = await createApp(ws);
    const session = (user: string, id: string) => ({
      id: `item-${id}`,
      user: { external_id: user },
      time: Date.now() - 1_000,
      type: 'session_start',
      session_id: `session-${id}`,
    });
    const res = await SELF.fetch('https://herald.test/sdk/v1/batch', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        app_key: appKey,
        items: [session('s1', '0001'), session('s1', '0002'), session('s2', '0003')],
      }),
    });
    expect(res.status).toBe(200);
    const data = await series(ws, '/sessions/data_series?length=1', 'sessions', 3);
    expect(data.map((d) => d.sessions)).toEqual([3]);
    const byApp = await get(ws, `/sessions/data_series?length=1&app_id=${appKey}`);
    expect(byApp.json.data[0].sessions).toBe(3);
    const dau = await series(ws, '/kpi/dau/data_series?length=1', 'dau', 2);
    expect(dau.map((d) => d.dau)).toEqual([2]);
  });

  it('answers zeros for uninstalls and for sessions nobody reported', async () => {
    const ws = await createWorkspace();
    const u = await get(ws, '/kpi/uninstalls/data_series?length=2&ending_at=2026-03-02T00:00:00Z');
    expect(u.json).toEqual({
      message: 'success',
      data: [
        { time: '2026-03-01', uninstalls: 0 },
        { time: '2026-03-02', uninstalls: 0 },
      ],
    });
    const s = await get(
      ws,
      '/sessions/data_series?length=2&unit=hour&ending_at=2026-03-02T00:00:00Z',
    );
    expect(s.json.data).toEqual([
      { time: '2026-03-01T23:00:00+00:00', sessions: 0 },
      { time: '2026-03-02T00:00:00+00:00', sessions: 0 },
    ]);
  });
});

describe('workspaces', () => {
  it("never see each other's names or counts", async () => {
    const ws = await createWorkspace();
    const other = await createWorkspace();
    await ws.post('/users/track', {
      events: [ev('a', 'secret', '2026-03-10T09:00:00Z')],
      purchases: [buy('a', 'hidden', 5, '2026-03-10T09:00:00Z')],
    });
    const q = 'length=1&ending_at=2026-03-10T12:00:00Z';
    await series(ws, `/purchases/revenue_series?${q}`, 'revenue', 5);
    expect((await get(ws, '/events/list')).json.events).toEqual(['secret']);
    expect((await get(other, '/events/list')).json.events).toEqual([]);
    expect((await get(other, '/purchases/product_list')).json.products).toEqual([]);
    const theirs = await get(other, `/events/data_series?event=secret&${q}`);
    expect(theirs.json.data).toEqual([{ time: '2026-03-10', count: 0 }]);
    expect((await get(other, `/kpi/dau/data_series?${q}`)).json.data[0].dau).toBe(0);
  });
});

describe('rollup idempotency', () => {
  it('counts a change record once, however often the queue delivers it', async () => {
    const ws = await createWorkspace();
    const batch = {
      v: 1 as const,
      workspace_id: ws.id,
      profile_id: 'p1',
      records: [
        {
          type: 'event.custom' as const,
          id: crypto.randomUUID(),
          seq: 1,
          time: Date.parse('2026-03-10T09:00:00Z'),
          event_id: 'e1',
          name: 'once',
          app_id: null,
          properties: {},
        },
      ],
    };
    const handler = analyticsRollupHandler(env);
    await handler([batch, batch]); // twice in one queue batch
    await handler([batch]); // and redelivered later
    const res = await get(
      ws,
      '/events/data_series?event=once&length=1&ending_at=2026-03-10T12:00:00Z',
    );
    expect(res.json.data).toEqual([{ time: '2026-03-10', count: 1 }]);
    const dau = await get(ws, '/kpi/dau/data_series?length=1&ending_at=2026-03-10T12:00:00Z');
    expect(dau.json.data).toEqual([{ time: '2026-03-10', dau: 1 }]);
  });
});
