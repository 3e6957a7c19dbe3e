import { type ChildProcess, spawn } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { createServer } from 'node:net';
import { delimiter, dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The repository root, wherever it is checked out. */
export const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');

const WRANGLER_BIN = join(
  dirname(createRequire(import.meta.url).resolve('wrangler/package.json')),
  'bin',
  'wrangler.js',
);

/** The environment `npm run` gives scripts: the repo's node_modules/.bin (Node 24) first. */
function childEnv(extra: Record<string, string>): NodeJS.ProcessEnv {
  const path = `${join(REPO_ROOT, 'node_modules', '.bin')}${delimiter}${process.env.PATH ?? ''}`;
  return { ...process.env, PATH: path, ...extra };
}

/** A port nobody listens on right now, found by letting the OS pick one on loopback. */
export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', resolve);
  });
  const address = server.address();
  await new Promise((resolve) => server.close(resolve));
  if (address === null || typeof address === 'string') throw new Error('no TCP address');
  return address.port;
}

/** True when nothing listens on the port, proven by binding it ourselves. */
export async function isPortFree(port: number): Promise<boolean> {
  const server = createServer();
  return new Promise((resolve) => {
    server.once('error', () => resolve(false));
    server.listen({ port, host: '127.0.0.1', exclusive: true }, () => {
      server.close(() => resolve(true));
    });
  });
}

/**
 * Live processes whose environment contains `entry` (e.g. `HERALD_PERSIST_DIR=/tmp/x`). Every
 * process npm start spawns, workerd included, inherits it, so after a stop this must be empty.
 * Reads /proc, so it sees everything on Linux, where CI runs.
 */
export function processesWithEnv(entry: string): number[] {
  const pids = readdirSync('/proc').filter((name) => /^\d+$/.test(name));
  return pids.map(Number).filter((pid) => {
    try {
      return readFileSync(`/proc/${pid}/environ`, 'latin1').split('\0').includes(entry);
    } catch {
      // Gone already, or not ours to read.
      return false;
    }
  });
}

interface Exit {
  code: number | null;
  signal: NodeJS.Signals | null;
}

/** A child process with its stdout and stderr captured, for assertions and failure reports. */
export class CapturedProcess {
  readonly child: ChildProcess;
  readonly exited: Promise<Exit>;
  #output = '';
  #listeners = new Set<() => void>();

  constructor(child: ChildProcess) {
    this.child = child;
    const capture = (chunk: Buffer) => {
      this.#output += chunk.toString('utf8');
      for (const listener of this.#listeners) listener();
    };
    child.stdout?.on('data', capture);
    child.stderr?.on('data', capture);
    // 'close', not 'exit': it waits for the output streams, so no output is lost, and for
    // every process that inherited them (wrangler, workerd) to let go.
    this.exited = new Promise((resolve) => {
      child.once('close', (code, signal) => {
        resolve({ code, signal });
        for (const listener of this.#listeners) listener();
      });
    });
  }

  get output(): string {
    return this.#output;
  }

  get hasExited(): boolean {
    return this.child.exitCode !== null || this.child.signalCode !== null;
  }

  /** Resolve with the first match of `pattern` in the output; reject on exit or timeout. */
  waitForOutput(pattern: RegExp, timeoutMs: number): Promise<RegExpMatchArray> {
    return new Promise((resolve, reject) => {
      const finish = (error?: Error, match?: RegExpMatchArray) => {
        clearTimeout(timer);
        this.#listeners.delete(check);
        if (error) reject(error);
        else resolve(match!);
      };
      const check = () => {
        const match = this.#output.match(pattern);
        if (match) finish(undefined, match);
        else if (this.hasExited) finish(this.#failure(`exited before printing ${pattern}`));
      };
      const timer = setTimeout(
        () => finish(this.#failure(`did not print ${pattern} within ${timeoutMs / 1000} s`)),
        timeoutMs,
      );
      this.#listeners.add(check);
      check();
    });
  }

  /**
   * SIGTERM the process group (the child was spawned detached, so it leads one), as a terminal
   * does on Ctrl-C; SIGKILL and fail if it has not exited within `timeoutMs`.
   */
  async stop(timeoutMs = 30_000): Promise<Exit> {
    if (this.hasExited) return this.exited;
    this.#signalGroup('SIGTERM');
    let timer: NodeJS.Timeout | undefined;
    const timedOut = new Promise<'timeout'>((resolve) => {
      timer = setTimeout(() => resolve('timeout'), timeoutMs);
    });
    const result = await Promise.race([this.exited, timedOut]);
    clearTimeout(timer);
    if (result === 'timeout') {
      this.#signalGroup('SIGKILL');
      throw this.#failure(`did not exit within ${timeoutMs / 1000} s of SIGTERM`);
    }
    return result;
  }

  #signalGroup(signal: NodeJS.Signals): void {
    try {
      process.kill(-this.child.pid!, signal);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ESRCH') throw err;
    }
  }

  #failure(what: string): Error {
    return new Error(`${this.child.spawnargs.join(' ')} ${what}. Its output:\n${this.#output}`);
  }
}

/** Run `node scripts/start.mjs` (what `npm start` runs) in its own process group. */
export function startHerald(env: {
  PORT: string;
  HERALD_PERSIST_DIR: string;
  HERALD_DEMO_API_KEY: string;
}): CapturedProcess {
  const child = spawn(process.execPath, [join(REPO_ROOT, 'scripts', 'start.mjs')], {
    cwd: REPO_ROOT,
    env: childEnv(env),
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true,
  });
  return new CapturedProcess(child);
}

/** Run a wrangler command to completion and return its exit code and combined output. */
export async function runWrangler(
  args: string[],
): Promise<{ code: number | null; output: string }> {
  const child = spawn(process.execPath, [WRANGLER_BIN, ...args], {
    cwd: REPO_ROOT,
    env: childEnv({}),
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const captured = new CapturedProcess(child);
  const { code } = await captured.exited;
  return { code, output: captured.output };
}

/** POST JSON with a bearer token; the parsed JSON answer and its status. */
export async function postJson(
  url: string,
  { token, body }: { token: string; body: unknown },
): Promise<{ status: number; body: unknown }> {
  const res = await fetch(url, {
    method: 'POST',
    headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json' },
    body: JSON.stringify(body),
  });
  return { status: res.status, body: await res.json() };
}
