// After a throughput scenario on queued ingestion (/users/track, SDK batches): the requests were
// answered once their objects were stored in the ingestion log; this applies what they left and
// measures it. The bench's Herald runs with a long coalescing window (HERALD_INGEST_DELAY_MS), so
// the measured window shows the accept path alone; then POST /herald/ingestion/flush starts the
// drain and GET /herald/ingestion is polled until nothing waits. Both numbers come from the same
// run on the same workerd: in production the drain runs in each shard's object and the profiles'
// objects across Cloudflare's machines, not on the core that answers the requests.
import { cpuSnapshot } from './load.mjs';

/** How long the throughput targets hold queued objects before draining (beyond any scenario). */
export const BENCH_INGEST_DELAY_MS = 3_600_000;
const POLL_MS = 500;

async function get(url, key, path, init = {}) {
  const res = await fetch(`${url}${path}`, {
    ...init,
    headers: { Authorization: `Bearer ${key}`, 'Content-Type': 'application/json' },
    // On one local workerd a busy drain delays every other answer (the shards, the profiles and
    // this request share one thread), so a poll may take seconds; give it plenty.
    signal: AbortSignal.timeout(600_000),
  });
  const text = await res.text();
  if (!res.ok) throw new Error(`${init.method ?? 'GET'} ${path} -> ${res.status}: ${text}`);
  return JSON.parse(text);
}

function cpuPct(a, b) {
  const secs = (b.at - a.at) / 1000;
  let workerd = 0;
  for (const [pid, end] of b.workerd) {
    const start = a.workerd.get(pid);
    if (start !== undefined && start !== null && end !== null) workerd += end - start;
  }
  return Math.round((workerd / secs) * 100);
}

/** Appends the workspace's ingestion log has stored so far (null if it cannot say). */
export async function ingestionAppends({ url, key }) {
  try {
    return (await get(url, key, '/herald/ingestion')).appends ?? null;
  } catch {
    return null;
  }
}

/**
 * Apply everything queued and wait until it is applied (or `timeoutS` passes). Answers the
 * objects applied, seconds, objects/s, and the state at the end.
 */
export async function drainQueued({ url, key, timeoutS = 900, say = () => {} }) {
  const before = await get(url, key, '/herald/ingestion');
  if (before.pending_objects === 0) return null;
  const cpu0 = cpuSnapshot();
  const t0 = performance.now();
  await get(url, key, '/herald/ingestion/flush', { method: 'POST', body: '{}' });
  let last = before;
  let lastSay = t0;
  while (performance.now() - t0 < timeoutS * 1000) {
    await new Promise((r) => setTimeout(r, POLL_MS));
    last = await get(url, key, '/herald/ingestion');
    if (last.pending_objects === 0) break;
    if (performance.now() - lastSay > 15_000) {
      lastSay = performance.now();
      say(`bench:     draining: ${last.pending_objects} objects still queued`);
    }
  }
  const seconds = (performance.now() - t0) / 1000;
  const cpu1 = cpuSnapshot();
  // Downstream of the profiles (change records into the segment index, triggers, Currents) still
  // runs on the same workerd: wait until it is quiet so the next scenario starts clean.
  const quietS = await waitQuiet();
  const applied =
    last.applied_objects +
    last.rejected_objects +
    last.skipped_objects -
    (before.applied_objects + before.rejected_objects + before.skipped_objects);
  return {
    queued: before.pending_objects,
    applied,
    seconds,
    objectsPerSec: applied / seconds,
    left: last.pending_objects,
    deadLetters: last.dead_letters,
    rejected: last.rejected_objects - before.rejected_objects,
    workerdCpuPct: cpuPct(cpu0, cpu1),
    finished: last.pending_objects === 0,
    quietAfterS: quietS,
  };
}

/** Seconds until workerd uses under 10% of a core for 2 s in a row (at most `maxS`). */
export async function waitQuiet(maxS = 600) {
  const t0 = performance.now();
  let calm = 0;
  let prev = cpuSnapshot();
  while (performance.now() - t0 < maxS * 1000) {
    await new Promise((r) => setTimeout(r, 1000));
    const now = cpuSnapshot();
    calm = cpuPct(prev, now) < 10 ? calm + 1 : 0;
    prev = now;
    if (calm >= 2) break;
  }
  return (performance.now() - t0) / 1000;
}
