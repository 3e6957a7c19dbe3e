import { DurableObject } from 'cloudflare:workers';
import { grantLease, type Lease, type RateLimit } from '../src/auth/rate-limits';

/**
 * Fixed-window counters for one (workspace, bucket). Kept in memory only: an evicted object has
 * been idle longer than any window, so nothing worth keeping is lost.
 */
export class RateLimiter extends DurableObject<Env> {
  private state = { windowStart: 0, count: 0 };

  lease(rule: RateLimit, want: number): Lease {
    return grantLease(this.state, { rule, want, now: Date.now() });
  }
}
