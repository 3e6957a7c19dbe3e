import { type Lease, leaseSize, type RateDecision, type RateLimit } from './rate-limits';

/**
 * The isolate's side of rate limiting: requests are admitted from a lease taken from the
 * workspace's RateLimiter object, so the object sees one call per slice of the budget instead of
 * one per request. Leased but unused requests lapse with their window, so the workspace may be
 * admitted slightly fewer requests than its limit, never more.
 */
interface Local {
  windowStart: number;
  reset: number;
  left: number;
  /** The counter's remaining budget at the last lease. */
  counterRemaining: number;
  /** The counter said no for this window: answer 429 without asking again. */
  exhausted: boolean;
  pending: Promise<Lease> | null;
}

const locals = new Map<string, Local>();

/** Admit one request against (workspace, bucket), leasing from the counter when needed. */
export async function admit(
  key: string,
  rule: RateLimit,
  now: number,
  takeLease: (want: number) => Promise<Lease>,
): Promise<RateDecision> {
  const windowMs = rule.windowSeconds * 1000;
  const windowStart = Math.floor(now / windowMs) * windowMs;
  let local = locals.get(key);
  if (!local || local.windowStart !== windowStart) {
    local = {
      windowStart,
      reset: Math.ceil((windowStart + windowMs) / 1000),
      left: 0,
      counterRemaining: rule.limit,
      exhausted: false,
      pending: null,
    };
    if (locals.size > 10_000) locals.clear();
    locals.set(key, local);
  }
  while (local.left <= 0) {
    if (local.exhausted)
      return { allowed: false, limit: rule.limit, remaining: 0, reset: local.reset };
    // One lease request at a time per isolate; concurrent requests wait for it.
    local.pending ??= takeLease(leaseSize(rule.limit)).finally(() => {
      if (local) local.pending = null;
    });
    const lease = await local.pending;
    if (lease.windowStart !== local.windowStart) {
      local.windowStart = lease.windowStart;
      local.reset = lease.reset;
      local.left = 0;
    }
    local.counterRemaining = lease.remaining;
    if (lease.granted === 0) {
      local.exhausted = true;
      return { allowed: false, limit: rule.limit, remaining: 0, reset: lease.reset };
    }
    local.left += lease.granted;
  }
  local.left--;
  return {
    allowed: true,
    limit: rule.limit,
    remaining: local.counterRemaining + local.left,
    reset: local.reset,
  };
}
