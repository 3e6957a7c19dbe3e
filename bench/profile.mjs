#!/usr/bin/env node
/**
 * CPU profile of Herald under one scenario's load, through workerd's inspector (V8 sampling
 * profiler). Prints the top functions by self time and writes bench/out/<scenario>.cpuprofile
 * (open it in Chrome DevTools). Diagnostic only; the inspector slows the isolate somewhat.
 *
 *   node bench/profile.mjs --ref HEAD [--scenario track-attributes-1] [--seconds 8] [--seed]
 *   node bench/profile.mjs --ref HEAD --scenario delivery [--delivery-users 2000]
 *   node bench/profile.mjs --ref HEAD --scenario sdk-batch-20   (or sdk-flags, tracking-open, …)
 *   node bench/profile.mjs --ref HEAD --scenario track-events-75 --drain
 *
 * `--hold` profiles the accept path alone (the ingestion log holds what it takes, as in
 * `npm run bench`); `--drain` runs the scenario's load unprofiled with the ingestion log holding what it accepts
 * (as `npm run bench` does), then profiles applying it: POST /herald/ingestion/flush until
 * nothing waits.
 *
 * `--scenario delivery` prepares the delivery benchmark (lib/delivery.mjs: users, segment, index,
 * warm-up) unprofiled, then profiles the measured send from the API call to the last webhook.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import autocannon from 'autocannon';
import { bundleHerald, describeSource, exportRef, REPO_ROOT } from './lib/build.mjs';
import { DELIVERY_ID, prepareHerald, sendAndWait } from './lib/delivery.mjs';
import { BENCH_INGEST_DELAY_MS, drainQueued } from './lib/drain.mjs';
import { prepareSdk, prepareTracking } from './lib/edge.mjs';
import { Sink } from './lib/sink.mjs';
import { RuntimeLog, startHerald } from './lib/targets.mjs';
import { SCENARIOS, SEED_REQUESTS, seedBody } from './scenarios.mjs';

const { values: args } = parseArgs({
  options: {
    from: { type: 'string' },
    ref: { type: 'string' },
    scenario: { type: 'string', default: 'track-attributes-1' },
    seconds: { type: 'string', default: '8' },
    seed: { type: 'boolean', default: false },
    'inspector-port': { type: 'string', default: '9339' },
    'delivery-users': { type: 'string', default: '2000' },
    drain: { type: 'boolean', default: false },
    hold: { type: 'boolean', default: false },
  },
});

const OUT = join(REPO_ROOT, 'bench', 'out');
const isDelivery = args.scenario === DELIVERY_ID;
const scenario = isDelivery ? { id: DELIVERY_ID } : SCENARIOS.find((s) => s.id === args.scenario);
if (!isDelivery && !scenario?.body && !scenario?.request) {
  throw new Error(`no Herald scenario ${args.scenario}`);
}
const edgeBase = scenario?.target?.startsWith('herald-') ? scenario.target : null;

function inspector(wsUrl) {
  const ws = new WebSocket(wsUrl);
  let id = 0;
  const pending = new Map();
  ws.addEventListener('message', (e) => {
    const msg = JSON.parse(String(e.data));
    if (msg.id && pending.has(msg.id)) {
      pending.get(msg.id)(msg);
      pending.delete(msg.id);
    }
  });
  const opened = new Promise((resolve, reject) => {
    ws.addEventListener('open', resolve);
    ws.addEventListener('error', reject);
  });
  return {
    opened,
    send: (method, params = {}) =>
      new Promise((resolve) => {
        const n = ++id;
        pending.set(n, resolve);
        ws.send(JSON.stringify({ id: n, method, params }));
      }),
    close: () => ws.close(),
  };
}

/** Self time per function (name + location), top N. */
function summarize(profile, top = 30) {
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const self = new Map();
  const dt = profile.timeDeltas;
  let total = 0;
  profile.samples.forEach((nodeId, i) => {
    const t = dt[i] ?? 0;
    total += t;
    const f = byId.get(nodeId).callFrame;
    const key = `${f.functionName || '(anonymous)'} ${f.url.split('/').pop()}:${f.lineNumber + 1}`;
    self.set(key, (self.get(key) ?? 0) + t);
  });
  return [...self]
    .sort((a, b) => b[1] - a[1])
    .slice(0, top)
    .map(([k, t]) => `${((t / total) * 100).toFixed(1).padStart(5)}%  ${k}`);
}

