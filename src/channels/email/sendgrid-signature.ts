/**
 * SendGrid's signed Event Webhook: an ECDSA P-256 / SHA-256 signature over the
 * `X-Twilio-Email-Event-Webhook-Timestamp` header's value followed by the raw request body,
 * sent base64 DER-encoded in `X-Twilio-Email-Event-Webhook-Signature`. The verification key is
 * the public key SendGrid shows (base64 SPKI DER, with or without PEM armour). WebCrypto takes
 * the signature as raw `r‖s`, so the DER sequence is unpacked first.
 */

function fromBase64(text: string): Uint8Array | null {
  try {
    const bin = atob(text.replace(/\s+/g, ''));
    return Uint8Array.from(bin, (ch) => ch.charCodeAt(0));
  } catch {
    return null;
  }
}

/** The key's DER bytes from base64, PEM armour and line breaks removed. */
export function publicKeyDer(key: string): Uint8Array | null {
  return fromBase64(key.replace(/-----(BEGIN|END) PUBLIC KEY-----/g, ''));
}

/** An ECDSA signature from DER `SEQUENCE { INTEGER r, INTEGER s }` to raw 64-byte `r‖s`. */
export function derToRaw(der: Uint8Array, size = 32): Uint8Array | null {
  let at = 0;
  const byte = () => (at < der.length ? der[at++]! : -1);
  const length = (): number => {
    const first = byte();
    if (first < 0x80) return first;
    const count = first & 0x7f;
    if (count < 1 || count > 2) return -1;
    let n = 0;
    for (let i = 0; i < count; i++) n = (n << 8) | byte();
    return n;
  };
  if (byte() !== 0x30) return null;
  const seqLength = length();
  if (seqLength < 0 || at + seqLength !== der.length) return null;
  const out = new Uint8Array(size * 2);
  for (const slot of [0, 1]) {
    if (byte() !== 0x02) return null;
    const n = length();
    if (n <= 0 || at + n > der.length) return null;
    let int = der.slice(at, at + n);
    at += n;
    while (int.length > size && int[0] === 0) int = int.slice(1);
    if (int.length > size) return null;
    out.set(int, slot * size + (size - int.length));
  }
  return at === der.length ? out : null;
}

/** Whether the body carries SendGrid's signature under this verification key. */
export async function verifySendgridSignature(input: {
  publicKey: string;
  signature: string;
  timestamp: string;
  body: Uint8Array;
}): Promise<boolean> {
  const der = publicKeyDer(input.publicKey);
  const sigDer = fromBase64(input.signature);
  const raw = sigDer ? derToRaw(sigDer) : null;
  if (!der || !raw) return false;
  let key: CryptoKey;
  try {
    key = await crypto.subtle.importKey(
      'spki',
      der,
      { name: 'ECDSA', namedCurve: 'P-256' },
      false,
      ['verify'],
    );
  } catch {
    return false;
  }
  const stamp = new TextEncoder().encode(input.timestamp);
  const data = new Uint8Array(stamp.length + input.body.length);
  data.set(stamp);
  data.set(input.body, stamp.length);
  return crypto.subtle.verify({ name: 'ECDSA', hash: 'SHA-256' }, key, raw, data);
}
