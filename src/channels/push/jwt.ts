import { base64url, base64urlText, pemToDer, utf8 } from './encoding';

/**
 * Compact JWS signing for the push providers' credentials: ES256 (VAPID, APNs provider tokens)
 * and RS256 (Google service-account assertions). WebCrypto's ECDSA signature is already the
 * 64-byte r‖s form JWS wants (RFC 7518 §3.4), so no DER conversion is needed.
 */

export type JwtAlg = 'ES256' | 'RS256';

/** Sign `claims` with `key` (imported for the algorithm) into a compact JWT. */
export async function signJwt(input: {
  alg: JwtAlg;
  key: CryptoKey;
  claims: Record<string, unknown>;
  header?: Record<string, unknown>;
}): Promise<string> {
  const header = { alg: input.alg, typ: 'JWT', ...input.header };
  const signingInput = `${base64urlText(JSON.stringify(header))}.${base64urlText(JSON.stringify(input.claims))}`;
  const algorithm =
    input.alg === 'ES256' ? { name: 'ECDSA', hash: 'SHA-256' } : { name: 'RSASSA-PKCS1-v1_5' };
  const signature = await crypto.subtle.sign(algorithm, input.key, utf8(signingInput));
  return `${signingInput}.${base64url(signature)}`;
}

/** Import a PKCS#8 PEM private key for ES256 (an APNs .p8 key) or RS256 (a service account). */
export async function importPemKey(pem: string, alg: JwtAlg): Promise<CryptoKey | null> {
  const der = pemToDer(pem);
  if (!der) return null;
  const algorithm =
    alg === 'ES256'
      ? { name: 'ECDSA', namedCurve: 'P-256' }
      : { name: 'RSASSA-PKCS1-v1_5', hash: 'SHA-256' };
  try {
    return await crypto.subtle.importKey(
      'pkcs8',
      der as Uint8Array<ArrayBuffer>,
      algorithm,
      false,
      ['sign'],
    );
  } catch {
    return null;
  }
}
