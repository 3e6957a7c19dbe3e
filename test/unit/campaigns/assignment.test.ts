import { describe, expect, it } from 'vitest';
import {
  type AssignmentPlan,
  assignmentBucket,
  assignmentPlan,
  assignVariant,
} from '../../../src/campaigns/assignment';

/**
 * Statistical bounds: assignment is deterministic, so each test below always gives the same
 * answer. The bounds are chi-square critical values at p = 0.001 — a uniform hash fails one of
 * them on a given set of ids with probability 0.1 %, while a biased one (a skewed modulo, a
 * correlation between campaigns) overshoots them by orders of magnitude.
 */
const CHI2_P001 = { 1: 10.83, 2: 13.82, 4: 18.47, 99: 148.23 } as const;

/**
 * 10,000 profile ids shaped like Herald's (24 hex: creation second, then 8 random bytes), drawn
 * from a seeded generator, and half of them sharing one creation second: ids that differ only in
 * their last characters are the hard case for a string hash.
 */
function profileIds(n: number): string[] {
  let seed = 0x2545f491;
  const rand = () => {
    seed ^= seed << 13;
    seed ^= seed >>> 17;
    seed ^= seed << 5;
    return (seed >>> 0).toString(16).padStart(8, '0');
  };
  return Array.from({ length: n }, (_, i) =>
    i % 2 === 0
      ? `6763a1b0${rand()}${rand()}`
      : `6763a1b0000000000000${(i >> 1).toString(16).padStart(4, '0')}`,
  );
}

const USERS = profileIds(10_000);
const CAMPAIGN = '5f1c9e0a-7d3b-4c2e-9a61-0d8f3b2a4c11';

function chiSquare(observed: number[], expected: number[]): number {
  return observed.reduce((sum, o, i) => sum + (o - expected[i]!) ** 2 / expected[i]!, 0);
}

function plan(
  variants: [string, number][],
  control: number,
  campaignId = CAMPAIGN,
): AssignmentPlan {
  return {
    campaignId,
    variants: variants.map(([id, percentage]) => ({ id, percentage })),
    controlPercentage: control,
    respectsGlobalControl: true,
  };
}

function tally(p: AssignmentPlan): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const profileId of USERS) {
    const a = assignVariant(p, { profileId });
    const key = a.type === 'variant' ? a.variantId : a.type;
    counts[key] = (counts[key] ?? 0) + 1;
  }
  return counts;
}

describe('assignmentBucket', () => {
  it('spreads 10,000 users evenly over the 100 buckets', () => {
    const counts = new Array<number>(100).fill(0);
    for (const u of USERS) counts[assignmentBucket(CAMPAIGN, u)]! += 1;
    expect(chiSquare(counts, new Array(100).fill(100))).toBeLessThan(CHI2_P001[99]);
  });

  it('is the same for a user on every call', () => {
    for (const u of USERS.slice(0, 100)) {
      expect(assignmentBucket(CAMPAIGN, u)).toBe(assignmentBucket(CAMPAIGN, u));
    }
  });
});

