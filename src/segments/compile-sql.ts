import { type SQL, sql } from 'drizzle-orm';
import { boundsSql, compileCustomAttribute, likeAny } from './compile-attribute';
import {
  compileEventProperty,
  compilePurchaseProperty,
  compileSpentInDays,
} from './compile-property';
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
import { FALSE, json, not, num, TRUE, text } from './sql-literals';
import {
  type Bound,
  COUNT_SATURATION,
  countOp,
  dayWindow,
  firstOrLast,
  recencyComparison,
  timeBounds,
} from './time';

/**
 * The SQL evaluator: a filter tree as one boolean condition over `p` = `idx_profiles`, for
 * `SELECT p.profile_id FROM idx_profiles p WHERE p.workspace_id = ? AND (<condition>)`. Other
 * idx_ tables are reached by correlated subqueries. It mirrors evaluate.ts exactly (a property
 * test loads the same summaries into SQLite and compares), including NULL handling: negations go
 * through not(), which reads NULL as false first. Regexes run as LIKE patterns (see regex.ts), so
 * no post-filter is ever needed. Constants are inlined (see sql-literals.ts).
 */

/** What compilation needs: the workspace, the clock and the other segments' filters. */
export interface CompileContext {
  workspaceId: string;
  now: number;
  segment: (id: string) => SegmentFilter | null;
}

const STANDARD_COLUMNS: Record<StandardAttributeFilter['attribute_name'], string> = {
  first_name: 'p.first_name',
  last_name: 'p.last_name',
  email: 'p.email',
  phone: 'p.phone',
  country: 'p.country',
  language: 'p.language',
  time_zone: 'p.time_zone',
  home_city: 'p.home_city',
  gender: 'p.gender',
  external_id: 'p.external_id',
};

const OPS: Record<RandomBucketFilter['comparison'], string> = {
  equals: '=',
  not_equal: '<>',
  greater_than: '>',
  less_than: '<',
  greater_than_or_equal_to: '>=',
  less_than_or_equal_to: '<=',
};

function compileStandard(f: StandardAttributeFilter): SQL {
  const col = sql.raw(STANDARD_COLUMNS[f.attribute_name]);
  const anyOf = (values: string[]) =>
    sql`(${col} IN (SELECT value FROM json_each(${json(values)})))`;
  switch (f.comparison) {
    case 'equals':
      return sql`(${col} = ${text(f.value)})`;
    case 'not_equal':
      return not(sql`(${col} = ${text(f.value)})`);
    case 'is_any_of':
      return anyOf(f.value);
    case 'is_none_of':
      return not(anyOf(f.value));
    case 'matches_regex':
      return sql`(${col} IS NOT NULL AND ${likeAny(col, f.value)})`;
    case 'exists':
      return sql`(${col} IS NOT NULL)`;
    case 'does_not_exist':
      return sql`(${col} IS NULL)`;
  }
}

/** Where one kind of activity lives for a profile. */
interface ActivitySource {
  /** Lifetime count (0 when none). */
  count: SQL;
  /** `FROM … WHERE …` selecting this profile's daily rows as `d` (columns day, count). */
  days: SQL;
  /** The first or last occurrence satisfies the bounds (false when there is none). */
  moment: (which: 'first' | 'last', bounds: Bound[]) => SQL;
}

/** Activity held in a per-profile totals table (`FROM … WHERE …` selecting it as `t`). */
function tableSource(totals: SQL, days: SQL): ActivitySource {
  return {
    count: sql`coalesce((SELECT t.count ${totals}), 0)`,
    days,
    moment: (which, b) =>
      sql`EXISTS (SELECT 1 ${totals} AND ${boundsSql(sql.raw(which === 'first' ? 't.first_at' : 't.last_at'), b)})`,
  };
}

