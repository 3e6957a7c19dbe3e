import { describe, expect, it } from 'vitest';
import { importPublicKey, LEEWAY_S, verifyJwt } from '../../../src/sdk-api/jwt';

/** SDK authentication tokens: what verifies and what does not, with real WebCrypto keys. */

const b64url = (bytes: ArrayBuffer | Uint8Array) =>
  Buffer.from(bytes instanceof Uint8Array ? bytes : new Uint8Array(bytes)).toString('base64url');
const part = (v: unknown) => b64url(new TextEncoder().encode(JSON.stringify(v)));

async function pemOf(key: CryptoKey): Promise<string> {
  const spki = Buffer.from((await crypto.subtle.exportKey('spki', key)) as ArrayBuffer).toString(
    'base64',
  );
  return `-----BEGIN PUBLIC KEY-----\n${spki.match(/.{1,64}/g)!.join('\n')}\n-----END PUBLIC KEY-----`;
}

async function rsa(bits = 2048) {
  return crypto.subtle.generateKey(
    {
      name: 'RSASSA-PKCS1-v1_5',
      modulusLength: bits,
      publicExponent: new Uint8Array([1, 0, 1]),
      hash: 'SHA-256',
    },
    true,
    ['sign', 'verify'],
  ) as Promise<CryptoKeyPair>;
}
const ec = () =>
  crypto.subtle.generateKey({ name: 'ECDSA', namedCurve: 'P-256' }, true, [
    'sign',
    'verify',
  ]) as Promise<CryptoKeyPair>;

async function sign(pair: CryptoKeyPair, alg: 'RS256' | 'ES256', claims: object, header = {}) {
  const input = `${part({ alg, ...header })}.${part(claims)}`;
  const params =
    alg === 'RS256' ? { name: 'RSASSA-PKCS1-v1_5' } : { name: 'ECDSA', hash: 'SHA-256' };
  const sig = await crypto.subtle.sign(params, pair.privateKey, new TextEncoder().encode(input));
  return `${input}.${b64url(sig)}`;
}

const NOW = Date.parse('2026-06-01T12:00:00Z');
const nowS = NOW / 1000;

describe('SDK authentication tokens', () => {
  it('verify an RS256 and an ES256 token and answer their subject', async () => {
    const r = await rsa();
    const e = await ec();
    const keys = [
      (await importPublicKey(await pemOf(r.publicKey)))!,
      (await importPublicKey(await pemOf(e.publicKey)))!,
    ];
    expect(keys.map((k) => k.alg)).toEqual(['RS256', 'ES256']);
    const claims = { sub: 'user-42', exp: nowS + 60 };
    expect(await verifyJwt(await sign(r, 'RS256', claims), keys, NOW)).toEqual({
      ok: true,
      sub: 'user-42',
      exp: nowS + 60,
    });
    expect((await verifyJwt(await sign(e, 'ES256', claims), keys, NOW)).ok).toBe(true);
  });

  it('refuse a token signed with a key of the other algorithm under a lying header', async () => {
    const e = await ec();
    const r = await rsa();
    const keys = [(await importPublicKey(await pemOf(r.publicKey)))!];
    // Signed by an EC key nobody registered, claiming RS256.
    const input = `${part({ alg: 'RS256' })}.${part({ sub: 'u', exp: nowS + 60 })}`;
    const sig = await crypto.subtle.sign(
      { name: 'ECDSA', hash: 'SHA-256' },
      e.privateKey,
      new TextEncoder().encode(input),
    );
    expect(await verifyJwt(`${input}.${b64url(sig)}`, keys, NOW)).toEqual({
      ok: false,
      reason: 'bad_signature',
    });
  });

  it('tolerate 30 seconds of clock skew on exp and nbf, and no more', async () => {
    const r = await rsa();
    const keys = [(await importPublicKey(await pemOf(r.publicKey)))!];
    const at = (claims: object) => sign(r, 'RS256', { sub: 'u', ...claims });
    expect((await verifyJwt(await at({ exp: nowS - LEEWAY_S + 1 }), keys, NOW)).ok).toBe(true);
    expect(await verifyJwt(await at({ exp: nowS - LEEWAY_S }), keys, NOW)).toEqual({
      ok: false,
      reason: 'expired',
    });
    expect(
      (await verifyJwt(await at({ exp: nowS + 60, nbf: nowS + LEEWAY_S }), keys, NOW)).ok,
    ).toBe(true);
    expect(
      await verifyJwt(await at({ exp: nowS + 60, nbf: nowS + LEEWAY_S + 1 }), keys, NOW),
    ).toEqual({
      ok: false,
      reason: 'not_yet_valid',
    });
  });

  it('refuse tokens without exp or sub, with alg none, or malformed', async () => {
    const r = await rsa();
    const keys = [(await importPublicKey(await pemOf(r.publicKey)))!];
    expect(await verifyJwt(await sign(r, 'RS256', { sub: 'u' }), keys, NOW)).toEqual({
      ok: false,
      reason: 'no_exp',
    });
    expect(await verifyJwt(await sign(r, 'RS256', { exp: nowS + 60 }), keys, NOW)).toEqual({
      ok: false,
      reason: 'no_sub',
    });
    expect(
      await verifyJwt(`${part({ alg: 'none' })}.${part({ sub: 'u', exp: nowS + 60 })}.`, keys, NOW),
    ).toEqual({
      ok: false,
      reason: 'unsupported_alg',
    });
    for (const bad of ['', 'a.b', 'a.b.c.d', '%%%.e30.e30', `${part([1])}.${part({})}.AA`]) {
      expect(await verifyJwt(bad, keys, NOW)).toEqual({ ok: false, reason: 'malformed' });
    }
  });

  it('import only RSA keys of 2048 bits or more and P-256 keys, as SPKI PEM', async () => {
    expect(await importPublicKey(await pemOf((await rsa(1024)).publicKey))).toBeNull();
    const p384 = (await crypto.subtle.generateKey({ name: 'ECDSA', namedCurve: 'P-384' }, true, [
      'sign',
      'verify',
    ])) as CryptoKeyPair;
    expect(await importPublicKey(await pemOf(p384.publicKey))).toBeNull();
    expect(await importPublicKey('not a pem')).toBeNull();
    expect(
      await importPublicKey('-----BEGIN PUBLIC KEY-----\nAAAA\n-----END PUBLIC KEY-----'),
    ).toBeNull();
  });
});
