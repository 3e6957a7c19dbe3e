import { jsonOf, snippet } from '../provider-http';
import type { FcmConfig } from './config-store';
import { type DeviceResult, failure, post } from './http';
import { importPemKey, signJwt } from './jwt';
import type { FcmMessage } from './payload';

/**
 * Firebase Cloud Messaging, HTTP v1 API. The service account signs a JWT assertion (RS256) that
 * its `token_uri` exchanges for an OAuth access token (RFC 7523), cached per isolate until a
 * minute before it expires; each device is one `POST /v1/projects/{project}/messages:send`.
 */

const SCOPE = 'https://www.googleapis.com/auth/firebase.messaging';
const ASSERTION_SECONDS = 3_600;

interface CachedToken {
  token: string;
  expiresAt: number;
}
const accessTokens = new Map<string, CachedToken>();

function cacheKey(workspaceId: string, config: FcmConfig): string {
  return `${workspaceId}\u0001${config.settings.client_email}\u0001${config.updatedAt}`;
}

/** An access token for the service account, or why there is none. */
export async function accessToken(input: {
  workspaceId: string;
  config: FcmConfig;
  fetch: (request: Request) => Promise<Response>;
  now: number;
}): Promise<{ token: string } | DeviceResult> {
  const key = cacheKey(input.workspaceId, input.config);
  const cached = accessTokens.get(key);
  if (cached && cached.expiresAt - 60_000 > input.now) return { token: cached.token };
  const { settings, secrets } = input.config;
  const signing = await importPemKey(secrets.private_key, 'RS256');
  if (!signing) return { type: 'failed', status: null, reason: 'the FCM private key is unusable' };
  const iat = Math.floor(input.now / 1_000);
  const assertion = await signJwt({
    alg: 'RS256',
    key: signing,
    claims: {
      iss: settings.client_email,
      scope: SCOPE,
      aud: settings.token_uri,
      iat,
      exp: iat + ASSERTION_SECONDS,
    },
  });
  const answer = await post(
    input.fetch,
    {
      url: settings.token_uri,
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({
        grant_type: 'urn:ietf:params:oauth:grant-type:jwt-bearer',
        assertion,
      }).toString(),
    },
    'FCM token endpoint',
  );
  if ('type' in answer) return answer;
  const json = jsonOf(answer.text) as { access_token?: unknown; expires_in?: unknown } | null;
  if (answer.status !== 200 || typeof json?.access_token !== 'string') {
    const reason = `FCM token exchange answered ${answer.status}: ${snippet(answer.text)}`;
    // A refused assertion (bad key, disabled account) will not fix itself.
    return answer.status === 400 || answer.status === 401
      ? { type: 'failed', status: answer.status, reason }
      : failure(answer, reason, input.now);
  }
  const ttl = typeof json.expires_in === 'number' ? json.expires_in : ASSERTION_SECONDS;
  if (accessTokens.size > 1_000) accessTokens.clear();
  accessTokens.set(key, { token: json.access_token, expiresAt: input.now + ttl * 1_000 });
  return { token: json.access_token };
}

interface FcmError {
  error?: {
    status?: string;
    message?: string;
    details?: { '@type'?: string; errorCode?: string }[];
  };
}

/** FCM's error code for an answer: the FcmError detail's code, else the status. */
function errorCode(text: string): { code: string; message: string } {
  const json = jsonOf(text) as FcmError | null;
  const detail = json?.error?.details?.find((d) => typeof d.errorCode === 'string');
  return {
    code: detail?.errorCode ?? json?.error?.status ?? '',
    message: json?.error?.message ?? snippet(text),
  };
}

export async function sendFcm(input: {
  workspaceId: string;
  config: FcmConfig;
  token: string;
  message: FcmMessage;
  fetch: (request: Request) => Promise<Response>;
  now: number;
}): Promise<DeviceResult> {
  const access = await accessToken(input);
  if ('type' in access) return access;
  const { settings } = input.config;
  const answer = await post(
    input.fetch,
    {
      url: `${settings.base_url}/v1/projects/${encodeURIComponent(settings.project_id)}/messages:send`,
      headers: {
        authorization: `Bearer ${access.token}`,
        'content-type': 'application/json; charset=UTF-8',
      },
      body: JSON.stringify({ message: { token: input.token, ...input.message } }),
    },
    'FCM',
  );
  if ('type' in answer) return answer;
  if (answer.status === 200) {
    const json = jsonOf(answer.text) as { name?: unknown } | null;
    return {
      type: 'sent',
      status: 200,
      ...(typeof json?.name === 'string' ? { providerId: json.name } : {}),
    };
  }
  const { code, message } = errorCode(answer.text);
  const reason = `FCM answered ${answer.status} ${code}: ${message}`;
  // The token is gone (app uninstalled, token rotated), belongs to another sender, or is not a
  // registration token at all. INVALID_ARGUMENT also covers a bad message, which names no token.
  if (
    code === 'UNREGISTERED' ||
    code === 'SENDER_ID_MISMATCH' ||
    (code === 'INVALID_ARGUMENT' && /registration token|message\.token/i.test(message))
  ) {
    return { type: 'invalid', status: answer.status, reason };
  }
  if (answer.status === 401) {
    // The cached access token was revoked or expired early: a retry makes a new one.
    accessTokens.delete(cacheKey(input.workspaceId, input.config));
    return { type: 'retry', status: 401, reason, retryAfterMs: null };
  }
  return failure(answer, reason, input.now);
}
