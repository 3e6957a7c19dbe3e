import type {
  indexEventDays,
  indexEvents,
  indexMessages,
  indexProfiles,
  indexPropertyCounts,
  indexPurchaseDays,
  indexPurchases,
  indexSubscriptionGroups,
} from '../db/segment-index';
import type { ProfileSummary, PropertyCounts } from './summary';

/** One profile's rows in every idx_ table, keyed by drizzle column property names. */
export interface IndexRows {
  profiles: (typeof indexProfiles.$inferInsert)[];
  events: (typeof indexEvents.$inferInsert)[];
  eventDays: (typeof indexEventDays.$inferInsert)[];
  purchases: (typeof indexPurchases.$inferInsert)[];
  purchaseDays: (typeof indexPurchaseDays.$inferInsert)[];
  subscriptionGroups: (typeof indexSubscriptionGroups.$inferInsert)[];
  messages: (typeof indexMessages.$inferInsert)[];
  propertyCounts: (typeof indexPropertyCounts.$inferInsert)[];
}

/** Product id of the daily rows that count all products together. */
export const ALL_PRODUCTS = '';

function dayRows(days: Record<number, number>): { day: number; count: number }[] {
  return Object.entries(days).map(([day, count]) => ({ day: Number(day), count }));
}

/** The all-products daily rows: counts, and money spent from that day on where known. */
function allProductDays(
  p: ProfileSummary['purchases'],
): { day: number; count: number; spentSince: number | null }[] {
  const days = new Set([...Object.keys(p.days), ...Object.keys(p.spentSince)].map(Number));
  return [...days].map((day) => ({
    day,
    count: p.days[day] ?? 0,
    spentSince: p.spentSince[day] ?? null,
  }));
}

function propertyRows(
  key: { workspaceId: string; profileId: string },
  kind: 'event' | 'purchase',
  byName: Record<string, PropertyCounts>,
): IndexRows['propertyCounts'] {
  const rows: IndexRows['propertyCounts'] = [];
  for (const [name, properties] of Object.entries(byName)) {
    for (const [property, values] of Object.entries(properties)) {
      for (const [value, days] of Object.entries(values)) {
        if (Object.keys(days).length === 0) continue;
        rows.push({ ...key, kind, name, property, value, days: JSON.stringify(days) });
      }
    }
  }
  return rows;
}

/** Spreads a ProfileSummary over the profile index tables (src/db/segment-index.ts). */
export function summaryToRows(workspaceId: string, s: ProfileSummary): IndexRows {
  const key = { workspaceId, profileId: s.profileId };
  const custom: Record<string, { t: string; v: unknown }> = {};
  for (const [name, attr] of Object.entries(s.custom))
    custom[name] = { t: attr.type, v: attr.value };
  const st = s.standard;
  const rows: IndexRows = {
    profiles: [
      {
        ...key,
        externalId: s.externalId,
        seq: s.seq,
        createdAt: s.createdAt,
        updatedAt: s.updatedAt,
        randomBucket: s.randomBucket,
        firstName: st.first_name,
        lastName: st.last_name,
        email: st.email,
        phone: st.phone,
        country: st.country,
        language: st.language,
        timeZone: st.time_zone,
        homeCity: st.home_city,
        gender: st.gender,
        dob: st.dob,
        emailSubscribe: st.email_subscribe,
        pushSubscribe: st.push_subscribe,
        emailUndeliverable: st.email_undeliverable ? 1 : 0,
        sessionCount: s.sessions.count,
        firstSessionAt: s.sessions.first,
        lastSessionAt: s.sessions.last,
        purchaseCount: s.purchases.count,
        totalRevenue: s.purchases.revenue,
        firstPurchaseAt: s.purchases.first,
        lastPurchaseAt: s.purchases.last,
        custom: JSON.stringify(custom),
      },
    ],
    events: [],
    eventDays: [],
    purchases: [],
    purchaseDays: allProductDays(s.purchases).map((d) => ({
      ...key,
      productId: ALL_PRODUCTS,
      ...d,
    })),
    subscriptionGroups: Object.entries(s.subscriptionGroups).map(([groupId, state]) => ({
      ...key,
      groupId,
      state,
    })),
    messages: Object.entries(s.messages).map(([campaignId, m]) => ({
      ...key,
      campaignId,
      receivedAt: m.receivedAt,
      openedAt: m.openedAt,
      clickedAt: m.clickedAt,
      convertedAt: m.convertedAt,
      inControl: m.inControl ? 1 : 0,
    })),
    propertyCounts: [
      ...propertyRows(key, 'event', s.eventProperties),
      ...propertyRows(key, 'purchase', s.purchases.properties),
    ],
  };
  for (const [name, e] of Object.entries(s.events)) {
    rows.events.push({ ...key, name, count: e.count, firstAt: e.first, lastAt: e.last });
    for (const d of dayRows(e.days)) rows.eventDays.push({ ...key, name, ...d });
  }
  for (const [productId, p] of Object.entries(s.purchases.products)) {
    rows.purchases.push({
      ...key,
      productId,
      count: p.count,
      revenue: p.revenue,
      firstAt: p.first,
      lastAt: p.last,
    });
    // An empty product id would collide with the all-products daily rows; filters cannot name it.
    if (productId === ALL_PRODUCTS) continue;
    for (const d of dayRows(p.days)) {
      rows.purchaseDays.push({ ...key, productId, ...d, spentSince: null });
    }
  }
  return rows;
}
