// The Workers under test, each in its own Miniflare instance (workerd, no wrangler dev proxy).
import { copyFileSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, dirname, join } from 'node:path';
import { loadRuntime } from './runtime.mjs';

const runtime = await loadRuntime();
export const RUNTIME_INFO = runtime.info;

/** A Miniflare instance from v4-shaped options. */
const miniflare = (options) => new runtime.Miniflare(runtime.convert(options));

export const OPERATOR_TOKEN = 'bench-operator';
export const WORKSPACE_ID = 'bench';

/** Keeps the last lines workerd and the Worker printed (errors, warnings) for the report. */
export class RuntimeLog {
  constructor(limit = 200) {
    this.limit = limit;
    this.lines = [];
  }
  push(source, text) {
    for (const line of String(text).split('\n')) {
      if (!line.trim()) continue;
      this.lines.push(`[${source}] ${line}`);
      if (this.lines.length > this.limit) this.lines.shift();
    }
  }
  attach(stream, source) {
    stream.setEncoding('utf8');
    stream.on('data', (d) => this.push(source, d));
  }
}

/**
 * Where workerd keeps Durable Object, D1, queue and R2 state: a fresh directory per instance,
 * deleted on dispose. 'memory' puts it on tmpfs (/dev/shm); 'disk' under the OS temp dir.
 */
export function storageRoot(kind) {
  if (kind === 'disk') return tmpdir();
  if (kind === 'memory') {
    if (existsSync('/dev/shm')) return '/dev/shm';
    throw new Error('--storage memory needs /dev/shm');
  }
  throw new Error(`unknown storage ${kind}`);
}

const liveStateDirs = new Set();

/** Delete state directories of instances not disposed yet (the bench was interrupted). */
export function removeStateDirs() {
  for (const dir of liveStateDirs) rmSync(dir, { recursive: true, force: true });
  liveStateDirs.clear();
}

/** A Miniflare instance whose dispose() also deletes its state directory. */
function withStorage(kind, make) {
  const dir = mkdtempSync(join(storageRoot(kind), 'herald-bench-state-'));
  liveStateDirs.add(dir);
  const mf = make(dir);
  const dispose = mf.dispose.bind(mf);
  mf.dispose = async () => {
    try {
      await dispose();
    } finally {
      rmSync(dir, { recursive: true, force: true });
      liveStateDirs.delete(dir);
    }
  };
  return mf;
}

function baseOptions(runtimeLog) {
  return {
    host: '127.0.0.1',
    port: 0,
    log: new runtime.Log(runtime.LogLevel.WARN),
    // Request.cf is fetched from the internet by default; the bench is offline.
    cf: false,
    logRequests: false,
    // A socket straight into the Worker, skipping Miniflare's entry worker (see startTarget).
    unsafeDirectSockets: [{ host: '127.0.0.1', port: 0 }],
    // workerd's own log lines and the Worker's console output, both structured.
    handleStructuredLogs: ({ level, message }) => runtimeLog.push(`workerd ${level}`, message),
  };
}

/**
 * `url`: the Worker's own socket (unsafeDirectSockets), as production has no dev entry worker in
 * front. `entryUrl`: Miniflare's usual entry, one extra Worker hop (request.cf, pretty errors).
 */
async function urls(mf) {
  const entryUrl = (await mf.ready).href.replace(/\/$/, '');
  const url = (await mf.unsafeGetDirectURL()).href.replace(/\/$/, '');
  return { url, entryUrl };
}

/** The hello-world ceiling, or another small bench Worker (`extraOptions`: its bindings). */
export async function startHello({ script, runtimeLog, storage = 'memory', extraOptions = {} }) {
  const mf = withStorage(storage, (dir) =>
    miniflare({
      ...baseOptions(runtimeLog),
      resourcePersistencePath: dir,
      compatibilityDate: '2026-11-01',
      compatibilityFlags: ['nodejs_compat'],
      modules: [{ type: 'ESModule', path: script }],
      ...extraOptions,
    }),
  );
  return { ...(await urls(mf)), mf, info: {} };
}