function compileActivity(
  f: { comparison: string; value?: unknown; days?: number },
  src: ActivitySource,
  now: number,
): SQL {
  const c = f.comparison;
  if (c === 'did' || c === 'made_any') return sql`(${src.count} > 0)`;
  if (c === 'did_not' || c === 'made_none') return not(sql`(${src.count} > 0)`);
  const op = sql.raw(countOp(c));
  if (c.startsWith('count_in_days_')) {
    const { from, to } = dayWindow(f.days ?? 0, now);
    const sum = sql`coalesce((SELECT sum(d.count) ${src.days} AND d.day BETWEEN ${num(from)} AND ${num(to)}), 0)`;
    return sql`(min(${sum}, ${num(COUNT_SATURATION)}) ${op} ${num(Number(f.value))})`;
  }
  if (c.startsWith('count_')) return sql`(${src.count} ${op} ${num(Number(f.value))})`;
  const { which, time } = firstOrLast(c);
  return src.moment(which, timeBounds(time, f.value as number | string, now));
}

function compileEvent(f: CustomEventFilter, ctx: CompileContext): SQL {
  const ws = text(ctx.workspaceId);
  const name = text(f.event_name);
  const source = tableSource(
    sql`FROM idx_events t WHERE t.workspace_id = ${ws} AND t.profile_id = p.profile_id AND t.name = ${name}`,
    sql`FROM idx_event_days d WHERE d.workspace_id = ${ws} AND d.profile_id = p.profile_id AND d.name = ${name}`,
  );
  return compileActivity(f, source, ctx.now);
}

function compilePurchase(f: PurchaseFilter, ctx: CompileContext): SQL {
  if ('days' in f && f.comparison.startsWith('revenue_in_days_')) return compileSpentInDays(f, ctx);
  const ws = text(ctx.workspaceId);
  // Daily rows with product_id '' hold all products together.
  const days = sql`FROM idx_purchase_days d WHERE d.workspace_id = ${ws} AND d.profile_id = p.profile_id
    AND d.product_id = ${text(f.product_id ?? '')}`;
  const op = sql.raw(countOp(f.comparison));
  if (f.product_id === undefined) {
    if (f.comparison.startsWith('revenue_'))
      return sql`(p.total_revenue ${op} ${num(Number(f.value))})`;
    const source: ActivitySource = {
      count: sql.raw('p.purchase_count'),
      days,
      moment: (which, b) => {
        const col = sql.raw(which === 'first' ? 'p.first_purchase_at' : 'p.last_purchase_at');
        return sql`(${col} IS NOT NULL AND ${boundsSql(col, b)})`;
      },
    };
    return compileActivity(f, source, ctx.now);
  }
  const totals = sql`FROM idx_purchases t WHERE t.workspace_id = ${ws} AND t.profile_id = p.profile_id
    AND t.product_id = ${text(f.product_id)}`;
  if (f.comparison.startsWith('revenue_')) {
    return sql`(coalesce((SELECT t.revenue ${totals}), 0) ${op} ${num(Number(f.value))})`;
  }
  return compileActivity(f, tableSource(totals, days), ctx.now);
}

function compileRecency(f: RecencyFilter, column: string, now: number): SQL {
  const col = sql.raw(column);
  return sql`(${col} IS NOT NULL AND ${boundsSql(col, timeBounds(recencyComparison(f.comparison), f.value, now))})`;
}

function compileMessage(f: MessageEngagementFilter, ctx: CompileContext): SQL {
  const row = (cond: string) =>
    sql`EXISTS (SELECT 1 FROM idx_messages m WHERE m.workspace_id = ${text(ctx.workspaceId)}
      AND m.profile_id = p.profile_id AND m.campaign_id = ${text(f.campaign_id)} AND ${sql.raw(cond)})`;
  switch (f.comparison) {
    case 'received':
      return row('m.received_at IS NOT NULL');
    case 'not_received':
      return not(row('m.received_at IS NOT NULL'));
    case 'opened_or_clicked':
      return row('(m.opened_at IS NOT NULL OR m.clicked_at IS NOT NULL)');
    case 'clicked':
      return row('m.clicked_at IS NOT NULL');
    case 'converted':
      return row('m.converted_at IS NOT NULL');
    case 'in_control':
      return row('m.in_control = 1');
  }
}

