/**
 * Twilio's request signature (`X-Twilio-Signature`): base64 of HMAC-SHA1 keyed with the account's
 * auth token over the full URL Twilio called, followed by every POST parameter's name and value,
 * sorted by name. Pure: Web Crypto only, so it runs in the Worker and in plain Node alike.
 */

const encoder = new TextEncoder();

/** The string Twilio signs: the URL, then each parameter as name + value, sorted by name. */
export function signedPayload(url: string, params: readonly (readonly [string, string])[]): string {
  const sorted = [...params].sort(([a, av], [b, bv]) =>
    a === b ? (av < bv ? -1 : av > bv ? 1 : 0) : a < b ? -1 : 1,
  );
  return url + sorted.map(([k, v]) => k + v).join('');
}

/** The `X-Twilio-Signature` Twilio would send for this URL and these form parameters. */
export async function twilioSignature(
  authToken: string,
  url: string,
  params: readonly (readonly [string, string])[],
): Promise<string> {
  const key = await crypto.subtle.importKey(
    'raw',
    encoder.encode(authToken),
    { name: 'HMAC', hash: 'SHA-1' },
    false,
    ['sign'],
  );
  const mac = new Uint8Array(
    await crypto.subtle.sign('HMAC', key, encoder.encode(signedPayload(url, params))),
  );
  let bin = '';
  for (const b of mac) bin += String.fromCharCode(b);
  return btoa(bin);
}

/** True when `given` is the signature of this request; compared in constant time. */
export async function verifyTwilioSignature(input: {
  authToken: string;
  url: string;
  params: readonly (readonly [string, string])[];
  given: string | null | undefined;
}): Promise<boolean> {
  if (!input.given || input.given.length > 128) return false;
  const expected = await twilioSignature(input.authToken, input.url, input.params);
  if (expected.length !== input.given.length) return false;
  let diff = 0;
  for (let i = 0; i < expected.length; i++) {
    diff |= expected.charCodeAt(i) ^ input.given.charCodeAt(i);
  }
  return diff === 0;
}
