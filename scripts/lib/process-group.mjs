import { spawn } from 'node:child_process';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';

/**
 * Children run in their own process groups so one signal reaches everything they start:
 * `wrangler dev` forks a second Node process, which runs workerd, and a signal sent only to the
 * first one can leave workerd holding the port.
 */

const live = new Set();
let stopRequested = false;

const WRANGLER_BIN = join(
  dirname(createRequire(import.meta.url).resolve('wrangler/package.json')),
  'bin',
  'wrangler.js',
);

/** True once SIGINT, SIGTERM or SIGHUP has asked us to stop. */
export function isStopping() {
  return stopRequested;
}

/** Send a signal to a child's whole process group; a group that is already gone is fine. */
export function killGroup(child, signal) {
  try {
    process.kill(-child.pid, signal);
  } catch (err) {
    if (err.code !== 'ESRCH') throw err;
  }
}

/**
 * Stop a child's group: SIGTERM so wrangler can shut workerd down, then SIGKILL whatever is
 * left after `graceMs`, so nothing outlives us holding the port or the state directory.
 */
export async function stopGroup(child, { graceMs = 10_000 } = {}) {
  killGroup(child, 'SIGTERM');
  await Promise.race([child.exited, sleep(graceMs)]);
  killGroup(child, 'SIGKILL');
}

/**
 * Run wrangler with the Node that runs this script (the repo's Node 24 under `npm start`), so
 * PATH does not decide which Node wrangler gets. stdin is closed: wrangler then treats the run
 * as non-interactive and never waits for an answer, with or without a terminal.
 */
export function spawnWrangler(args, { cwd, env }) {
  const child = spawn(process.execPath, [WRANGLER_BIN, ...args], {
    cwd,
    env,
    stdio: ['ignore', 'inherit', 'inherit'],
    detached: true,
  });
  live.add(child);
  child.exited = new Promise((resolve) => {
    child.once('exit', (code, signal) => {
      live.delete(child);
      resolve({ code, signal });
    });
  });
  return child;
}

/**
 * Forward stop signals to every live child group. Detached children do not see the terminal's
 * Ctrl-C themselves, so without this they would outlive us; a second signal kills them outright.
 */
export function forwardStopSignals() {
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP']) {
    process.on(signal, () => {
      const forwarded = stopRequested ? 'SIGKILL' : signal;
      stopRequested = true;
      for (const child of live) killGroup(child, forwarded);
    });
  }
}
