/**
 * SMS segment counting (contract messaging §5.2): a message that fits the GSM-7 alphabet is sent
 * in 7-bit septets, 160 to a single message and 153 to each part of a concatenated one; extension
 * characters (`^ { } \ [ ~ ] | €` and form feed) are an escape plus a septet, so they cost two and
 * are never split across parts. Anything else sends the whole message as UCS-2: 70 UTF-16 units
 * alone, 67 per part, a surrogate pair never split. Braze sends at most 10 segments.
 */

const GSM_BASIC =
  '@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !"#¤%&\'()*+,-./0123456789:;<=>?' +
  '¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà';
const GSM_EXTENSION = '\f^{}\\[~]|€';

const BASIC = new Set(GSM_BASIC);
const EXTENSION = new Set(GSM_EXTENSION);

/** The most segments Herald sends one message in (Braze's limit). */
export const MAX_SEGMENTS = 10;

export interface SegmentCount {
  encoding: 'GSM-7' | 'UCS-2';
  /** Septets (GSM-7) or UTF-16 code units (UCS-2) the text takes. */
  units: number;
  segments: number;
}

/** How a text is encoded and into how many segments it splits. */
export function countSegments(text: string): SegmentCount {
  const chars = Array.from(text);
  const gsm = chars.every((ch) => BASIC.has(ch) || EXTENSION.has(ch));
  // Each character's cost in its encoding's units: 1 or 2.
  const costs = gsm ? chars.map((ch) => (EXTENSION.has(ch) ? 2 : 1)) : chars.map((ch) => ch.length);
  const units = costs.reduce((a, b) => a + b, 0);
  const [single, part] = gsm ? [160, 153] : [70, 67];
  if (units === 0) return { encoding: gsm ? 'GSM-7' : 'UCS-2', units, segments: 0 };
  if (units <= single) return { encoding: gsm ? 'GSM-7' : 'UCS-2', units, segments: 1 };
  // Fill parts greedily: a two-unit character that does not fit starts the next part.
  let segments = 1;
  let used = 0;
  for (const cost of costs) {
    if (used + cost > part) {
      segments++;
      used = 0;
    }
    used += cost;
  }
  return { encoding: gsm ? 'GSM-7' : 'UCS-2', units, segments };
}
