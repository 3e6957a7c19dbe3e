/** The "it's running" message: what to use and how, ready to copy into a terminal. */

/** Quote for POSIX shells: keys from the environment may contain any character. */
function shellQuote(value) {
  return `'${value.replaceAll("'", `'\\''`)}'`;
}

function curlExample({ baseUrl, apiKey, path, body }) {
  return [
    `curl -X POST ${baseUrl}${path} \\`,
    `  -H ${shellQuote(`Authorization: Bearer ${apiKey}`)} \\`,
    `  -H 'Content-Type: application/json' \\`,
    `  -d ${shellQuote(JSON.stringify(body))}`,
  ].join('\n');
}

/** The banner printed once the platform is ready and the demo workspace exists. */
export function formatBanner({ baseUrl, workspaceId, apiKey, appId, operatorToken, now }) {
  const track = curlExample({
    baseUrl,
    apiKey,
    path: '/users/track',
    body: {
      attributes: [{ external_id: 'user-1', first_name: 'Ada' }],
      events: [{ external_id: 'user-1', name: 'signed_up', time: now.toISOString() }],
    },
  });
  const exportIds = curlExample({
    baseUrl,
    apiKey,
    path: '/users/export/ids',
    body: { external_ids: ['user-1'] },
  });
  const rule = '─'.repeat(72);
  return `
${rule}
Herald is running at ${baseUrl}

  API reference     ${baseUrl}/  (OpenAPI: ${baseUrl}/openapi.json)
  Workspace id      ${workspaceId}
  REST API key      ${apiKey}
  SDK app id        ${appId}
  Web SDK demo      ${baseUrl}/sdk-demo.html?app_key=${encodeURIComponent(appId)}
  Operator token    ${operatorToken}

Track a user and an event:

${track}

Export that user:

${exportIds}

Data persists across restarts. Stop with Ctrl-C.
${rule}
`;
}
