import type { Json } from '../ingestion/types';
import type { ProfileSummary, StandardSummary } from '../segments/summary';
import { dayOf, eventTotals, purchaseTotals } from './activity';
import type { ProfileStore } from './profile-store';
import { propertySummaries, recentPurchases, spentSince } from './property-buckets';
import { messageSummaries } from './sends';

/** Daily counters a summary carries: today and the 30 days before it (Braze's X-in-Y window). */
const SUMMARY_DAYS = 31;

function str(v: Json | undefined): string | null {
  return typeof v === 'string' ? v : null;
}

function time(v: Json | undefined): number | null {
  if (typeof v !== 'string') return null;
  const ms = Date.parse(v);
  return Number.isNaN(ms) ? null : ms;
}

function subscribe(v: Json | undefined): StandardSummary['email_subscribe'] {
  return v === 'opted_in' || v === 'subscribed' || v === 'unsubscribed' ? v : null;
}

/**
 * Summarise this profile for segmentation (src/segments/summary.ts): read from the pre-computed
 * tables only, never from raw events.
 */
export function buildSummary(store: ProfileStore, now: number): ProfileSummary {
  const meta = store.live;
  const standard = store.allAttrs(false);
  const s = (k: string) => standard.get(k)?.value;
  const firstDay = dayOf(now) - (SUMMARY_DAYS - 1);

  const custom: ProfileSummary['custom'] = {};
  for (const [key, attr] of store.allAttrs(true)) {
    custom[key] =
      attr.type === 'time'
        ? { type: 'time', value: time(attr.value) }
        : { type: attr.type, value: attr.value };
  }

  const events: ProfileSummary['events'] = {};
  for (const e of eventTotals(store)) {
    events[e.name] = { count: e.count, first: e.first, last: e.last, days: {} };
  }
  for (const r of store.sql
    .exec<{ name: string; day: number; count: number }>(
      'SELECT name, day, count FROM event_daily WHERE day >= ?',
      firstDay,
    )
    .toArray()) {
    const e = events[r.name];
    if (e) e.days[r.day] = r.count;
  }

  const properties = propertySummaries(store, firstDay);
  const purchases: ProfileSummary['purchases'] = {
    count: 0,
    revenue: 0,
    first: null,
    last: null,
    products: {},
    days: {},
    properties: properties.purchases,
    spentSince: spentSince(recentPurchases(store), firstDay),
  };
  for (const p of purchaseTotals(store)) {
    purchases.products[p.name] = {
      count: p.count,
      revenue: p.revenue,
      first: p.first,
      last: p.last,
      days: {},
    };
    purchases.count += p.count;
    purchases.revenue += p.revenue;
    purchases.first = purchases.first === null ? p.first : Math.min(purchases.first, p.first);
    purchases.last = purchases.last === null ? p.last : Math.max(purchases.last, p.last);
  }
  for (const r of store.sql
    .exec<{ product_id: string; day: number; count: number }>(
      'SELECT product_id, day, count FROM purchase_daily WHERE day >= ?',
      firstDay,
    )
    .toArray()) {
    const p = purchases.products[r.product_id];
    if (p) p.days[r.day] = r.count;
    purchases.days[r.day] = (purchases.days[r.day] ?? 0) + r.count;
  }

  const apps = store.sql
    .exec<{ sessions: number; first_used: number; last_used: number }>(
      'SELECT sessions, first_used, last_used FROM apps',
    )
    .toArray();
  const sessionFirst = apps.length ? Math.min(...apps.map((a) => a.first_used)) : null;
  const sessionLast = apps.length ? Math.max(...apps.map((a) => a.last_used)) : null;

  const subscriptionGroups: ProfileSummary['subscriptionGroups'] = {};
  for (const r of store.sql
    .exec<{ group_id: string; state: string }>('SELECT group_id, state FROM subscription_groups')
    .toArray()) {
    subscriptionGroups[r.group_id] = r.state === 'subscribed' ? 'subscribed' : 'unsubscribed';
  }

  return {
    profileId: meta.profileId,
    externalId: store.identity().externalId,
    seq: meta.seq,
    createdAt: meta.createdAt,
    updatedAt: meta.updatedAt,
    randomBucket: meta.randomBucket,
    standard: {
      first_name: str(s('first_name')),
      last_name: str(s('last_name')),
      email: str(s('email')),
      phone: str(s('phone')),
      country: str(s('country')),
      language: str(s('language')),
      time_zone: str(s('time_zone')),
      home_city: str(s('home_city')),
      gender: str(s('gender')),
      dob: str(s('dob')),
      email_subscribe: subscribe(s('email_subscribe')),
      push_subscribe: subscribe(s('push_subscribe')),
      email_undeliverable: s('marked_email_as_spam_at') !== undefined,
    },
    custom,
    sessions: {
      count: apps.reduce((n, a) => n + a.sessions, 0),
      first: sessionFirst ?? time(s('date_of_first_session')),
      last: sessionLast ?? time(s('date_of_last_session')),
    },
    events,
    eventProperties: properties.events,
    purchases,
    subscriptionGroups,
    messages: messageSummaries(store),
  };
}
