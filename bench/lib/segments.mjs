// The segment benchmarks (`--segments`): (a) count and enumerate a 3-filter segment over a
// synthetic profile index of 1,000,000 profiles; (b) freshness: how soon after a /users/track
// response a user's segment membership is visible through the API, in real time (the profile)
// and in the workspace index (D1, fed by the change queue). See bench/README.md.
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { workerdPids } from './load.mjs';
import { generateProfiles, SPREAD } from './segment-data.mjs';
import { WORKSPACE_ID } from './targets.mjs';

export const SEGMENT_FILTER = {
  AND: [
    { custom_attribute: { custom_attribute_name: 'plan', comparison: 'equals', value: 'pro' } },
    {
      custom_event: {
        event_name: 'played',
        comparison: 'count_in_days_more_than',
        value: 2,
        days: 30,
      },
    },
    { purchase: { comparison: 'made_any' } },
  ],
};
/** One filter, 25% of profiles: paging cost with little filtering in between. */
export const BROAD_FILTER = {
  custom_attribute: { custom_attribute_name: 'plan', comparison: 'equals', value: 'pro' },
};

export const SEGMENT_GOALS = {
  sizeMs: { max: 2000, label: '< 2 s' },
  enumerate: { min: 200_000, label: '>= 200,000 users/s' },
  freshnessP99Ms: { max: 1000, label: 'p99 < 1 s' },
};

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length ? s[Math.floor((s.length - 1) / 2)] : null;
};
/** Nearest-rank percentile. */
const percentile = (xs, p) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length ? s[Math.min(s.length - 1, Math.ceil((p / 100) * s.length) - 1)] : null;
};
const round1 = (x) => (x === null ? null : Math.round(x * 10) / 10);

/** Errors carry the status, the body and the Worker's last log lines for the report. */
class ApiCallError extends Error {
  constructor(message, detail) {
    super(message);
    this.detail = detail;
  }
}

