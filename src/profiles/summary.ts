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

/** How one part of a summary is read from the profile's tables. */
type Parts = {
  [K in keyof ProfileSummary]: (r: SummaryReader) => ProfileSummary[K];
};

/**
 * Reads a summary's parts from the pre-computed tables, each table once however many parts need
 * it (standard fields feed both `standard` and `sessions`; property counts feed both
 * `eventProperties` and `purchases`).
 */
class SummaryReader {
  private standardAttrs: Map<string, { value: Json }> | null = null;
  private properties: ReturnType<typeof propertySummaries> | null = null;
  readonly firstDay: number;

  constructor(
    readonly store: ProfileStore,
    now: number,
  ) {
    this.firstDay = dayOf(now) - (SUMMARY_DAYS - 1);
  }

  standard(key: string): Json | undefined {
    this.standardAttrs ??= this.store.allAttrs(false);
    return this.standardAttrs.get(key)?.value;
  }

  propertyCounts(): ReturnType<typeof propertySummaries> {
    this.properties ??= propertySummaries(this.store, this.firstDay);
    return this.properties;
  }
}

const PARTS: Parts = {
  profileId: (r) => r.store.live.profileId,
  externalId: (r) => r.store.identity().externalId,
  seq: (r) => r.store.live.seq,
  createdAt: (r) => r.store.live.createdAt,
  updatedAt: (r) => r.store.live.updatedAt,
  randomBucket: (r) => r.store.live.randomBucket,
  standard: (r) => {
    const s = (k: string) => r.standard(k);
    return {
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
    };
  },
  custom: (r) => {
    const custom: ProfileSummary['custom'] = {};
    for (const [key, attr] of r.store.allAttrs(true)) {
      custom[key] =
        attr.type === 'time'
          ? { type: 'time', value: time(attr.value) }
          : { type: attr.type, value: attr.value };
    }
    return custom;
  },
  sessions: (r) => {
    const apps = r.store.sql
      .exec<{ sessions: number; first_used: number; last_used: number }>(
        'SELECT sessions, first_used, last_used FROM apps',
      )
      .toArray();
    const first = apps.length ? Math.min(...apps.map((a) => a.first_used)) : null;
    const last = apps.length ? Math.max(...apps.map((a) => a.last_used)) : null;
    return {
      count: apps.reduce((n, a) => n + a.sessions, 0),
      first: first ?? time(r.standard('date_of_first_session')),
      last: last ?? time(r.standard('date_of_last_session')),
    };
  },
  events: (r) => {
    const events: ProfileSummary['events'] = {};
    for (const e of eventTotals(r.store)) {
      events[e.name] = { count: e.count, first: e.first, last: e.last, days: {} };
    }
    for (const row of r.store.sql
      .exec<{ name: string; day: number; count: number }>(
        'SELECT name, day, count FROM event_daily WHERE day >= ?',
        r.firstDay,
      )
      .toArray()) {
      const e = events[row.name];
      if (e) e.days[row.day] = row.count;
    }
    return events;
  },
  eventProperties: (r) => r.propertyCounts().events,
  purchases: (r) => {
    const purchases: ProfileSummary['purchases'] = {
      count: 0,
      revenue: 0,
      first: null,
      last: null,
      products: {},
      days: {},
      properties: r.propertyCounts().purchases,
      spentSince: spentSince(recentPurchases(r.store), r.firstDay),
    };
    for (const p of purchaseTotals(r.store)) {
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
    for (const row of r.store.sql
      .exec<{ product_id: string; day: number; count: number }>(
        'SELECT product_id, day, count FROM purchase_daily WHERE day >= ?',
        r.firstDay,
      )
      .toArray()) {
      const p = purchases.products[row.product_id];
      if (p) p.days[row.day] = row.count;
      purchases.days[row.day] = (purchases.days[row.day] ?? 0) + row.count;
    }
    return purchases;
  },
  subscriptionGroups: (r) => {
    const groups: ProfileSummary['subscriptionGroups'] = {};
    for (const row of r.store.sql
      .exec<{ group_id: string; state: string }>('SELECT group_id, state FROM subscription_groups')
      .toArray()) {
      groups[row.group_id] = row.state === 'subscribed' ? 'subscribed' : 'unsubscribed';
    }
    return groups;
  },
  messages: (r) => messageSummaries(r.store),
};

const PART_NAMES = Object.keys(PARTS) as (keyof ProfileSummary)[];

/**
 * Summarise this profile for segmentation (src/segments/summary.ts): read from the pre-computed
 * tables only, never from raw events. The whole summary, as the index writer stores it.
 */
export function buildSummary(store: ProfileStore, now: number): ProfileSummary {
  const reader = new SummaryReader(store, now);
  const out: Partial<Record<keyof ProfileSummary, unknown>> = {};
  for (const name of PART_NAMES) out[name] = PARTS[name](reader);
  return out as ProfileSummary;
}

/**
 * The same summary for filters evaluated here in the object (segment membership after a change,
 * feature flag targeting, a send's audience re-check): each part is read from its tables the
 * first time a filter looks at it, so a filter on one attribute reads only the attributes.
 * Not for sending over RPC (its parts are getters); use buildSummary for that.
 */
export function lazySummary(store: ProfileStore, now: number): ProfileSummary {
  const reader = new SummaryReader(store, now);
  const summary = {} as ProfileSummary;
  for (const name of PART_NAMES) {
    Object.defineProperty(summary, name, {
      enumerable: true,
      configurable: true,
      get() {
        const value = PARTS[name](reader);
        Object.defineProperty(summary, name, { value, enumerable: true });
        return value;
      },
    });
  }
  return summary;
}
