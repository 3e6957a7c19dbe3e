import { toHex } from './hash';

/**
 * A new profile id in Braze's `braze_id` shape: 24 hex characters like a BSON ObjectId, with the
 * creation second first so ids sort roughly by age.
 */
export function newBrazeId(now: number = Date.now()): string {
  const seconds = Math.floor(now / 1000)
    .toString(16)
    .padStart(8, '0');
  return seconds + toHex(crypto.getRandomValues(new Uint8Array(8)));
}

/** True when `s` has the shape of a `braze_id`. */
export function isBrazeId(s: string): boolean {
  return /^[0-9a-f]{24}$/.test(s);
}

/** A random secret for API keys, in the UUID form Braze keys have. */
export function newSecret(): string {
  return crypto.randomUUID();
}
