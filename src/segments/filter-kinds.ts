import { z } from 'zod';
import { translateRegex } from './regex';
import { parseTime } from './time';

/**
 * The body schema of every leaf filter kind (filters.ts assembles them into the tree). Messages
 * are predicates ("must be 1..30") so parse errors read `AND[2].custom_event: days must be 1..30`.
 */

/** Multi-value inputs ("is any of") accept at most this many values (§2.1). */
export const MAX_VALUES = 256;
// NUL is refused in every string so compile-sql.ts can inline constants as SQL literals.
const Text = z.string().refine((s) => !s.includes('\0'), 'must not contain NUL characters');
const Id = Text.pipe(z.string().min(1, 'must not be empty'));
const Scalar = z.union([Text, z.number(), z.boolean()], {
  error: 'must be a string, number or boolean',
});
const Count = z.number().int('must be a whole number').min(0, 'must be at least 0');
const Days = z.number({ error: 'must be a number of days' }).min(0, 'must be at least 0 days');
const Iso = Text.refine((s) => parseTime(s) !== null, 'must be an ISO-8601 date/time');
const Regex = z.string().superRefine((s, ctx) => {
  const t = translateRegex(s);
  if (!t.ok) ctx.addIssue({ code: 'custom', message: t.error });
});
const list = <T extends z.ZodType>(item: T) =>
  z
    .array(item)
    .min(1, 'must list at least one value')
    .max(MAX_VALUES, `must list at most ${MAX_VALUES} values`);

const AttributeName = Id.refine((s) => !s.includes('"'), 'must not contain "').refine(
  (s) => !s.startsWith('.') && !s.endsWith('.') && !s.includes('..'),
  'must not have an empty path segment around "."',
);

const ca = <S extends z.core.$ZodShape>(shape: S) =>
  z.strictObject({ custom_attribute_name: AttributeName, ...shape });
const NoValue = { value: z.null({ error: 'is not allowed with this comparison' }).optional() };

/** A custom attribute filter; `custom_attribute_name` may be a dotted path into an object. */
export const CustomAttributeFilter = z.discriminatedUnion('comparison', [
  ca({
    comparison: z.enum([
      'exists',
      'does_not_exist',
      'is_blank',
      'is_not_blank',
      'is_empty',
      'has_a_value',
      'is_true_or_not_set',
      'is_false_or_not_set',
    ]),
    ...NoValue,
  }),
  ca({ comparison: z.literal('equals'), value: Scalar }),
  ca({
    comparison: z.literal('not_equal'),
    value: z.union([Text, z.number()], {
      error: 'must be a string or number (booleans use does_not_equal)',
    }),
  }),
  ca({
    comparison: z.literal('does_not_equal'),
    value: z.boolean({ error: 'must be a boolean (strings and numbers use not_equal)' }),
  }),
  ca({
    comparison: z.enum([
      'greater_than',
      'greater_than_or_equal_to',
      'less_than',
      'less_than_or_equal_to',
    ]),
    value: z.number({ error: 'must be a number (this comparison is for number attributes)' }),
  }),
  ca({ comparison: z.enum(['matches_regex', 'does_not_match_regex']), value: Regex }),
  ca({ comparison: z.enum(['includes_value', 'does_not_include_value']), value: Scalar }),
  ca({
    comparison: z.enum(['is_any_of', 'is_none_of', 'contains_any_of', 'does_not_contain_any_of']),
    value: list(Text),
  }),
  ca({
    comparison: z.enum(['includes_any_of', 'includes_none_of', 'is_all_of']),
    value: list(Scalar),
  }),
  ca({
    comparison: z.enum([
      'less_than_x_days_ago',
      'greater_than_x_days_ago',
      'less_than_x_days_in_the_future',
      'greater_than_x_days_in_the_future',
    ]),
    value: Days,
  }),
  ca({ comparison: z.enum(['after', 'before']), value: Iso }),
]);
export type CustomAttributeFilter = z.infer<typeof CustomAttributeFilter>;

export const StandardAttributeName = z.enum([
  'first_name',
  'last_name',
  'email',
  'phone',
  'country',
  'language',
  'time_zone',
  'home_city',
  'gender',
  'external_id',
]);
export type StandardAttributeName = z.infer<typeof StandardAttributeName>;

