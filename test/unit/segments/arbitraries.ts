import fc from 'fast-check';
import type { Json } from '../../../src/ingestion/types';
import { propertyValueKey } from '../../../src/segments/evaluate-property';
import type {
  ActivitySummary,
  ProfileSummary,
  PropertyCounts,
} from '../../../src/segments/summary';
import { DAY, HOUR, NOW, summary, TODAY } from './helpers';

/**
 * Random profile summaries and filter trees over the same small domains, so that filters match
 * some profiles and miss others, and edges (exact window bounds, midnight, blanks, type
 * mismatches, prototype names) come up often.
 */

const STRINGS = [
  '',
  'a',
  'A',
  'ab',
  'blue',
  'Blue',
  'x.y',
  'é',
  'É',
  "o'k",
  '%',
  '_',
  'a_b',
  'pizza',
];
const NUMBERS = [0, 1, -1, 2.5, 10, 1e21];
const ATTRS = ['s', 'n', 'b', 't', 'arr', 'obj', 'a.b', 'constructor'];
const PATHS = [...ATTRS, 'obj.k', 'obj.n', 'obj.deep.x', 'a.b', 'obj.k.z', 'missing'];
const EVENTS = ['open', 'buy', 'constructor'];
const PRODUCTS = ['p1', 'p2'];
const GROUPS = ['g1', 'g2'];
const CAMPAIGNS = ['c1', 'c2'];
const DAYS_AGO = [0, 0.25, 1, 2, 3, 7, 30];
const PROPERTIES = ['level', 'constructor'];
/** Property values of every type, with look-alikes across types ("1" and 1, "true" and true). */
const PROPERTY_VALUES = ['a', 'A', '', '1', 'true', "o'k", 1, 1.5, 0, -1, true, false];
/** Money amounts, including one that is not exactly what it looks like. */
const AMOUNTS = [0, 1.5, 12.5, 14, 0.1 + 0.2];

const str = fc.oneof(fc.constantFrom(...STRINGS), fc.constant(''));
const number = fc.constantFrom(...NUMBERS);
const scalar = fc.oneof(str, number, fc.boolean());
/** Times around NOW, often exactly on a 24-hour or midnight edge. */
const time = fc.oneof(
  fc.integer({ min: -40 * 24, max: 5 * 24 }).map((h) => NOW + h * HOUR),
  fc
    .constantFrom(...DAYS_AGO)
    .chain((d) => fc.constantFrom(NOW - d * DAY, NOW - d * DAY - 1, NOW - d * DAY + 1)),
  fc.integer({ min: -35, max: 1 }).map((d) => (TODAY + d) * DAY),
);
const iso = time.map((t) => new Date(t).toISOString());

const nested: fc.Arbitrary<Json> = fc.record(
  {
    k: fc.oneof(str, number, fc.boolean()),
    n: number,
    deep: fc.record({ x: scalar }),
    arr: fc.array(scalar),
  },
  { requiredKeys: [] },
);

const attribute: fc.Arbitrary<ProfileSummary['custom'][string]> = fc.oneof(
  { arbitrary: str.map((value) => ({ type: 'string' as const, value })), weight: 3 },
  number.map((value) => ({ type: 'number' as const, value })),
  fc.boolean().map((value) => ({ type: 'boolean' as const, value })),
  time.map((value) => ({ type: 'time' as const, value })),
  fc.array(scalar, { maxLength: 4 }).map((value) => ({ type: 'array' as const, value })),
  nested.map((value) => ({ type: 'object' as const, value })),
  fc.constant({ type: 'string' as const, value: null }),
);

const dayCounts = fc.dictionary(
  fc.integer({ min: TODAY - 33, max: TODAY + 1 }).map(String),
  fc.integer({ min: 0, max: 30 }),
  { maxKeys: 5 },
);

/** UTC days on and just outside the edges of every X-in-Y window the filters use. */
const EDGE_DAYS = [TODAY + 1, TODAY, ...[1, 3, 7, 30].flatMap((d) => [TODAY - d, TODAY - d - 1])];
const edgeDay = fc.oneof(
  fc.constantFrom(...EDGE_DAYS),
  fc.integer({ min: TODAY - 33, max: TODAY }),
);
// Small counts, so that sums land on both sides of small thresholds.
const edgeDayCounts = fc.dictionary(edgeDay.map(String), fc.integer({ min: 0, max: 3 }), {
  maxKeys: 4,
});

