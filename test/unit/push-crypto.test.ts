import { describe, expect, it } from 'vitest';
import { importPemKey, signJwt } from '../../src/channels/push/jwt';
import {
  encryptWebPush,
  importVapidKey,
  vapidAuthorization,
  WEB_PUSH_MAX_PLAINTEXT,
} from '../../src/channels/push/web-push-crypto';
import {
  apnsKey,
  b64url,
  browserSubscription,
  decryptWebPush,
  serviceAccountKey,
  unb64url,
  vapidKeys,
  verifyJwt,
} from '../fixtures/push';

const enc = new TextEncoder() as { encode(s: string): Uint8Array<ArrayBuffer> };

/** RFC 8291 Appendix A: the published keys, salt and resulting message. */
const RFC8291 = {
  plaintext: 'When I grow up, I want to be a watermelon',
  asPublic:
    'BP4z9KsN6nGRTbVYI_c7VJSPQTBtkgcy27mlmlMoZIIgDll6e3vCYLocInmYWAmS6TlzAC8wEqKK6PBru3jl7A8',
  asPrivate: 'yfWPiYE-n46HLnH0KqZOF1fJJU3MYrct3AELtAQ-oRw',
  uaPublic:
    'BCVxsr7N_eNgVRqvHtD0zTZsEc6-VV-JvLexhqUzORcxaOzi6-AYWXvTBHm4bjyPjs7Vd8pZGH6SRpkNtoIAiw4',
  uaPrivate: 'q1dXpw3UpT5VOmu_cf_v6ih07Aems3njxI-JWgLcM94',
  salt: 'DGv6ra1nlYgDCS1FRnbzlw',
  auth: 'BTBZMqHH6r4Tts7J_aSIgg',
  body: 'DGv6ra1nlYgDCS1FRnbzlwAAEABBBP4z9KsN6nGRTbVYI_c7VJSPQTBtkgcy27mlmlMoZIIgDll6e3vCYLocInmYWAmS6TlzAC8wEqKK6PBru3jl7A_yl95bQpu6cVPTpK4Mqgkf1CXztLVBSt2Ks3oZwbuwXPXLWyouBWLVWGNWQexSgSxsj_Qulcy4a-fN',
};

/** An ECDH key pair from the RFC's raw public point and private scalar. */
async function ecdhPair(pub: string, priv: string): Promise<CryptoKeyPair> {
  const point = unb64url(pub);
  const jwk = {
    kty: 'EC',
    crv: 'P-256',
    x: b64url(point.slice(1, 33)),
    y: b64url(point.slice(33)),
  };
  const algorithm = { name: 'ECDH', namedCurve: 'P-256' };
  return {
    privateKey: await crypto.subtle.importKey('jwk', { ...jwk, d: priv }, algorithm, true, [
      'deriveBits',
    ]),
    publicKey: await crypto.subtle.importKey('jwk', jwk, algorithm, true, []),
  };
}

