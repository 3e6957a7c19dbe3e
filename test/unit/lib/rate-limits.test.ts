import { describe, expect, it } from 'vitest';
import { admit } from '../../../src/auth/rate-lease';
import { grantLease, type Lease, leaseSize } from '../../../src/auth/rate-limits';

describe('grantLease', () => {
  const rule = { limit: 10, windowSeconds: 3 };

  it('never grants more than the limit in a window', () => {
    const state = { windowStart: 0, count: 0 };
    const t = 3_000_000;
    expect(grantLease(state, { rule, want: 6, now: t }).granted).toBe(6);
    expect(grantLease(state, { rule, want: 6, now: t + 1 })).toMatchObject({
      granted: 4,
      remaining: 0,
      reset: 3003,
    });
    expect(grantLease(state, { rule, want: 6, now: t + 2 }).granted).toBe(0);
  });

  it('starts a fresh budget in the next window', () => {
    const state = { windowStart: 0, count: 0 };
    grantLease(state, { rule, want: 10, now: 3_000_000 });
    expect(grantLease(state, { rule, want: 3, now: 3_003_000 }).granted).toBe(3);
  });

  it('leases 1% of the limit, between 1 and 1,000', () => {
    expect(leaseSize(2)).toBe(1);
    expect(leaseSize(3_000)).toBe(30);
    expect(leaseSize(100_000_000)).toBe(1_000);
  });
});

describe('admit', () => {
  function counter(limit: number) {
    const state = { windowStart: 0, count: 0 };
    let calls = 0;
    const take =
      (now: number) =>
      async (want: number): Promise<Lease> => {
        calls++;
        return grantLease(state, { rule: { limit, windowSeconds: 60 }, want, now });
      };
    return { take, calls: () => calls };
  }

  it('admits exactly the limit and then refuses, for a small limit', async () => {
    const c = counter(2);
    const rule = { limit: 2, windowSeconds: 60 };
    const now = 60_000 * 1000;
    const key = `k-${Math.random()}`;
    const results = [];
    for (let i = 0; i < 4; i++) results.push((await admit(key, rule, now, c.take(now))).allowed);
    expect(results).toEqual([true, true, false, false]);
  });

  it('asks the counter once per slice, not once per request', async () => {
    const c = counter(3_000);
    const rule = { limit: 3_000, windowSeconds: 60 };
    const now = 60_000 * 2000;
    const key = `k-${Math.random()}`;
    for (let i = 0; i < 90; i++) await admit(key, rule, now, c.take(now));
    expect(c.calls()).toBe(3);
  });

  it('shares one lease request among concurrent requests', async () => {
    const c = counter(3_000);
    const rule = { limit: 3_000, windowSeconds: 60 };
    const now = 60_000 * 3000;
    const key = `k-${Math.random()}`;
    const all = await Promise.all(
      Array.from({ length: 30 }, () => admit(key, rule, now, c.take(now))),
    );
    expect(all.every((d) => d.allowed)).toBe(true);
    expect(c.calls()).toBe(1);
  });
});
