import { sha256Hex } from '../../lib/hash';
import { jsonOf, snippet } from '../provider-http';
import type { ApnsConfig } from './config-store';
import { type DeviceResult, failure, post } from './http';
import { importPemKey, signJwt } from './jwt';
import type { ApnsPush } from './payload';

/**
 * Apple Push Notification service, token-based authentication: an ES256 provider token signed
 * with the team's .p8 key (`kid` key id, `iss` team id, `iat`), reused for 50 minutes — Apple
 * refuses tokens older than an hour and throttles making new ones more often than every 20
 * minutes — and one `POST /3/device/{token}` per device.
 *
 * APNs speaks only HTTP/2; see docs/channels.md for what that means on Workers (`base_url`).
 */

const TOKEN_REUSE_MS = 50 * 60_000;

const providerTokens = new Map<string, { jwt: string; issuedAt: number }>();

function cacheKey(workspaceId: string, config: ApnsConfig): string {
  return `${workspaceId}\u0001${config.settings.key_id}\u0001${config.updatedAt}`;
}

/** The provider token for the workspace's key, or why there is none. */
export async function providerToken(input: {
  workspaceId: string;
  config: ApnsConfig;
  now: number;
}): Promise<{ jwt: string } | DeviceResult> {
  const key = cacheKey(input.workspaceId, input.config);
  const cached = providerTokens.get(key);
  if (cached && input.now - cached.issuedAt < TOKEN_REUSE_MS) return { jwt: cached.jwt };
  const signing = await importPemKey(input.config.secrets.private_key, 'ES256');
  if (!signing) return { type: 'failed', status: null, reason: 'the APNs key is unusable' };
  const jwt = await signJwt({
    alg: 'ES256',
    key: signing,
    header: { kid: input.config.settings.key_id },
    claims: { iss: input.config.settings.team_id, iat: Math.floor(input.now / 1_000) },
  });
  if (providerTokens.size > 1_000) providerTokens.clear();
  providerTokens.set(key, { jwt, issuedAt: input.now });
  return { jwt };
}

/** A UUID (the form `apns-id` takes) derived from a string, so a retried send keeps its id. */
async function apnsId(ref: string): Promise<string> {
  const hex = (await sha256Hex(ref)).slice(0, 32);
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`.toUpperCase();
}

/** Apple's reasons that mean the device token will never work again for this topic. */
const GONE = new Set(['BadDeviceToken', 'Unregistered', 'DeviceTokenNotForTopic']);

export async function sendApns(input: {
  workspaceId: string;
  config: ApnsConfig;
  token: string;
  /** Names this send to this device: its hash is the `apns-id` Apple echoes and logs. */
  sendRef: string;
  push: ApnsPush;
  fetch: (request: Request) => Promise<Response>;
  now: number;
}): Promise<DeviceResult> {
  const auth = await providerToken(input);
  if ('type' in auth) return auth;
  const { settings } = input.config;
  const headers: Record<string, string> = {
    authorization: `bearer ${auth.jwt}`,
    'apns-topic': settings.topic,
    'apns-push-type': input.push.pushType,
    'apns-priority': String(input.push.priority),
    'apns-expiration': String(input.push.expiration),
    'apns-id': await apnsId(`${input.sendRef}\u0001${input.token}`),
    'content-type': 'application/json',
  };
  if (input.push.collapseId) headers['apns-collapse-id'] = input.push.collapseId;
  const answer = await post(
    input.fetch,
    {
      url: `${settings.base_url}/3/device/${encodeURIComponent(input.token)}`,
      headers,
      body: JSON.stringify(input.push.body),
    },
    'APNs',
  );
  if ('type' in answer) return answer;
  if (answer.status === 200) {
    const id = answer.headers.get('apns-id');
    return { type: 'sent', status: 200, ...(id ? { providerId: id } : {}) };
  }
  const json = jsonOf(answer.text) as { reason?: unknown } | null;
  const why = typeof json?.reason === 'string' ? json.reason : snippet(answer.text);
  const reason = `APNs answered ${answer.status}: ${why}`;
  if (answer.status === 410 || GONE.has(why)) {
    return { type: 'invalid', status: answer.status, reason };
  }
  if (why === 'ExpiredProviderToken' || why === 'InvalidProviderToken') {
    providerTokens.delete(cacheKey(input.workspaceId, input.config));
    return why === 'ExpiredProviderToken'
      ? { type: 'retry', status: answer.status, reason, retryAfterMs: null }
      : { type: 'failed', status: answer.status, reason };
  }
  return failure(answer, reason, input.now);
}
