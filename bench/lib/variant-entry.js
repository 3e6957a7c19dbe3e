// Diagnostic wrapper around Herald's bundle (copied next to main.js; never deployed). It swaps
// bindings for no-op fakes, named in BENCH_VARIANT, so the bench can measure what each per-request
// dependency costs without touching src/. Baseline runs do not use this file at all.
import * as herald from './main.js';

const variant = (env) =>
  new Set(
    String(env.BENCH_VARIANT ?? '')
      .split(',')
      .filter(Boolean),
  );

// RATE_LIMITER: every request allowed without the Durable Object round trip. Answers both the
// per-request `hit` and the leased `lease` shapes Herald has used.
const windowOf = (rule) => {
  const ms = rule.windowSeconds * 1000;
  const start = Math.floor(Date.now() / ms) * ms;
  return { start, end: start + ms };
};
const allowAll = {
  idFromName: (name) => name,
  get: () => ({
    hit: async (rule) => ({
      allowed: true,
      limit: rule.limit,
      remaining: rule.limit,
      reset: Math.ceil(windowOf(rule).end / 1000),
    }),
    lease: async (rule, want) => ({
      granted: want,
      limit: rule.limit,
      remaining: rule.limit,
      windowStart: windowOf(rule).start,
      reset: windowOf(rule).end,
    }),
  }),
};

// CHANGES_QUEUE: change records dropped instead of sent (so the consumer has nothing to do).
const dropQueue = { send: async () => undefined, sendBatch: async () => undefined };

// CHANGES_QUEUE: only `message.event` records (one per delivered message) dropped, so profile
// changes still reach the segment index while sends cost no change message or index write.
const withoutRecords = (body) => {
  const batches = (body.batches ?? [])
    .map((b) => ({ ...b, records: b.records.filter((r) => r.type !== 'message.event') }))
    .filter((b) => b.records.length > 0);
  return batches.length > 0 ? { ...body, batches } : null;
};
const dropSendEvents = (queue) => ({
  send: async (body, opts) => {
    const kept = withoutRecords(body);
    if (kept) await queue.send(kept, opts);
  },
  sendBatch: async (messages, opts) => {
    const kept = messages
      .map((m) => ({ ...m, body: withoutRecords(m.body) }))
      .filter((m) => m.body !== null);
    if (kept.length > 0) await queue.sendBatch(kept, opts);
  },
});

function patch(env) {
  const v = variant(env);
  if (v.size === 0) return env;
  const out = { ...env };
  if (v.has('no-ratelimit')) out.RATE_LIMITER = allowAll;
  if (v.has('no-queue')) out.CHANGES_QUEUE = dropQueue;
  if (v.has('no-send-events')) out.CHANGES_QUEUE = dropSendEvents(env.CHANGES_QUEUE);
  // A setting, not a fake: the batched path's write-back queued with no delay, so the profile
  // writes run alongside the sends (what the default 60 s deferral keeps apart).
  if (v.has('write-back-now')) out.HERALD_WRITE_BACK_DELAY_SECONDS = '0';
  return out;
}

export class UserProfile extends herald.UserProfile {
  constructor(ctx, env) {
    super(ctx, patch(env));
  }
}
export class IdentityIndex extends herald.IdentityIndex {
  constructor(ctx, env) {
    super(ctx, patch(env));
  }
}
export class RateLimiter extends herald.RateLimiter {
  constructor(ctx, env) {
    super(ctx, patch(env));
  }
}

export default {
  fetch: (request, env, ctx) => herald.default.fetch(request, patch(env), ctx),
  queue: (batch, env, ctx) => herald.default.queue(batch, patch(env), ctx),
  scheduled: (controller, env, ctx) => herald.default.scheduled(controller, patch(env), ctx),
};
