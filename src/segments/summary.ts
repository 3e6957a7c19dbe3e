import type { AttrType, Json } from '../ingestion/types';

/**
 * Everything segmentation needs to know about one profile, pre-computed by the profile. Both
 * evaluators read exactly this: the profile evaluates it in memory (real time), and the profile
 * index stores it in D1 tables (src/db/segment-index.ts) for SQL over the whole workspace. Times
 * are epoch milliseconds; days are UTC day numbers (`Math.floor(ms / 86_400_000)`).
 */
export interface ProfileSummary {
  profileId: string;
  externalId: string | null;
  /** The profile's change-record sequence number when the summary was taken. */
  seq: number;
  createdAt: number;
  updatedAt: number;
  /** 0..9999. */
  randomBucket: number;
  standard: StandardSummary;
  /** Custom attributes. `time` values are epoch ms numbers; nested objects keep `{"$time": iso}`. */
  custom: Record<string, { type: AttrType; value: Json }>;
  sessions: { count: number; first: number | null; last: number | null };
  /** Per custom event name. `days` holds the last 31 UTC days that had events: day → count. */
  events: Record<string, ActivitySummary>;
  /** Segmentable custom event properties (a workspace setting), per event name; last 31 UTC days. */
  eventProperties: Record<string, PropertyCounts>;
  purchases: {
    count: number;
    revenue: number;
    first: number | null;
    last: number | null;
    /** Per product id. */
    products: Record<string, ActivitySummary & { revenue: number }>;
    /** All products together, last 31 UTC days: day → count. */
    days: Record<number, number>;
    /** Segmentable purchase properties, per product id; last 31 UTC days, counted in units. */
    properties: Record<string, PropertyCounts>;
    /**
     * "X Money Spent in Y Days": for each of the last 31 UTC days on which one of the last 50
     * purchases (units) was made, the money those purchases spent from that day on. The amount
     * in a window is the value at its earliest such day (0 when none).
     */
    spentSince: Record<number, number>;
  };
  /** Subscription group id → state. */
  subscriptionGroups: Record<string, 'subscribed' | 'unsubscribed'>;
  /** Message engagement per campaign (or Canvas) id; filled by the delivery layer. */
  messages: Record<string, MessageSummary>;
}

export interface StandardSummary {
  first_name: string | null;
  last_name: string | null;
  email: string | null;
  phone: string | null;
  country: string | null;
  language: string | null;
  time_zone: string | null;
  home_city: string | null;
  gender: string | null;
  /** `YYYY-MM-DD`. */
  dob: string | null;
  email_subscribe: 'opted_in' | 'subscribed' | 'unsubscribed' | null;
  push_subscribe: 'opted_in' | 'subscribed' | 'unsubscribed' | null;
  /** True when the email hard-bounced or was marked as spam (delivery layer). */
  email_undeliverable: boolean;
}

export interface ActivitySummary {
  count: number;
  first: number;
  last: number;
  days: Record<number, number>;
}

/**
 * Per-day counts of one event's (or product's) segmentable properties: property name → value key
 * (propertyValueKey in evaluate-property.ts) → UTC day → count.
 */
export type PropertyCounts = Record<string, Record<string, Record<number, number>>>;

export interface MessageSummary {
  receivedAt: number | null;
  openedAt: number | null;
  clickedAt: number | null;
  convertedAt: number | null;
  inControl: boolean;
}
