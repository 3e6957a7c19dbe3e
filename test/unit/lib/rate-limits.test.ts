import { describe, expect, it } from 'vitest';
import { countRequest } from '../../../src/auth/rate-limits';

describe('countRequest', () => {
  const rule = { limit: 2, windowSeconds: 3 };

  it('allows up to the limit in a window, then refuses', () => {
    const state = { windowStart: 0, count: 0 };
    const t = 3_000_000;
    expect(countRequest(state, rule, t)).toEqual({
      allowed: true,
      limit: 2,
      remaining: 1,
      reset: 3003,
    });
    expect(countRequest(state, rule, t + 1).remaining).toBe(0);
    expect(countRequest(state, rule, t + 2)).toEqual({
      allowed: false,
      limit: 2,
      remaining: 0,
      reset: 3003,
    });
  });

  it('starts a fresh count in the next window', () => {
    const state = { windowStart: 0, count: 0 };
    countRequest(state, rule, 3_000_000);
    countRequest(state, rule, 3_000_000);
    expect(countRequest(state, rule, 3_003_000).allowed).toBe(true);
  });
});