// By hand, mirroring wrangler.toml: used when wrangler's helper is missing or fails.
const HAND_CONFIG = {
  compatibilityDate: '2026-11-01',
  compatibilityFlags: ['nodejs_compat'],
  durableObjects: {
    USER_PROFILE: { className: 'UserProfile', useSQLite: true },
    IDENTITY_INDEX: { className: 'IdentityIndex', useSQLite: true },
    RATE_LIMITER: { className: 'RateLimiter', useSQLite: true },
  },
  d1Databases: ['DB'],
  queueProducers: {
    CHANGES_QUEUE: 'herald-changes',
    JOBS_QUEUE: 'herald-jobs',
    DELIVERY_QUEUE: 'herald-delivery',
    SEND_RECORDS_QUEUE: 'herald-send-records',
  },
  queueConsumers: {
    'herald-changes': {
      maxBatchSize: 100,
      maxBatchTimeout: 0,
      maxRetries: 5,
      deadLetterQueue: 'herald-changes-dlq',
    },
    'herald-jobs': {
      maxBatchSize: 10,
      maxBatchTimeout: 1,
      maxRetries: 5,
      deadLetterQueue: 'herald-jobs-dlq',
    },
    'herald-delivery': {
      maxBatchSize: 10,
      maxBatchTimeout: 0,
      maxRetries: 10,
      deadLetterQueue: 'herald-delivery-dlq',
    },
    'herald-send-records': {
      maxBatchSize: 10,
      maxBatchTimeout: 1,
      maxRetries: 10,
      deadLetterQueue: 'herald-delivery-dlq',
    },
    'herald-delivery-dlq': { maxBatchSize: 10, maxBatchTimeout: 1 },
  },
  r2Buckets: ['EXPORTS'],
  bindings: {
    HERALD_LOG_LEVEL: 'info',
    HERALD_RETRY_BASE_SECONDS: '30',
    HERALD_WRITE_BACK_DELAY_SECONDS: '60',
  },
};

const FROM_WRANGLER = [
  'compatibilityDate',
  'compatibilityFlags',
  'durableObjects',
  'd1Databases',
  'queueProducers',
  'queueConsumers',
  'r2Buckets',
  'kvNamespaces',
  'bindings',
];

/**
 * Binding options from wrangler.toml via wrangler's own translation (so new bindings follow the
 * config), minus assets and crons: /users/track never reaches the asset router, and the bench
 * does not want cron ticks. Falls back to HAND_CONFIG.
 */
async function heraldConfig(fromDir) {
  const saved = process.env.WRANGLER_LOG;
  process.env.WRANGLER_LOG = 'error';
  try {
    const { unstable_getMiniflareWorkerOptions } = await import('wrangler');
    if (typeof unstable_getMiniflareWorkerOptions !== 'function') throw new Error('not exported');
    const { workerOptions } = unstable_getMiniflareWorkerOptions(join(fromDir, 'wrangler.toml'));
    const picked = {};
    for (const k of FROM_WRANGLER) if (workerOptions[k] !== undefined) picked[k] = workerOptions[k];
    return { options: picked, source: 'wrangler unstable_getMiniflareWorkerOptions' };
  } catch (err) {
    return { options: HAND_CONFIG, source: `hand-written (wrangler helper: ${err.message})` };
  } finally {
    if (saved === undefined) delete process.env.WRANGLER_LOG;
    else process.env.WRANGLER_LOG = saved;
  }
}

/**
 * One queue consumer's settings as Herald's wrangler.toml declares them (maxBatchSize,
 * maxBatchTimeout, maxRetries, deadLetterQueue), so a bench Worker can consume alike.
 */