/**
 * Share of profiled time whose synchronous stack contains each named function (so nested names
 * overlap). Async continuations start a new stack: time after an `await` counts towards the
 * function that resumed, not its caller.
 */
function inclusive(profile, names) {
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const parent = new Map();
  for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  const time = new Map(names.map((n) => [n, 0]));
  let total = 0;
  profile.samples.forEach((nodeId, i) => {
    const t = profile.timeDeltas[i] ?? 0;
    total += t;
    const seen = new Set();
    for (let id = nodeId; id !== undefined; id = parent.get(id)) {
      const name = byId.get(id).callFrame.functionName;
      if (time.has(name) && !seen.has(name)) {
        seen.add(name);
        time.set(name, time.get(name) + t);
      }
    }
  });
  return names.map((n) => `${((time.get(n) / total) * 100).toFixed(1).padStart(5)}%  ${n}`);
}

/** Where a delivery's time goes: profile RPCs, their helpers, the consumer, the index consumer. */
const DELIVERY_FUNCTIONS = [
  'claimSend',
  'completeSend',
  'afterWrite',
  'refreshMemberships',
  'buildSummary',
  'flushOutbox',
  'alarm',
  'summary',
  'UserProfile',
  'migrateProfileSchema',
  'consumeDeliveries',
  'deliver',
  'deliverOne',
  'sendWebhook',
  'renderFields',
  'callWebhook',
  'expand',
  'consumeChanges',
];

/** Applying the ingestion log: the shard's drain, the profile's write, the index consumer. */
const DRAIN_FUNCTIONS = [
  'drain',
  'take',
  'applyEntries',
  'settle',
  'settleProfile',
  'claimIdentifier',
  'locate',
  'trackLogged',
  'applyTrack',
  'afterWrite',
  'refreshMemberships',
  'migrateProfileSchema',
  'UserProfile',
  'ProfileStore',
  'deliverChanges',
  'consumeChanges',
  'summary',
  'buildSummary',
  'alarm',
  'flush',
];

/** The SDK and tracking paths' functions, for their inclusive time. */
const EDGE_FUNCTIONS = [
  'appWorkspace',
  'getWorkspace',
  'planBatch',
  'ingestTrack',
  'locate',
  'applyGroup',
  'userFlags',
  'cachedFlags',
  'featureFlags',
  'flagsEtag',
  'sha256Hex',
  'verifyToken',
  'verifyClick',
  'recordTracked',
  'recordEngagement',
  'refreshMemberships',
  'sendChanges',
  'consumeChanges',
  'UserProfile',
];

const exported = args.ref ? exportRef(args.ref) : null;
const fromDir = exported?.dir ?? args.from ?? REPO_ROOT;
const source = describeSource(fromDir, args.ref);
const script = await bundleHerald(fromDir, join(OUT, 'worker'));
const port = Number(args['inspector-port']);
const runtimeLog = new RuntimeLog();
const sink = isDelivery ? new Sink() : null;
await sink?.listen();
const target = await startHerald({
  script,
  fromDir,
  runtimeLog,
  extraOptions: { inspectorPort: port },
  settings: isDelivery ? { connected_content_allowlist: ['127.0.0.1'] } : {},
  // --hold: the accept path alone, as `npm run bench` measures it (the log holds what it takes).
  bindings:
    args.drain || args.hold ? { HERALD_INGEST_DELAY_MS: String(BENCH_INGEST_DELAY_MS) } : {},
});
const say = (msg) => process.stderr.write(`${msg}\n`);

/** Attach to the Herald isolate's inspector; returns start() and stop() -> profile. */
async function profiler() {
  const list = await (await fetch(`http://127.0.0.1:${port}/json`)).json();
  const entry = list.find((t) => /herald/.test(`${t.title} ${t.url} ${t.id}`)) ?? list[0];
  const cdp = inspector(entry.webSocketDebuggerUrl);
  await cdp.opened;
  await cdp.send('Profiler.enable');
  await cdp.send('Profiler.setSamplingInterval', { interval: 200 });
  return {
    title: entry.title,
    start: () => cdp.send('Profiler.start'),
    stop: async () => {
      const { result } = await cdp.send('Profiler.stop');
      cdp.close();
      return result.profile;
    },
  };
}

