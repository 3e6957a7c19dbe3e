import type { EventInput, Json, PurchaseInput, Scalar } from '../ingestion/types';
import { propertyValueKey } from '../segments/evaluate-property';
import type { ProfileSummary, PropertyCounts } from '../segments/summary';
import type { SegmentableProperties } from '../workspaces/settings';
import { dayOf } from './activity';
import type { ProfileStore } from './profile-store';

/**
 * The pre-computed state behind the property and money X-in-Y filters: per-day counts of the
 * workspace's segmentable properties (`property_daily`, last 31 UTC days) and the last 50
 * purchases (`recent_purchases`). Written with each event or purchase, in its transaction.
 */

/** UTC days of property counts kept: today and the 30 before it, Braze's longest window. */
export const PROPERTY_DAYS = 31;
/** "X Money Spent in Y Days" sums only this many of the latest purchases (units). */
export const SPENT_PURCHASES = 50;

/** The segmentable properties as track applies them: property names per event, and purchases'. */
export interface PropertyLookup {
  events: Map<string, string[]>;
  purchases: string[];
}

/** Index the workspace setting once per request; null when nothing is enabled. */
export function propertyLookup(settings: SegmentableProperties | undefined): PropertyLookup | null {
  if (!settings) return null;
  const events = new Map<string, string[]>();
  for (const { event_name, property_name } of settings.segmentable_event_properties) {
    const list = events.get(event_name) ?? [];
    if (!list.includes(property_name)) list.push(property_name);
    events.set(event_name, list);
  }
  const purchases = [
    ...new Set(settings.segmentable_purchase_properties.map((p) => p.property_name)),
  ];
  if (events.size === 0 && purchases.length === 0) return null;
  return { events, purchases };
}

function isScalar(v: Json | undefined): v is Scalar {
  return typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean';
}

/** Count the enabled properties of one event or purchase on its UTC day. */
function bucket(
  store: ProfileStore,
  input: {
    kind: 'event' | 'purchase';
    name: string;
    time: number;
    values: { [key: string]: Json };
    enabled: string[];
    count: number;
    now: number;
  },
): void {
  const oldest = dayOf(input.now) - (PROPERTY_DAYS - 1);
  const day = dayOf(input.time);
  if (day < oldest) return;
  let wrote = false;
  for (const property of input.enabled) {
    const value = Object.hasOwn(input.values, property) ? input.values[property] : undefined;
    if (!isScalar(value)) continue;
    store.sql.exec(
      `INSERT INTO property_daily (day, kind, name, property, value, count) VALUES (?, ?, ?, ?, ?, ?)
       ON CONFLICT(day, kind, name, property, value) DO UPDATE SET count = count + excluded.count`,
      day,
      input.kind,
      input.name,
      property,
      propertyValueKey(value),
      input.count,
    );
    wrote = true;
  }
  if (wrote) store.sql.exec('DELETE FROM property_daily WHERE day < ?', oldest);
}

/** Count a custom event's segmentable properties. */
export function bucketEvent(
  store: ProfileStore,
  input: { event: EventInput; lookup: PropertyLookup | null; now: number },
): void {
  const enabled = input.lookup?.events.get(input.event.name);
  if (!enabled) return;
  bucket(store, {
    kind: 'event',
    name: input.event.name,
    time: input.event.time,
    values: input.event.properties,
    enabled,
    count: 1,
    now: input.now,
  });
}

/** Keep a purchase among the last 50 and count its segmentable properties (in units). */
export function bucketPurchase(
  store: ProfileStore,
  input: { purchase: PurchaseInput; lookup: PropertyLookup | null; now: number },
): void {
  const p = input.purchase;
  store.sql.exec(
    'INSERT INTO recent_purchases (time, price, quantity) VALUES (?, ?, ?)',
    p.time,
    p.price,
    p.quantity,
  );
  trimRecentPurchases(store);
  if (!input.lookup || input.lookup.purchases.length === 0) return;
  bucket(store, {
    kind: 'purchase',
    name: p.productId,
    time: p.time,
    values: p.properties,
    enabled: input.lookup.purchases,
    count: p.quantity,
    now: input.now,
  });
}

