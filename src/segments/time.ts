import { parseBrazeTime } from '../ingestion/time';

/**
 * Time arithmetic shared by both evaluators (evaluate.ts in memory, compile-sql.ts in D1), so that
 * they cut windows at exactly the same instants. Relative filters count 24-hour units back from
 * the evaluation time (`now`), never from when the segment was saved.
 */

export const DAY_MS = 86_400_000;

/** X-in-Y counts are only distinguishable up to 50; anything above reads as 51. */
export const COUNT_SATURATION = 51;

/** One side of a time or number window. */
export interface Bound {
  op: '>' | '>=' | '<' | '<=';
  at: number;
}

/** The comparisons every time-valued filter shares, named as Braze's custom-attribute API does. */
export type TimeComparison =
  | 'after'
  | 'before'
  | 'less_than_x_days_ago'
  | 'greater_than_x_days_ago'
  | 'less_than_x_days_in_the_future'
  | 'greater_than_x_days_in_the_future';

/** Epoch ms of a Braze date/time string, or null when it is not one. */
export function parseTime(input: string): number | null {
  const date = parseBrazeTime(input);
  return date ? date.getTime() : null;
}

/** UTC day number of an epoch-ms time (the keys of ProfileSummary's daily counters). */
export function utcDay(ms: number): number {
  return Math.floor(ms / DAY_MS);
}

/** The UTC days an "in the last Y days" window covers: today is day 0, so Y + 1 days in all. */
export function dayWindow(days: number, now: number): { from: number; to: number } {
  const today = utcDay(now);
  return { from: today - days, to: today };
}

// Bounds are rounded to whole milliseconds in the direction that keeps the comparison exact for
// integer times, so SQL can inline them as integers and both evaluators compare the same numbers.
const below = (at: number): Bound => ({ op: '<', at: Math.ceil(at) });
const above = (at: number): Bound => ({ op: '>', at: Math.floor(at) });
const atMost = (at: number): Bound => ({ op: '<=', at: Math.floor(at) });
const atLeast = (at: number): Bound => ({ op: '>=', at: Math.ceil(at) });

/** The bounds a time must satisfy for a time comparison evaluated at `now`. */
export function timeBounds(
  comparison: TimeComparison,
  value: number | string,
  now: number,
): Bound[] {
  if (comparison === 'after' || comparison === 'before') {
    const at = typeof value === 'string' ? parseTime(value) : value;
    // The parser guarantees a valid time; an impossible bound keeps a bad stored value inert.
    if (at === null) return [{ op: '<', at: Number.MIN_SAFE_INTEGER }];
    return [comparison === 'after' ? above(at) : below(at)];
  }
  const span = Number(value) * DAY_MS;
  switch (comparison) {
    case 'less_than_x_days_ago':
      return [above(now - span), atMost(now)];
    case 'greater_than_x_days_ago':
      return [below(now - span)];
    case 'less_than_x_days_in_the_future':
      return [atLeast(now), below(now + span)];
    case 'greater_than_x_days_in_the_future':
      return [above(now + span)];
  }
}

function meets(x: number, b: Bound): boolean {
  switch (b.op) {
    case '>':
      return x > b.at;
    case '>=':
      return x >= b.at;
    case '<':
      return x < b.at;
    case '<=':
      return x <= b.at;
  }
}

/** Whether `x` satisfies every bound. */
export function withinBounds(x: number, bounds: Bound[]): boolean {
  return bounds.every((b) => meets(x, b));
}

/** Maps the event/purchase/session spellings (`more_than_x_days_ago`, …) onto TimeComparison. */
export function recencyComparison(
  suffix: 'after' | 'before' | 'more_than_x_days_ago' | 'less_than_x_days_ago',
): TimeComparison {
  return suffix === 'more_than_x_days_ago' ? 'greater_than_x_days_ago' : suffix;
}

type RecencySuffix = 'after' | 'before' | 'more_than_x_days_ago' | 'less_than_x_days_ago';

/** Splits `first_did_before`, `last_purchase_more_than_x_days_ago`, … into which moment and how. */
export function firstOrLast(comparison: string): { which: 'first' | 'last'; time: TimeComparison } {
  const suffix = comparison.replace(/^(first|last)_(did|purchase)_/, '') as RecencySuffix;
  return {
    which: comparison.startsWith('first_') ? 'first' : 'last',
    time: recencyComparison(suffix),
  };
}

/** The operator of a `*_more_than` / `*_less_than` / `*_exactly` count comparison. */
export function countOp(comparison: string): '>' | '<' | '=' {
  if (comparison.endsWith('more_than')) return '>';
  return comparison.endsWith('less_than') ? '<' : '=';
}

/** Applies a count operator. */
export function compareCount(x: number, op: '>' | '<' | '=', n: number): boolean {
  return op === '>' ? x > n : op === '<' ? x < n : x === n;
}