const sa = <S extends z.core.$ZodShape>(shape: S) =>
  z.strictObject({ attribute_name: StandardAttributeName, ...shape });

/** A default (standard) profile attribute filter. */
export const StandardAttributeFilter = z.discriminatedUnion('comparison', [
  sa({ comparison: z.enum(['equals', 'not_equal']), value: Text }),
  sa({ comparison: z.enum(['is_any_of', 'is_none_of']), value: list(Text) }),
  sa({ comparison: z.literal('matches_regex'), value: Regex }),
  sa({ comparison: z.enum(['exists', 'does_not_exist']), ...NoValue }),
]);
export type StandardAttributeFilter = z.infer<typeof StandardAttributeFilter>;

const WindowDays = z
  .number()
  .int('must be a whole number')
  .min(1, 'must be 1..30')
  .max(30, 'must be 1..30');
const XInY = {
  value: z.number().int('must be a whole number').min(0, 'must be 0..50').max(50, 'must be 0..50'),
  days: WindowDays,
};
const CountInDays = z.enum([
  'count_in_days_more_than',
  'count_in_days_less_than',
  'count_in_days_exactly',
]);
/** A property and the value it must have; compared type for type, as attribute `equals` does. */
const PropertyIs = { property_name: Id, property_value: Scalar };
const Recency = z.enum(['more_than_x_days_ago', 'less_than_x_days_ago']);
const Moment = z.enum(['before', 'after']);

const ev = <S extends z.core.$ZodShape>(shape: S) => z.strictObject({ event_name: Id, ...shape });

/** A custom event filter: ever/never, totals, X-in-Y days, first and last occurrence. */
export const CustomEventFilter = z.discriminatedUnion('comparison', [
  ev({ comparison: z.enum(['did', 'did_not']), ...NoValue }),
  ev({ comparison: z.enum(['count_more_than', 'count_less_than', 'count_exactly']), value: Count }),
  ev({
    comparison: z.enum([
      'count_in_days_more_than',
      'count_in_days_less_than',
      'count_in_days_exactly',
    ]),
    ...XInY,
  }),
  ev({
    comparison: z.enum([
      'first_did_before',
      'first_did_after',
      'last_did_before',
      'last_did_after',
    ]),
    value: Iso,
  }),
  ev({
    comparison: z.enum([
      'first_did_more_than_x_days_ago',
      'first_did_less_than_x_days_ago',
      'last_did_more_than_x_days_ago',
      'last_did_less_than_x_days_ago',
    ]),
    value: Days,
  }),
]);
export type CustomEventFilter = z.infer<typeof CustomEventFilter>;

const pu = <S extends z.core.$ZodShape>(shape: S) =>
  z.strictObject({ product_id: Id.optional(), ...shape });

/** A purchase filter, over all products or one `product_id`. */
export const PurchaseFilter = z.discriminatedUnion('comparison', [
  pu({ comparison: z.enum(['made_any', 'made_none']), ...NoValue }),
  pu({ comparison: z.enum(['count_more_than', 'count_less_than', 'count_exactly']), value: Count }),
  pu({
    comparison: z.enum([
      'count_in_days_more_than',
      'count_in_days_less_than',
      'count_in_days_exactly',
    ]),
    ...XInY,
  }),
  pu({
    comparison: z.enum(['revenue_more_than', 'revenue_less_than', 'revenue_exactly']),
    value: z.number({ error: 'must be an amount of money' }),
  }),
  // "X Money Spent in Y Days": Braze sums the last 50 purchases of every product together.
  z.strictObject({
    product_id: z
      .never({ error: 'is not allowed: money spent in Y days counts every product' })
      .optional(),
    comparison: z.enum([
      'revenue_in_days_more_than',
      'revenue_in_days_less_than',
      'revenue_in_days_exactly',
    ]),
    value: z.number({ error: 'must be an amount of money' }),
    days: WindowDays,
  }),
  pu({
    comparison: z.enum([
      'first_purchase_before',
      'first_purchase_after',
      'last_purchase_before',
      'last_purchase_after',
    ]),
    value: Iso,
  }),
  pu({
    comparison: z.enum([
      'first_purchase_more_than_x_days_ago',
      'first_purchase_less_than_x_days_ago',
      'last_purchase_more_than_x_days_ago',
      'last_purchase_less_than_x_days_ago',
    ]),
    value: Days,
  }),
]);
export type PurchaseFilter = z.infer<typeof PurchaseFilter>;

