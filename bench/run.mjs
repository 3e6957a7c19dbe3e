#!/usr/bin/env node
/**
 * `npm run bench`: Herald's /users/track throughput on workerd, driven directly through
 * Miniflare's Node API (no `wrangler dev` proxy), against a hello-world Hono ceiling measured in
 * the same run with the same load generator; then the segment benchmarks (count, enumeration and
 * freshness, lib/segments.mjs). See bench/README.md.
 *
 * Options:
 *   --from <dir>        build the Worker from this source tree (default: the repo root)
 *   --ref <git-ref>     build from a committed ref instead (exported with git archive), e.g. HEAD
 *   --connections <n>   concurrent connections (default 32; a scenario may set its own)
 *   --duration <s>      measured seconds per scenario (default 10)
 *   --warmup <s>        discarded warm-up seconds per scenario (default 3)
 *   --only <id,...>     run only these scenario ids or groups (`sdk`: the SDK batch and flag
 *                       sync scenarios; `tracking`: the open pixel and click redirect); the
 *                       ceiling runs too, unless only segment/liquid/delivery/currents ids are given
 *   --diagnose          also run the track scenarios with bindings faked (see scenarios.mjs),
 *                       and the delivery benchmark's Herald part with `message.event` change
 *                       records dropped (no-send-events)
 *   --seed              create all 10,000 users before measuring (slow: minutes), so the track
 *                       scenarios measure updates only
 *   --storage memory|disk  where workerd keeps DO/D1/queue state: tmpfs (default) or the OS
 *                       temp dir on disk (every SQLite commit then pays the disk's fsync)
 *   --via direct|entry  direct: the Worker's own socket (default); entry: through Miniflare's
 *                       entry worker, one extra in-process hop that production does not have
 *   --no-drain          do not apply what the track scenarios queued (a quick look at the accept
 *                       path while iterating; RESULTS.md figures come from drained runs)
 *   --no-segments       skip the segment benchmarks (lib/segments.mjs; ~2 of the ~3 minutes):
 *                       `segments-count` (size and enumeration over --profiles synthetic
 *                       profiles) and `segments-freshness` (track -> membership visible); both
 *                       ids work with --only
 *   --no-liquid         skip the Liquid benchmark (lib/liquid.mjs): Herald's Braze-dialect engine
 *                       vs plain liquidjs on an equivalent email template, and cold parse time;
 *                       its id `liquid` works with --only
 *   --no-delivery       skip the delivery benchmark (lib/delivery.mjs): a segment broadcast
 *                       through POST /messages/send to a local webhook sink, end to end, next to
 *                       the raw queue throughput of a bench Worker (queue-worker.js) on the same
 *                       runtime; its id `delivery` works with --only
 *   --delivery-users <n>  users the delivery benchmark creates and sends to (default 10000;
 *                       creating them takes most of the time: ~100-170 users/s)
 *   --no-currents       skip the Currents benchmark (lib/currents.mjs): 15,000 custom events
 *                       through /users/track to a storage connector's Avro file in R2; its id
 *                       `currents` works with --only
 *   --profiles <n>      synthetic profiles for segments-count (default 1000000)
 *   --freshness-samples <n>  samples per freshness measurement (default 50)
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, type as osType, release, totalmem } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { bundleHello, bundleHerald, describeSource, exportRef, REPO_ROOT } from './lib/build.mjs';
import { CURRENTS_ID, runCurrentsSuite } from './lib/currents.mjs';
import {
  DEFAULT_DELIVERY_USERS,
  DELIVERY_GOAL,
  DELIVERY_ID,
  runDeliverySuite,
} from './lib/delivery.mjs';
import { BENCH_INGEST_DELAY_MS, drainQueued, ingestionAppends } from './lib/drain.mjs';
import { prepareSdk, prepareTracking, trackingCheck } from './lib/edge.mjs';
import { formatLiquid, LIQUID_GOAL, LIQUID_ID, runLiquidSuite } from './lib/liquid.mjs';
import { measure } from './lib/load.mjs';
import {
  formatDeliveryTable,
  formatHeader,
  formatSegmentsTable,
  formatTable,
  formatTrackingCheck,
  segmentVerdicts,
  verdict,
} from './lib/report.mjs';
import { runSegmentSuite, SEGMENT_GOALS, SEGMENT_IDS } from './lib/segments.mjs';
import {
  RUNTIME_INFO,
  RuntimeLog,
  removeStateDirs,
  startHello,
  startHerald,
} from './lib/targets.mjs';
import { diagnosticScenarios, SCENARIOS, SEED_REQUESTS, seedBody, USERS } from './scenarios.mjs';

const OUT = join(REPO_ROOT, 'bench', 'out');
const MAX_ERROR_RATE = 0.01;

const { values: args } = parseArgs({
  options: {
    from: { type: 'string' },
    ref: { type: 'string' },
    connections: { type: 'string', default: '32' },
    duration: { type: 'string', default: '10' },
    warmup: { type: 'string', default: '3' },
    only: { type: 'string' },
    diagnose: { type: 'boolean', default: false },
    seed: { type: 'boolean', default: false },
    via: { type: 'string', default: 'direct' },
    storage: { type: 'string', default: 'memory' },
    'no-drain': { type: 'boolean', default: false },
    'no-segments': { type: 'boolean', default: false },
    'no-liquid': { type: 'boolean', default: false },
    'no-delivery': { type: 'boolean', default: false },
    'no-currents': { type: 'boolean', default: false },
    'delivery-users': { type: 'string', default: String(DEFAULT_DELIVERY_USERS) },
    profiles: { type: 'string', default: '1000000' },
    'freshness-samples': { type: 'string', default: '50' },
  },
});

const say = (msg) => process.stderr.write(`${msg}\n`);

/** POST the seed requests (all users created) with a small concurrency; returns objects/s. */
async function seedUsers(target) {
  const started = performance.now();
  let next = 0;
  const failures = [];
  const worker = async () => {
    while (next < SEED_REQUESTS) {
      const r = next++;
      const res = await fetch(`${target.url}/users/track`, {
        method: 'POST',
        headers: { authorization: `Bearer ${target.apiKey}`, 'content-type': 'application/json' },
        body: seedBody(r),
        signal: AbortSignal.timeout(120_000),
      });
      const text = await res.text();
      if (res.status !== 201) failures.push(`${res.status} ${text.slice(0, 500)}`);
    }
  };
  await Promise.all(Array.from({ length: 8 }, worker));
  if (failures.length > 0) throw new Error(`seeding failed: ${failures[0]}`);
  const seconds = (performance.now() - started) / 1000;
  return { users: USERS, requests: SEED_REQUESTS, seconds, objectsPerSec: USERS / seconds };
}

