import { describe, expect, it } from 'vitest';
import { BREAKER_THRESHOLD, breakerKey, HostBreaker } from '../../../src/delivery/breaker';
import { retryDelaySeconds } from '../../../src/delivery/consumer';
import { retryAfterMs } from '../../../src/delivery/webhook';

const T0 = Date.parse('2026-11-23T10:00:00Z');

describe('HostBreaker (contract §5.4)', () => {
  it("halts a host for a minute once failures pass Braze's 3,000 in a moving minute", () => {
    const b = new HostBreaker();
    for (let i = 0; i < BREAKER_THRESHOLD; i++) b.record('h', 503, T0 + i * 10);
    expect(b.halted('h', T0 + 30_000)).toBe(false);
    b.record('h', 502, T0 + 30_001);
    expect(b.halted('h', T0 + 30_001)).toBe(true);
    expect(b.halted('h', T0 + 30_001 + 59_999)).toBe(true);
    expect(b.halted('h', T0 + 30_001 + 60_000)).toBe(false);
  });

  it('forgets failures older than the window', () => {
    const b = new HostBreaker(10, 60_000, 60_000);
    for (let i = 0; i < 10; i++) b.record('h', 429, T0);
    b.record('h', 429, T0 + 61_000);
    expect(b.halted('h', T0 + 61_000)).toBe(false);
  });

  it('counts only 408, 429, 502, 503, 504 and 529, per host', () => {
    const b = new HostBreaker(2, 60_000, 60_000);
    for (const status of [500, 404, 200, null]) b.record('h', status, T0);
    expect(b.halted('h', T0)).toBe(false);
    for (const status of [408, 529, 504]) b.record('h', status, T0);
    expect(b.halted('h', T0)).toBe(true);
    expect(b.halted('other', T0)).toBe(false);
  });

  it('keys by workspace and host name, not path or port', () => {
    expect(breakerKey('w', new URL('https://Api.Example.com:8443/a?b'))).toBe(
      breakerKey('w', new URL('https://api.example.com/c')),
    );
    expect(breakerKey('w', new URL('https://a.com'))).not.toBe(
      breakerKey('v', new URL('https://a.com')),
    );
  });
});

describe('webhook retry timing', () => {
  it('backs off three-fold from the base and stays inside 30 minutes', () => {
    expect([1, 2, 3, 4].map((a) => retryDelaySeconds(30, a, null))).toEqual([30, 90, 270, 810]);
    expect([1, 2, 3, 4].reduce((s, a) => s + retryDelaySeconds(30, a, null), 0)).toBeLessThan(
      1_800,
    );
    expect(retryDelaySeconds(30, 9, null)).toBe(1_800);
  });

  it('waits longer when the host asks to with Retry-After, never shorter', () => {
    expect(retryDelaySeconds(30, 1, 120_000)).toBe(120);
    expect(retryDelaySeconds(30, 2, 1_000)).toBe(90);
    expect(retryDelaySeconds(0, 1, null)).toBe(0);
  });

  it('reads Retry-After as seconds or as an HTTP date', () => {
    expect(retryAfterMs('7', T0)).toBe(7_000);
    expect(retryAfterMs(new Date(T0 + 90_000).toUTCString(), T0)).toBe(90_000);
    expect(retryAfterMs('soon', T0)).toBeNull();
    expect(retryAfterMs(null, T0)).toBeNull();
  });
});
