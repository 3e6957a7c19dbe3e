import { own } from './attribute';
import { evaluateCustomAttribute } from './evaluate-attribute';
import { evaluateEventProperty, evaluatePurchaseProperty, spentInDays } from './evaluate-property';
import type {
  CustomEventFilter,
  LeafFilter,
  MessageEngagementFilter,
  PurchaseFilter,
  RandomBucketFilter,
  RecencyFilter,
  SegmentFilter,
  StandardAttributeFilter,
} from './filters';
import { matchesPatterns, patternsOf } from './regex';
import type { ActivitySummary, ProfileSummary } from './summary';
import {
  COUNT_SATURATION,
  compareCount,
  countOp,
  dayWindow,
  firstOrLast,
  recencyComparison,
  timeBounds,
  withinBounds,
} from './time';

/**
 * The in-memory evaluator: one profile's summary against a filter tree, as the profile does in
 * real time. compile-sql.ts answers the same question for a whole workspace in D1; the two are
 * kept in agreement by a property test (test/unit/segments/agreement.test.ts).
 */

/** What evaluation needs besides the profile: the clock and the other segments' filters. */
export interface EvaluateContext {
  now: number;
  segment: (id: string) => SegmentFilter | null;
}

/** Sum of daily counts inside the X-in-Y window, saturating as Braze's does. */
export function windowCount(
  days: Record<number, number> | undefined,
  y: number,
  now: number,
): number {
  if (!days) return 0;
  const { from, to } = dayWindow(y, now);
  let sum = 0;
  for (const [day, count] of Object.entries(days)) {
    const d = Number(day);
    if (d >= from && d <= to) sum += count;
  }
  return Math.min(sum, COUNT_SATURATION);
}

/** Braze's default subscription state is `subscribed` (no explicit opt-in or opt-out yet). */
function subscriptionState(v: ProfileSummary['standard']['push_subscribe']): string {
  return v ?? 'subscribed';
}

function standardValue(
  s: ProfileSummary,
  name: StandardAttributeFilter['attribute_name'],
): string | null {
  return name === 'external_id' ? s.externalId : s.standard[name];
}

function evalStandard(f: StandardAttributeFilter, s: ProfileSummary): boolean {
  const v = standardValue(s, f.attribute_name);
  switch (f.comparison) {
    case 'equals':
      return v === f.value;
    case 'not_equal':
      return v !== f.value;
    case 'is_any_of':
      return v !== null && f.value.includes(v);
    case 'is_none_of':
      return v === null || !f.value.includes(v);
    case 'matches_regex':
      return v !== null && matchesPatterns(v, patternsOf(f.value));
    case 'exists':
      return v !== null;
    case 'does_not_exist':
      return v === null;
  }
}

function evalActivity(
  f: { comparison: string; value?: unknown; days?: number },
  a: {
    count: number;
    first: number | null;
    last: number | null;
    days: Record<number, number> | undefined;
  },
  now: number,
): boolean {
  const c = f.comparison;
  if (c === 'did' || c === 'made_any') return a.count > 0;
  if (c === 'did_not' || c === 'made_none') return !(a.count > 0);
  if (c.startsWith('count_in_days_')) {
    return compareCount(windowCount(a.days, f.days ?? 0, now), countOp(c), Number(f.value));
  }
  if (c.startsWith('count_')) return compareCount(a.count, countOp(c), Number(f.value));
  const { which, time } = firstOrLast(c);
  const at = which === 'first' ? a.first : a.last;
  return at !== null && withinBounds(at, timeBounds(time, f.value as number | string, now));
}

function evalEvent(f: CustomEventFilter, s: ProfileSummary, now: number): boolean {
  const e = own(s.events, f.event_name);
  return evalActivity(f, activity(e), now);
}

function activity(e: ActivitySummary | undefined) {
  return e
    ? { count: e.count, first: e.first, last: e.last, days: e.days }
    : { count: 0, first: null, last: null, days: undefined };
}

function evalPurchase(f: PurchaseFilter, s: ProfileSummary, now: number): boolean {
  const p = s.purchases;
  if ('days' in f && f.comparison.startsWith('revenue_in_days_')) {
    return compareCount(spentInDays(p.spentSince, f.days, now), countOp(f.comparison), f.value);
  }
  const product = f.product_id === undefined ? null : own(p.products, f.product_id);
  const revenue = f.product_id === undefined ? p.revenue : (product?.revenue ?? 0);
  if (f.comparison.startsWith('revenue_'))
    return compareCount(revenue, countOp(f.comparison), Number(f.value));
  const a = f.product_id === undefined ? p : activity(product ?? undefined);
  return evalActivity(f, a, now);
}