/**
 * "X Custom Event Property In Y Days": how many times in the last Y UTC days the event happened
 * with the property set to the value. The property must be enabled for segmentation.
 */
export const CustomEventPropertyFilter = z.strictObject({
  event_name: Id,
  ...PropertyIs,
  comparison: CountInDays,
  ...XInY,
});
export type CustomEventPropertyFilter = z.infer<typeof CustomEventPropertyFilter>;

/** "X Purchase Property In Y Days", over all products or one `product_id`; counts units. */
export const PurchasePropertyFilter = z.strictObject({
  product_id: Id.optional(),
  ...PropertyIs,
  comparison: CountInDays,
  ...XInY,
});
export type PurchasePropertyFilter = z.infer<typeof PurchasePropertyFilter>;

/** Lifetime session count. */
export const SessionFilter = z.strictObject({
  comparison: z.enum(['count_more_than', 'count_less_than', 'count_exactly']),
  value: Count,
});
export type SessionFilter = z.infer<typeof SessionFilter>;

/** A moment compared by date or by age; Braze's API spells the date form after/before. */
export const RecencyFilter = z.discriminatedUnion('comparison', [
  z.strictObject({ comparison: Moment, value: Iso }),
  z.strictObject({ comparison: Recency, value: Days }),
]);
export type RecencyFilter = z.infer<typeof RecencyFilter>;

export const SubscriptionStatusFilter = z.strictObject({
  comparison: z.enum(['is', 'is_not']),
  value: z.enum(['opted_in', 'subscribed', 'unsubscribed']),
});
export type SubscriptionStatusFilter = z.infer<typeof SubscriptionStatusFilter>;

export const SubscriptionGroupFilter = z.strictObject({
  subscription_group_id: Id,
  comparison: z.enum(['is', 'is_not']),
  value: z.enum(['subscribed', 'unsubscribed']),
});
export type SubscriptionGroupFilter = z.infer<typeof SubscriptionGroupFilter>;

export const EmailAvailableFilter = z.strictObject({ value: z.boolean() });
export type EmailAvailableFilter = z.infer<typeof EmailAvailableFilter>;

export const RandomBucketFilter = z.strictObject({
  comparison: z.enum([
    'equals',
    'not_equal',
    'greater_than',
    'less_than',
    'greater_than_or_equal_to',
    'less_than_or_equal_to',
  ]),
  value: z
    .number()
    .int('must be a whole number')
    .min(0, 'must be 0..9999')
    .max(9999, 'must be 0..9999'),
});
export type RandomBucketFilter = z.infer<typeof RandomBucketFilter>;

export const SegmentMembershipFilter = z.strictObject({
  segment_id: Id,
  comparison: z.enum(['is', 'is_not']),
});
export type SegmentMembershipFilter = z.infer<typeof SegmentMembershipFilter>;

export const MessageEngagementFilter = z.strictObject({
  campaign_id: Id,
  comparison: z.enum([
    'received',
    'not_received',
    'opened_or_clicked',
    'clicked',
    'converted',
    'in_control',
  ]),
});
export type MessageEngagementFilter = z.infer<typeof MessageEngagementFilter>;

/** Every filter kind: the single key of a leaf object, and the schema of its body. */
export const FILTER_KINDS = {
  custom_attribute: CustomAttributeFilter,
  standard_attribute: StandardAttributeFilter,
  custom_event: CustomEventFilter,
  custom_event_property: CustomEventPropertyFilter,
  purchase: PurchaseFilter,
  purchase_property: PurchasePropertyFilter,
  session: SessionFilter,
  last_used_app: RecencyFilter,
  first_used_app: RecencyFilter,
  created_at: RecencyFilter,
  push_subscription_status: SubscriptionStatusFilter,
  email_subscription_status: SubscriptionStatusFilter,
  subscription_group: SubscriptionGroupFilter,
  email_available: EmailAvailableFilter,
  random_bucket: RandomBucketFilter,
  segment_membership: SegmentMembershipFilter,
  message_engagement: MessageEngagementFilter,
} as const;
export type FilterKind = keyof typeof FILTER_KINDS;
