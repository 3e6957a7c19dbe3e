import { z } from 'zod';
import { type LeafFilter, type ParseResult, parseFilterNode, type SegmentFilter } from './filters';

/**
 * Braze's dashboard form of a segment (§2.14): filter groups, one connector between them, and
 * exclusion groups each applied as AND NOT. It converts to the tree as
 * `AND[ between(groups…), NOT(exclusion₁), NOT(exclusion₂), … ]` (just the groups node when there
 * are no exclusions), and back whenever a tree has that two-level shape.
 */

export const Connector = z.enum(['AND', 'OR']);
export type Connector = z.infer<typeof Connector>;

const RawGroup = z.strictObject({ connector: Connector, filters: z.array(z.unknown()) });
const RawGroups = z.strictObject({
  groups: z.array(RawGroup),
  between_groups: Connector.default('AND'),
  exclusions: z.array(RawGroup).default([]),
});

export interface FilterGroup {
  connector: Connector;
  filters: LeafFilter[];
}

export interface SegmentGroups {
  groups: FilterGroup[];
  between_groups: Connector;
  exclusions: FilterGroup[];
}

const join = (connector: Connector, items: SegmentFilter[]): SegmentFilter =>
  connector === 'AND' ? { AND: items } : { OR: items };

/**
 * Validates the dashboard form (or a bare array of groups) and converts it to a filter tree;
 * errors name the filter as `groups[0].filters[1].custom_event: …`.
 */
export function groupsToFilter(json: unknown): ParseResult {
  const raw = RawGroups.safeParse(Array.isArray(json) ? { groups: json } : json);
  if (!raw.success) {
    const issue = raw.error.issues[0]!;
    const where = issue.path.length ? issue.path.map(String).join('.') : 'groups';
    return { ok: false, error: `${where}: ${issue.message}` };
  }
  const { groups, between_groups, exclusions } = raw.data;
  if (groups.length === 0)
    return { ok: false, error: 'groups: a segment needs at least one filter group' };
  const budget = { filters: 0 };
  const convert = (list: typeof groups, name: string, depth: number) => {
    const out: SegmentFilter[] = [];
    for (const [i, g] of list.entries()) {
      if (g.filters.length === 0) return `${name}[${i}].filters: a group needs at least one filter`;
      const filters: SegmentFilter[] = [];
      for (const [j, f] of g.filters.entries()) {
        const r = parseFilterNode(f, { path: `${name}[${i}].filters[${j}]`, depth, budget });
        if (!r.ok) return r.error;
        filters.push(r.filter);
      }
      out.push(join(g.connector, filters));
    }
    return out;
  };
  const included = convert(groups, 'groups', 3);
  if (typeof included === 'string') return { ok: false, error: included };
  const excluded = convert(exclusions, 'exclusions', 4);
  if (typeof excluded === 'string') return { ok: false, error: excluded };
  const main = join(between_groups, included);
  if (excluded.length === 0) return { ok: true, filter: main };
  return { ok: true, filter: { AND: [main, ...excluded.map((e) => ({ NOT: e }))] } };
}

function isLeaf(f: SegmentFilter): f is LeafFilter {
  return !('AND' in f || 'OR' in f || 'NOT' in f);
}

/** A node as one group: a leaf alone, or AND/OR over leaves. */
function asGroup(f: SegmentFilter): FilterGroup | null {
  if (isLeaf(f)) return { connector: 'AND', filters: [f] };
  if ('NOT' in f) return null;
  const connector: Connector = 'AND' in f ? 'AND' : 'OR';
  const children = 'AND' in f ? f.AND : f.OR;
  return children.every(isLeaf) ? { connector, filters: children } : null;
}

function connectorOf(f: SegmentFilter): { connector: Connector; children: SegmentFilter[] } | null {
  if ('AND' in f) return { connector: 'AND', children: f.AND };
  if ('OR' in f) return { connector: 'OR', children: f.OR };
  return null;
}

/** The dashboard form of a tree, or null when the tree is deeper than groups can express. */
export function filterToGroups(filter: SegmentFilter): SegmentGroups | null {
  let main: SegmentFilter = filter;
  const exclusions: FilterGroup[] = [];
  if ('AND' in filter && filter.AND.some((c) => 'NOT' in c)) {
    const rest: SegmentFilter[] = [];
    for (const c of filter.AND) {
      if (!('NOT' in c)) {
        rest.push(c);
        continue;
      }
      const g = asGroup(c.NOT);
      if (!g) return null;
      exclusions.push(g);
    }
    if (rest.length === 0) return null;
    main = rest.length === 1 ? rest[0]! : { AND: rest };
  }
  if (isLeaf(main))
    return { groups: [{ connector: 'AND', filters: [main] }], between_groups: 'AND', exclusions };
  const top = connectorOf(main);
  if (!top) return null;
  if (top.children.every(isLeaf)) {
    return {
      groups: [{ connector: top.connector, filters: top.children as LeafFilter[] }],
      between_groups: 'AND',
      exclusions,
    };
  }
  const groups: FilterGroup[] = [];
  for (const c of top.children) {
    const g = asGroup(c);
    if (!g) return null;
    groups.push(g);
  }
  return { groups, between_groups: top.connector, exclusions };
}
