import { checkAddress } from '../../personalization/address-guard';
import { snippet } from '../provider-http';
import type { WebPushConfig } from './config-store';
import { utf8 } from './encoding';
import { type DeviceResult, failure, post } from './http';
import type { WebPushPayload } from './payload';
import { encryptWebPush, importVapidKey, vapidAuthorization } from './web-push-crypto';

/**
 * One Web Push message to one browser subscription (RFC 8030): the payload encrypted for the
 * subscription (RFC 8291), the application server identified by VAPID (RFC 8292), POSTed to the
 * subscription's endpoint. 404 and 410 mean the subscription is gone.
 */

/** The workspace's VAPID signing key, per isolate, for as long as its configuration is unchanged. */
const signingKeys = new Map<string, Promise<CryptoKey | null>>();

function signingKey(workspaceId: string, config: WebPushConfig): Promise<CryptoKey | null> {
  const id = `${workspaceId}\u0001${config.updatedAt}`;
  let key = signingKeys.get(id);
  if (!key) {
    if (signingKeys.size > 1_000) signingKeys.clear();
    key = importVapidKey({
      publicKey: config.settings.vapid_public_key,
      privateKey: config.secrets.vapid_private_key,
    });
    signingKeys.set(id, key);
  }
  return key;
}

export async function sendWebPush(input: {
  workspaceId: string;
  config: WebPushConfig;
  endpoint: string;
  keys: { p256dh: string | null; auth: string | null };
  payload: WebPushPayload;
  ttl: number;
  allowlist: readonly string[];
  fetch: (request: Request) => Promise<Response>;
  now: number;
}): Promise<DeviceResult> {
  // The endpoint came from a browser (any user's): it gets the Connected Content address rules.
  const address = checkAddress(input.endpoint, input.allowlist);
  if (!address.ok)
    return { type: 'invalid', status: null, reason: `endpoint refused: ${address.reason}` };
  const { p256dh, auth } = input.keys;
  if (!p256dh || !auth) {
    return { type: 'invalid', status: null, reason: 'the subscription has no encryption keys' };
  }
  const key = await signingKey(input.workspaceId, input.config);
  if (!key) return { type: 'failed', status: null, reason: 'the VAPID key pair is unusable' };
  let body: Uint8Array<ArrayBuffer>;
  try {
    body = await encryptWebPush({
      plaintext: utf8(JSON.stringify(input.payload)),
      keys: { p256dh, auth },
    });
  } catch (err) {
    return { type: 'invalid', status: null, reason: `subscription keys unusable: ${String(err)}` };
  }
  const answer = await post(
    input.fetch,
    {
      url: input.endpoint,
      headers: {
        authorization: await vapidAuthorization({
          endpoint: input.endpoint,
          subject: input.config.settings.subject,
          keys: {
            publicKey: input.config.settings.vapid_public_key,
            privateKey: input.config.secrets.vapid_private_key,
          },
          signingKey: key,
          now: input.now,
        }),
        'content-encoding': 'aes128gcm',
        'content-type': 'application/octet-stream',
        ttl: String(input.ttl),
        urgency: 'normal',
      },
      body,
    },
    'push service',
  );
  if ('type' in answer) return answer;
  if (answer.status >= 200 && answer.status < 300) {
    const location = answer.headers.get('location');
    return { type: 'sent', status: answer.status, ...(location ? { providerId: location } : {}) };
  }
  const reason = `push service answered ${answer.status}: ${snippet(answer.text)}`;
  if (answer.status === 404 || answer.status === 410) {
    return { type: 'invalid', status: answer.status, reason };
  }
  return failure(answer, reason, input.now);
}
