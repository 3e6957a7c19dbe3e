import type { Scalar } from '../ingestion/types';
import { own } from './attribute';
import type { CustomEventPropertyFilter, PurchasePropertyFilter } from './filters';
import type { ProfileSummary, PropertyCounts } from './summary';
import { COUNT_SATURATION, compareCount, countOp, dayWindow } from './time';

/**
 * The property and money X-in-Y filters in memory ("X Custom Event Property In Y Days",
 * "X Purchase Property In Y Days", "X Money Spent in Y Days"). compile-property.ts is their SQL
 * twin; both read the same pre-computed counts, so they agree exactly.
 */

/**
 * How a property value is keyed in PropertyCounts and in the index: its JSON text. Strings,
 * numbers and booleans stay apart (`"1"`, `1`, `true`), and 1 and 1.0 are one key, which is how
 * custom attribute `equals` compares.
 */
export function propertyValueKey(value: Scalar): string {
  return JSON.stringify(value);
}

/** Counts of one property value inside the window, summed over the given events or products. */
function propertyCount(
  sources: PropertyCounts[],
  f: { property_name: string; property_value: Scalar; days: number },
  now: number,
): number {
  const { from, to } = dayWindow(f.days, now);
  const key = propertyValueKey(f.property_value);
  let sum = 0;
  for (const counts of sources) {
    const values = own(counts, f.property_name);
    const days = values ? own(values, key) : undefined;
    for (const [day, count] of Object.entries(days ?? {})) {
      const d = Number(day);
      if (d >= from && d <= to) sum += count;
    }
  }
  return Math.min(sum, COUNT_SATURATION);
}

/** Whether a summary satisfies an event-property X-in-Y filter at `now`. */
export function evaluateEventProperty(
  f: CustomEventPropertyFilter,
  s: ProfileSummary,
  now: number,
): boolean {
  const counts = own(s.eventProperties, f.event_name);
  const n = propertyCount(counts ? [counts] : [], f, now);
  return compareCount(n, countOp(f.comparison), f.value);
}

/** Whether a summary satisfies a purchase-property X-in-Y filter at `now`. */
export function evaluatePurchaseProperty(
  f: PurchasePropertyFilter,
  s: ProfileSummary,
  now: number,
): boolean {
  const byProduct = s.purchases.properties;
  const one = f.product_id === undefined ? undefined : own(byProduct, f.product_id);
  const sources = f.product_id === undefined ? Object.values(byProduct) : one ? [one] : [];
  return compareCount(propertyCount(sources, f, now), countOp(f.comparison), f.value);
}

/** Money spent in the last `days` UTC days, over the last 50 purchases (see spentSince). */
export function spentInDays(spentSince: Record<number, number>, days: number, now: number): number {
  const { from, to } = dayWindow(days, now);
  let earliest: number | null = null;
  let amount = 0;
  for (const [day, spent] of Object.entries(spentSince)) {
    const d = Number(day);
    if (d >= from && d <= to && (earliest === null || d < earliest)) {
      earliest = d;
      amount = spent;
    }
  }
  return amount;
}
