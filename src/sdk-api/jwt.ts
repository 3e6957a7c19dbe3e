/**
 * SDK authentication tokens (docs/sdk-protocol.md): a JWT the app's own server signs for its
 * user with RS256 (RSA, PKCS#1 v1.5, SHA-256) or ES256 (ECDSA P-256, SHA-256), checked here
 * against the public keys registered for the app. Pure WebCrypto: no `cloudflare:*` imports.
 */

export type SdkKeyAlg = 'RS256' | 'ES256';

/** What a verification answers: the token's subject, or why it is refused. */
export type JwtCheck =
  | { ok: true; sub: string; exp: number }
  | {
      ok: false;
      reason:
        | 'malformed'
        | 'unsupported_alg'
        | 'bad_signature'
        | 'expired'
        | 'not_yet_valid'
        | 'no_sub'
        | 'no_exp';
    };

/** Clock skew tolerated between the app's server and Herald, in seconds. */
export const LEEWAY_S = 30;

const RSA = { name: 'RSASSA-PKCS1-v1_5', hash: 'SHA-256' } as const;
const EC = { name: 'ECDSA', namedCurve: 'P-256' } as const;

function b64urlBytes(text: string): Uint8Array | null {
  if (!/^[A-Za-z0-9_-]*$/.test(text)) return null;
  try {
    const b64 = text.replace(/-/g, '+').replace(/_/g, '/');
    const bin = atob(b64 + '='.repeat((4 - (b64.length % 4)) % 4));
    return Uint8Array.from(bin, (ch) => ch.charCodeAt(0));
  } catch {
    return null;
  }
}

function b64urlJson(text: string): Record<string, unknown> | null {
  const bytes = b64urlBytes(text);
  if (!bytes) return null;
  try {
    const v: unknown = JSON.parse(new TextDecoder().decode(bytes));
    return v !== null && typeof v === 'object' && !Array.isArray(v)
      ? (v as Record<string, unknown>)
      : null;
  } catch {
    return null;
  }
}

/** The DER bytes of a `-----BEGIN PUBLIC KEY-----` (SPKI) PEM, or null. */
function pemBody(pem: string): Uint8Array | null {
  const m = pem
    .trim()
    .match(/^-----BEGIN PUBLIC KEY-----([A-Za-z0-9+/=\s]+)-----END PUBLIC KEY-----$/);
  if (!m?.[1]) return null;
  try {
    const bin = atob(m[1].replace(/\s+/g, ''));
    return Uint8Array.from(bin, (ch) => ch.charCodeAt(0));
  } catch {
    return null;
  }
}

/**
 * Import a public key given as an SPKI PEM: an RSA key (2048 bits or more) verifies RS256, a P-256
 * key ES256. Answers null for anything else.
 */
export async function importPublicKey(
  pem: string,
): Promise<{ alg: SdkKeyAlg; key: CryptoKey } | null> {
  const der = pemBody(pem);
  if (!der) return null;
  try {
    const key = (await crypto.subtle.importKey('spki', der, RSA, true, ['verify'])) as CryptoKey;
    const bits = (key.algorithm as { modulusLength?: number }).modulusLength ?? 0;
    return bits >= 2048 ? { alg: 'RS256', key } : null;
  } catch {
    // Not RSA: try P-256.
  }
  try {
    const key = (await crypto.subtle.importKey('spki', der, EC, true, ['verify'])) as CryptoKey;
    return { alg: 'ES256', key };
  } catch {
    return null;
  }
}

/**
 * Verify a compact JWT against candidate keys (the app's keys, every one valid during a
 * rotation): the signature by one of them, `exp` in the future, `nbf` (if any) passed, and a
 * string `sub`. `now` is epoch ms.
 */
export async function verifyJwt(
  token: string,
  keys: { alg: SdkKeyAlg; key: CryptoKey }[],
  now: number,
): Promise<JwtCheck> {
  const parts = token.split('.');
  if (parts.length !== 3) return { ok: false, reason: 'malformed' };
  const [h, p, s] = parts as [string, string, string];
  const header = b64urlJson(h);
  const payload = b64urlJson(p);
  const sig = b64urlBytes(s);
  if (!header || !payload || !sig) return { ok: false, reason: 'malformed' };
  const alg = header.alg;
  if (alg !== 'RS256' && alg !== 'ES256') return { ok: false, reason: 'unsupported_alg' };
  const data = new TextEncoder().encode(`${h}.${p}`);
  let verified = false;
  for (const k of keys) {
    if (k.alg !== alg) continue;
    const params = alg === 'RS256' ? RSA : { name: 'ECDSA', hash: 'SHA-256' };
    if (await crypto.subtle.verify(params, k.key, sig, data)) {
      verified = true;
      break;
    }
  }
  if (!verified) return { ok: false, reason: 'bad_signature' };
  const nowS = now / 1000;
  if (typeof payload.exp !== 'number') return { ok: false, reason: 'no_exp' };
  if (payload.exp + LEEWAY_S <= nowS) return { ok: false, reason: 'expired' };
  if (typeof payload.nbf === 'number' && payload.nbf - LEEWAY_S > nowS) {
    return { ok: false, reason: 'not_yet_valid' };
  }
  if (typeof payload.sub !== 'string' || payload.sub.length === 0) {
    return { ok: false, reason: 'no_sub' };
  }
  return { ok: true, sub: payload.sub, exp: payload.exp };
}
