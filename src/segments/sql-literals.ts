import { type SQL, sql } from 'drizzle-orm';

/**
 * Constants in compiled segment SQL are inlined as literals rather than bound: D1 accepts at most
 * 100 bound parameters per query, and one segment may hold 100 filters with 256-value lists. This
 * is safe because SQLite string literals have one escape (a doubled quote), the parser refuses
 * NUL in every filter string, and numbers are finite and rendered so SQLite reads the same double.
 */

/** A string as an SQL literal. */
export function text(s: string): SQL {
  if (s.includes('\0')) throw new Error('NUL in a segment SQL literal');
  return sql.raw(`'${s.replaceAll("'", "''")}'`);
}

/** A finite number as an SQL literal that SQLite parses back to the same double. */
export function num(n: number): SQL {
  if (!Number.isFinite(n)) throw new Error(`non-finite number in segment SQL: ${n}`);
  if (Number.isSafeInteger(n)) return sql.raw(n < 0 ? `(${n})` : String(n));
  const s = String(n);
  // Integers beyond 2^53 print without a point; SQLite would read them as (different) int64s.
  return sql.raw(`(${/[.e]/.test(s) ? s : n.toExponential()})`);
}

/** A JSON document (a list of filter values) as an SQL string literal. */
export function json(value: unknown): SQL {
  return text(JSON.stringify(value));
}

/** NOT that treats NULL (unknown) as false first, so negations agree with the evaluator. */
export function not(condition: SQL): SQL {
  return sql`(NOT coalesce(${condition}, 0))`;
}

export const TRUE = sql.raw('1');
export const FALSE = sql.raw('0');