describe('Web Push encryption (RFC 8291)', () => {
  it('reproduces the RFC 8291 Appendix A message byte for byte', async () => {
    const body = await encryptWebPush({
      plaintext: enc.encode(RFC8291.plaintext),
      keys: { p256dh: RFC8291.uaPublic, auth: RFC8291.auth },
      ephemeral: await ecdhPair(RFC8291.asPublic, RFC8291.asPrivate),
      salt: unb64url(RFC8291.salt),
    });
    expect(b64url(body)).toBe(RFC8291.body);
  });

  it('decrypts the RFC message with the user agent keys (the test receiver is right)', async () => {
    const got = await decryptWebPush(unb64url(RFC8291.body), {
      keys: await ecdhPair(RFC8291.uaPublic, RFC8291.uaPrivate),
      p256dh: RFC8291.uaPublic,
      auth: RFC8291.auth,
    });
    expect(got.text).toBe(RFC8291.plaintext);
  });

  it('produces a body the subscribing browser decrypts to the original message', async () => {
    const sub = await browserSubscription('https://push.example/abc');
    const body = await encryptWebPush({
      plaintext: enc.encode('{"title":"Hi","body":"Hello Ada"}'),
      keys: sub,
    });
    const got = await decryptWebPush(body, sub);
    expect(got.text).toBe('{"title":"Hi","body":"Hello Ada"}');
    expect(got.recordSize).toBe(4096);
    expect(got.asPublic.length).toBe(65);
  });

  it('uses a fresh ephemeral key and salt for every message', async () => {
    const sub = await browserSubscription('https://push.example/abc');
    const a = await encryptWebPush({ plaintext: enc.encode('same'), keys: sub });
    const b = await encryptWebPush({ plaintext: enc.encode('same'), keys: sub });
    expect(a.slice(0, 16)).not.toEqual(b.slice(0, 16));
    expect(a.slice(21, 86)).not.toEqual(b.slice(21, 86));
  });

  it('cannot be decrypted with another subscription’s keys', async () => {
    const sub = await browserSubscription('https://push.example/abc');
    const other = await browserSubscription('https://push.example/def');
    const body = await encryptWebPush({ plaintext: enc.encode('secret'), keys: sub });
    await expect(decryptWebPush(body, other)).rejects.toThrow();
  });

  it('refuses a message larger than one 4 KB record and malformed keys', async () => {
    const sub = await browserSubscription('https://push.example/abc');
    const big = new Uint8Array(WEB_PUSH_MAX_PLAINTEXT + 1);
    await expect(encryptWebPush({ plaintext: big, keys: sub })).rejects.toThrow(/too large/);
    const fits = await encryptWebPush({
      plaintext: new Uint8Array(WEB_PUSH_MAX_PLAINTEXT),
      keys: sub,
    });
    expect(fits.length).toBe(4096);
    await expect(
      encryptWebPush({ plaintext: enc.encode('x'), keys: { p256dh: 'AAAA', auth: sub.auth } }),
    ).rejects.toThrow(/invalid/);
  });
});

describe('VAPID (RFC 8292)', () => {
  it('signs an ES256 JWT for the endpoint origin that verifies with the public key', async () => {
    const keys = await vapidKeys();
    const signingKey = await importVapidKey(keys);
    expect(signingKey).not.toBeNull();
    const now = Date.parse('2026-01-01T00:00:00Z');
    const header = await vapidAuthorization({
      endpoint: 'https://fcm.googleapis.com/fcm/send/abc:def',
      subject: 'mailto:ops@herald.test',
      keys,
      signingKey: signingKey as CryptoKey,
      now,
    });
    const match = /^vapid t=([^,]+), k=(\S+)$/.exec(header);
    expect(match?.[2]).toBe(keys.publicKey);
    const jwt = await verifyJwt(match?.[1] ?? '', keys.verifyKey);
    expect(jwt.header).toEqual({ alg: 'ES256', typ: 'JWT' });
    expect(jwt.claims).toEqual({
      aud: 'https://fcm.googleapis.com',
      exp: now / 1000 + 12 * 3600,
      sub: 'mailto:ops@herald.test',
    });
  });

  it('rejects a key pair that is not P-256', async () => {
    expect(await importVapidKey({ publicKey: 'AAAA', privateKey: 'BBBB' })).toBeNull();
  });
});

describe('provider JWTs', () => {
  it('signs RS256 with a PEM service-account key', async () => {
    const { pem, verifyKey } = await serviceAccountKey();
    const key = await importPemKey(pem, 'RS256');
    const jwt = await signJwt({ alg: 'RS256', key: key as CryptoKey, claims: { iss: 'a@b.c' } });
    expect((await verifyJwt(jwt, verifyKey)).claims).toEqual({ iss: 'a@b.c' });
  });

  it('signs ES256 with an APNs .p8 key and carries the key id', async () => {
    const { pem, verifyKey } = await apnsKey();
    const key = await importPemKey(pem, 'ES256');
    const jwt = await signJwt({
      alg: 'ES256',
      key: key as CryptoKey,
      header: { kid: 'ABC123DEFG' },
      claims: { iss: 'TEAM123456', iat: 1 },
    });
    const got = await verifyJwt(jwt, verifyKey);
    expect(got.header).toEqual({ alg: 'ES256', typ: 'JWT', kid: 'ABC123DEFG' });
  });

  it('answers null for text that is not a PKCS#8 key of the algorithm', async () => {
    const { pem } = await apnsKey();
    expect(await importPemKey('not a key', 'ES256')).toBeNull();
    expect(await importPemKey(pem, 'RS256')).toBeNull();
  });
});
