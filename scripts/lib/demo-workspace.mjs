/**
 * The demo workspace, created through the operator API exactly as a user would. Every call is
 * idempotent (PUT for the workspace, pinned key and app id), so restarts change nothing.
 */

export const DEMO_WORKSPACE_ID = 'demo';

async function operatorCall({ baseUrl, operatorToken }, { method, path, body, expect }) {
  const res = await fetch(`${baseUrl}${path}`, {
    method,
    headers: { Authorization: `Bearer ${operatorToken}`, 'Content-Type': 'application/json' },
    body: JSON.stringify(body),
    signal: AbortSignal.timeout(30_000),
  });
  const text = await res.text();
  if (!expect.includes(res.status)) {
    throw new Error(`${method} ${path} answered ${res.status}: ${text}`);
  }
  return JSON.parse(text);
}

/** Create (or find) the demo workspace, its all-permissions REST key and its web app. */
export async function bootstrapDemoWorkspace({ baseUrl, operatorToken, demoApiKey, demoAppId }) {
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
  });
  const app = await operatorCall(api, {
    method: 'POST',
    path: `${workspacePath}/apps`,
    body: { name: 'Demo web app', platform: 'web', app_id: demoAppId },
    expect: [200, 201],
  });
  return { workspaceId: DEMO_WORKSPACE_ID, apiKey: key.key, appId: app.app_id };
}
