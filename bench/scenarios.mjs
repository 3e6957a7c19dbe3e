// The scenario list. A scenario names its target Worker, the request it sends (body(i) gets a
// global request counter), how many objects one request carries, the success status, the users
// request i touches (users(i), to report how many were new) and an optional goal. Add a scenario by appending an object; add a target in run.mjs TARGETS.
// `request(i, context)` instead of `body(i)` makes each request's path, headers and body from the
// answer of its target's set-up (the SDK and tracking scenarios, lib/edge.mjs); `group` is a
// further name `--only` accepts.
import {
  clickRequest,
  flagPollRequest,
  flagSyncRequest,
  openRequest,
  SDK_DEVICES,
  SDK_EVENTS_PER_BATCH,
  sdkBatchRequest,
} from './lib/edge.mjs';

export const USERS = 10_000;
export const EVENTS_PER_REQUEST = 75;

/** Bodies repeat with a period; build each once so the load generator stays cheap. */
function memo(period, make) {
  const cache = new Array(period);
  return (i) => {
    const k = i % period;
    cache[k] ??= make(k);
    return cache[k];
  };
}

const gcd = (a, b) => (b === 0 ? a : gcd(b, a % b));

const attributesBody = memo(USERS, (i) =>
  JSON.stringify({
    attributes: [{ external_id: `u${i}`, first_name: 'A', score: 5 }],
  }),
);

// Request r carries users (r*75 + k) % 10000, k = 0..74: 75 distinct users per request.
const eventsBody = memo(USERS / gcd(USERS, EVENTS_PER_REQUEST), (r) =>
  JSON.stringify({
    events: Array.from({ length: EVENTS_PER_REQUEST }, (_, k) => ({
      external_id: `u${(r * EVENTS_PER_REQUEST + k) % USERS}`,
      name: 'played',
      time: '2026-11-20T10:00:00Z',
      properties: { level: 3 },
    })),
  }),
);

const GOAL_SINGLE = { kind: 'ceilingRatio', min: 0.25, label: '>= 25% of ceiling' };
const GOAL_BATCH = { kind: 'objectsPerSec', min: 20_000, label: '>= 20,000 objects/s' };
/**
 * Our own target where the issue names no number (SDK batches: "the same hello-world ceiling
 * ratio as ingestion", read as: report it; email tracking: "fast").
 */
const GOAL_OWN = { kind: 'ceilingRatio', min: 0.25, label: '>= 25% of ceiling (own target)' };

/** Seeds all USERS profiles before the track scenarios (134 requests of 75 attributes). */
export const seedBody = (r) =>
  JSON.stringify({
    attributes: Array.from({ length: EVENTS_PER_REQUEST }, (_, k) => ({
      external_id: `u${r * EVENTS_PER_REQUEST + k}`,
      first_name: 'Seed',
    })).filter((_, k) => r * EVENTS_PER_REQUEST + k < USERS),
  });
export const SEED_REQUESTS = Math.ceil(USERS / EVENTS_PER_REQUEST);

export const SCENARIOS = [
  {
    id: 'ceiling',
    title: 'hello-world Hono (ceiling)',
    target: 'hello',
    method: 'POST',
    path: '/',
    expectStatus: 200,
    objectsPerRequest: 1,
    ceiling: true,
  },
  {
    id: 'track-attributes-1',
    title: '/users/track, 1 attributes object',
    target: 'herald',
    method: 'POST',
    path: '/users/track',
    expectStatus: 201,
    objectsPerRequest: 1,
    body: attributesBody,
    users: (i) => [i % USERS],
    goal: GOAL_SINGLE,
  },
  {
    id: 'track-events-75',
    title: '/users/track, 75 events (75 users)',
    target: 'herald',
    method: 'POST',
    path: '/users/track',
    expectStatus: 201,
    objectsPerRequest: EVENTS_PER_REQUEST,
    // The default 32 connections, like every scenario. (Until /users/track was queued a request
    // of 75 users took seconds, and this scenario ran 4 connections so requests finished inside
    // the window.)
    body: eventsBody,
    users: (r) =>
      Array.from({ length: EVENTS_PER_REQUEST }, (_, k) => (r * EVENTS_PER_REQUEST + k) % USERS),
    goal: GOAL_BATCH,
  },
  // Issue 8: the SDK edge endpoints, on a Herald with an app, four flags and 1,000 flag users.
  {
    id: 'sdk-batch-20',
    group: 'sdk',
    title: 'POST /sdk/v1/batch, 20 events (1 device)',
    target: 'herald-sdk',
    method: 'POST',
    path: '/sdk/v1/batch',
    expectStatus: 200,
    objectsPerRequest: SDK_EVENTS_PER_BATCH,
    request: sdkBatchRequest,
    valid: (body) => body.includes('"accepted":20,"errors":[]'),
    users: (i) => [i % SDK_DEVICES],
    goal: GOAL_OWN,
  },
  {
    id: 'sdk-flags',
    group: 'sdk',
    title: 'GET /sdk/v1/feature_flags (4 flags)',
    target: 'herald-sdk',
    method: 'GET',
    path: '/sdk/v1/feature_flags',
    expectStatus: 200,
    objectsPerRequest: 1,
    request: flagSyncRequest,
  },
  {
    id: 'sdk-flags-304',
    group: 'sdk',
    title: 'GET /sdk/v1/feature_flags, If-None-Match (304)',
    target: 'herald-sdk',
    method: 'GET',
    path: '/sdk/v1/feature_flags',
    expectStatus: 304,
    objectsPerRequest: 1,
    request: flagPollRequest,
  },
  // Issue 6: email tracking hits for 1,000 real users of a launched email campaign.
  {
    id: 'tracking-open',
    group: 'tracking',
    title: 'GET /t/o/{token}.gif (open pixel)',
    target: 'herald-tracking',
    method: 'GET',
    path: '/t/o/x.gif',
    expectStatus: 200,
    objectsPerRequest: 1,
    request: openRequest,
    goal: GOAL_OWN,
  },
  {
    id: 'tracking-click',
    group: 'tracking',
    title: 'GET /t/c/{token}?u=&s= (click, 302)',
    target: 'herald-tracking',
    method: 'GET',
    path: '/t/c/x',
    expectStatus: 302,
    objectsPerRequest: 1,
    request: clickRequest,
    goal: GOAL_OWN,
  },
];

/**
 * Diagnostics (`--diagnose`): the same Herald scenarios (track, SDK, tracking) on Herald with state on disk (`disk`) or
 * with bindings faked by lib/variant-entry.js (`no-ratelimit`: no RateLimiter round trip;
 * `no-queue`: change records dropped, so no queue sends and no consumer work), to show what each
 * costs. No goals; not part of the verdict.
 */
export const DIAGNOSTIC_VARIANTS = ['disk', 'no-ratelimit', 'no-queue', 'no-ratelimit,no-queue'];

export function diagnosticScenarios() {
  const herald = SCENARIOS.filter((s) => s.target.startsWith('herald'));
  return DIAGNOSTIC_VARIANTS.flatMap((variant) =>
    herald.map((s) => ({
      ...s,
      id: `${s.id}@${variant}`,
      title: `${s.title} [${variant}]`,
      target: `${s.target}@${variant}`,
      goal: undefined,
      diagnostic: true,
    })),
  );
}
