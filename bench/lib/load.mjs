// One load run: autocannon with a fixed number of connections, per-request bodies, status and
// error-body capture, and CPU use of workerd and of this process over the measured window.
import { readdirSync, readFileSync } from 'node:fs';
import autocannon from 'autocannon';

const TICKS = 100; // USER_HZ on Linux

function children(pid) {
  const out = [];
  let tasks = [];
  try {
    tasks = readdirSync(`/proc/${pid}/task`);
  } catch {
    return out;
  }
  for (const tid of tasks) {
    try {
      const list = readFileSync(`/proc/${pid}/task/${tid}/children`, 'utf8').trim();
      for (const c of list.split(/\s+/).filter(Boolean))
        out.push(Number(c), ...children(Number(c)));
    } catch {
      // task gone
    }
  }
  return out;
}

function procCpu(pid) {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(f[11]) + Number(f[12])) / TICKS; // utime + stime, seconds
  } catch {
    return null;
  }
}

function comm(pid) {
  try {
    return readFileSync(`/proc/${pid}/comm`, 'utf8').trim();
  } catch {
    return '';
  }
}

/** Process ids of the workerd processes this process started (Miniflare's children). */
export function workerdPids() {
  return children(process.pid).filter((p) => comm(p).includes('workerd'));
}

/** CPU seconds of workerd processes (children of this process) and of this process. */
export function cpuSnapshot() {
  const workerd = workerdPids();
  const u = process.cpuUsage();
  return {
    at: performance.now(),
    self: (u.user + u.system) / 1e6,
    workerd: new Map(workerd.map((p) => [p, procCpu(p)])),
  };
}

/** CPU between two snapshots, in percent of one core: { workerdPct, loadgenPct }. */
export function cpuDelta(a, b) {
  const wall = (b.at - a.at) / 1000;
  let workerd = 0;
  for (const [pid, end] of b.workerd) {
    const start = a.workerd.get(pid);
    if (end !== null && start !== null && start !== undefined) workerd += end - start;
  }
  // Percent of one core; 200% = both cores of a 2-core machine.
  return {
    workerdPct: Math.round((workerd / wall) * 100),
    loadgenPct: Math.round(((b.self - a.self) / wall) * 100),
  };
}

function autocannonRun(opts) {
  return new Promise((resolve, reject) => {
    const inst = autocannon(opts, (err, result) => (err ? reject(err) : resolve(result)));
    inst.on('error', reject);
  });
}

/**
 * Run `scenario` against `url`: warm-up (discarded), then the measured window. Bodies come from
 * scenario.body(i), i counting requests across all connections from 0 (warm-up included, so the
 * measured window continues the same sequence).
 */
export async function measure({
  url,
  scenario,
  auth,
  connections,
  durationS,
  warmupS,
  seen,
  context,
  probe,
}) {
  let next = 0;
  let measuring = false;
  let objectsSent = 0;
  let newObjects = 0;
  const countUsers = (i) => {
    if (!scenario.users || !seen) return;
    for (const u of scenario.users(i)) {
      if (measuring) objectsSent++;
      if (!seen.has(u)) {
        seen.add(u);
        if (measuring) newObjects++;
      }
    }
  };
  const body = (i) => {
    countUsers(i);
    return scenario.body(i);
  };
  const statuses = new Map();
  const samples = new Map(); // status -> first body
  const request = {
    method: scenario.method,
    path: scenario.path,
    headers: {
      'content-type': 'application/json',
      ...(auth ? { authorization: `Bearer ${auth}` } : {}),
    },
    // `request(i, context)`: a per-request path, headers and body (SDK and tracking scenarios).
    setupRequest: (req) => {
      if (scenario.request) {
        const i = next++;
        countUsers(i);
        const r = scenario.request(i, context);
        return { ...req, ...r, headers: { ...req.headers, ...r.headers } };
      }
      return scenario.body ? { ...req, body: body(next++) } : req;
    },
    onResponse: (code, body) => {
      // `valid(body)`: a success status whose body says the work was refused counts as failed.
      const status =
        code === scenario.expectStatus && scenario.valid && !scenario.valid(String(body))
          ? `${code} (invalid body)`
          : code;
      statuses.set(status, (statuses.get(status) ?? 0) + 1);
      if (status !== scenario.expectStatus && !samples.has(status) && samples.size < 5) {
        samples.set(status, String(body).slice(0, 2000));
      }
    },
  };
  const base = { url, connections, pipelining: 1, timeout: 30, requests: [request] };

  if (warmupS > 0) await autocannonRun({ ...base, duration: warmupS });
  statuses.clear();
  samples.clear();
  measuring = true;

  const probed0 = probe ? await probe() : null;
  const before = cpuSnapshot();
  const r = await autocannonRun({ ...base, duration: durationS });
  const cpu = cpuDelta(before, cpuSnapshot());
  const probed1 = probe ? await probe() : null;

  const ok = statuses.get(scenario.expectStatus) ?? 0;
  const responses = [...statuses.values()].reduce((a, b) => a + b, 0);
  const failed = responses - ok + r.errors + r.timeouts;
  const reqPerSec = ok / r.duration;
  return {
    durationS: r.duration,
    connections,
    requests: responses,
    ok,
    failed,
    errorRate: responses + r.errors > 0 ? failed / (responses + r.errors) : 1,
    socketErrors: r.errors,
    timeouts: r.timeouts,
    statuses: Object.fromEntries(statuses),
    errorSamples: Object.fromEntries(samples),
    reqPerSec,
    objectsPerSec: reqPerSec * (scenario.objectsPerRequest ?? 1),
    // Share of objects in the measured window addressed to a user not touched before (a create).
    newUserShare: scenario.users && seen && objectsSent > 0 ? newObjects / objectsSent : null,
    latencyMs: {
      p50: r.latency.p50,
      p90: r.latency.p90,
      p99: r.latency.p99,
      max: r.latency.max,
      mean: r.latency.average,
    },
    cpu,
    // `probe` (the target's state, e.g. ingestion-log appends) before and after the window.
    probed: probe ? { before: probed0, after: probed1 } : null,
  };
}
