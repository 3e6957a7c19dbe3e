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
  /** `GET`/`POST /catalogs`, `DELETE /catalogs/{catalog_name}`. */
  catalogs: { limit: 50, windowSeconds: 60 },
  /** The single-item endpoints and `GET /catalogs/{catalog_name}/items`. */
  catalog_items_sync: { limit: 50, windowSeconds: 60 },
  /** Bulk `POST`/`PATCH`/`PUT`/`DELETE /catalogs/{catalog_name}/items` (asynchronous at Braze). */
  catalog_items_async: { limit: 16_000, windowSeconds: 60 },
  /** Catalog field and selection endpoints. */
  catalog_fields_selections: { limit: 50, windowSeconds: 60 },
  /** `/messages/send`, `/campaigns/trigger/send`, `/canvas/trigger/send` to listed users. */
  messaging: { limit: 250_000, windowSeconds: 3_600 },
  /** The same endpoints aimed at a segment or a Connected Audience (broadcast-style). */
  messaging_broadcast: { limit: 250, windowSeconds: 60 },
  /** `/campaigns/data_series` (contract §10.1). */
  campaigns_data_series: { limit: 50_000, windowSeconds: 60 },
  /** `/sends/id/create`: 100 requests a day (contract §10.1); new ids are also counted in D1. */
  sends_id_create: { limit: 100, windowSeconds: 86_400 },
  /** `/events/list`, `/purchases/product_list` (and Braze's `/events`, `/custom_attributes`). */
  export_lists: { limit: 1_000, windowSeconds: 3_600 },
  /** `/subscription/status/set` and `/v2/subscription/status/set`, shared (contract §1.6). */
  subscription_status_set: { limit: 5_000, windowSeconds: 60 },
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

/** The answer to a lease request: how many requests the caller may admit in this window. */
export interface Lease {
  granted: number;
  limit: number;
  /** What is left at the counter after this lease. */
  remaining: number;
  /** Window start and end, epoch ms. */
  windowStart: number;
  reset: number;
}

/**
 * Grant up to `want` requests of the current window from the shared counter: the pure core of
 * RateLimiter.lease. The sum of all grants in a window never exceeds the limit.
 */
export function grantLease(
  state: { windowStart: number; count: number },
  input: { rule: RateLimit; want: number; now: number },
): Lease {
  const windowMs = input.rule.windowSeconds * 1000;
  const windowStart = Math.floor(input.now / windowMs) * windowMs;
  if (state.windowStart !== windowStart) {
    state.windowStart = windowStart;
    state.count = 0;
  }
  const granted = Math.max(0, Math.min(input.want, input.rule.limit - state.count));
  state.count += granted;
  return {
    granted,
    limit: input.rule.limit,
    remaining: input.rule.limit - state.count,
    windowStart,
    reset: Math.ceil((windowStart + windowMs) / 1000),
  };
}

/**
 * How many requests an isolate leases at a time: 1% of the limit, between 1 and 1,000. Small
 * limits stay exact; large ones cost one counter call per slice instead of one per request.
 */
export function leaseSize(limit: number): number {
  return Math.max(1, Math.min(1_000, Math.floor(limit / 100)));
}