/**
 * Target name -> how to start it. `herald@a,b` runs Herald with diagnostic tokens: `disk` keeps
 * state on disk; any other token is a binding variant for lib/variant-entry.js. `herald-sdk` and
 * `herald-tracking` are Herald after the set-up in lib/edge.mjs (its answer: target.context).
 */
async function startTarget(name, ctx, settings = {}, bindings = {}) {
  const [base, tokens = ''] = name.split('@');
  const list = tokens.split(',').filter(Boolean);
  const storage = list.includes('disk') ? 'disk' : ctx.storage;
  if (base === 'hello') {
    return startHello({ script: ctx.helloScript, runtimeLog: ctx.runtimeLog, storage });
  }
  if (base === 'herald-sdk' || base === 'herald-tracking') {
    const target = await startTarget(
      tokens ? `herald@${tokens}` : 'herald',
      ctx,
      settings,
      base === 'herald-sdk' ? bindings : {},
    );
    try {
      target.context =
        base === 'herald-sdk'
          ? await prepareSdk(target, { say })
          : await prepareTracking(target, { fromDir: ctx.fromDir, outDir: OUT, say });
    } catch (err) {
      await target.mf.dispose().catch(() => undefined);
      throw err;
    }
    return target;
  }
  if (base === 'herald') {
    return startHerald({
      script: ctx.heraldScript,
      fromDir: ctx.fromDir,
      runtimeLog: ctx.runtimeLog,
      variant: list.filter((t) => t !== 'disk').join(','),
      storage,
      settings,
      bindings,
    });
  }
  throw new Error(`unknown target ${name}`);
}

