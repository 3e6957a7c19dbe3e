import { index, integer, primaryKey, real, sqliteTable, text } from 'drizzle-orm/sqlite-core';

/**
 * The profile index: every profile's ProfileSummary (src/segments/summary.ts) spread over tables so
 * segments compile to SQL over a whole workspace. Kept in sync from change records; a row is only
 * replaced by a summary with a higher `seq`. Every table is keyed by workspace first.
 */

export const indexProfiles = sqliteTable(
  'idx_profiles',
  {
    workspaceId: text('workspace_id').notNull(),
    profileId: text('profile_id').notNull(),
    externalId: text('external_id'),
    seq: integer('seq').notNull(),
    createdAt: integer('created_at').notNull(),
    updatedAt: integer('updated_at').notNull(),
    randomBucket: integer('random_bucket').notNull(),
    firstName: text('first_name'),
    lastName: text('last_name'),
    email: text('email'),
    phone: text('phone'),
    country: text('country'),
    language: text('language'),
    timeZone: text('time_zone'),
    homeCity: text('home_city'),
    gender: text('gender'),
    dob: text('dob'),
    emailSubscribe: text('email_subscribe'),
    pushSubscribe: text('push_subscribe'),
    emailUndeliverable: integer('email_undeliverable').notNull(),
    sessionCount: integer('session_count').notNull(),
    firstSessionAt: integer('first_session_at'),
    lastSessionAt: integer('last_session_at'),
    purchaseCount: integer('purchase_count').notNull(),
    totalRevenue: real('total_revenue').notNull(),
    firstPurchaseAt: integer('first_purchase_at'),
    lastPurchaseAt: integer('last_purchase_at'),
    /** JSON object: attribute name → {"t": type, "v": value}; time values as epoch ms. */
    custom: text('custom').notNull(),
  },
  (t) => [
    primaryKey({ columns: [t.workspaceId, t.profileId] }),
    index('idx_profiles_bucket').on(t.workspaceId, t.randomBucket),
    index('idx_profiles_external').on(t.workspaceId, t.externalId),
  ],
);

export const indexEvents = sqliteTable(
  'idx_events',
  {
    workspaceId: text('workspace_id').notNull(),
    profileId: text('profile_id').notNull(),
    name: text('name').notNull(),
    count: integer('count').notNull(),
    firstAt: integer('first_at').notNull(),
    lastAt: integer('last_at').notNull(),
  },
  (t) => [
    primaryKey({ columns: [t.workspaceId, t.profileId, t.name] }),
    index('idx_events_name').on(t.workspaceId, t.name, t.count),
  ],
);

export const indexEventDays = sqliteTable(
  'idx_event_days',
  {
    workspaceId: text('workspace_id').notNull(),
    profileId: text('profile_id').notNull(),
    name: text('name').notNull(),
    day: integer('day').notNull(),
    count: integer('count').notNull(),
  },
  (t) => [
    primaryKey({ columns: [t.workspaceId, t.profileId, t.name, t.day] }),
    index('idx_event_days_name').on(t.workspaceId, t.name, t.day),
  ],
);

export const indexPurchases = sqliteTable(
  'idx_purchases',
  {
    workspaceId: text('workspace_id').notNull(),
    profileId: text('profile_id').notNull(),
    productId: text('product_id').notNull(),
    count: integer('count').notNull(),
    revenue: real('revenue').notNull(),
    firstAt: integer('first_at').notNull(),
    lastAt: integer('last_at').notNull(),
  },
  (t) => [
    primaryKey({ columns: [t.workspaceId, t.profileId, t.productId] }),
    index('idx_purchases_product').on(t.workspaceId, t.productId),
  ],
);

/**
 * Per-day purchase counts; `product_id` '' holds all products together, and those rows also carry
 * `spent_since` (ProfileSummary.purchases.spentSince; NULL on days without one).
 */
export const indexPurchaseDays = sqliteTable(
  'idx_purchase_days',
  {
    workspaceId: text('workspace_id').notNull(),
    profileId: text('profile_id').notNull(),
    productId: text('product_id').notNull(),
    day: integer('day').notNull(),
    count: integer('count').notNull(),
    spentSince: real('spent_since'),
  },
  (t) => [
    primaryKey({ columns: [t.workspaceId, t.profileId, t.productId, t.day] }),
    index('idx_purchase_days_product').on(t.workspaceId, t.productId, t.day),
  ],
);

/**
 * Segmentable event and purchase properties: one row per (kind, event name or product id,
 * property, value key) with its UTC-day counts as a JSON object `{"<day>": count}`, so a profile
 * costs one row per value rather than one per value and day.
 */
export const indexPropertyCounts = sqliteTable(
  'idx_property_counts',
  {
    workspaceId: text('workspace_id').notNull(),
    profileId: text('profile_id').notNull(),
    /** `event` or `purchase`. */
    kind: text('kind').notNull(),
    /** The event name or the product id. */
    name: text('name').notNull(),
    property: text('property').notNull(),
    /** propertyValueKey (src/segments/evaluate-property.ts): the value's JSON text. */
    value: text('value').notNull(),
    days: text('days').notNull(),
  },
  (t) => [
    primaryKey({
      columns: [t.workspaceId, t.profileId, t.kind, t.name, t.property, t.value],
    }),
  ],
);

export const indexSubscriptionGroups = sqliteTable(
  'idx_subscription_groups',
  {
    workspaceId: text('workspace_id').notNull(),
    profileId: text('profile_id').notNull(),
    groupId: text('group_id').notNull(),
    state: text('state').notNull(),
  },
  (t) => [
    primaryKey({ columns: [t.workspaceId, t.profileId, t.groupId] }),
    index('idx_subscription_groups_group').on(t.workspaceId, t.groupId, t.state),
  ],
);

export const indexMessages = sqliteTable(
  'idx_messages',
  {
    workspaceId: text('workspace_id').notNull(),
    profileId: text('profile_id').notNull(),
    campaignId: text('campaign_id').notNull(),
    receivedAt: integer('received_at'),
    openedAt: integer('opened_at'),
    clickedAt: integer('clicked_at'),
    convertedAt: integer('converted_at'),
    inControl: integer('in_control').notNull(),
  },
  (t) => [
    primaryKey({ columns: [t.workspaceId, t.profileId, t.campaignId] }),
    index('idx_messages_campaign').on(t.workspaceId, t.campaignId),
  ],
);