function evalRecency(f: RecencyFilter, at: number | null, now: number): boolean {
  return at !== null && withinBounds(at, timeBounds(recencyComparison(f.comparison), f.value, now));
}

/** A numeric comparison, as random bucket and the like spell it. */
export function compareNumber(
  x: number,
  comparison: RandomBucketFilter['comparison'],
  n: number,
): boolean {
  switch (comparison) {
    case 'equals':
      return x === n;
    case 'not_equal':
      return x !== n;
    case 'greater_than':
      return x > n;
    case 'less_than':
      return x < n;
    case 'greater_than_or_equal_to':
      return x >= n;
    case 'less_than_or_equal_to':
      return x <= n;
  }
}

function evalMessage(f: MessageEngagementFilter, s: ProfileSummary): boolean {
  const m = own(s.messages, f.campaign_id);
  switch (f.comparison) {
    case 'received':
      return m?.receivedAt != null;
    case 'not_received':
      return m?.receivedAt == null;
    case 'opened_or_clicked':
      return m?.openedAt != null || m?.clickedAt != null;
    case 'clicked':
      return m?.clickedAt != null;
    case 'converted':
      return m?.convertedAt != null;
    case 'in_control':
      return m?.inControl === true;
  }
}

function evalLeaf(
  f: LeafFilter,
  s: ProfileSummary,
  ctx: EvaluateContext,
  visiting: string[],
): boolean {
  if ('custom_attribute' in f)
    return evaluateCustomAttribute(f.custom_attribute, s.custom, ctx.now);
  if ('standard_attribute' in f) return evalStandard(f.standard_attribute, s);
  if ('custom_event' in f) return evalEvent(f.custom_event, s, ctx.now);
  if ('custom_event_property' in f)
    return evaluateEventProperty(f.custom_event_property, s, ctx.now);
  if ('purchase' in f) return evalPurchase(f.purchase, s, ctx.now);
  if ('purchase_property' in f) return evaluatePurchaseProperty(f.purchase_property, s, ctx.now);
  if ('session' in f)
    return compareCount(s.sessions.count, countOp(f.session.comparison), f.session.value);
  if ('last_used_app' in f) return evalRecency(f.last_used_app, s.sessions.last, ctx.now);
  if ('first_used_app' in f) return evalRecency(f.first_used_app, s.sessions.first, ctx.now);
  if ('created_at' in f) return evalRecency(f.created_at, s.createdAt, ctx.now);
  if ('push_subscription_status' in f) {
    const is = subscriptionState(s.standard.push_subscribe) === f.push_subscription_status.value;
    return f.push_subscription_status.comparison === 'is' ? is : !is;
  }
  if ('email_subscription_status' in f) {
    const is = subscriptionState(s.standard.email_subscribe) === f.email_subscription_status.value;
    return f.email_subscription_status.comparison === 'is' ? is : !is;
  }
  if ('subscription_group' in f) {
    const g = f.subscription_group;
    const is = own(s.subscriptionGroups, g.subscription_group_id) === g.value;
    return g.comparison === 'is' ? is : !is;
  }
  if ('email_available' in f) return emailAvailable(s) === f.email_available.value;
  if ('random_bucket' in f)
    return compareNumber(s.randomBucket, f.random_bucket.comparison, f.random_bucket.value);
  if ('segment_membership' in f) {
    const { segment_id: id, comparison } = f.segment_membership;
    const target = visiting.includes(id) ? null : ctx.segment(id);
    // An unknown (or cyclic) segment matches nobody, whichever way the filter is phrased.
    if (target === null) return false;
    const is = evalNode(target, s, ctx, [...visiting, id]);
    return comparison === 'is' ? is : !is;
  }
  return evalMessage(f.message_engagement, s);
}

/** Braze's Email Available: an address, not unsubscribed, not bounced or marked as spam. */
export function emailAvailable(s: ProfileSummary): boolean {
  const st = s.standard;
  return (
    st.email !== null &&
    st.email !== '' &&
    st.email_subscribe !== 'unsubscribed' &&
    !st.email_undeliverable
  );
}

function evalNode(
  f: SegmentFilter,
  s: ProfileSummary,
  ctx: EvaluateContext,
  visiting: string[],
): boolean {
  if ('AND' in f) return f.AND.every((c) => evalNode(c, s, ctx, visiting));
  if ('OR' in f) return f.OR.some((c) => evalNode(c, s, ctx, visiting));
  if ('NOT' in f) return !evalNode(f.NOT, s, ctx, visiting);
  return evalLeaf(f, s, ctx, visiting);
}

/** Whether one profile's summary matches a filter tree at `ctx.now`. */
export function evaluateFilter(
  filter: SegmentFilter,
  summary: ProfileSummary,
  ctx: EvaluateContext,
): boolean {
  return evalNode(filter, summary, ctx, []);
}
