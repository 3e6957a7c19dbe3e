import { authenticate, recordKeyUse } from '../auth/api-keys';
import { grants, type Permission } from '../auth/permissions';
import { admit } from '../auth/rate-lease';
import { RATE_BUCKETS, type RateBucket } from '../auth/rate-limits';
import { ipAllowed } from '../lib/cidr';
import { rateLimiterStub } from '../lib/stubs';
import type { Ctx } from './context';
import { ApiError } from './errors';

/** The REST key a request carries: the Authorization header, or the legacy `api_key`. */
export function extractApiKey(c: Ctx, body: unknown): string | null {
  const header = c.req.header('authorization');
  if (header) {
    const m = header.match(/^bearer\s+(.+)$/i);
    return m ? m[1]!.trim() : null;
  }
  // Legacy (pre-2020) placement, still accepted by Braze: query string or JSON body.
  const fromQuery = c.req.query('api_key');
  if (fromQuery) return fromQuery;
  if (body && typeof body === 'object' && 'api_key' in body) {
    const key = (body as { api_key: unknown }).api_key;
    if (typeof key === 'string') return key;
  }
  return null;
}

/** Authenticate the REST key and check the permission and IP allowlist. */
export async function requireApiKey(c: Ctx, body: unknown, permission: Permission): Promise<void> {
  const secret = extractApiKey(c, body);
  if (!secret) throw new ApiError(401, 'Invalid API key: no REST API key was provided');
  const now = Date.now();
  const caller = await authenticate(c.env.DB, secret, now);
  if (!caller) throw new ApiError(401, 'Invalid API key');
  if (!ipAllowed(c.req.header('cf-connecting-ip') ?? null, caller.key.ipAllowlist)) {
    throw new ApiError(401, 'Invalid API key: this IP address is not allowed for this key');
  }
  if (!grants(caller.key.permissions, permission)) {
    throw new ApiError(403, 'Access Denied', [`This API key lacks the ${permission} permission`]);
  }
  c.set('caller', caller);
  const touch = recordKeyUse(c.env.DB, caller.key.id, now);
  if (touch) c.executionCtx.waitUntil(touch.catch(() => undefined));
}

/** Count the request against its workspace bucket; 429 when the window is spent. */
export async function enforceRateLimit(c: Ctx, bucket: RateBucket): Promise<void> {
  const { workspace } = c.get('caller');
  const override = workspace.settings.rate_limits[bucket];
  const rule = override
    ? { limit: override.limit, windowSeconds: override.window_seconds }
    : RATE_BUCKETS[bucket];
  // The counter object is only called when the isolate's lease runs out: no stub before then.
  const decision = await admit(`${workspace.id}:${bucket}`, rule, Date.now(), (want) => {
    // Other requests of the isolate wait for this lease: keep it alive if this client hangs up.
    const lease = rateLimiterStub(c.env.RATE_LIMITER, workspace.id, bucket).lease(rule, want);
    c.executionCtx.waitUntil(lease.catch(() => undefined));
    return lease;
  });
  const headers = {
    'X-RateLimit-Limit': String(decision.limit),
    'X-RateLimit-Remaining': String(decision.remaining),
    'X-RateLimit-Reset': String(decision.reset),
  };
  c.set('rateHeaders', headers);
  if (!decision.allowed) {
    throw new ApiError(429, 'API rate limit exceeded', [
      `The ${bucket} limit of ${decision.limit} requests per ${rule.windowSeconds} seconds was reached`,
    ]);
  }
}

/** Constant-time comparison for the operator token. */
export function safeEqual(a: string, b: string): boolean {
  const ea = new TextEncoder().encode(a);
  const eb = new TextEncoder().encode(b);
  let diff = ea.length ^ eb.length;
  for (let i = 0; i < Math.max(ea.length, eb.length); i++) diff |= (ea[i] ?? 0) ^ (eb[i] ?? 0);
  return diff === 0;
}

/** Require the operator token (HERALD_OPERATOR_TOKEN) as a bearer token. */
export function requireOperator(c: Ctx): void {
  const expected = c.env.HERALD_OPERATOR_TOKEN;
  if (!expected) {
    throw new ApiError(403, 'Forbidden', [
      'The operator API is disabled: set HERALD_OPERATOR_TOKEN',
    ]);
  }
  const m = c.req.header('authorization')?.match(/^bearer\s+(.+)$/i);
  if (!m || !safeEqual(m[1]!.trim(), expected)) throw new ApiError(401, 'Invalid operator token');
}
