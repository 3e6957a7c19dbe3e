// The edge benchmarks' set-up and requests: the SDK endpoints (issue 8: POST /sdk/v1/batch,
// GET /sdk/v1/feature_flags) and the email tracking endpoints (issue 6: the open pixel and the
// click redirect). Their scenarios live in scenarios.mjs (groups `sdk` and `tracking`); the set-up
// runs once on a fresh Herald before them (run.mjs startTarget), and its answer is the `context`
// each request is made from.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { drainQueued } from './drain.mjs';
import { OPERATOR_TOKEN, WORKSPACE_ID } from './targets.mjs';

/** Devices the SDK batch scenario cycles over (half anonymous, half identified). */
export const SDK_DEVICES = 10_000;
export const SDK_EVENTS_PER_BATCH = 20;
/** Users the flag polls and the tracking hits cycle over (each created before measuring). */
export const FLAG_USERS = 1_000;
export const TRACKED_USERS = 1_000;

/** A per-run prefix, so item ids never repeat between runs (a repeated id is skipped cheaply). */
const RUN = Date.now().toString(36);

function api(target) {
  return async (method, path, body, { token = target.apiKey, expect = [200, 201] } = {}) => {
    const res = await fetch(`${target.url}${path}`, {
      method,
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
      signal: AbortSignal.timeout(120_000),
    });
    const text = await res.text();
    if (!expect.includes(res.status)) {
      throw new Error(`${method} ${path} -> ${res.status} ${text.slice(0, 500)}`);
    }
    return { status: res.status, headers: res.headers, json: text ? JSON.parse(text) : null };
  };
}

/** Run `work(k)` for k in [0, n) with `concurrency` at a time. */
async function pool(n, concurrency, work) {
  let next = 0;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < n) await work(next++);
    }),
  );
}

/** Device d's user: even devices are anonymous (before login), odd ones identified. */
export function sdkUser(d) {
  return d % 2 === 0 ? { anonymous_id: `bench-anon-${d}` } : { external_id: `sdk-u${d}` };
}

/** Batch i: 20 custom events from device i % 10,000, each with an id no batch used before. */
export function sdkBatchRequest(i, ctx) {
  const d = i % SDK_DEVICES;
  const user = sdkUser(d);
  const time = Date.now() - 1_000;
  return {
    body: JSON.stringify({
      app_key: ctx.appKey,
      sdk_version: '0.1.0',
      device_id: `device-${d}`,
      items: Array.from({ length: SDK_EVENTS_PER_BATCH }, (_, k) => ({
        id: `${RUN}-${i}-${k}`,
        user,
        time,
        type: 'event',
        name: k % 4 === 0 ? 'viewed_item' : 'scrolled',
        properties: { sku: `A${k}`, position: k },
      })),
    }),
  };
}

const flagQuery = (ctx, u) => {
  const user = sdkUser(u);
  const who = user.external_id
    ? `external_id=${encodeURIComponent(user.external_id)}`
    : `anonymous_id=${encodeURIComponent(user.anonymous_id)}`;
  return `/sdk/v1/feature_flags?app_key=${ctx.appKey}&${who}`;
};

/** A full flag sync for flag user i % 1,000 (no validator: 200 with the flags). */
export function flagSyncRequest(i, ctx) {
  return { path: flagQuery(ctx, ctx.flagUsers[i % FLAG_USERS]) };
}

/** A poll with the ETag the user last got: nothing changed, so 304. */
export function flagPollRequest(i, ctx) {
  const k = i % FLAG_USERS;
  return {
    path: flagQuery(ctx, ctx.flagUsers[k]),
    headers: { 'if-none-match': ctx.etags[k] },
  };
}

/**
 * The SDK set-up: an app (its public key), a segment and four flags (everyone on with typed
 * properties, a 50% rollout, a segment rule, one off), then 1,000 users who sent a batch
 * (devices 1,000,000+, apart from the batch scenario's) and the ETag each currently gets.
 */
