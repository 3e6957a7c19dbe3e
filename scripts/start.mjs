#!/usr/bin/env node
/**
 * `npm start`: Herald on the real Workers runtime, locally. Applies the D1 migrations, runs
 * `wrangler dev` with persisted state, creates the demo workspace and prints how to call it.
 * Environment: PORT, HERALD_PERSIST_DIR, HERALD_OPERATOR_TOKEN, HERALD_DEMO_API_KEY,
 * HERALD_DEMO_APP_ID (README, "Configuration").
 */
import { constants } from 'node:os';
import { fileURLToPath } from 'node:url';
import { buildSdk } from '../sdk/build.mjs';
import { formatBanner } from './lib/banner.mjs';
import { bootstrapDemoWorkspace } from './lib/demo-workspace.mjs';
import { loadSettings } from './lib/local-config.mjs';
import {
  forwardStopSignals,
  isStopping,
  killGroup,
  spawnWrangler,
  stopGroup,
} from './lib/process-group.mjs';
import { assertPortFree, waitForReady } from './lib/server.mjs';

const REPO_ROOT = fileURLToPath(new URL('..', import.meta.url));
// Loopback only: the operator token and demo key grant full access to local data.
const HOST = '127.0.0.1';
// The first start bundles the Worker and boots workerd; slow CI machines need the headroom.
const READY_TIMEOUT_MS = 90_000;

function assertNodeVersion() {
  const major = Number(process.versions.node.split('.')[0]);
  if (major < 22) {
    throw new Error(
      `Node ${process.versions.node} is too old for wrangler; run \`npm start\`, which uses the ` +
        "repo's Node 24 from node_modules/.bin.",
    );
  }
}

async function applyMigrations({ persistDir }) {
  const migrate = spawnWrangler(
    ['d1', 'migrations', 'apply', 'DB', '--local', '--persist-to', persistDir],
    { cwd: REPO_ROOT, env: process.env },
  );
  const { code, signal } = await migrate.exited;
  if (isStopping()) process.exit(0);
  if (code !== 0) {
    throw new Error(`Applying D1 migrations failed (${signal ?? `exit code ${code}`})`);
  }
}

function startDevServer({ persistDir, port, operatorToken }) {
  const args = [
    'dev',
    '--local',
    '--persist-to',
    persistDir,
    '--port',
    String(port),
    '--ip',
    HOST,
    '--var',
    `HERALD_OPERATOR_TOKEN:${operatorToken}`,
    // The hotkey bar redraws the terminal and reads stdin; our stdin is closed anyway.
    '--show-interactive-dev-session=false',
  ];
  // Also in the environment: wrangler checks `[secrets] required` against process.env and
  // .dev.vars, not --var, and would warn that the token is missing.
  const env = { ...process.env, HERALD_OPERATOR_TOKEN: operatorToken };
  return spawnWrangler(args, { cwd: REPO_ROOT, env });
}

/** The exit status to report for the dev server's exit; a requested stop is a clean exit. */
function exitStatus({ code, signal }) {
  if (isStopping()) return 0;
  if (code !== null) return code;
  return 128 + (constants.signals[signal] ?? 0);
}

async function main() {
  assertNodeVersion();
  const settings = await loadSettings({ env: process.env, repoRoot: REPO_ROOT });
  await assertPortFree({ host: HOST, port: settings.port });
  forwardStopSignals();
  // The Web SDK is served with the admin site (/js/herald-sdk.js, the demo at /sdk-demo.html).
  await buildSdk();
  await applyMigrations(settings);

  const server = startDevServer(settings);
  const baseUrl = `http://${HOST}:${settings.port}`;
  try {
    await waitForReady({
      url: `${baseUrl}/openapi.json`,
      timeoutMs: READY_TIMEOUT_MS,
      exited: server.exited,
    });
    const demo = await bootstrapDemoWorkspace({ baseUrl, ...settings });
    process.stdout.write(
      formatBanner({ baseUrl, ...demo, operatorToken: settings.operatorToken, now: new Date() }),
    );
  } catch (err) {
    if (isStopping()) process.exit(0);
    await stopGroup(server);
    throw err;
  }

  const exit = await server.exited;
  // wrangler normally takes workerd down with it; make sure nothing is left holding the port.
  killGroup(server, 'SIGKILL');
  process.exit(exitStatus(exit));
}

main().catch((err) => {
  // Every failure here is about the local setup (port, config, wrangler); a stack trace would
  // only bury the message.
  console.error(`\nnpm start failed: ${err.message ?? err}`);
  process.exit(1);
});