function isOrNot(comparison: 'is' | 'is_not', condition: SQL): SQL {
  return comparison === 'is' ? condition : not(condition);
}

const EMAIL_AVAILABLE = sql`(p.email IS NOT NULL AND p.email <> ''
  AND coalesce(p.email_subscribe, '') <> 'unsubscribed' AND p.email_undeliverable = 0)`;

function compileLeaf(f: LeafFilter, ctx: CompileContext, visiting: string[]): SQL {
  if ('custom_attribute' in f) return compileCustomAttribute(f.custom_attribute, ctx.now);
  if ('standard_attribute' in f) return compileStandard(f.standard_attribute);
  if ('custom_event' in f) return compileEvent(f.custom_event, ctx);
  if ('custom_event_property' in f) return compileEventProperty(f.custom_event_property, ctx);
  if ('purchase' in f) return compilePurchase(f.purchase, ctx);
  if ('purchase_property' in f) return compilePurchaseProperty(f.purchase_property, ctx);
  if ('session' in f) {
    return sql`(p.session_count ${sql.raw(countOp(f.session.comparison))} ${num(f.session.value)})`;
  }
  if ('last_used_app' in f) return compileRecency(f.last_used_app, 'p.last_session_at', ctx.now);
  if ('first_used_app' in f) return compileRecency(f.first_used_app, 'p.first_session_at', ctx.now);
  if ('created_at' in f) return compileRecency(f.created_at, 'p.created_at', ctx.now);
  if ('push_subscription_status' in f) {
    const { comparison, value } = f.push_subscription_status;
    return isOrNot(comparison, sql`(coalesce(p.push_subscribe, 'subscribed') = ${text(value)})`);
  }
  if ('email_subscription_status' in f) {
    const { comparison, value } = f.email_subscription_status;
    return isOrNot(comparison, sql`(coalesce(p.email_subscribe, 'subscribed') = ${text(value)})`);
  }
  if ('subscription_group' in f) {
    const g = f.subscription_group;
    return isOrNot(
      g.comparison,
      sql`EXISTS (SELECT 1 FROM idx_subscription_groups g WHERE g.workspace_id = ${text(ctx.workspaceId)}
        AND g.profile_id = p.profile_id AND g.group_id = ${text(g.subscription_group_id)}
        AND g.state = ${text(g.value)})`,
    );
  }
  if ('email_available' in f)
    return f.email_available.value ? EMAIL_AVAILABLE : not(EMAIL_AVAILABLE);
  if ('random_bucket' in f) {
    const { comparison, value } = f.random_bucket;
    return sql`(p.random_bucket ${sql.raw(OPS[comparison])} ${num(value)})`;
  }
  if ('segment_membership' in f) {
    const { segment_id: id, comparison } = f.segment_membership;
    const target = visiting.includes(id) ? null : ctx.segment(id);
    if (target === null) return FALSE;
    return isOrNot(comparison, compileNode(target, ctx, [...visiting, id]));
  }
  return compileMessage(f.message_engagement, ctx);
}

function compileNode(f: SegmentFilter, ctx: CompileContext, visiting: string[]): SQL {
  if ('AND' in f) {
    if (f.AND.length === 0) return TRUE;
    return sql`(${sql.join(
      f.AND.map((c) => compileNode(c, ctx, visiting)),
      sql` AND `,
    )})`;
  }
  if ('OR' in f) {
    if (f.OR.length === 0) return FALSE;
    return sql`(${sql.join(
      f.OR.map((c) => compileNode(c, ctx, visiting)),
      sql` OR `,
    )})`;
  }
  if ('NOT' in f) return not(compileNode(f.NOT, ctx, visiting));
  return compileLeaf(f, ctx, visiting);
}

/** A filter tree as a boolean SQL condition over `idx_profiles p`, evaluated at `ctx.now`. */
export function compileFilter(filter: SegmentFilter, ctx: CompileContext): SQL {
  return compileNode(filter, ctx, []);
}
