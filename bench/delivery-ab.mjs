// A/B of delivery CPU per send: Worker builds of two or more git refs, each on its own workerd
// instance with its own users (lib/delivery.mjs prepareHerald), sends alternated A B … B A so
// all see the same machine load; each send is the same segment broadcast as the delivery bench,
// to every user, with a new send_id. The write-back is deferred 12 h so it never lands inside a
// measured send. Prints workerd CPU ms per send for each send (that instance's workerd only).
//   node bench/delivery-ab.mjs REF_A REF_B [REF_C …] [users=3000] [rounds=4]
// A ref can be a commit, or `git stash create` of an uncommitted variant.
import { join } from 'node:path';
import { bundleHerald, exportRef, REPO_ROOT } from './lib/build.mjs';
import { prepareHerald, WEBHOOK_BODY } from './lib/delivery.mjs';
import { cpuSnapshot } from './lib/load.mjs';
import { Sink } from './lib/sink.mjs';
import { RuntimeLog, startHerald } from './lib/targets.mjs';

const refs = process.argv.slice(2).filter((a) => !/^\d+$/.test(a));
const [usersArg, roundsArg] = process.argv.slice(2).filter((a) => /^\d+$/.test(a));
const users = Number(usersArg ?? 3000);
const rounds = Number(roundsArg ?? 4);
const say = (m) => process.stderr.write(`${m}\n`);
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

async function instance(ref, i) {
  const src = exportRef(ref);
  const script = await bundleHerald(src.dir, join(REPO_ROOT, 'bench', 'out', `worker-ab-${i}`));
  const before = new Set(cpuSnapshot().workerd.keys());
  const sink = new Sink();
  await sink.listen();
  const target = await startHerald({
    script,
    fromDir: src.dir,
    runtimeLog: new RuntimeLog(),
    settings: { connected_content_allowlist: ['127.0.0.1'] },
    bindings: { HERALD_WRITE_BACK_DELAY_SECONDS: '43200' },
  });
  const pids = [...cpuSnapshot().workerd.keys()].filter((p) => !before.has(p));
  const prep = await prepareHerald(target, { users, sink, say });
  return { ref, target, sink, prep, pids, src };
}

function cpuOf(snap, pids) {
  let s = 0;
  for (const p of pids) s += snap.workerd.get(p) ?? 0;
  return s;
}

async function send(inst, k) {
  const { target, sink, prep } = inst;
  sink.reset();
  const a = cpuSnapshot();
  const t0 = performance.now();
  const res = await fetch(`${target.url}/messages/send`, {
    method: 'POST',
    headers: { authorization: `Bearer ${target.apiKey}`, 'content-type': 'application/json' },
    body: JSON.stringify({
      segment_id: prep.segmentId,
      broadcast: true,
      campaign_id: 'bench-delivery',
      send_id: `${prep.run}-ab-${k}`,
      messages: {
        webhook: {
          url: `${sink.url}/hook`,
          request_method: 'POST',
          request_headers: { 'Content-Type': 'application/json', 'X-Bench-Run': prep.run },
          body: WEBHOOK_BODY,
        },
      },
    }),
  });
  if (!res.ok) throw new Error(`send ${res.status}: ${await res.text()}`);
  const w = await sink.waitFor(() => sink.perUser.size >= users, {
    since: t0,
    idleMs: 30_000,
    capMs: 300_000,
  });
  const b = cpuSnapshot();
  const secs = (sink.lastNewAt - t0) / 1000;
  const cpuS = cpuOf(b, inst.pids) - cpuOf(a, inst.pids);
  let dup = 0;
  for (const n of sink.perUser.values()) dup += n - 1;
  return {
    rate: Math.round(users / secs),
    cpuPct: Math.round((cpuS / ((b.at - a.at) / 1000)) * 100),
    msPerSend: ((cpuS * 1000) / users).toFixed(3),
    dup,
    complete: w.complete,
  };
}

const all = [];
for (const [i, ref] of refs.entries()) all.push(await instance(ref, i));
const res = Object.fromEntries(refs.map((r) => [r, []]));
for (let k = 0; k < rounds; k++) {
  for (const inst of k % 2 ? [...all].reverse() : all) {
    await sleep(3000);
    const r = await send(inst, k);
    res[inst.ref].push(r);
    say(`${inst.ref} round ${k}: ${JSON.stringify(r)}`);
  }
}
for (const [ref, rs] of Object.entries(res)) {
  const ms = rs.map((r) => Number(r.msPerSend)).sort((x, y) => x - y);
  say(`${ref}: CPU ms/send ${ms.join(' ')} (median ${ms[Math.floor(ms.length / 2)]})`);
}
for (const i of all) {
  await i.target.mf.dispose();
  await i.sink.close();
  i.src.dispose();
}
