import { type SQL, sql } from 'drizzle-orm';
import type { Scalar } from '../ingestion/types';
import type { CustomAttributeFilter } from './filters';
import { patternsOf } from './regex';
import { FALSE, json, not, num, text } from './sql-literals';
import { type Bound, timeBounds } from './time';

/**
 * Custom attribute filters as SQL over `p.custom` (`{name: {"t": type, "v": value}}`), mirroring
 * evaluate-attribute.ts and the name resolution of attribute.ts: a stored name wins, otherwise a
 * dotted name is a path into an object attribute and its leaf's kind is its JSON type.
 */

const C = sql.raw('p.custom');

function quoted(key: string): string {
  return `."${key}"`;
}

function jsonKind(path: SQL): SQL {
  return sql`(CASE json_type(${C}, ${path}) WHEN 'text' THEN 'string' WHEN 'integer' THEN 'number'
    WHEN 'real' THEN 'number' WHEN 'true' THEN 'boolean' WHEN 'false' THEN 'boolean'
    WHEN 'array' THEN 'array' WHEN 'object' THEN 'object' END)`;
}

/** The value's kind (NULL when absent or null) and its JSON path inside `p.custom`. */
function resolve(name: string): { kind: SQL; path: SQL } {
  const root = `$${quoted(name)}`;
  const flatPath = text(`${root}.v`);
  const flatKind = sql`(CASE WHEN coalesce(json_type(${C}, ${flatPath}), 'null') = 'null' THEN NULL
    ELSE json_extract(${C}, ${text(`${root}.t`)}) END)`;
  const [top, ...rest] = name.split('.');
  if (rest.length === 0 || top === undefined) return { kind: flatKind, path: flatPath };
  const nestedPath = text(`$${quoted(top)}.v${rest.map(quoted).join('')}`);
  const stored = sql`json_type(${C}, ${text(root)}) IS NOT NULL`;
  const isObject = sql`json_extract(${C}, ${text(`$${quoted(top)}.t`)}) = 'object'`;
  return {
    kind: sql`(CASE WHEN ${stored} THEN ${flatKind} WHEN ${isObject} THEN ${jsonKind(nestedPath)} END)`,
    path: sql`(CASE WHEN ${stored} THEN ${flatPath} ELSE ${nestedPath} END)`,
  };
}

// Conditions read the resolved attribute from a one-row derived table `a`, so the (possibly long)
// resolution is written once per filter: kind `k`, path `pth`, json_type `ty`, value `v`.
const a = {
  kind: sql.raw('a.k'),
  type: sql.raw('a.ty'),
  value: sql.raw('a.v'),
  path: sql.raw('a.pth'),
};

/** An expression inside every bound (time or number windows). */
export function boundsSql(expr: SQL, list: Bound[]): SQL {
  return sql.join(
    list.map((b) => sql`${expr} ${sql.raw(b.op)} ${num(b.at)}`),
    sql` AND `,
  );
}

/** Compiled LIKE patterns of a regex against a text expression (ASCII case folding). */
export function likeAny(expr: SQL, regex: string): SQL {
  const patterns = patternsOf(regex);
  if (patterns.length === 0) return FALSE;
  return sql`(${sql.join(
    patterns.map((p) => sql`lower(${expr}) LIKE ${text(p)} ESCAPE '\\'`),
    sql` OR `,
  )})`;
}

/** One array element (`je`) equal to a scalar, type for type. */
function elementIs(v: Scalar): SQL {
  if (typeof v === 'string') return sql`(je.type = 'text' AND je.value = ${text(v)})`;
  if (typeof v === 'boolean') return sql`je.type = ${text(v ? 'true' : 'false')}`;
  return sql`(je.type IN ('integer', 'real') AND je.value = ${num(v)})`;
}

// Element `je` equal to list item `q`; numbers compare across JSON's integer/real spellings.
const ELEMENT_IS_ITEM = sql`je.value = q.value AND (je.type = q.type
  OR (je.type IN ('integer', 'real') AND q.type IN ('integer', 'real')))`;

/** A custom attribute filter as an SQL condition over `p`, evaluated at `now`. */
export function compileCustomAttribute(f: CustomAttributeFilter, now: number): SQL {
  const { kind, path } = resolve(f.custom_attribute_name);
  return sql`EXISTS (SELECT 1 FROM (SELECT k, pth, json_type(${C}, pth) AS ty, json_extract(${C}, pth) AS v
    FROM (SELECT ${kind} AS k, ${path} AS pth)) a WHERE ${condition(f, now)})`;
}

