import { base64url, concat, fromBase64url, utf8 } from './encoding';
import { signJwt } from './jwt';

/**
 * Web Push message encryption (RFC 8291, `aes128gcm` content coding of RFC 8188) and VAPID
 * application-server identification (RFC 8292), with WebCrypto only: ECDH P-256 for the shared
 * secret, HKDF-SHA-256 for the keys, AES-128-GCM for the one record, ECDSA P-256 for the JWT.
 */

/** Record size declared in the header; one record carries the whole message. */
const RECORD_SIZE = 4_096;
/** salt (16) + rs (4) + idlen (1) + keyid (65 bytes: the uncompressed P-256 public key). */
const HEADER_BYTES = 86;
const TAG_BYTES = 16;
/**
 * Largest plaintext one record holds: push services accept 4,096-byte bodies (RFC 8030 §7.2),
 * the header, the padding delimiter and the GCM tag come out of that.
 */
export const WEB_PUSH_MAX_PLAINTEXT = RECORD_SIZE - HEADER_BYTES - TAG_BYTES - 1;

/** A browser's PushSubscription keys: `p256dh` (65-byte point) and `auth` (16 bytes), base64url. */
export interface SubscriptionKeys {
  p256dh: string;
  auth: string;
}

async function hkdf(
  ikm: Uint8Array<ArrayBuffer>,
  salt: Uint8Array<ArrayBuffer>,
  info: Uint8Array<ArrayBuffer>,
  bytes: number,
): Promise<Uint8Array<ArrayBuffer>> {
  const key = await crypto.subtle.importKey('raw', ikm, 'HKDF', false, ['deriveBits']);
  const bits = await crypto.subtle.deriveBits(
    { name: 'HKDF', hash: 'SHA-256', salt, info },
    key,
    bytes * 8,
  );
  return new Uint8Array(bits);
}

/**
 * ECDH parameters. The runtime reads the standard `public` member; the generated Workers types
 * spell it `$public`, so the object is typed by hand.
 */
export function ecdh(publicKey: CryptoKey): SubtleCryptoDeriveKeyAlgorithm {
  return { name: 'ECDH', public: publicKey } as unknown as SubtleCryptoDeriveKeyAlgorithm;
}

/** Whether subscription keys have the sizes RFC 8291 requires. */
export function validKeys(keys: SubscriptionKeys): boolean {
  const pub = fromBase64url(keys.p256dh);
  const auth = fromBase64url(keys.auth);
  return pub !== null && pub.length === 65 && pub[0] === 4 && auth !== null && auth.length === 16;
}

/**
 * Encrypt `plaintext` for one subscription: the complete `aes128gcm` body (header and the one
 * record). `ephemeral` and `salt` are for tests; each message otherwise gets fresh ones.
 */
export async function encryptWebPush(input: {
  plaintext: Uint8Array<ArrayBuffer>;
  keys: SubscriptionKeys;
  ephemeral?: CryptoKeyPair;
  salt?: Uint8Array<ArrayBuffer>;
}): Promise<Uint8Array<ArrayBuffer>> {
  const uaPublic = fromBase64url(input.keys.p256dh) as Uint8Array<ArrayBuffer> | null;
  const authSecret = fromBase64url(input.keys.auth) as Uint8Array<ArrayBuffer> | null;
  if (!uaPublic || !authSecret || !validKeys(input.keys)) {
    throw new Error('invalid Web Push subscription keys');
  }
  if (input.plaintext.length > WEB_PUSH_MAX_PLAINTEXT) throw new Error('payload too large');
  const ephemeral =
    input.ephemeral ??
    ((await crypto.subtle.generateKey({ name: 'ECDH', namedCurve: 'P-256' }, true, [
      'deriveBits',
    ])) as CryptoKeyPair);
  const asPublic = new Uint8Array(
    (await crypto.subtle.exportKey('raw', ephemeral.publicKey)) as ArrayBuffer,
  );
  const uaKey = await crypto.subtle.importKey(
    'raw',
    uaPublic,
    { name: 'ECDH', namedCurve: 'P-256' },
    false,
    [],
  );
  const ecdhSecret = new Uint8Array(
    await crypto.subtle.deriveBits(ecdh(uaKey), ephemeral.privateKey, 256),
  );
  // RFC 8291 §3.4: IKM = HKDF(auth_secret, ecdh_secret, "WebPush: info" ‖ 0 ‖ ua_public ‖ as_public).
  const ikm = await hkdf(
    ecdhSecret,
    authSecret,
    concat(utf8('WebPush: info\0'), uaPublic, asPublic),
    32,
  );
  const salt = input.salt ?? crypto.getRandomValues(new Uint8Array(16));
  const cek = await hkdf(ikm, salt, utf8('Content-Encoding: aes128gcm\0'), 16);
  const nonce = await hkdf(ikm, salt, utf8('Content-Encoding: nonce\0'), 12);
  const aes = await crypto.subtle.importKey('raw', cek, 'AES-GCM', false, ['encrypt']);
  // 0x02: the last (and only) record's padding delimiter (RFC 8188 §2).
  const padded = concat(input.plaintext, new Uint8Array([2]));
  const ciphertext = new Uint8Array(
    await crypto.subtle.encrypt({ name: 'AES-GCM', iv: nonce }, aes, padded),
  );
  const rs = new Uint8Array(4);
  new DataView(rs.buffer).setUint32(0, RECORD_SIZE);
  return concat(salt, rs, new Uint8Array([asPublic.length]), asPublic, ciphertext);
}

/** A VAPID key pair as configured: the public point (65 bytes) and private scalar (32 bytes). */
export interface VapidKeys {
  publicKey: string;
  privateKey: string;
}

/** The VAPID signing key, or null when the pair is not a P-256 key pair. */
export async function importVapidKey(keys: VapidKeys): Promise<CryptoKey | null> {
  const pub = fromBase64url(keys.publicKey);
  const d = fromBase64url(keys.privateKey);
  if (pub?.length !== 65 || pub[0] !== 4 || d?.length !== 32) return null;
  try {
    return await crypto.subtle.importKey(
      'jwk',
      {
        kty: 'EC',
        crv: 'P-256',
        x: base64url(pub.slice(1, 33)),
        y: base64url(pub.slice(33)),
        d: base64url(d),
      },
      { name: 'ECDSA', namedCurve: 'P-256' },
      false,
      ['sign'],
    );
  } catch {
    return null;
  }
}

/**
 * The `Authorization` header value for a push service (RFC 8292 §3): `vapid t=<JWT>, k=<key>`,
 * the JWT's audience the endpoint's origin, valid 12 hours (services refuse more than 24).
 */
export async function vapidAuthorization(input: {
  endpoint: string;
  subject: string;
  keys: VapidKeys;
  signingKey: CryptoKey;
  now: number;
}): Promise<string> {
  const jwt = await signJwt({
    alg: 'ES256',
    key: input.signingKey,
    claims: {
      aud: new URL(input.endpoint).origin,
      exp: Math.floor(input.now / 1_000) + 12 * 3_600,
      sub: input.subject,
    },
  });
  return `vapid t=${jwt}, k=${input.keys.publicKey}`;
}
