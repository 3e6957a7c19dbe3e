import { z } from 'zod';
import { FILTER_KINDS, type FilterKind } from './filter-kinds';

export * from './filter-kinds';

/**
 * The segment filter tree. Canonical form is Braze's Connected Audience JSON (§2.2: `AND`/`OR`
 * nodes over single-key filter objects), extended with `NOT` (for exclusion groups) and the
 * dashboard's filter kinds. Dashboard group form converts to and from it in groups.ts.
 */

/** Deepest a tree may nest, counting the root as level 1. */
export const MAX_DEPTH = 10;
/** Most leaf filters one tree may hold. */
export const MAX_FILTERS = 100;

// zod wants a literal tuple for z.union; the kinds table builds it, so the type is stated below.
export const LeafFilter = z.union(
  (Object.keys(FILTER_KINDS) as FilterKind[]).map((k) => z.strictObject({ [k]: FILTER_KINDS[k] })),
) as unknown as z.ZodType<LeafFilter>;
export type LeafFilter = {
  [K in FilterKind]: { [P in K]: z.infer<(typeof FILTER_KINDS)[K]> };
}[FilterKind];

export type SegmentFilter =
  | LeafFilter
  | { AND: SegmentFilter[] }
  | { OR: SegmentFilter[] }
  | { NOT: SegmentFilter };

/** The tree's shape without the depth and size limits; use parseSegmentFilter at boundaries. */
export const SegmentFilter: z.ZodType<SegmentFilter> = z.lazy(() =>
  z.union([
    LeafFilter,
    z.strictObject({ AND: z.array(SegmentFilter).min(1) }),
    z.strictObject({ OR: z.array(SegmentFilter).min(1) }),
    z.strictObject({ NOT: SegmentFilter }),
  ]),
);

export type ParseResult = { ok: true; filter: SegmentFilter } | { ok: false; error: string };

type Issue = z.core.$ZodIssue;

function describeIssue(issue: Issue): string {
  const field = issue.path.map(String).join('.');
  let message = issue.message;
  if (issue.code === 'invalid_union' && 'options' in issue && Array.isArray(issue.options)) {
    message = `must be one of ${issue.options.join(', ')}`;
  } else if (issue.code === 'invalid_type' && message.startsWith('Invalid input')) {
    message = issue.input === undefined ? 'is required' : `must be ${issue.expected}`;
  } else if (issue.code === 'invalid_value') {
    message = `must be one of ${issue.values.map(String).join(', ')}`;
  } else if (issue.code === 'unrecognized_keys') {
    message = `has unexpected key${issue.keys.length > 1 ? 's' : ''} ${issue.keys.join(', ')}`;
  }
  return field ? `${field} ${message}` : message;
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

const KIND_NAMES = Object.keys(FILTER_KINDS).join(', ');

/** Where a node sits, for error messages and the tree-wide limits. */
export interface ParsePosition {
  path: string;
  depth: number;
  budget: { filters: number };
}

const at = (path: string, rest: string) => (path ? `${path}.${rest}` : rest);
const fail = (error: string): ParseResult => ({ ok: false, error });

/** Parses one node of a tree at a position; the building block of parseSegmentFilter. */
export function parseFilterNode(json: unknown, pos: ParsePosition): ParseResult {
  const where = pos.path || 'filter';
  if (pos.depth > MAX_DEPTH) return fail(`${where}: filters nest deeper than ${MAX_DEPTH} levels`);
  if (!isRecord(json)) return fail(`${where}: must be an object`);
  const keys = Object.keys(json);
  if (keys.length !== 1) {
    return fail(
      `${where}: a filter must have exactly one key (AND, OR, NOT or a filter kind), got ${keys.length ? keys.join(', ') : 'none'}`,
    );
  }
  const key = keys[0]!;
  const body = json[key];
  if (key === 'AND' || key === 'OR') {
    if (!Array.isArray(body) || body.length === 0) {
      return fail(`${at(pos.path, key)}: must be a non-empty array of filters`);
    }
    const children: SegmentFilter[] = [];
    for (const [i, child] of body.entries()) {
      const r = parseFilterNode(child, {
        ...pos,
        path: at(pos.path, `${key}[${i}]`),
        depth: pos.depth + 1,
      });
      if (!r.ok) return r;
      children.push(r.filter);
    }
    return { ok: true, filter: key === 'AND' ? { AND: children } : { OR: children } };
  }
  if (key === 'NOT') {
    const r = parseFilterNode(body, { ...pos, path: at(pos.path, 'NOT'), depth: pos.depth + 1 });
    return r.ok ? { ok: true, filter: { NOT: r.filter } } : r;
  }
  if (!Object.hasOwn(FILTER_KINDS, key)) {
    return fail(
      `${where}: unknown filter kind "${key}"; expected AND, OR, NOT or one of ${KIND_NAMES}`,
    );
  }
  pos.budget.filters += 1;
  if (pos.budget.filters > MAX_FILTERS)
    return fail(`${where}: more than ${MAX_FILTERS} filters in one tree`);
  const kind = key as FilterKind;
  const parsed = FILTER_KINDS[kind].safeParse(body);
  if (!parsed.success)
    return fail(`${at(pos.path, kind)}: ${describeIssue(parsed.error.issues[0]!)}`);
  return { ok: true, filter: { [kind]: parsed.data } as LeafFilter };
}

/**
 * Validates untrusted JSON as a filter tree, with limits (depth ≤ 10, ≤ 100 filters, ≤ 256 values
 * per input); errors name the offending filter, e.g. `AND[2].custom_event: days must be 1..30`.
 */
export function parseSegmentFilter(json: unknown): ParseResult {
  return parseFilterNode(json, { path: '', depth: 1, budget: { filters: 0 } });
}
