import {
  CONTENT_CARD_MAX_TTL_SECONDS,
  type ContentCardMessage,
  templateFields,
} from '../../campaigns/messages';
import { wallTimeToInstant } from '../../campaigns/schedule';
import { parseBrazeTime } from '../../ingestion/time';
import type { RenderedCard } from '../../profiles/cards';

/**
 * Pure pieces of the content_card channel (contract §3.11.7, §5.6): which fields are Liquid, the
 * card built from their rendered values, its size and its expiry.
 */

/** A card's rendered payload may be at most this many bytes (contract §5.6). */
export const CARD_MAX_BYTES = 2_048;

/** The Liquid fields of a card message. */
export function cardTemplates(message: ContentCardMessage): Record<string, string> {
  return templateFields({ channel: 'content_card', message });
}

/** The card as the SDK shows it: the message with its Liquid fields rendered. */
export function buildCard(
  message: ContentCardMessage,
  rendered: Record<string, string>,
): RenderedCard {
  const card: RenderedCard = {
    type: message.type,
    title: rendered.title ?? message.title,
    description: rendered.description ?? message.description,
  };
  for (const key of ['image_url', 'ios_uri', 'android_uri', 'web_uri', 'uri_text'] as const) {
    const v = rendered[key] ?? message[key];
    if (v !== undefined && v !== '') card[key] = v;
  }
  if (message.ios_use_webview !== undefined) card.ios_use_webview = message.ios_use_webview;
  if (message.android_use_webview !== undefined) {
    card.android_use_webview = message.android_use_webview;
  }
  if (message.extra !== undefined) card.extra = message.extra;
  return card;
}

const encoder = new TextEncoder();

/**
 * The bytes Braze counts toward the 2 KB limit: title, message, image URL, link text, URLs and
 * the extras' names and values, in UTF-8.
 */
export function cardBytes(card: RenderedCard): number {
  let text = card.title + card.description;
  for (const v of [card.image_url, card.ios_uri, card.android_uri, card.web_uri, card.uri_text]) {
    text += v ?? '';
  }
  for (const [k, v] of Object.entries(card.extra ?? {})) {
    text += k + (typeof v === 'string' ? v : JSON.stringify(v));
  }
  return encoder.encode(text).length;
}

/** Why a rendered card cannot be sent, or null when it can. */
export function cardProblem(card: RenderedCard): string | null {
  const bytes = cardBytes(card);
  if (bytes > CARD_MAX_BYTES) {
    return `the rendered card is ${bytes} bytes, over the ${CARD_MAX_BYTES}-byte limit`;
  }
  if (card.title === '' && card.description === '') return 'the rendered card is empty';
  return null;
}

/**
 * When a card sent at `now` expires: `time_to_live` seconds from now, or `expire_at` (its
 * wall-clock time in the user's zone with `expire_in_local_time`), at most 30 days out. Null: it
 * would already have expired.
 */
export function cardExpiry(
  message: ContentCardMessage,
  input: { now: number; timeZone: string | null },
): number | null {
  const max = input.now + CONTENT_CARD_MAX_TTL_SECONDS * 1_000;
  let at: number;
  if (message.time_to_live !== undefined) at = input.now + message.time_to_live * 1_000;
  else {
    const iso = message.expire_at ?? '';
    const local = message.expire_in_local_time === true && input.timeZone !== null;
    const wall = /^(\d{4}-\d{2}-\d{2})[T ](\d{2}:\d{2})(?::(\d{2}))?/.exec(iso);
    if (local && wall) {
      at = wallTimeToInstant(wall[1]!, wall[2]!, input.timeZone!) + Number(wall[3] ?? 0) * 1_000;
    } else {
      const parsed = parseBrazeTime(iso);
      if (!parsed) return null;
      at = parsed.getTime();
    }
  }
  if (at <= input.now) return null;
  return Math.min(at, max);
}

/** A card's id: stable per send (a retried send stores the same card once). */
export async function cardId(sendKey: string): Promise<string> {
  const digest = await crypto.subtle.digest('SHA-256', encoder.encode(`card:${sendKey}`));
  return [...new Uint8Array(digest)]
    .slice(0, 16)
    .map((b) => b.toString(16).padStart(2, '0'))
    .join('');
}