export async function prepareSdk(target, { say }) {
  const call = api(target);
  const app = await call(
    'POST',
    `/operator/workspaces/${WORKSPACE_ID}/apps`,
    { name: 'bench web' },
    { token: OPERATOR_TOKEN },
  );
  const appKey = app.json.app_id;
  const segment = await call('POST', '/herald/segments', {
    name: 'bench pro',
    filter: {
      custom_attribute: { custom_attribute_name: 'plan', comparison: 'equals', value: 'pro' },
    },
  });
  const flags = [
    {
      id: 'bench_checkout',
      name: 'New checkout',
      properties: {
        color: { type: 'string', value: 'blue' },
        limit: { type: 'number', value: 3 },
        on_sale: { type: 'boolean', value: true },
        config: { type: 'jsonobject', value: { steps: ['cart', 'pay'], retries: 2 } },
      },
      everyone_else: { enabled: true, rollout_percentage: 100 },
    },
    {
      id: 'bench_half',
      name: 'Half rollout',
      properties: { banner: { type: 'image', value: 'https://cdn.example.com/b.png' } },
      everyone_else: { enabled: true, rollout_percentage: 50 },
    },
    {
      id: 'bench_pro',
      name: 'Pro only',
      rules: [{ segment_id: segment.json.id, rollout_percentage: 100 }],
    },
    { id: 'bench_off', name: 'Off' },
  ];
  for (const f of flags) await call('POST', '/herald/feature_flags', f);

  const flagUsers = Array.from({ length: FLAG_USERS }, (_, k) => 1_000_000 + k);
  const perBatch = 20;
  await pool(FLAG_USERS / perBatch, 4, async (b) => {
    await call('POST', '/sdk/v1/batch', {
      app_key: appKey,
      items: flagUsers.slice(b * perBatch, (b + 1) * perBatch).map((u) => ({
        id: `${RUN}-seed-${u}`,
        user: sdkUser(u),
        time: Date.now() - 1_000,
        type: 'attributes',
        attributes: { plan: u % 3 === 0 ? 'pro' : 'free', first_name: 'Flag' },
      })),
    });
  });
  // The seed batches are queued: apply them before reading flags.
  await drainQueued({ url: target.url, key: target.apiKey, say });
  // Profiles re-read segment definitions every few seconds; the ETags must be the settled ones.
  await new Promise((r) => setTimeout(r, 5_500));
  const etags = new Array(FLAG_USERS);
  let enabled = 0;
  await pool(FLAG_USERS, 8, async (k) => {
    const res = await call('GET', flagQuery({ appKey }, flagUsers[k]));
    etags[k] = res.headers.get('etag');
    enabled += res.json.feature_flags.filter((f) => f.enabled).length;
  });
  say(
    `bench:   sdk: app ${appKey}, ${flags.length} flags, ${FLAG_USERS} flag users ` +
      `(${(enabled / FLAG_USERS).toFixed(2)} flags on per user)`,
  );
  return { appKey, flagUsers, etags, flags: flags.length };
}

/**
 * src/tracking/token.ts and click.ts of the measured tree, bundled for Node: tokens and click
 * signatures are made by Herald's own code with the workspace's key in D1 (Miniflare's binding).
 */
async function trackingSigner(fromDir, outDir) {
  const { build } = await import('esbuild');
  const entry = join(outDir, 'tracking-sign-entry.js');
  writeFileSync(
    entry,
    `export { signToken } from ${JSON.stringify(join(fromDir, 'src/tracking/token.ts'))};\n` +
      `export { clickUrl } from ${JSON.stringify(join(fromDir, 'src/tracking/click.ts'))};\n`,
  );
  const outfile = join(outDir, 'tracking-sign.mjs');
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
  return import(`${pathToFileURL(outfile).href}?t=${Date.now()}`);
}

/** The destination every tracked link points to (never fetched: the bench reads the 302). */
export const CLICK_DESTINATION = 'https://example.com/sale?a=1&b=2';

/**
 * The tracking set-up: 1,000 users (/users/track), their profile ids (/users/export/ids), a
 * launched email campaign, and for each user an open pixel path and a click path signed as the
 * email sender signs them.
 */
