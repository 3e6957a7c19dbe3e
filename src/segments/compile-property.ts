import { type SQL, sql } from 'drizzle-orm';
import { propertyValueKey } from './evaluate-property';
import type { CustomEventPropertyFilter, PurchasePropertyFilter } from './filters';
import { ALL_PRODUCTS } from './index-rows';
import { num, text } from './sql-literals';
import { COUNT_SATURATION, countOp, dayWindow } from './time';

/**
 * The property and money X-in-Y filters as SQL over the profile index, mirroring
 * evaluate-property.ts: property counts are summed from `idx_property_counts` day objects, and
 * money spent reads the pre-computed `spent_since` of the window's earliest day.
 */

function propertyCount(
  f: { property_name: string; property_value: string | number | boolean; days: number },
  where: { workspaceId: string; kind: 'event' | 'purchase'; name: string | undefined },
  now: number,
): SQL {
  const { from, to } = dayWindow(f.days, now);
  const name = where.name === undefined ? sql`` : sql` AND c.name = ${text(where.name)}`;
  const sum = sql`coalesce((SELECT sum(j.value) FROM idx_property_counts c, json_each(c.days) j
    WHERE c.workspace_id = ${text(where.workspaceId)} AND c.profile_id = p.profile_id
    AND c.kind = ${text(where.kind)}${name} AND c.property = ${text(f.property_name)}
    AND c.value = ${text(propertyValueKey(f.property_value))}
    AND CAST(j.key AS INTEGER) BETWEEN ${num(from)} AND ${num(to)}), 0)`;
  return sql`min(${sum}, ${num(COUNT_SATURATION)})`;
}

/** "X Custom Event Property In Y Days" at `now`. */
export function compileEventProperty(
  f: CustomEventPropertyFilter,
  ctx: { workspaceId: string; now: number },
): SQL {
  const count = propertyCount(
    f,
    { workspaceId: ctx.workspaceId, kind: 'event', name: f.event_name },
    ctx.now,
  );
  return sql`(${count} ${sql.raw(countOp(f.comparison))} ${num(f.value)})`;
}

/** "X Purchase Property In Y Days" at `now`, over one product or all of them. */
export function compilePurchaseProperty(
  f: PurchasePropertyFilter,
  ctx: { workspaceId: string; now: number },
): SQL {
  const count = propertyCount(
    f,
    { workspaceId: ctx.workspaceId, kind: 'purchase', name: f.product_id },
    ctx.now,
  );
  return sql`(${count} ${sql.raw(countOp(f.comparison))} ${num(f.value)})`;
}

/** "X Money Spent in Y Days" at `now` (the last 50 purchases of every product). */
export function compileSpentInDays(
  f: { comparison: string; value: number; days: number },
  ctx: { workspaceId: string; now: number },
): SQL {
  const { from, to } = dayWindow(f.days, ctx.now);
  const spent = sql`coalesce((SELECT d.spent_since FROM idx_purchase_days d
    WHERE d.workspace_id = ${text(ctx.workspaceId)} AND d.profile_id = p.profile_id
    AND d.product_id = ${text(ALL_PRODUCTS)} AND d.spent_since IS NOT NULL
    AND d.day BETWEEN ${num(from)} AND ${num(to)} ORDER BY d.day LIMIT 1), 0)`;
  return sql`(${spent} ${sql.raw(countOp(f.comparison))} ${num(f.value)})`;
}
