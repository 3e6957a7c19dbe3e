#!/usr/bin/env node
/**
 * CPU profile of Herald under one scenario's load, through workerd's inspector (V8 sampling
 * profiler). Prints the top functions by self time and writes bench/out/<scenario>.cpuprofile
 * (open it in Chrome DevTools). Diagnostic only; the inspector slows the isolate somewhat.
 *
 *   node bench/profile.mjs --ref HEAD [--scenario track-attributes-1] [--seconds 8] [--seed]
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import autocannon from 'autocannon';
import { bundleHerald, describeSource, exportRef, REPO_ROOT } from './lib/build.mjs';
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
  },
});

const OUT = join(REPO_ROOT, 'bench', 'out');
const scenario = SCENARIOS.find((s) => s.id === args.scenario);
if (!scenario?.body) throw new Error(`no Herald scenario ${args.scenario}`);

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

const exported = args.ref ? exportRef(args.ref) : null;
const fromDir = exported?.dir ?? args.from ?? REPO_ROOT;
const source = describeSource(fromDir, args.ref);
const script = await bundleHerald(fromDir, join(OUT, 'worker'));
const port = Number(args['inspector-port']);
const target = await startHerald({
  script,
  fromDir,
  runtimeLog: new RuntimeLog(),
  extraOptions: { inspectorPort: port },
});
try {
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
  const list = await (await fetch(`http://127.0.0.1:${port}/json`)).json();
  const entry = list.find((t) => /herald/.test(`${t.title} ${t.url} ${t.id}`)) ?? list[0];
  const cdp = inspector(entry.webSocketDebuggerUrl);
  await cdp.opened;
  await cdp.send('Profiler.enable');
  await cdp.send('Profiler.setSamplingInterval', { interval: 200 });
  let next = 0;
  const run = autocannon({
    url: target.url,
    connections: scenario.connections ?? 32,
    duration: Number(args.seconds) + 2,
    requests: [
      {
        method: 'POST',
        path: scenario.path,
        headers: {
          'content-type': 'application/json',
          authorization: `Bearer ${target.apiKey}`,
        },
        setupRequest: (req) => ({ ...req, body: scenario.body(next++) }),
      },
    ],
  });
  await new Promise((r) => setTimeout(r, 1500));
  await cdp.send('Profiler.start');
  await new Promise((r) => setTimeout(r, Number(args.seconds) * 1000));
  const { result } = await cdp.send('Profiler.stop');
  const done = await run;
  cdp.close();
  const file = join(OUT, `${scenario.id}.cpuprofile`);
  writeFileSync(file, JSON.stringify(result.profile));
  process.stdout.write(
    `${scenario.id} at ${source.commit?.slice(0, 7)}${source.dirty ? '+uncommitted' : ''}: ` +
      `${Math.round(done.requests.average)} req/s under the profiler (${entry.title})\n` +
      `top self time:\n${summarize(result.profile).join('\n')}\nwrote ${file}\n`,
  );
} finally {
  await target.mf.dispose();
  exported?.dispose();
}