function api(target) {
  return async (method, path, body) => {
    const started = performance.now();
    const res = await fetch(`${target.url}${path}`, {
      method,
      headers: { authorization: `Bearer ${target.apiKey}`, 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
      signal: AbortSignal.timeout(120_000),
    });
    const text = await res.text();
    const ms = performance.now() - started;
    if (res.status >= 300) {
      throw new ApiCallError(`${method} ${path} -> ${res.status}`, {
        status: res.status,
        body: text.slice(0, 2000),
      });
    }
    return { json: JSON.parse(text), ms, at: performance.now() };
  };
}

// ---- memory ----

function statusField(pid, field) {
  try {
    const m = readFileSync(`/proc/${pid}/status`, 'utf8').match(
      new RegExp(`^${field}:\\s+(\\d+) kB`, 'm'),
    );
    return m ? Number(m[1]) * 1024 : null;
  } catch {
    return null;
  }
}

/** Peak resident memory (VmHWM) of workerd processes now alive, summed (there is one), in MB. */
function workerdPeakMB() {
  const values = workerdPids()
    .map((p) => statusField(p, 'VmHWM'))
    .filter((v) => v !== null);
  return values.length ? values.reduce((a, b) => a + b, 0) / 2 ** 20 : null;
}

/** Starts a new VmHWM window (writing 5 to clear_refs resets the peak to the current RSS). */
function resetWorkerdPeak() {
  for (const pid of workerdPids()) {
    try {
      writeFileSync(`/proc/${pid}/clear_refs`, '5');
    } catch {
      // not permitted: the peak then covers the process's whole life
    }
  }
}

// ---- the compiled SQL, captured from Herald's own query code ----

/**
 * Bundles src/segments/query.ts of the tree being measured (esbuild) and returns
 * `compile(filter)`: it runs countMatching and pageMatching in Node against a D1 stand-in that
 * records each statement and answers every query with no rows, so nothing is executed; the last
 * statement of each is the segment's query exactly as the Worker would send it ({sql, params}).
 */
async function segmentCompiler(fromDir, outDir, now) {
  const { build } = await import('esbuild');
  const entry = join(outDir, 'segment-query-entry.js');
  writeFileSync(
    entry,
    `export { countMatching, pageMatching } from ${JSON.stringify(join(fromDir, 'src/segments/query.ts'))};\n`,
  );
  const outfile = join(outDir, 'segment-query.mjs');
  await build({
    entryPoints: [entry],
    outfile,
    bundle: true,
    format: 'esm',
    platform: 'node',
    target: 'node22',
    logLevel: 'silent',
    nodePaths: [join(fromDir, 'node_modules')],
  });
  const mod = await import(`${pathToFileURL(outfile).href}?t=${Date.now()}`);
  let seen = [];
  const recorder = {
    prepare(sql) {
      const rec = { sql, params: [] };
      seen.push(rec);
      const stmt = {
        bind: (...params) => {
          rec.params = params;
          return stmt;
        },
        all: async () => ({ results: [], success: true, meta: {} }),
        raw: async () => [],
        first: async () => null,
        run: async () => ({ results: [], success: true, meta: {} }),
      };
      return stmt;
    },
    batch: async (list) => list.map(() => ({ results: [], success: true, meta: {} })),
  };
  return async (filter) => {
    const input = { workspaceId: WORKSPACE_ID, filter, now };
    seen = [];
    await mod.countMatching(recorder, input);
    const count = seen[seen.length - 1];
    seen = [];
    await mod.pageMatching(recorder, { ...input, after: null, limit: 1000 });
    const page = seen[seen.length - 1];
    return { count, page };
  };
}

/** Best of `times` runs of a statement straight through the D1 binding (no Worker). */
async function timeDirect(db, q, times = 3) {
  const runs = [];
  let rows = null;
  for (let k = 0; k < times; k++) {
    const started = performance.now();
    const res = await db
      .prepare(q.sql)
      .bind(...q.params)
      .all();
    runs.push(performance.now() - started);
    rows = res.results;
  }
  return { minMs: round1(Math.min(...runs)), first: rows?.[0] ?? null, rows: rows?.length ?? 0 };
}

async function explain(db, q) {
  const res = await db
    .prepare(`EXPLAIN QUERY PLAN ${q.sql}`)
    .bind(...q.params)
    .all();
  return res.results.map((r) => `${r.id}/${r.parent} ${r.detail}`);
}

// ---- (a) count and enumerate ----

async function enumerate(call, id, { capS, limit = 1000 }) {
  const started = performance.now();
  const pageMs = [];
  let users = 0;
  let cursor = null;
  let complete = true;
  do {
    const q = `limit=${limit}${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`;
    const r = await call('GET', `/herald/segments/${id}/preview?${q}`);
    users += r.json.users.length;
    pageMs.push(r.ms);
    cursor = r.json.next_cursor;
    if (cursor && performance.now() - started > capS * 1000) {
      complete = false;
      break;
    }
  } while (cursor);
  const seconds = (performance.now() - started) / 1000;
  return {
    limit,
    users,
    pages: pageMs.length,
    seconds,
    usersPerSec: users / seconds,
    pageMs: { p50: round1(median(pageMs)), max: round1(Math.max(...pageMs)) },
    complete,
  };
}

/**
 * `enumerate` three times (a 20,000-member segment pages in a tenth of a second, so one slow
 * page decides a single run): the median run by rate, with every run's rate.
 */
async function enumerateThrice(call, id, options) {
  const runs = [];
  for (let k = 0; k < 3; k++) runs.push(await enumerate(call, id, options));
  const sorted = [...runs].sort((a, b) => a.usersPerSec - b.usersPerSec);
  return { ...sorted[1], runsPerSec: runs.map((r) => Math.round(r.usersPerSec)) };
}

/**
 * Wait for a segment's materialised membership (built by a pass on the jobs queue after the
 * segment is created) to be served: the deferred work the enumeration numbers rely on. Seconds
 * from `t0` (the create call) to the first status poll that reads `ready`.
 */
async function materialised(call, id, t0, { capS = 600 } = {}) {
  let polls = 0;
  for (;;) {
    const r = await call('GET', `/herald/segments/${id}/membership`);
    polls++;
    if (r.json.status === 'ready') {
      return {
        seconds: (r.at - t0) / 1000,
        profiles: r.json.pass_profiles,
        clock: r.json.clock,
        polls,
      };
    }
    if (performance.now() - t0 > capS * 1000) {
      throw new ApiCallError(`membership of ${id} not ready after ${capS} s`, {
        status: r.json.status,
        body: JSON.stringify(r.json),
      });
    }
    await sleep(100);
  }
}

/**
 * (a): `profiles` synthetic profiles in D1, a 3-filter segment created through the API, its size
 * (3 times) and all its members through preview paging; the same for a broad 1-filter segment;
 * workerd's peak memory; the compiled count query's plan and its time straight through D1.
 */
export async function runCountScenario(target, { profiles, fromDir, outDir, say, capS = 60 }) {
  const call = api(target);
  const db = await target.mf.getD1Database('DB');
  const out = { profiles, spread: SPREAD, filter: SEGMENT_FILTER };

  say(`bench:   segments: generating ${profiles.toLocaleString('en-US')} profiles in D1`);
  const now = Date.now();
  out.generation = await generateProfiles(db, { ws: WORKSPACE_ID, profiles, now, say });
  out.memoryMB = { generationPeak: round1(workerdPeakMB()) };
  say(
    `bench:   -> ${out.generation.seconds.toFixed(1)} s, DB ${(out.generation.dbBytes / 2 ** 20).toFixed(0)} MB`,
  );
  resetWorkerdPeak();

  const t0 = performance.now();
  const segment = await call('POST', '/herald/segments', {
    name: 'bench pro players who purchased',
    filter: SEGMENT_FILTER,
  });
  const id = segment.json.id;
  say('bench:   waiting for its materialised membership (pass on the jobs queue)');
  out.materialise = await materialised(call, id, t0);
  say(
    `bench:   -> ready ${out.materialise.seconds.toFixed(1)} s after create, ${out.materialise.profiles} profiles evaluated`,
  );
  const sizes = [];
  for (let k = 0; k < 3; k++) {
    const r = await call('GET', `/herald/segments/${id}/size`);
    sizes.push({ ms: r.ms, size: r.json.size });
    say(`bench:   size #${k + 1}: ${r.json.size} in ${r.ms.toFixed(0)} ms`);
  }
  out.size = {
    segmentId: id,
    size: sizes[0].size,
    runsMs: sizes.map((s) => round1(s.ms)),
    minMs: round1(Math.min(...sizes.map((s) => s.ms))),
    medianMs: round1(median(sizes.map((s) => s.ms))),
    sizesAgree: sizes.every((s) => s.size === sizes[0].size),
  };

  say('bench:   enumerating it through preview?limit=1000');
  out.enumerate = await enumerateThrice(call, id, { capS });
  out.enumerate.matchesSize = out.enumerate.users === out.size.size;
  say(
    `bench:   -> ${out.enumerate.users} users, ${out.enumerate.pages} pages in ${out.enumerate.seconds.toFixed(2)} s ` +
      `(${Math.round(out.enumerate.usersPerSec)} users/s)`,
  );
  say('bench:   and through preview?limit=10000 (the largest page)');
  out.enumerateLarge = await enumerateThrice(call, id, { capS, limit: 10_000 });
  out.enumerateLarge.matchesSize = out.enumerateLarge.users === out.size.size;
  say(
    `bench:   -> ${out.enumerateLarge.users} users, ${out.enumerateLarge.pages} pages in ${out.enumerateLarge.seconds.toFixed(2)} s ` +
      `(${Math.round(out.enumerateLarge.usersPerSec)} users/s)`,
  );

  const t1 = performance.now();
  const broad = await call('POST', '/herald/segments', { name: 'bench pro', filter: BROAD_FILTER });
  const materialiseBroad = await materialised(call, broad.json.id, t1);
  say(
    `bench:   broad segment (plan = pro) ready ${materialiseBroad.seconds.toFixed(1)} s after create`,
  );
  const broadSizes = [];
  for (let k = 0; k < 3; k++) {
    const r = await call('GET', `/herald/segments/${broad.json.id}/size`);
    broadSizes.push({ ms: r.ms, size: r.json.size });
  }
  say('bench:   enumerating a broad segment (plan = pro only)');
  out.enumerateBroad = {
    filter: BROAD_FILTER,
    materialise: materialiseBroad,
    size: {
      size: broadSizes[0].size,
      minMs: round1(Math.min(...broadSizes.map((s) => s.ms))),
      medianMs: round1(median(broadSizes.map((s) => s.ms))),
    },
    ...(await enumerate(call, broad.json.id, { capS: capS / 2 })),
  };
  out.enumerateBroad.matchesSize = out.enumerateBroad.users === out.enumerateBroad.size.size;
  out.enumerateBroadLarge = await enumerate(call, broad.json.id, { capS: capS / 2, limit: 10_000 });
  out.enumerateBroadLarge.matchesSize =
    out.enumerateBroadLarge.users === out.enumerateBroad.size.size;
  say(
    `bench:   -> limit=10000: ${out.enumerateBroadLarge.users} users in ${out.enumerateBroadLarge.seconds.toFixed(1)} s ` +
      `(${Math.round(out.enumerateBroadLarge.usersPerSec)} users/s)`,
  );
  say(
    `bench:   -> ${out.enumerateBroad.users} users in ${out.enumerateBroad.seconds.toFixed(1)} s ` +
      `(${Math.round(out.enumerateBroad.usersPerSec)} users/s)${out.enumerateBroad.complete ? '' : ' [capped]'}`,
  );
  out.memoryMB.queryPeak = round1(workerdPeakMB());

  // Where a materialised page's time goes: the page query straight through D1, as rows and as
  // the one aggregated JSON row the preview reads, and the floor of any API call that reads D1
  // once (GET /herald/segments/{id}: auth, rate limit, one query, JSON).
  try {
    const rowsSql = `SELECT m.profile_id, m.external_id FROM segment_members m
           WHERE m.workspace_id = ? AND m.segment_id = ? AND m.profile_id > ?
           ORDER BY m.profile_id LIMIT 1000`;
    const pageSql = (json) => ({
      sql: json
        ? `SELECT count(*) AS n, max(profile_id) AS last, json_group_array(json_object('braze_id',
             profile_id, 'external_id', external_id)) AS users FROM (${rowsSql})`
        : rowsSql,
      params: [WORKSPACE_ID, broad.json.id, ''],
    });
    const floor = [];
    for (let k = 0; k < 30; k++)
      floor.push((await call('GET', `/herald/segments/${broad.json.id}`)).ms);
    const one = [];
    for (let k = 0; k < 30; k++) {
      one.push((await call('GET', `/herald/segments/${broad.json.id}/preview?limit=1`)).ms);
    }
    const full = [];
    for (let k = 0; k < 30; k++) {
      full.push((await call('GET', `/herald/segments/${broad.json.id}/preview?limit=1000`)).ms);
    }
    out.pageCost = {
      previewOneP50Ms: round1(median(one)),
      previewFullP50Ms: round1(median(full)),
      pageDirect: await timeDirect(db, pageSql(false), 5),
      pageDirectJson: await timeDirect(db, pageSql(true), 5),
      requestFloorP50Ms: round1(median(floor)),
    };
    say(
      `bench:   materialised page straight through D1: ${out.pageCost.pageDirect.minMs} ms ` +
        `(${out.pageCost.pageDirectJson.minMs} ms as one JSON row); one-query API call p50 ${out.pageCost.requestFloorP50Ms} ms; ` +
        `preview first page p50: limit=1 ${out.pageCost.previewOneP50Ms} ms, limit=1000 ${out.pageCost.previewFullP50Ms} ms`,
    );
  } catch (err) {
    out.pageCost = { error: String(err.stack ?? err) };
  }

  // The compiled SQL, its plan, and its time straight through D1 (no Worker in between); then
  // where the time goes: each filter alone, the same filters in another order, and the profile
  // table's access path forced.
  try {
    const compile = await segmentCompiler(fromDir, outDir, Date.now());
    const q = await compile(SEGMENT_FILTER);
    out.compiled = {
      count: {
        ...q.count,
        plan: await explain(db, q.count),
        direct: await timeDirect(db, q.count),
      },
      page: { ...q.page, plan: await explain(db, q.page), direct: await timeDirect(db, q.page) },
    };
    say(
      `bench:   count query straight through D1: ${out.compiled.count.direct.minMs} ms; first page ${out.compiled.page.direct.minMs} ms`,
    );
    const once = async (query) => timeDirect(db, query, 1);
    const breakdown = {
      'scan only: count(*) of the workspace': await once({
        sql: 'SELECT count(*) AS n FROM idx_profiles p WHERE p.workspace_id = ?',
        params: [WORKSPACE_ID],
      }),
    };
    for (const leaf of SEGMENT_FILTER.AND) {
      const [kind, body] = Object.entries(leaf)[0];
      const name = `${kind} ${body.custom_attribute_name ?? body.event_name ?? ''} ${body.comparison} alone`;
      breakdown[name.replace(/\s+/g, ' ')] = await once((await compile(leaf)).count);
    }
    const reordered = { AND: [...SEGMENT_FILTER.AND].reverse() };
    breakdown['all 3, reverse order (purchase, event, attribute)'] = await once(
      (await compile(reordered)).count,
    );
    const pk = 'sqlite_autoindex_idx_profiles_1';
    const forced = (how) => ({
      ...q.count,
      sql: q.count.sql.replace('FROM idx_profiles p', `FROM idx_profiles p ${how}`),
    });
    breakdown[`all 3, INDEXED BY ${pk}`] = await once(forced(`INDEXED BY ${pk}`));
    breakdown['all 3, NOT INDEXED (table scan)'] = await once(forced('NOT INDEXED'));
    out.compiled.breakdown = breakdown;
  } catch (err) {
    out.compiled = { ...out.compiled, error: String(err.stack ?? err) };
  }
  return out;
}

// ---- (b) freshness ----

/**
 * Time from a /users/track response to the user's membership being visible: `probe` polls until
 * it returns true; returns ms since `t0` of the first response that shows it, or null on cap.
 */
async function pollUntil(t0, probe, { intervalMs, capMs }) {
  let polls = 0;
  for (;;) {
    const r = await probe();
    polls++;
    if (r.visible) return { ms: r.at - t0, polls };
    if (performance.now() - t0 > capMs) return { ms: null, polls };
    await sleep(intervalMs);
  }
}

function summarise(samples) {
  const ok = samples.filter((s) => s.ms !== null).map((s) => s.ms);
  return {
    samples: samples.length,
    timedOut: samples.length - ok.length,
    // A timed-out sample counts as the cap in the percentiles (it is at least that late).
    p50Ms: round1(
      percentile(
        samples.map((s) => s.ms ?? Number.POSITIVE_INFINITY),
        50,
      ),
    ),
    p99Ms: round1(
      percentile(
        samples.map((s) => s.ms ?? Number.POSITIVE_INFINITY),
        99,
      ),
    ),
    minMs: round1(ok.length ? Math.min(...ok) : null),
    maxMs: round1(ok.length ? Math.max(...ok) : null),
    meanPolls: round1(samples.reduce((a, s) => a + s.polls, 0) / (samples.length || 1)),
  };
}

/**
 * (b): per sample k, a segment `probe = "<run>-<kind>-<k>"` exists before the user does; one
 * /users/track sets that attribute on a new user, then the bench polls (1) the user's real-time
 * segments or (2) the segment's size until it shows the user.
 */
export async function runFreshnessScenario(
  target,
  { samples = 50, intervalMs = 10, capMs = 10_000, say },
) {
  const call = api(target);
  const run = Date.now().toString(36);
  const kinds = ['realtime', 'index'];
  const ids = {};
  say(`bench:   freshness: creating ${samples * kinds.length} probe segments`);
  for (const kind of kinds) {
    ids[kind] = [];
    for (let k = 0; k < samples; k++) {
      const value = `${run}-${kind}-${k}`;
      const r = await call('POST', '/herald/segments', {
        name: `probe ${value}`,
        filter: {
          custom_attribute: { custom_attribute_name: 'probe', comparison: 'equals', value },
        },
      });
      ids[kind].push({ id: r.json.id, value });
    }
  }
  // Profiles re-check segment definitions at most every 5 s (src/segments/store.ts); a warm-up
  // user after that makes sure every probe segment is known before the first sample.
  await sleep(5_500);
  await call('POST', '/users/track', {
    attributes: [{ external_id: `${run}-warmup`, probe: 'x' }],
  });

  const track = async (externalId, value) => {
    const r = await call('POST', '/users/track', {
      attributes: [{ external_id: externalId, probe: value }],
    });
    return r.at;
  };
  const out = { samples, intervalMs, capMs };

  say(`bench:   freshness (1) real time: ${samples} samples`);
  const realtime = [];
  for (let k = 0; k < samples; k++) {
    const { id, value } = ids.realtime[k];
    const user = `${value}-user`;
    const t0 = await track(user, value);
    realtime.push(
      await pollUntil(
        t0,
        async () => {
          const r = await call(
            'GET',
            `/herald/users/segments?external_id=${encodeURIComponent(user)}`,
          );
          return { visible: r.json.segments.some((s) => s.segment_id === id), at: r.at };
        },
        { intervalMs, capMs },
      ),
    );
  }
  out.realtime = summarise(realtime);
  say(`bench:   -> p50 ${out.realtime.p50Ms} ms, p99 ${out.realtime.p99Ms} ms`);

  say(`bench:   freshness (2) workspace index (segment size): ${samples} samples`);
  const index = [];
  for (let k = 0; k < samples; k++) {
    const { id, value } = ids.index[k];
    const t0 = await track(`${value}-user`, value);
    index.push(
      await pollUntil(
        t0,
        async () => {
          const r = await call('GET', `/herald/segments/${id}/size`);
          return { visible: r.json.size === 1, at: r.at };
        },
        { intervalMs, capMs },
      ),
    );
  }
  out.index = summarise(index);
  out.index.samplesMs = index.map((s) => round1(s.ms));
  say(`bench:   -> p50 ${out.index.p50Ms} ms, p99 ${out.index.p99Ms} ms`);
  return out;
}

export { ApiCallError };

// ---- the suite, as run.mjs runs it ----

/** Scenario ids for `--only`. */
export const SEGMENT_IDS = { count: 'segments-count', freshness: 'segments-freshness' };

/**
 * Runs the selected parts, each on a fresh Herald instance from `start()` (disposed after), and
 * returns { count, freshness, errors }. A part that fails records the error (status, body, the
 * Worker's last log lines) instead of throwing, so the other part and the report still happen.
 */
export async function runSegmentSuite({
  start,
  parts,
  profiles,
  samples,
  fromDir,
  outDir,
  runtimeLog,
  say,
}) {
  const out = { errors: [] };
  const jobs = [
    [SEGMENT_IDS.count, 'count', (t) => runCountScenario(t, { profiles, fromDir, outDir, say })],
    [SEGMENT_IDS.freshness, 'freshness', (t) => runFreshnessScenario(t, { samples, say })],
  ];
  for (const [id, key, job] of jobs) {
    if (!parts.includes(id)) continue;
    say(`bench: starting herald for ${id}`);
    const mark = runtimeLog.lines.length;
    const started = performance.now();
    let target;
    try {
      target = await start();
      out[key] = await job(target);
      out[key].wallSeconds = Math.round((performance.now() - started) / 100) / 10;
    } catch (err) {
      out.errors.push({
        scenario: id,
        message: String(err.message ?? err),
        detail: err.detail ?? null,
        stack: String(err.stack ?? ''),
        runtimeLog: runtimeLog.lines.slice(mark).slice(-20),
      });
      say(`bench:   ${id} FAILED: ${err.message ?? err}`);
    } finally {
      await target?.mf.dispose();
    }
  }
  return out;
}
