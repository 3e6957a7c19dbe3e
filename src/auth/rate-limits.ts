import { z } from 'zod';

/**
 * Braze's default rate-limit buckets (contract §1.6). Limits are per workspace; endpoints that
 * Braze says share a bucket name the same bucket here. A workspace may override any of them.
 */
export const RATE_BUCKETS = {
  users_track: { limit: 3_000, windowSeconds: 3 },
  users_track_sync: { limit: 500, windowSeconds: 60 },
  users_export_ids: { limit: 250, windowSeconds: 60 },
  /** `/users/delete`, `/users/alias/new`, `/users/alias/update`, `/users/identify`, `/users/merge`. */
  users_identity: { limit: 20_000, windowSeconds: 60 },
  users_external_ids_rename: { limit: 1_000, windowSeconds: 60 },
  users_external_ids_remove: { limit: 1_000, windowSeconds: 60 },
  default: { limit: 250_000, windowSeconds: 3_600 },
} as const satisfies Record<string, RateLimit>;

export interface RateLimit {
  limit: number;
  windowSeconds: number;
}

export type RateBucket = keyof typeof RATE_BUCKETS;

export const RateBucketName = z.enum(Object.keys(RATE_BUCKETS) as [RateBucket, ...RateBucket[]]);

/** The result of counting one request against a bucket. */
export interface RateDecision {
  allowed: boolean;
  limit: number;
  remaining: number;
  /** Window end, UTC epoch seconds (the `X-RateLimit-Reset` value). */
  reset: number;
}

/**
 * Fixed-window counting: the pure core of the RateLimiter object. `state` is mutated in place.
 */
export function countRequest(
  state: { windowStart: number; count: number },
  rule: RateLimit,
  now: number,
): RateDecision {
  const windowMs = rule.windowSeconds * 1000;
  const windowStart = Math.floor(now / windowMs) * windowMs;
  if (state.windowStart !== windowStart) {
    state.windowStart = windowStart;
    state.count = 0;
  }
  const allowed = state.count < rule.limit;
  if (allowed) state.count++;
  return {
    allowed,
    limit: rule.limit,
    remaining: Math.max(0, rule.limit - state.count),
    reset: Math.ceil((windowStart + windowMs) / 1000),
  };
}
