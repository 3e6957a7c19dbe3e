/**
 * The demo workspace, created through the operator API exactly as a user would. Every call is
 * idempotent (PUT for the workspace, pinned key and app id), so restarts change nothing.
 */

import { localConfigFile } from './local-config.mjs';

export const DEMO_WORKSPACE_ID = 'demo';

async function operatorCall(
  { baseUrl, operatorToken },
  { method, path, body, expect, hints = {} },
) {
  const res = await fetch(`${baseUrl}${path}`, {
    method,
    headers: { Authorization: `Bearer ${operatorToken}`, 'Content-Type': 'application/json' },
    body: JSON.stringify(body),
    signal: AbortSignal.timeout(30_000),
  });
  const text = await res.text();
  if (!expect.includes(res.status)) {
    const hint = hints[res.status] ? `\n${hints[res.status]}` : '';
    throw new Error(`${method} ${path} answered ${res.status}: ${text}${hint}`);
  }
  return JSON.parse(text);
}

/** Create (or find) the demo workspace, its all-permissions REST key and its web app. */
export async function bootstrapDemoWorkspace({
  baseUrl,
  operatorToken,
  demoApiKey,
  demoAppId,
  persistDir,
}) {
  const api = { baseUrl, operatorToken };
  const workspacePath = `/operator/workspaces/${DEMO_WORKSPACE_ID}`;
  await operatorCall(api, {
    method: 'PUT',
    path: workspacePath,
    body: { name: 'Demo workspace' },
    expect: [200, 201],
  });
  const key = await operatorCall(api, {
    method: 'POST',
    path: `${workspacePath}/api_keys`,
    body: { name: 'demo (all permissions)', permissions: ['*'], key: demoApiKey },
    expect: [200, 201],
    // Keys are immutable: a revoked demo key cannot come back, so the way out is a new one.
    hints: {
      409:
        'The demo key was revoked or belongs to another workspace. Set HERALD_DEMO_API_KEY to ' +
        `a new value, or delete "demo_api_key" from ${localConfigFile(persistDir)} to generate one.`,
    },
  });
  const app = await operatorCall(api, {
    method: 'POST',
    path: `${workspacePath}/apps`,
    body: { name: 'Demo web app', platform: 'web', app_id: demoAppId },
    expect: [200, 201],
  });
  return { workspaceId: DEMO_WORKSPACE_ID, apiKey: key.key, appId: app.app_id };
}