const propertyCounts: fc.Arbitrary<PropertyCounts> = fc.dictionary(
  fc.constantFrom(...PROPERTIES),
  fc.dictionary(fc.constantFrom(...PROPERTY_VALUES).map(propertyValueKey), edgeDayCounts, {
    maxKeys: 4,
  }),
  { maxKeys: 2 },
);

const spentSince = fc.dictionary(edgeDay.map(String), fc.constantFrom(...AMOUNTS), {
  maxKeys: 4,
});

const activity: fc.Arbitrary<ActivitySummary> = fc
  .record({ count: fc.integer({ min: 0, max: 5 }), a: time, b: time, days: dayCounts })
  .map(({ count, a, b, days }) => ({ count, first: Math.min(a, b), last: Math.max(a, b), days }));

const maybe = <T>(arb: fc.Arbitrary<T>) => fc.option(arb, { nil: null });
const subscribe = maybe(
  fc.constantFrom('opted_in' as const, 'subscribed' as const, 'unsubscribed' as const),
);
const names = <T>(keys: string[], arb: fc.Arbitrary<T>) =>
  fc.dictionary(fc.constantFrom(...keys), arb, { maxKeys: keys.length });

/** A random profile summary (profile id set by the caller). */
export const profileSummary: fc.Arbitrary<ProfileSummary> = fc
  .record({
    externalId: maybe(str),
    createdAt: time,
    randomBucket: fc.oneof(
      fc.constantFrom(0, 1, 4999, 5000, 9999),
      fc.integer({ min: 0, max: 9999 }),
    ),
    standard: fc.record({
      first_name: maybe(str),
      email: maybe(fc.constantFrom('', 'a@b.c', 'BLUE@x.y')),
      country: maybe(fc.constantFrom('FR', 'DE', 'fr')),
      email_subscribe: subscribe,
      push_subscribe: subscribe,
      email_undeliverable: fc.boolean(),
    }),
    custom: names(ATTRS, attribute),
    sessions: fc.record({
      count: fc.integer({ min: 0, max: 4 }),
      first: maybe(time),
      last: maybe(time),
    }),
    events: names(EVENTS, activity),
    eventProperties: names(EVENTS, propertyCounts),
    productProperties: names(PRODUCTS, propertyCounts),
    spentSince,
    products: names(
      PRODUCTS,
      activity.chain((a) => fc.constantFrom(0, 1.5, 12.5).map((revenue) => ({ ...a, revenue }))),
    ),
    allDays: dayCounts,
    groups: names(GROUPS, fc.constantFrom('subscribed' as const, 'unsubscribed' as const)),
    messages: names(
      CAMPAIGNS,
      fc.record({
        receivedAt: maybe(time),
        openedAt: maybe(time),
        clickedAt: maybe(time),
        convertedAt: maybe(time),
        inControl: fc.boolean(),
      }),
    ),
  })
  .map((r) => {
    const products = Object.values(r.products);
    const firsts = products.map((p) => p.first);
    const lasts = products.map((p) => p.last);
    return summary({
      externalId: r.externalId,
      createdAt: r.createdAt,
      randomBucket: r.randomBucket,
      standard: r.standard,
      custom: r.custom,
      sessions: r.sessions,
      events: r.events,
      eventProperties: r.eventProperties,
      subscriptionGroups: r.groups,
      messages: r.messages,
      purchases: {
        count: products.reduce((n, p) => n + p.count, 0),
        revenue: products.reduce((n, p) => n + p.revenue, 0),
        first: firsts.length ? Math.min(...firsts) : null,
        last: lasts.length ? Math.max(...lasts) : null,
        products: r.products,
        days: r.allDays,
        properties: r.productProperties,
        spentSince: r.spentSince,
      },
    });
  });