// Rows hold at least one unit each, so the last 50 rows always hold the last 50 units.
function trimRecentPurchases(store: ProfileStore): void {
  store.sql.exec(
    `DELETE FROM recent_purchases WHERE id NOT IN
       (SELECT id FROM recent_purchases ORDER BY time DESC, id DESC LIMIT ?)`,
    SPENT_PURCHASES,
  );
}

/** Take in a merged profile's buckets and recent purchases (counts add up; 50 purchases kept). */
export function absorbBuckets(
  store: ProfileStore,
  tables: { property_daily?: Record<string, Json>[]; recent_purchases?: Record<string, Json>[] },
): void {
  // A snapshot taken by an older version of the code has neither table.
  for (const r of tables.property_daily ?? []) {
    store.sql.exec(
      `INSERT INTO property_daily (day, kind, name, property, value, count) VALUES (?, ?, ?, ?, ?, ?)
       ON CONFLICT(day, kind, name, property, value) DO UPDATE SET count = count + excluded.count`,
      r.day as number,
      r.kind as string,
      r.name as string,
      r.property as string,
      r.value as string,
      r.count as number,
    );
  }
  const purchases = [...(tables.recent_purchases ?? [])].sort(
    (a, b) => (a.time as number) - (b.time as number) || (a.id as number) - (b.id as number),
  );
  for (const r of purchases) {
    store.sql.exec(
      'INSERT INTO recent_purchases (time, price, quantity) VALUES (?, ?, ?)',
      r.time as number,
      r.price as number,
      r.quantity as number,
    );
  }
  if (purchases.length > 0) trimRecentPurchases(store);
}

/** The summary's property counts, read from `property_daily` from `firstDay` on. */
export function propertySummaries(
  store: ProfileStore,
  firstDay: number,
): { events: Record<string, PropertyCounts>; purchases: Record<string, PropertyCounts> } {
  const out: Record<'events' | 'purchases', Record<string, PropertyCounts>> = {
    events: {},
    purchases: {},
  };
  const rows = store.sql
    .exec<{
      day: number;
      kind: string;
      name: string;
      property: string;
      value: string;
      count: number;
    }>(
      'SELECT day, kind, name, property, value, count FROM property_daily WHERE day >= ?',
      firstDay,
    )
    .toArray();
  for (const r of rows) {
    const byName = r.kind === 'event' ? out.events : out.purchases;
    const properties = ownOrNew(byName, r.name);
    const values = ownOrNew(properties, r.property);
    ownOrNew(values, r.value)[r.day] = r.count;
  }
  return out;
}

function ownOrNew<T extends object>(record: Record<string, T>, key: string): T {
  if (!Object.hasOwn(record, key)) {
    // defineProperty, so a key such as `__proto__` stays plain data.
    Object.defineProperty(record, key, {
      value: {} as T,
      enumerable: true,
      writable: true,
      configurable: true,
    });
  }
  return record[key]!;
}

/**
 * ProfileSummary.purchases.spentSince from purchases newest first: the last 50 units, and for each
 * day from `firstDay` on that has some, the money they spent from that day on.
 */
export function spentSince(
  newestFirst: { time: number; price: number; quantity: number }[],
  firstDay: number,
): ProfileSummary['purchases']['spentSince'] {
  const perDay = new Map<number, number>();
  let units = 0;
  for (const p of newestFirst) {
    if (units >= SPENT_PURCHASES) break;
    const take = Math.min(p.quantity, SPENT_PURCHASES - units);
    units += take;
    const day = dayOf(p.time);
    perDay.set(day, (perDay.get(day) ?? 0) + p.price * take);
  }
  const out: Record<number, number> = {};
  let total = 0;
  for (const day of [...perDay.keys()].sort((a, b) => b - a)) {
    total += perDay.get(day)!;
    if (day >= firstDay) out[day] = total;
  }
  return out;
}

/** The last 50 purchases, newest first. */
export function recentPurchases(
  store: ProfileStore,
): { time: number; price: number; quantity: number }[] {
  return store.sql
    .exec<{ time: number; price: number; quantity: number }>(
      'SELECT time, price, quantity FROM recent_purchases ORDER BY time DESC, id DESC',
    )
    .toArray();
}