function condition(f: CustomAttributeFilter, now: number): SQL {
  const absent = sql`(${a.kind} IS NULL)`;
  const isStr = sql`(${a.kind} = 'string' AND ${a.type} = 'text')`;
  const isNum = sql`(${a.kind} = 'number' AND ${a.type} IN ('integer', 'real'))`;
  const isArr = sql`(${a.kind} = 'array' AND ${a.type} = 'array')`;
  const isBool = (b: boolean) =>
    sql`(${a.kind} = 'boolean' AND ${a.type} = ${text(b ? 'true' : 'false')})`;
  const elements = sql`json_each(${C}, ${a.path}) je`;
  const length = sql`json_array_length(${C}, ${a.path})`;
  const blank = sql`(${absent} OR (${a.type} = 'text' AND ${a.value} = '') OR (${a.type} = 'array' AND ${length} = 0))`;

  const equals = (v: Scalar): SQL => {
    if (typeof v === 'string') return sql`(${isStr} AND ${a.value} = ${text(v)})`;
    if (typeof v === 'boolean') return isBool(v);
    const exact = sql`(${isNum} AND ${a.value} = ${num(v)})`;
    return v === 0 ? sql`(${exact} OR ${absent})` : exact;
  };
  const numberIs = (op: string, n: number) =>
    sql`(${isNum} AND ${a.value} ${sql.raw(op)} ${num(n)})`;
  const includesAny = (values: Scalar[]): SQL =>
    values.length === 1
      ? sql`(${isArr} AND EXISTS (SELECT 1 FROM ${elements} WHERE ${elementIs(values[0]!)}))`
      : sql`(${isArr} AND EXISTS (SELECT 1 FROM ${elements}, json_each(${json(values)}) q WHERE ${ELEMENT_IS_ITEM}))`;
  const anyOf = (values: string[]) =>
    sql`(${isStr} AND ${a.value} IN (SELECT value FROM json_each(${json(values)})))`;
  const containsAny = (values: string[]) =>
    sql`(${isStr} AND EXISTS (SELECT 1 FROM json_each(${json(values)}) q WHERE instr(${a.value}, q.value) > 0))`;

  switch (f.comparison) {
    case 'exists':
      return sql`(${a.kind} IS NOT NULL)`;
    case 'does_not_exist':
      return absent;
    case 'is_blank':
      return blank;
    case 'is_not_blank':
      return not(blank);
    case 'is_empty':
      return sql`(${absent} OR (${isArr} AND ${length} = 0))`;
    case 'has_a_value':
      return sql`(${isArr} AND ${length} > 0)`;
    case 'is_true_or_not_set':
      return sql`(${absent} OR ${isBool(true)})`;
    case 'is_false_or_not_set':
      return sql`(${absent} OR ${isBool(false)})`;
    case 'equals':
      return equals(f.value);
    case 'not_equal':
    case 'does_not_equal':
      return not(equals(f.value));
    case 'greater_than':
      return numberIs('>', f.value);
    case 'greater_than_or_equal_to':
      return numberIs('>=', f.value);
    case 'less_than':
      return sql`(${absent} OR ${numberIs('<', f.value)})`;
    case 'less_than_or_equal_to':
      return numberIs('<=', f.value);
    case 'matches_regex':
      return sql`((${isStr} AND ${likeAny(a.value, f.value)})
        OR (${isArr} AND EXISTS (SELECT 1 FROM ${elements} WHERE je.type = 'text' AND ${likeAny(sql`je.value`, f.value)})))`;
    case 'does_not_match_regex':
      return sql`(${isStr} AND ${a.value} <> '' AND ${not(likeAny(a.value, f.value))})`;
    case 'includes_value':
      return includesAny([f.value]);
    case 'does_not_include_value':
      return not(includesAny([f.value]));
    case 'is_any_of':
      return anyOf(f.value);
    case 'is_none_of':
      return not(anyOf(f.value));
    case 'contains_any_of':
      return containsAny(f.value);
    case 'does_not_contain_any_of':
      return not(containsAny(f.value));
    case 'includes_any_of':
      return includesAny(f.value);
    case 'includes_none_of':
      return not(includesAny(f.value));
    case 'is_all_of':
      return sql`(${isArr} AND NOT EXISTS (SELECT 1 FROM json_each(${json(f.value)}) q
        WHERE NOT EXISTS (SELECT 1 FROM ${elements} WHERE ${ELEMENT_IS_ITEM})))`;
    case 'less_than_x_days_ago':
    case 'greater_than_x_days_ago':
    case 'less_than_x_days_in_the_future':
    case 'greater_than_x_days_in_the_future':
    case 'after':
    case 'before':
      return sql`(${a.kind} = 'time' AND ${a.type} IN ('integer', 'real')
        AND ${boundsSql(a.value, timeBounds(f.comparison, f.value, now))})`;
  }
}