const REGEXES = [
  'a',
  '^a',
  'b$',
  '^blue$',
  'a|b',
  '^(blue|pizza)$',
  'x\\.y',
  '.',
  '^.$',
  'a.*b',
  '^.+',
  'É',
  '%',
  '_',
  "o'",
];
const c = <T extends string>(...xs: T[]) => fc.constantFrom(...xs);
const X_IN_Y = {
  value: fc.integer({ min: 0, max: 50 }).filter((n) => n < 8 || n > 45),
  days: fc.constantFrom(1, 3, 7, 30),
};
const propertyInDays = {
  property_name: c(...PROPERTIES, 'missing'),
  property_value: fc.constantFrom(...PROPERTY_VALUES),
  comparison: c('count_in_days_more_than', 'count_in_days_less_than', 'count_in_days_exactly'),
  value: fc.oneof(fc.integer({ min: 0, max: 5 }), fc.constant(50)),
  days: X_IN_Y.days,
};
const recency = (prefix: string) =>
  fc.oneof(
    fc.record({ comparison: c(`${prefix}before`, `${prefix}after`), value: iso }),
    fc.record({
      comparison: c(`${prefix}more_than_x_days_ago`, `${prefix}less_than_x_days_ago`),
      value: c(...DAYS_AGO.map(String)).map(Number),
    }),
  );
const counts = (prefix = 'count_') =>
  fc.record({
    comparison: c(`${prefix}more_than`, `${prefix}less_than`, `${prefix}exactly`),
    value: fc.integer({ min: 0, max: 6 }),
  });

const customAttribute = fc.oneof(
  fc.record({
    comparison: c(
      'exists',
      'does_not_exist',
      'is_blank',
      'is_not_blank',
      'is_empty',
      'has_a_value',
      'is_true_or_not_set',
      'is_false_or_not_set',
    ),
  }),
  fc.record({ comparison: c('equals'), value: scalar }),
  fc.record({ comparison: c('not_equal'), value: fc.oneof(str, number) }),
  fc.record({ comparison: c('does_not_equal'), value: fc.boolean() }),
  fc.record({
    comparison: c('greater_than', 'greater_than_or_equal_to', 'less_than', 'less_than_or_equal_to'),
    value: number,
  }),
  fc.record({ comparison: c('matches_regex', 'does_not_match_regex'), value: c(...REGEXES) }),
  fc.record({ comparison: c('includes_value', 'does_not_include_value'), value: scalar }),
  fc.record({
    comparison: c('is_any_of', 'is_none_of', 'contains_any_of', 'does_not_contain_any_of'),
    value: fc.array(str, { minLength: 1, maxLength: 3 }),
  }),
  fc.record({
    comparison: c('includes_any_of', 'includes_none_of', 'is_all_of'),
    value: fc.array(scalar, { minLength: 1, maxLength: 3 }),
  }),
  fc.record({
    comparison: c(
      'less_than_x_days_ago',
      'greater_than_x_days_ago',
      'less_than_x_days_in_the_future',
      'greater_than_x_days_in_the_future',
    ),
    value: c(...DAYS_AGO.map(String)).map(Number),
  }),
  fc.record({ comparison: c('after', 'before'), value: iso }),
);

const activityFilter = (prefix: string, anyNone: [string, string]) =>
  fc.oneof(
    fc.record({ comparison: c(...anyNone) }),
    counts(),
    fc.record({
      comparison: c('count_in_days_more_than', 'count_in_days_less_than', 'count_in_days_exactly'),
      ...X_IN_Y,
    }),
    recency(`first_${prefix}_`),
    recency(`last_${prefix}_`),
  );