export async function queueConsumerSettings(fromDir, queue) {
  const { options } = await heraldConfig(fromDir);
  const settings = options.queueConsumers?.[queue];
  if (!settings) throw new Error(`wrangler.toml has no consumer for ${queue}`);
  return settings;
}

/** Each migrations/*.sql in name order, split on drizzle's statement breakpoints. */
async function applyMigrations(mf, fromDir) {
  const dir = join(fromDir, 'migrations');
  const files = readdirSync(dir)
    .filter((f) => f.endsWith('.sql'))
    .sort();
  const db = await mf.getD1Database('DB');
  let statements = 0;
  for (const file of files) {
    const sql = readFileSync(join(dir, file), 'utf8');
    for (const stmt of sql.split('--> statement-breakpoint')) {
      if (!stmt.trim()) continue;
      await db.prepare(stmt).run();
      statements++;
    }
  }
  return { files, statements };
}

async function call(url, { method, path, token, body, expect }) {
  const res = await fetch(`${url}${path}`, {
    method,
    headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
    signal: AbortSignal.timeout(60_000),
  });
  const text = await res.text();
  if (!expect.includes(res.status)) throw new Error(`${method} ${path} -> ${res.status}: ${text}`);
  return JSON.parse(text);
}

/**
 * Workspace with a rate limit the bench cannot reach, and an all-permissions key. `settings`
 * adds to the workspace settings (e.g. a Connected Content allowlist for a local sink).
 */
async function bootstrap(url, settings = {}) {
  const ws = `/operator/workspaces/${WORKSPACE_ID}`;
  await call(url, {
    method: 'PUT',
    path: ws,
    token: OPERATOR_TOKEN,
    body: {
      name: 'bench',
      settings: {
        rate_limits: { users_track: { limit: 100_000_000, window_seconds: 3 } },
        ...settings,
      },
    },
    expect: [200, 201],
  });
  const { key } = await call(url, {
    method: 'POST',
    path: `${ws}/api_keys`,
    token: OPERATOR_TOKEN,
    body: { name: 'bench', permissions: ['*'] },
    expect: [200, 201],
  });
  return key;
}

/**
 * Herald: the bundle from `wrangler deploy --dry-run`, migrated and bootstrapped. `variant`
 * (diagnostics only) runs it behind lib/variant-entry.js with some bindings faked; `settings`
 * goes into the bench workspace's settings.
 */
export async function startHerald({
  script,
  fromDir,
  runtimeLog,
  variant = '',
  storage = 'memory',
  extraOptions = {},
  settings = {},
  bindings = {},
}) {
  const config = await heraldConfig(fromDir);
  let modules = [{ type: 'ESModule', path: script }];
  if (variant) {
    const wrapper = join(dirname(script), 'bench-variant-entry.js');
    copyFileSync(new URL('./variant-entry.js', import.meta.url), wrapper);
    if (basename(script) !== 'main.js') throw new Error('variant wrapper expects main.js');
    modules = [
      { type: 'ESModule', path: wrapper },
      { type: 'ESModule', path: script },
    ];
  }
  const mf = withStorage(storage, (dir) =>
    miniflare({
      ...baseOptions(runtimeLog),
      resourcePersistencePath: dir,
      ...extraOptions,
      ...config.options,
      name: 'herald',
      modules,
      modulesRoot: dirname(script),
      bindings: {
        ...config.options.bindings,
        HERALD_OPERATOR_TOKEN: OPERATOR_TOKEN,
        HERALD_LOG_LEVEL: 'warn',
        ...bindings,
        ...(variant ? { BENCH_VARIANT: variant } : {}),
      },
    }),
  );
  try {
    const { url, entryUrl } = await urls(mf);
    const migrations = await applyMigrations(mf, fromDir);
    const apiKey = await bootstrap(url, settings);
    return {
      url,
      entryUrl,
      mf,
      apiKey,
      info: { config: config.source, migrations, variant, storage },
    };
  } catch (err) {
    await mf.dispose().catch(() => undefined);
    throw err;
  }
}