/** The track scenarios: autocannon load, profiled for --seconds after 1.5 s. */
async function profileLoad() {
  if (args.seed) {
    for (let r = 0; r < SEED_REQUESTS; r += 8) {
      await Promise.all(
        Array.from({ length: Math.min(8, SEED_REQUESTS - r) }, (_, k) =>
          fetch(`${target.url}/users/track`, {
            method: 'POST',
            headers: {
              authorization: `Bearer ${target.apiKey}`,
              'content-type': 'application/json',
            },
            body: seedBody(r + k),
          }).then((res) => res.text()),
        ),
      );
    }
  }
  // The SDK and tracking scenarios: their set-up (lib/edge.mjs) first, unprofiled.
  const context =
    edgeBase === 'herald-sdk'
      ? await prepareSdk(target, { say })
      : edgeBase === 'herald-tracking'
        ? await prepareTracking(target, { fromDir, outDir: OUT, say })
        : null;
  const prof = await profiler();
  let next = 0;
  const run = autocannon({
    url: target.url,
    connections: scenario.connections ?? 32,
    duration: Number(args.seconds) + 2,
    requests: [
      {
        method: scenario.method,
        path: scenario.path,
        headers: {
          'content-type': 'application/json',
          authorization: `Bearer ${target.apiKey}`,
        },
        setupRequest: (req) => {
          if (!scenario.request) return { ...req, body: scenario.body(next++) };
          const r = scenario.request(next++, context);
          return { ...req, ...r, headers: { ...req.headers, ...r.headers } };
        },
      },
    ],
  });
  if (args.drain) {
    const done = await run;
    await prof.start();
    const drain = await drainQueued({ url: target.url, key: target.apiKey, say });
    const profile = await prof.stop();
    const note =
      `load ${Math.round(done.requests.average)} req/s unprofiled; then applied ` +
      `${drain?.applied ?? 0} objects in ${drain?.seconds.toFixed(1) ?? 0} s ` +
      `(${Math.round(drain?.objectsPerSec ?? 0)} objects/s)`;
    return { profile, note, title: prof.title };
  }
  await new Promise((r) => setTimeout(r, 1500));
  await prof.start();
  await new Promise((r) => setTimeout(r, Number(args.seconds) * 1000));
  const profile = await prof.stop();
  const done = await run;
  return { profile, note: `${Math.round(done.requests.average)} req/s`, title: prof.title };
}

/** The delivery benchmark's send, profiled from the API call to the last webhook. */
async function profileDelivery() {
  const users = Number(args['delivery-users']);
  const prep = await prepareHerald(target, { users, sink, say });
  const prof = await profiler();
  let profile = null;
  const send = await sendAndWait(target, prep, {
    users,
    sink,
    runtimeLog,
    say,
    hooks: {
      started: () => prof.start(),
      finished: async () => {
        profile = await prof.stop();
      },
    },
  });
  const note =
    `${send.delivered}/${users} delivered in ${send.seconds} s = ${Math.round(send.deliveredPerSec)}/s, ` +
    `duplicates ${send.duplicates}, CPU workerd ${send.cpu.workerdPct}%`;
  return { profile, note, title: prof.title };
}

try {
  const { profile, note, title } = isDelivery ? await profileDelivery() : await profileLoad();
  const file = join(OUT, `${scenario.id}.cpuprofile`);
  writeFileSync(file, JSON.stringify(profile));
  process.stdout.write(
    `${scenario.id} at ${source.commit?.slice(0, 7)}${source.dirty ? '+uncommitted' : ''}: ` +
      `${note} under the profiler (${title})\n` +
      `top self time:\n${summarize(profile).join('\n')}\n` +
      (isDelivery || edgeBase || args.drain
        ? `inclusive time (synchronous stacks):\n${inclusive(profile, isDelivery ? DELIVERY_FUNCTIONS : args.drain ? DRAIN_FUNCTIONS : EDGE_FUNCTIONS).join('\n')}\n`
        : '') +
      `wrote ${file}\n`,
  );
} finally {
  await target.mf.dispose();
  await sink?.close();
  exported?.dispose();
}
