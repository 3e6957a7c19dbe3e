import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseSegmentFilter } from '../../../src/segments/filters';
import { filterToGroups, groupsToFilter } from '../../../src/segments/groups';
import { filterTree, profileSummary } from './arbitraries';
import { filter, memoryMatches } from './helpers';

const A = { random_bucket: { comparison: 'less_than', value: 5000 } };
const B = { email_available: { value: true } };
const C = { custom_event: { event_name: 'open', comparison: 'did' } };
const D = { push_subscription_status: { comparison: 'is', value: 'opted_in' } };

describe('groupsToFilter', () => {
  it('joins groups by the between-groups connector and appends exclusions as NOT', () => {
    const r = groupsToFilter({
      groups: [
        { connector: 'AND', filters: [A, B] },
        { connector: 'OR', filters: [C] },
      ],
      between_groups: 'OR',
      exclusions: [{ connector: 'OR', filters: [D] }],
    });
    expect(r).toEqual({
      ok: true,
      filter: { AND: [{ OR: [{ AND: [A, B] }, { OR: [C] }] }, { NOT: { OR: [D] } }] },
    });
  });

  it('leaves out the exclusion wrapper when there are no exclusions', () => {
    expect(groupsToFilter({ groups: [{ connector: 'AND', filters: [A] }] })).toEqual({
      ok: true,
      filter: { AND: [{ AND: [A] }] },
    });
  });

  it('accepts a bare array of groups', () => {
    expect(groupsToFilter([{ connector: 'OR', filters: [A, B] }])).toEqual({
      ok: true,
      filter: { AND: [{ OR: [A, B] }] },
    });
  });

  it('names an invalid filter by group and position', () => {
    const bad = {
      custom_event: { event_name: 'open', comparison: 'count_in_days_exactly', value: 1, days: 0 },
    };
    expect(
      groupsToFilter({
        groups: [{ connector: 'AND', filters: [A] }],
        exclusions: [{ connector: 'AND', filters: [B, bad] }],
      }),
    ).toEqual({
      ok: false,
      error: 'exclusions[0].filters[1].custom_event: days must be 1..30',
    });
  });

  it('refuses an empty group and a missing connector', () => {
    expect(groupsToFilter({ groups: [{ connector: 'AND', filters: [] }] })).toEqual({
      ok: false,
      error: 'groups[0].filters: a group needs at least one filter',
    });
    expect(groupsToFilter({ groups: [{ filters: [A] }] }).ok).toBe(false);
    expect(groupsToFilter({ groups: [] })).toEqual({
      ok: false,
      error: 'groups: a segment needs at least one filter group',
    });
  });
});

describe('filterToGroups', () => {
  it('reads a Connected Audience AND of leaves as one group', () => {
    expect(filterToGroups(filter({ AND: [A, B] }))).toEqual({
      groups: [{ connector: 'AND', filters: [A, B] }],
      between_groups: 'AND',
      exclusions: [],
    });
  });

  it('reads (A AND B) OR (C) with an exclusion', () => {
    expect(filterToGroups(filter({ AND: [{ OR: [{ AND: [A, B] }, C] }, { NOT: D }] }))).toEqual({
      groups: [
        { connector: 'AND', filters: [A, B] },
        { connector: 'AND', filters: [C] },
      ],
      between_groups: 'OR',
      exclusions: [{ connector: 'AND', filters: [D] }],
    });
  });

  it('answers null for trees deeper than two levels', () => {
    expect(filterToGroups(filter({ OR: [{ AND: [A, { OR: [B, C] }] }, D] }))).toBeNull();
    expect(filterToGroups(filter({ NOT: A }))).toBeNull();
  });

  it('round-trips the dashboard form exactly', () => {
    const form = {
      groups: [
        { connector: 'OR' as const, filters: [filter(A), filter(B)] },
        { connector: 'AND' as const, filters: [filter(C)] },
      ],
      between_groups: 'AND' as const,
      exclusions: [{ connector: 'OR' as const, filters: [filter(D)] }],
    };
    const tree = groupsToFilter(form);
    expect(tree.ok && filterToGroups(tree.filter)).toEqual(form);
  });

  it('keeps the meaning of every tree it can express', () => {
    fc.assert(
      fc.property(
        fc.array(profileSummary, { minLength: 1, maxLength: 8 }),
        filterTree,
        (profiles, json) => {
          const tree = filter(json);
          const groups = filterToGroups(tree);
          fc.pre(groups !== null);
          const back = groupsToFilter(groups);
          if (!back.ok) throw new Error(back.error);
          expect(parseSegmentFilter(back.filter).ok).toBe(true);
          const summaries = profiles.map((p, i) => ({ ...p, profileId: `p${i}` }));
          expect(memoryMatches(summaries, back.filter)).toEqual(memoryMatches(summaries, tree));
        },
      ),
      { numRuns: 200 },
    );
  }, 30_000);
});