export async function prepareTracking(target, { fromDir, outDir, say }) {
  const call = api(target);
  const ids = Array.from({ length: TRACKED_USERS }, (_, k) => `trk-${k}`);
  await pool(Math.ceil(TRACKED_USERS / 75), 4, async (r) => {
    await call('POST', '/users/track', {
      attributes: ids
        .slice(r * 75, (r + 1) * 75)
        .map((external_id) => ({ external_id, email: `${external_id}@example.com` })),
    });
  });
  await drainQueued({ url: target.url, key: target.apiKey, say });
  const profiles = new Map();
  for (let k = 0; k < ids.length; k += 50) {
    const res = await call('POST', '/users/export/ids', {
      external_ids: ids.slice(k, k + 50),
      fields_to_export: ['external_id', 'braze_id'],
    });
    for (const u of res.json.users) profiles.set(u.external_id, u.braze_id);
  }
  if (profiles.size !== ids.length) throw new Error(`exported ${profiles.size} of ${ids.length}`);
  const app = await call(
    'POST',
    `/operator/workspaces/${WORKSPACE_ID}/apps`,
    { name: 'bench mail' },
    { token: OPERATOR_TOKEN },
  );
  const campaign = await call('POST', '/herald/campaigns', {
    name: 'bench tracking',
    delivery: { type: 'api_triggered' },
    variants: [
      {
        messages: {
          email: {
            app_id: app.json.app_id,
            from: 'Team <team@herald.test>',
            subject: 'Hi',
            body: '<p>Hi</p>',
          },
        },
      },
    ],
  });
  await call('POST', `/herald/campaigns/${campaign.json.id}/launch`, {});

  const signer = await trackingSigner(fromDir, outDir);
  const db = await target.mf.getD1Database('DB');
  const opens = [];
  const clicks = [];
  for (const externalId of ids) {
    const token = await signer.signToken(db, {
      workspaceId: WORKSPACE_ID,
      profileId: profiles.get(externalId),
      channel: 'email',
      dispatchId: `bench-dispatch-${RUN}`,
      sendId: `bench-send-${externalId}`,
      campaignId: campaign.json.id,
      // The variation the stats are kept under (data_series lists per variation).
      variantId: campaign.json.variants?.[0]?.id ?? null,
    });
    opens.push(`/t/o/${token}.gif`);
    const url = await signer.clickUrl(db, {
      publicUrl: '',
      token,
      workspaceId: WORKSPACE_ID,
      url: CLICK_DESTINATION,
    });
    clicks.push(url);
  }
  say(`bench:   tracking: ${ids.length} users, campaign ${campaign.json.id}, tokens signed`);
  return { opens, clicks, campaignId: campaign.json.id };
}

const BROWSER = 'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 Chrome/130 Safari/537.36';

/** An open of user i % 1,000's email, from a mail client that loads images. */
export function openRequest(i, ctx) {
  countHit(ctx, 'opens');
  return { path: ctx.opens[i % TRACKED_USERS], headers: { 'user-agent': BROWSER } };
}

/** A click on user i % 1,000's tracked link. */
export function clickRequest(i, ctx) {
  countHit(ctx, 'clicks');
  return { path: ctx.clicks[i % TRACKED_USERS], headers: { 'user-agent': BROWSER } };
}

/** Count the hits each tracking scenario sent (warm-up included), for the check below. */
export function countHit(ctx, kind) {
  ctx.sent ??= { opens: 0, clicks: 0 };
  ctx.sent[kind]++;
}

/**
 * After the tracking scenarios: the campaign's email stats, polled until they stop moving (the
 * change queue's backlog draining), against the hits sent. A pixel answers its GIF whatever
 * happened, so this is what shows the opens were recorded, not just answered.
 */
export async function trackingCheck(target, ctx, { say }) {
  const call = api(target);
  const started = performance.now();
  let last = null;
  let stable = 0;
  let stats = {};
  while (performance.now() - started < 120_000) {
    const res = await call('GET', `/campaigns/data_series?campaign_id=${ctx.campaignId}&length=1`);
    stats = res.json.data?.[0]?.messages?.email?.[0] ?? {};
    const now = `${stats.opens ?? 0}/${stats.clicks ?? 0}`;
    stable = now === last ? stable + 1 : 0;
    last = now;
    if (stable >= 3) break;
    await new Promise((r) => setTimeout(r, 1_000));
  }
  const out = {
    sent: ctx.sent ?? { opens: 0, clicks: 0 },
    recorded: {
      opens: stats.opens ?? 0,
      uniqueOpens: stats.unique_opens ?? 0,
      clicks: stats.clicks ?? 0,
      uniqueClicks: stats.unique_clicks ?? 0,
    },
    settledSeconds: Math.round((performance.now() - started) / 100) / 10,
  };
  say(
    `bench:   tracking check: opens ${out.recorded.opens} recorded of ${out.sent.opens} sent ` +
      `(${out.recorded.uniqueOpens} unique), clicks ${out.recorded.clicks} of ${out.sent.clicks} ` +
      `(${out.recorded.uniqueClicks} unique); stats settled ${out.settledSeconds} s after the last hit`,
  );
  return out;
}
