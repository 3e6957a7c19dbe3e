import { randomBytes, randomUUID } from 'node:crypto';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';

/**
 * Settings for `npm start`: environment variables win; otherwise secrets are generated once and
 * kept next to the local state, so the printed key and token stay valid across restarts.
 */

const STATE_FILE = 'herald-local.json';
const APP_ID = /^[A-Za-z0-9_-]{8,64}$/;

/** Where the generated local secrets of a state directory are kept. */
export function localConfigFile(persistDir) {
  return join(persistDir, STATE_FILE);
}

function parsePort(value) {
  const port = Number(value);
  if (!Number.isInteger(port) || port < 1 || port > 65535) {
    throw new Error(`PORT must be an integer from 1 to 65535, got "${value}"`);
  }
  return port;
}

function checkEnvSecrets(env) {
  const key = env.HERALD_DEMO_API_KEY;
  if (key !== undefined && (key.length < 16 || key.length > 200)) {
    throw new Error('HERALD_DEMO_API_KEY must be 16 to 200 characters long');
  }
  const appId = env.HERALD_DEMO_APP_ID;
  if (appId !== undefined && !APP_ID.test(appId)) {
    throw new Error('HERALD_DEMO_APP_ID must be 8 to 64 letters, digits, _ or -');
  }
  if (env.HERALD_OPERATOR_TOKEN === '') {
    throw new Error('HERALD_OPERATOR_TOKEN is set but empty');
  }
}

async function readStored(file) {
  let text;
  try {
    text = await readFile(file, 'utf8');
  } catch (err) {
    if (err.code === 'ENOENT') return {};
    throw err;
  }
  try {
    return JSON.parse(text);
  } catch {
    throw new Error(`${file} is not valid JSON; delete it to generate new local secrets`);
  }
}

const GENERATORS = {
  operator_token: () => randomBytes(24).toString('base64url'),
  // Braze REST keys are UUIDs; the demo key looks the same.
  demo_api_key: () => randomUUID(),
  demo_app_id: () => randomUUID(),
};

/** The generated secrets this state directory keeps, creating and saving any that are missing. */
async function storedSecrets(persistDir) {
  const file = localConfigFile(persistDir);
  const stored = await readStored(file);
  const missing = Object.keys(GENERATORS).filter((name) => typeof stored[name] !== 'string');
  if (missing.length === 0) return stored;
  for (const name of missing) stored[name] = GENERATORS[name]();
  await mkdir(persistDir, { recursive: true });
  // Owner-only: the file holds the operator token.
  await writeFile(file, `${JSON.stringify(stored, null, 2)}\n`, { mode: 0o600 });
  return stored;
}

/**
 * Everything `npm start` needs: where state lives, the port, and the operator token, demo REST
 * key and demo app id, each from the environment or from `<persist dir>/herald-local.json`.
 */
export async function loadSettings({ env, repoRoot }) {
  checkEnvSecrets(env);
  const persistDir = env.HERALD_PERSIST_DIR
    ? resolve(env.HERALD_PERSIST_DIR)
    : join(repoRoot, '.wrangler', 'state');
  const stored = await storedSecrets(persistDir);
  return {
    persistDir,
    port: parsePort(env.PORT ?? '8787'),
    operatorToken: env.HERALD_OPERATOR_TOKEN ?? stored.operator_token,
    demoApiKey: env.HERALD_DEMO_API_KEY ?? stored.demo_api_key,
    demoAppId: env.HERALD_DEMO_APP_ID ?? stored.demo_app_id,
  };
}