describe('assignVariant', () => {
  it('splits 10,000 users 20/40/40 between control and two variants', () => {
    const counts = tally(
      plan(
        [
          ['a', 40],
          ['b', 40],
        ],
        20,
      ),
    );
    const observed = [counts.control ?? 0, counts.a ?? 0, counts.b ?? 0];
    expect(observed.reduce((x, y) => x + y)).toBe(10_000);
    expect(chiSquare(observed, [2_000, 4_000, 4_000])).toBeLessThan(CHI2_P001[2]);
  });

  it('splits 10,000 users evenly over four variants and a control group', () => {
    const counts = tally(
      plan(
        [
          ['a', 20],
          ['b', 20],
          ['c', 20],
          ['d', 20],
        ],
        20,
      ),
    );
    const observed = ['control', 'a', 'b', 'c', 'd'].map((k) => counts[k] ?? 0);
    expect(chiSquare(observed, new Array(5).fill(2_000))).toBeLessThan(CHI2_P001[4]);
  });

  it('puts everyone in the only variant when there is no control group', () => {
    expect(tally(plan([['only', 100]], 0))).toEqual({ only: 10_000 });
  });

  it('assigns each user independently in two campaigns', () => {
    // Control membership in one campaign must not predict it in another (2×2 contingency test).
    const a = plan([['v', 50]], 50, 'campaign-a');
    const b = plan([['v', 50]], 50, 'campaign-b');
    const table = [0, 0, 0, 0];
    for (const profileId of USERS) {
      const inA = assignVariant(a, { profileId }).type === 'control' ? 1 : 0;
      const inB = assignVariant(b, { profileId }).type === 'control' ? 1 : 0;
      table[inA * 2 + inB]! += 1;
    }
    const rows = [table[0]! + table[1]!, table[2]! + table[3]!];
    const cols = [table[0]! + table[2]!, table[1]! + table[3]!];
    const expected = [0, 1, 2, 3].map((i) => (rows[i >> 1]! * cols[i & 1]!) / 10_000);
    expect(chiSquare(table, expected)).toBeLessThan(CHI2_P001[1]);
  });

  it('keeps a user in the same variant while the percentages stay the same', () => {
    const p = plan(
      [
        ['a', 30],
        ['b', 30],
        ['c', 30],
      ],
      10,
    );
    const first = USERS.map((profileId) => assignVariant(p, { profileId }));
    const again = USERS.map((profileId) => assignVariant({ ...p }, { profileId }));
    expect(again).toEqual(first);
  });

  it('moves only the users of the shrunk slice when a variant grows at the expense of the next', () => {
    const before = plan(
      [
        ['a', 50],
        ['b', 50],
      ],
      0,
    );
    const after = plan(
      [
        ['a', 60],
        ['b', 40],
      ],
      0,
    );
    for (const profileId of USERS) {
      const was = assignVariant(before, { profileId });
      const is = assignVariant(after, { profileId });
      if (was.type === 'variant' && was.variantId === 'a') expect(is).toEqual(was);
    }
  });

  it('keeps a former control user in the control group, even after control is removed', () => {
    const p = plan([['a', 100]], 0);
    for (const profileId of USERS.slice(0, 200)) {
      expect(assignVariant(p, { profileId, previous: { type: 'control' } })).toEqual({
        type: 'control',
      });
    }
  });

  it('never puts a user who received a variant into the control group', () => {
    const p = plan(
      [
        ['a', 25],
        ['b', 25],
      ],
      50,
    );
    const counts: Record<string, number> = {};
    for (const profileId of USERS) {
      const r = assignVariant(p, { profileId, previous: { type: 'received', variantId: 'a' } });
      expect(r.type).toBe('variant');
      if (r.type === 'variant') counts[r.variantId] = (counts[r.variantId] ?? 0) + 1;
    }
    // They are re-placed over the variants alone, still in proportion.
    expect(chiSquare([counts.a ?? 0, counts.b ?? 0], [5_000, 5_000])).toBeLessThan(CHI2_P001[1]);
  });

  it('withholds the Global Control Group before any campaign assignment', () => {
    const p = plan([['a', 100]], 0);
    expect(assignVariant(p, { profileId: USERS[0]!, inGlobalControlGroup: true })).toEqual({
      type: 'global_control',
    });
  });

  it('sends to Global Control Group members when the campaign does not respect the group', () => {
    const p = { ...plan([['a', 100]], 0), respectsGlobalControl: false };
    expect(assignVariant(p, { profileId: USERS[0]!, inGlobalControlGroup: true })).toEqual({
      type: 'variant',
      variantId: 'a',
    });
  });
});

describe('assignmentPlan', () => {
  it("reads a saved campaign's variants, control group and Global Control Group setting", () => {
    const p = assignmentPlan({
      id: 'c1',
      variants: [{ id: 'a', percentage: 70, name: 'A' } as { id: string; percentage: number }],
      controlPercentage: 30,
      controls: { global_control_group: false },
    });
    expect(p).toEqual({
      campaignId: 'c1',
      variants: [{ id: 'a', percentage: 70 }],
      controlPercentage: 30,
      respectsGlobalControl: false,
    });
  });
});