/** Every filter kind, with values from the summaries' domains. */
export const leafFilter: fc.Arbitrary<unknown> = fc.oneof(
  fc
    .record({ custom_attribute_name: c(...PATHS) })
    .chain((n) => customAttribute.map((b) => ({ custom_attribute: { ...n, ...b } }))),
  fc
    .oneof(
      fc.record({
        attribute_name: c('first_name', 'email', 'country', 'external_id', 'phone'),
        comparison: c('equals', 'not_equal'),
        value: fc.oneof(str, c('FR', 'a@b.c')),
      }),
      fc.record({
        attribute_name: c('first_name', 'country'),
        comparison: c('is_any_of', 'is_none_of'),
        value: fc.array(c('FR', 'DE', 'a', ''), { minLength: 1, maxLength: 3 }),
      }),
      fc.record({
        attribute_name: c('email', 'first_name'),
        comparison: c('matches_regex'),
        value: c(...REGEXES, '@b\\.c$', '^blue@'),
      }),
      fc.record({
        attribute_name: c('email', 'external_id', 'phone'),
        comparison: c('exists', 'does_not_exist'),
      }),
    )
    .map((b) => ({ standard_attribute: b })),
  fc
    .record({ event_name: c(...EVENTS) })
    .chain((n) =>
      activityFilter('did', ['did', 'did_not']).map((b) => ({ custom_event: { ...n, ...b } })),
    ),
  fc.record({ product_id: c(...PRODUCTS, 'p3') }, { requiredKeys: [] }).chain((n) =>
    fc
      .oneof(
        activityFilter('purchase', ['made_any', 'made_none']),
        fc.record({
          comparison: c('revenue_more_than', 'revenue_less_than', 'revenue_exactly'),
          value: fc.constantFrom(0, 1.5, 12.5, 14),
        }),
      )
      .map((b) => ({ purchase: { ...n, ...b } })),
  ),
  {
    weight: 2,
    arbitrary: fc
      .record({
        comparison: c(
          'revenue_in_days_more_than',
          'revenue_in_days_less_than',
          'revenue_in_days_exactly',
        ),
        value: fc.constantFrom(...AMOUNTS, 100),
        days: X_IN_Y.days,
      })
      .map((b) => ({ purchase: b })),
  },
  {
    weight: 2,
    arbitrary: fc
      .record({ event_name: c(...EVENTS), ...propertyInDays })
      .map((b) => ({ custom_event_property: b })),
  },
  {
    weight: 2,
    arbitrary: fc
      .record(
        { product_id: c(...PRODUCTS, 'p3'), ...propertyInDays },
        { requiredKeys: ['property_name', 'property_value', 'comparison', 'value', 'days'] },
      )
      .map((b) => ({ purchase_property: b })),
  },
  counts().map((b) => ({ session: b })),
  recency('').map((b) => ({ last_used_app: b })),
  recency('').map((b) => ({ first_used_app: b })),
  recency('').map((b) => ({ created_at: b })),
  fc
    .record({ comparison: c('is', 'is_not'), value: c('opted_in', 'subscribed', 'unsubscribed') })
    .map((b) => ({ push_subscription_status: b })),
  fc
    .record({ comparison: c('is', 'is_not'), value: c('opted_in', 'subscribed', 'unsubscribed') })
    .map((b) => ({ email_subscription_status: b })),
  fc
    .record({
      subscription_group_id: c(...GROUPS),
      comparison: c('is', 'is_not'),
      value: c('subscribed', 'unsubscribed'),
    })
    .map((b) => ({ subscription_group: b })),
  fc.boolean().map((value) => ({ email_available: { value } })),
  fc
    .record({
      comparison: c(
        'equals',
        'not_equal',
        'greater_than',
        'less_than',
        'greater_than_or_equal_to',
        'less_than_or_equal_to',
      ),
      value: fc.constantFrom(0, 1, 4999, 5000, 9999),
    })
    .map((b) => ({ random_bucket: b })),
  fc
    .record({
      segment_id: c('bucket_low', 'opened', 'nested', 'self', 'gone'),
      comparison: c('is', 'is_not'),
    })
    .map((b) => ({ segment_membership: b })),
  fc
    .record({
      campaign_id: c(...CAMPAIGNS, 'c3'),
      comparison: c(
        'received',
        'not_received',
        'opened_or_clicked',
        'clicked',
        'converted',
        'in_control',
      ),
    })
    .map((b) => ({ message_engagement: b })),
);

/** Random trees up to four levels deep over leafFilter (raw JSON, to go through the parser). */
export const filterTree: fc.Arbitrary<unknown> = fc.letrec<{ node: unknown }>((tie) => ({
  node: fc.oneof(
    { maxDepth: 3, depthIdentifier: 'tree' },
    leafFilter,
    fc.array(tie('node'), { minLength: 1, maxLength: 3 }).map((AND) => ({ AND })),
    fc.array(tie('node'), { minLength: 1, maxLength: 3 }).map((OR) => ({ OR })),
    tie('node').map((NOT) => ({ NOT })),
  ),
})).node;

/** The segments membership filters may reference (raw JSON). */
export const REFERENCED_SEGMENTS: Record<string, unknown> = {
  bucket_low: { random_bucket: { comparison: 'less_than', value: 5000 } },
  opened: {
    custom_event: { event_name: 'open', comparison: 'count_in_days_more_than', value: 0, days: 7 },
  },
  nested: {
    AND: [
      { segment_membership: { segment_id: 'bucket_low', comparison: 'is' } },
      { email_available: { value: true } },
    ],
  },
  self: {
    OR: [
      { segment_membership: { segment_id: 'self', comparison: 'is_not' } },
      { email_available: { value: true } },
    ],
  },
};
