/** Byte encodings the push providers use: base64url (JWTs, Web Push keys) and PEM keys. */

const encoder = new TextEncoder();

/** Bytes as unpadded base64url. */
export function base64url(bytes: Uint8Array | ArrayBuffer): string {
  const view = bytes instanceof Uint8Array ? bytes : new Uint8Array(bytes);
  let bin = '';
  for (const b of view) bin += String.fromCharCode(b);
  return btoa(bin).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

/** A UTF-8 string as unpadded base64url. */
export function base64urlText(text: string): string {
  return base64url(encoder.encode(text));
}

/** base64url (or standard base64, padded or not) to bytes; null when it is not base64. */
export function fromBase64url(text: string): Uint8Array | null {
  const clean = text.trim().replace(/=+$/, '');
  if (!/^[A-Za-z0-9_+/-]*$/.test(clean)) return null;
  try {
    const bin = atob(clean.replace(/-/g, '+').replace(/_/g, '/'));
    const out = new Uint8Array(bin.length);
    for (let i = 0; i < bin.length; i++) out[i] = bin.charCodeAt(i);
    return out;
  } catch {
    return null;
  }
}

/** The DER bytes of a PEM block (`-----BEGIN PRIVATE KEY-----`); null when it is not PEM. */
export function pemToDer(pem: string): Uint8Array | null {
  const match = /-----BEGIN ([A-Z ]+)-----([\s\S]*?)-----END \1-----/.exec(pem);
  if (!match?.[2]) return null;
  return fromBase64url(match[2].replace(/\s+/g, ''));
}

/** Concatenate byte arrays. */
export function concat(...parts: Uint8Array[]): Uint8Array<ArrayBuffer> {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

/** UTF-8 bytes of a string. */
export function utf8(text: string): Uint8Array<ArrayBuffer> {
  return encoder.encode(text) as Uint8Array<ArrayBuffer>;
}
