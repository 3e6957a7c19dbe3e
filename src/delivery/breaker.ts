/**
 * Unhealthy-host detection for webhooks (contract §5.4): per (workspace, host name), failures
 * answering 408, 429, 502, 503, 504 or 529 are counted in a one-minute moving window; above the
 * threshold the host is halted for a minute and calls are answered with a synthetic 598 (Host
 * Unhealthy) without leaving the Worker. Counts live in the consumer isolate: each isolate
 * protects the host from its own share of the traffic (docs/delivery.md says why that is enough).
 */

/** Braze's numbers. */
export const BREAKER_THRESHOLD = 3_000;
export const BREAKER_WINDOW_MS = 60_000;
export const BREAKER_HALT_MS = 60_000;

/** The answers that count as the host being unhealthy. */
const COUNTED = new Set([408, 429, 502, 503, 504, 529]);

/** One-second buckets over the window. */
const BUCKET_MS = 1_000;

interface HostState {
  buckets: Map<number, number>;
  haltedUntil: number;
}

export class HostBreaker {
  private readonly hosts = new Map<string, HostState>();

  constructor(
    private readonly threshold = BREAKER_THRESHOLD,
    private readonly windowMs = BREAKER_WINDOW_MS,
    private readonly haltMs = BREAKER_HALT_MS,
  ) {}

  /** True while calls to this host must not be made. */
  halted(key: string, now: number): boolean {
    const state = this.hosts.get(key);
    return state !== undefined && now < state.haltedUntil;
  }

  /** Record a call's HTTP status (null: no answer, which is not counted). */
  record(key: string, status: number | null, now: number): void {
    if (status === null || !COUNTED.has(status)) return;
    let state = this.hosts.get(key);
    if (!state) {
      state = { buckets: new Map(), haltedUntil: 0 };
      this.hosts.set(key, state);
    }
    const bucket = Math.floor(now / BUCKET_MS);
    state.buckets.set(bucket, (state.buckets.get(bucket) ?? 0) + 1);
    const oldest = Math.floor((now - this.windowMs) / BUCKET_MS);
    let failures = 0;
    for (const [b, n] of state.buckets) {
      if (b <= oldest) state.buckets.delete(b);
      else failures += n;
    }
    if (failures > this.threshold) {
      state.haltedUntil = now + this.haltMs;
      state.buckets.clear();
    }
  }
}

/** The breaker key: Braze tracks health per host name and workspace, not per path. */
export function breakerKey(workspaceId: string, url: URL): string {
  return `${workspaceId}\n${url.hostname.toLowerCase()}`;
}