async function main() {
  const connections = Number(args.connections);
  const durationS = Number(args.duration);
  const warmupS = Number(args.warmup);
  let scenarios = [...SCENARIOS, ...(args.diagnose ? diagnosticScenarios() : [])];
  let segmentParts = args['no-segments'] ? [] : Object.values(SEGMENT_IDS);
  let runLiquid = !args['no-liquid'];
  let runDelivery = !args['no-delivery'];
  let runCurrents = !args['no-currents'];
  if (args.only) {
    const keep = new Set(args.only.split(','));
    // A scenario id, its group (`sdk`, `tracking`), or an id without its diagnostic variant.
    scenarios = scenarios.filter(
      (s) => s.ceiling || keep.has(s.id) || keep.has(s.group) || keep.has(s.id.split('@')[0]),
    );
    segmentParts = segmentParts.filter((id) => keep.has(id));
    runLiquid = keep.has(LIQUID_ID);
    runDelivery = keep.has(DELIVERY_ID);
    runCurrents = keep.has(CURRENTS_ID);
    // Only segment, liquid, delivery or currents ids asked for: the ceiling has nothing to compare with.
    const others = segmentParts.length > 0 || runLiquid || runDelivery || runCurrents;
    if (scenarios.every((s) => s.ceiling) && others) scenarios = [];
  }

  mkdirSync(OUT, { recursive: true });
  const exported = args.ref ? exportRef(args.ref) : null;
  // Interrupted: workerd exits with this process; the temporary directories would not.
  for (const signal of ['SIGINT', 'SIGTERM']) {
    process.once(signal, () => {
      exported?.dispose();
      removeStateDirs();
      process.exit(130);
    });
  }
  const fromDir = exported?.dir ?? args.from ?? REPO_ROOT;
  const source = describeSource(fromDir, args.ref);
  const runtimeLog = new RuntimeLog();
  const results = [];
  const targetsInfo = {};
  let startupFailed = null;
  let segments = null;
  let liquid = null;
  let delivery = null;
  let currents = null;

  try {
    say(`bench: bundling Herald from ${args.ref ? `${args.ref} (${source.commit})` : fromDir}`);
    if (source.dirty) say('bench: note: the working tree differs from HEAD (use --ref HEAD)');
    const heraldScript = await bundleHerald(fromDir, join(OUT, 'worker'));
    const helloScript = await bundleHello(
      join(REPO_ROOT, 'bench', 'hello-worker.js'),
      join(OUT, 'hello'),
    );
    const ctx = { heraldScript, helloScript, fromDir, runtimeLog, storage: args.storage };

    // Targets in order of first use; each started once, its scenarios run, then disposed.
    const order = [...new Set(scenarios.map((s) => s.target))];
    for (const name of order) {
      say(`bench: starting ${name}`);
      let target;
      try {
        // Queued ingestion waits for the flush after each scenario (lib/drain.mjs).
        target = await startTarget(
          name,
          ctx,
          {},
          {
            HERALD_INGEST_DELAY_MS: String(BENCH_INGEST_DELAY_MS),
          },
        );
        if (name.split('@')[0] === 'herald' && args.seed) {
          target.info.seed = await seedUsers(target);
          say(
            `bench:   seeded ${USERS} users in ${target.info.seed.seconds.toFixed(1)} s ` +
              `(${Math.round(target.info.seed.objectsPerSec)} objects/s)`,
          );
        }
      } catch (err) {
        startupFailed = `${name}: ${err.stack ?? err}`;
        break;
      }
      targetsInfo[name] = target.info;
      const url = args.via === 'entry' ? target.entryUrl : target.url;
      // Users this target has seen (seeded or touched by an earlier scenario).
      const seen = new Set(args.seed ? Array.from({ length: USERS }, (_, i) => i) : []);
      try {
        for (const scenario of scenarios.filter((s) => s.target === name)) {
          const conns = scenario.connections ?? connections;
          say(`bench:   ${scenario.id}: ${warmupS}s warm-up + ${durationS}s, ${conns} conns`);
          const logMark = runtimeLog.lines.length;
          const m = await measure({
            url,
            scenario,
            seen,
            auth: target.apiKey,
            connections: conns,
            context: target.context,
            durationS,
            warmupS,
            // Ingestion-log appends in the window, per request: group commit's effect (without it, one
            // per shard a request touches: 1 for one user, up to 8 for 75).
            probe:
              target.apiKey && !scenario.ceiling
                ? () => ingestionAppends({ url, key: target.apiKey })
                : undefined,
          });
          const appends =
            m.probed?.before != null && m.probed?.after != null
              ? m.probed.after - m.probed.before
              : null;
          m.appendsPerRequest = appends && m.requests > 0 ? appends / m.requests : null;
          say(
            `bench:   -> ${Math.round(m.reqPerSec)} req/s, ${Math.round(m.objectsPerSec)} objects/s, ` +
              `p50 ${m.latencyMs.p50} ms, p99 ${m.latencyMs.p99} ms, errors ${m.failed}` +
              (m.appendsPerRequest !== null
                ? `, ${m.appendsPerRequest.toFixed(2)} log appends per request`
                : ''),
          );
          // What the scenario queued, applied and timed before the next one starts.
          const drain =
            target.apiKey && !scenario.ceiling && !args['no-drain']
              ? await drainQueued({ url, key: target.apiKey, say })
              : null;
          if (drain) {
            say(
              `bench:   -> applied ${drain.applied} queued objects in ${drain.seconds.toFixed(1)} s ` +
                `(${Math.round(drain.objectsPerSec)} objects/s)${drain.finished ? '' : ', NOT FINISHED'}`,
            );
          }
          const runtimeLines = runtimeLog.lines.slice(logMark).slice(-20);
          results.push({ scenario, ...m, drain, runtimeLog: runtimeLines });
        }
        if (name.split('@')[0] === 'herald-tracking' && target.context) {
          targetsInfo[name].check = await trackingCheck(target, target.context, { say });
        }
      } finally {
        await target.mf.dispose();
      }
    }
    if (segmentParts.length > 0 && !startupFailed) {
      segments = await runSegmentSuite({
        start: () => startTarget('herald', ctx),
        parts: segmentParts,
        profiles: Number(args.profiles),
        samples: Number(args['freshness-samples']),
        fromDir,
        outDir: OUT,
        runtimeLog,
        say,
      });
      segments.goals = SEGMENT_GOALS;
      segments.verdicts = segmentVerdicts(segments, SEGMENT_GOALS);
    }
    if (runLiquid && !startupFailed) {
      say('bench: liquid rendering');
      liquid = await runLiquidSuite({ outDir: OUT, runtimeLog, say });
      liquid.goal = LIQUID_GOAL;
    }
    if (runDelivery && !startupFailed) {
      delivery = await runDeliverySuite({
        start: (settings, variant) =>
          startTarget(variant ? `herald@${variant}` : 'herald', ctx, settings),
        fromDir,
        users: Number(args['delivery-users']),
        storage: args.storage,
        diagnose: args.diagnose,
        runtimeLog,
        say,
      });
      delivery.goal = DELIVERY_GOAL;
    }
    if (runCurrents && !startupFailed) {
      try {
        currents = await runCurrentsSuite({
          start: (settings) => startTarget('herald', ctx, settings),
          say,
        });
      } catch (err) {
        currents = { error: String(err.message ?? err) };
        say(`bench:   currents FAILED: ${currents.error}`);
      }
    }
  } catch (err) {
    startupFailed ??= String(err.stack ?? err);
  } finally {
    exported?.dispose();
  }

  const ceiling = results.find((r) => r.scenario.ceiling);
  for (const r of results) {
    r.ceilingRatio = ceiling ? r.reqPerSec / ceiling.reqPerSec : null;
    r.verdict = verdict(r);
  }

  const report = {
    date: new Date().toISOString(),
    command: `npm run bench${process.argv.length > 2 ? ` -- ${process.argv.slice(2).join(' ')}` : ''}`,
    machine: {
      cpus: cpus().length,
      cpuModel: cpus()[0]?.model,
      memoryGiB: Math.round(totalmem() / 2 ** 30),
      os: `${osType()} ${release()}`,
      loadavgAtEnd: loadavg(),
      node: process.version,
    },
    source,
    runtime: RUNTIME_INFO,
    config: {
      connections,
      durationS,
      warmupS,
      users: USERS,
      seeded: args.seed,
      storage: args.storage,
      via: args.via,
      maxErrorRate: MAX_ERROR_RATE,
      segments: segmentParts,
      profiles: Number(args.profiles),
      freshnessSamples: Number(args['freshness-samples']),
      deliveryUsers: runDelivery ? Number(args['delivery-users']) : null,
    },
    targets: targetsInfo,
    startupFailed,
    scenarios: results.map(({ scenario, ...r }) => ({
      id: scenario.id,
      title: scenario.title,
      target: scenario.target,
      objectsPerRequest: scenario.objectsPerRequest,
      goal: scenario.goal ?? null,
      ...r,
    })),
    segments,
    liquid,
    delivery,
    currents,
  };
  writeFileSync(join(OUT, 'results.json'), `${JSON.stringify(report, null, 2)}\n`);

  process.stdout.write(results.length > 0 ? formatTable(report) : formatHeader(report));
  for (const [name, info] of Object.entries(targetsInfo)) {
    if (info.check) process.stdout.write(formatTrackingCheck(name, info.check));
  }
  if (segments) process.stdout.write(formatSegmentsTable(segments, SEGMENT_GOALS));
  if (liquid) process.stdout.write(formatLiquid(liquid));
  if (delivery) process.stdout.write(formatDeliveryTable(delivery, DELIVERY_GOAL));
  if (startupFailed) {
    process.stdout.write(`\nSTARTUP FAILED: ${startupFailed}\n`);
    if (runtimeLog.lines.length)
      process.stdout.write(`${runtimeLog.lines.slice(-30).join('\n')}\n`);
  }
  process.stdout.write(`\nWrote ${join('bench', 'out', 'results.json')}\n`);

  const tooManyErrors = results.filter((r) => r.errorRate > MAX_ERROR_RATE);
  if (
    startupFailed ||
    tooManyErrors.length > 0 ||
    segments?.errors.length > 0 ||
    delivery?.errors.length > 0
  )
    process.exitCode = 1;
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
