import type { EventInput, PurchaseInput } from '../ingestion/types';
import type { ProfileStore } from './profile-store';

const DAY_MS = 86_400_000;
/** Raw events kept per profile: the 90-day export window, and at most this many rows. */
export const RAW_EVENT_DAYS = 90;
export const RAW_EVENT_MAX_ROWS = 5_000;
/** Daily counters kept: enough for every "in the last Y days" filter (Y ≤ 30) and more. */
export const DAILY_COUNTER_DAYS = 62;
const PRUNE_EVERY = 200;

/** UTC day number (days since the epoch) of an epoch-ms time. */
export function dayOf(time: number): number {
  return Math.floor(time / DAY_MS);
}

function storeRaw(
  store: ProfileStore,
  row: {
    id: string;
    kind: string;
    name: string;
    time: number;
    appId: string | null;
    payload: unknown;
  },
  now: number,
): void {
  store.sql.exec(
    'INSERT INTO raw_events (id, kind, name, time, app_id, payload) VALUES (?, ?, ?, ?, ?, ?)',
    row.id,
    row.kind,
    row.name,
    row.time,
    row.appId,
    JSON.stringify(row.payload),
  );
  if (++store.rawInserts >= PRUNE_EVERY) {
    store.rawInserts = 0;
    pruneHistory(store, now);
  }
}

/** Drop raw events and daily counters that fell out of their retention windows. */
export function pruneHistory(store: ProfileStore, now: number): void {
  store.sql.exec('DELETE FROM raw_events WHERE time < ?', now - RAW_EVENT_DAYS * DAY_MS);
  store.sql.exec(
    `DELETE FROM raw_events WHERE id IN
       (SELECT id FROM raw_events ORDER BY time DESC LIMIT -1 OFFSET ?)`,
    RAW_EVENT_MAX_ROWS,
  );
  const oldestDay = dayOf(now) - DAILY_COUNTER_DAYS;
  store.sql.exec('DELETE FROM event_daily WHERE day < ?', oldestDay);
  store.sql.exec('DELETE FROM purchase_daily WHERE day < ?', oldestDay);
}

/** Record one custom event: raw row, all-time totals, daily counter, change record. */
export function recordEvent(store: ProfileStore, e: EventInput, now: number): void {
  const eventId = crypto.randomUUID();
  store.sql.exec(
    `INSERT INTO event_totals (name, count, first_at, last_at) VALUES (?, 1, ?, ?)
     ON CONFLICT(name) DO UPDATE SET count = count + 1,
       first_at = min(first_at, excluded.first_at), last_at = max(last_at, excluded.last_at)`,
    e.name,
    e.time,
    e.time,
  );
  store.sql.exec(
    `INSERT INTO event_daily (name, day, count) VALUES (?, ?, 1)
     ON CONFLICT(name, day) DO UPDATE SET count = count + 1`,
    e.name,
    dayOf(e.time),
  );
  storeRaw(
    store,
    {
      id: eventId,
      kind: 'custom',
      name: e.name,
      time: e.time,
      appId: e.appId,
      payload: e.properties,
    },
    now,
  );
  store.emit({
    type: 'event.custom',
    time: e.time,
    event_id: eventId,
    name: e.name,
    app_id: e.appId,
    properties: e.properties,
  });
}

/**
 * Record one purchase. Braze records quantity X as X purchases of quantity 1, so counts grow by
 * the quantity and revenue by price × quantity.
 */
export function recordPurchase(store: ProfileStore, p: PurchaseInput, now: number): void {
  const eventId = crypto.randomUUID();
  const revenue = p.price * p.quantity;
  store.sql.exec(
    `INSERT INTO purchase_totals (product_id, count, revenue, first_at, last_at)
     VALUES (?, ?, ?, ?, ?)
     ON CONFLICT(product_id) DO UPDATE SET count = count + excluded.count,
       revenue = revenue + excluded.revenue, first_at = min(first_at, excluded.first_at),
       last_at = max(last_at, excluded.last_at)`,
    p.productId,
    p.quantity,
    revenue,
    p.time,
    p.time,
  );
  store.sql.exec(
    `INSERT INTO purchase_daily (product_id, day, count, revenue) VALUES (?, ?, ?, ?)
     ON CONFLICT(product_id, day) DO UPDATE SET count = count + excluded.count,
       revenue = revenue + excluded.revenue`,
    p.productId,
    dayOf(p.time),
    p.quantity,
    revenue,
  );
  storeRaw(
    store,
    {
      id: eventId,
      kind: 'purchase',
      name: p.productId,
      time: p.time,
      appId: p.appId,
      payload: {
        currency: p.currency,
        price: p.price,
        quantity: p.quantity,
        properties: p.properties,
      },
    },
    now,
  );
  store.emit({
    type: 'event.purchase',
    time: p.time,
    event_id: eventId,
    product_id: p.productId,
    currency: p.currency,
    price: p.price,
    quantity: p.quantity,
    app_id: p.appId,
    properties: p.properties,
  });
}

export interface EventSummary {
  name: string;
  count: number;
  first: number;
  last: number;
}

/** All-time totals per custom event. */
export function eventTotals(store: ProfileStore): EventSummary[] {
  return store.sql
    .exec<{ name: string; count: number; first_at: number; last_at: number }>(
      'SELECT name, count, first_at, last_at FROM event_totals ORDER BY name',
    )
    .toArray()
    .map((r) => ({ name: r.name, count: r.count, first: r.first_at, last: r.last_at }));
}

export interface PurchaseSummary extends EventSummary {
  revenue: number;
}

/** All-time totals per product. */
export function purchaseTotals(store: ProfileStore): PurchaseSummary[] {
  return store.sql
    .exec<{
      product_id: string;
      count: number;
      revenue: number;
      first_at: number;
      last_at: number;
    }>(
      'SELECT product_id, count, revenue, first_at, last_at FROM purchase_totals ORDER BY product_id',
    )
    .toArray()
    .map((r) => ({
      name: r.product_id,
      count: r.count,
      revenue: r.revenue,
      first: r.first_at,
      last: r.last_at,
    }));
}
