import { describe, expect, it } from 'vitest';
import { decideFlag, evaluateFlags, rolloutBucket } from '../../../src/flags/evaluate';
import type { FlagDefinition } from '../../../src/flags/model';

const users = Array.from({ length: 2_000 }, (_, i) => `profile-${i}`);

function flag(over: Partial<FlagDefinition> = {}): FlagDefinition {
  return {
    id: 'new_checkout',
    properties: { color: { type: 'string', value: 'blue' } },
    rules: [],
    everyoneElse: { enabled: true, rollout: 10 },
    ...over,
  };
}

const enabledSet = (f: FlagDefinition, inSegment: (id: string) => boolean = () => false) =>
  new Set(
    users.filter(
      (profileId) => decideFlag(f, { profileId, inGlobalControl: false, inSegment }).enabled,
    ),
  );

describe('feature flag rollout', () => {
  it('enables about the rollout percentage of users', () => {
    const on = enabledSet(flag()).size / users.length;
    expect(on).toBeGreaterThan(0.07);
    expect(on).toBeLessThan(0.13);
  });

  it('is sticky: 10 % → 20 % keeps the first 10 %, back to 10 % keeps them again', () => {
    const ten = enabledSet(flag());
    const twenty = enabledSet(flag({ everyoneElse: { enabled: true, rollout: 20 } }));
    for (const u of ten) expect(twenty.has(u)).toBe(true);
    expect(twenty.size).toBeGreaterThan(ten.size);
    expect(enabledSet(flag())).toEqual(ten);
  });

  it('buckets independently per flag', () => {
    const a = users.map((u) => rolloutBucket('a', u));
    const b = users.map((u) => rolloutBucket('b', u));
    expect(a).not.toEqual(b);
    expect(Math.min(...a)).toBe(0);
    expect(Math.max(...a)).toBe(99);
  });

  it('0 % and a disabled Everyone Else turn everyone off', () => {
    expect(enabledSet(flag({ everyoneElse: { enabled: true, rollout: 0 } })).size).toBe(0);
    expect(enabledSet(flag({ everyoneElse: { enabled: false, rollout: 100 } })).size).toBe(0);
  });

  it('lets the first matching rule decide, top-down, before Everyone Else', () => {
    const f = flag({
      rules: [
        { segmentId: 'vip', rollout: 100 },
        { segmentId: 'beta', rollout: 0 },
      ],
      everyoneElse: { enabled: true, rollout: 100 },
    });
    const decide = (segments: string[]) =>
      decideFlag(f, {
        profileId: 'p',
        inGlobalControl: false,
        inSegment: (id) => segments.includes(id),
      });
    expect(decide(['vip', 'beta'])).toEqual({ rule: 0, enabled: true });
    expect(decide(['beta'])).toEqual({ rule: 1, enabled: false });
    expect(decide([])).toEqual({ rule: 'everyone_else', enabled: true });
  });

  it('never enables the Global Control Group', () => {
    const f = flag({ everyoneElse: { enabled: true, rollout: 100 } });
    expect(decideFlag(f, { profileId: 'p', inGlobalControl: true, inSegment: () => true })).toEqual(
      { rule: 'global_control', enabled: false },
    );
  });

  it('answers properties only for flags that are on, and evaluates each segment once', () => {
    const calls: string[] = [];
    const flags = [
      flag({ id: 'on', everyoneElse: { enabled: true, rollout: 100 } }),
      flag({ id: 'off', everyoneElse: { enabled: false, rollout: 0 } }),
      flag({ id: 'seg', rules: [{ segmentId: 's', rollout: 100 }] }),
      flag({ id: 'seg2', rules: [{ segmentId: 's', rollout: 100 }] }),
    ];
    const out = evaluateFlags(flags, {
      profileId: 'p',
      inGlobalControl: false,
      inSegment: (id) => {
        calls.push(id);
        return true;
      },
    });
    expect(out.map((f) => [f.id, f.enabled, Object.keys(f.properties)])).toEqual([
      ['on', true, ['color']],
      ['off', false, []],
      ['seg', true, ['color']],
      ['seg2', true, ['color']],
    ]);
    expect(calls).toEqual(['s']);
  });
});
