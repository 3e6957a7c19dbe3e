import {
  IN_APP_MAX_TTL_SECONDS,
  type InAppMessage,
  SLIDEUP_MAX_CHARS,
  templateFields,
} from '../../campaigns/messages';
import { parseBrazeTime } from '../../ingestion/time';

/**
 * Pure pieces of the in_app_message channel (contract §5.5): its Liquid fields, the message
 * with them rendered, and how long it stays eligible.
 */

/** Eligibility when a message names no expiry. */
export const DEFAULT_IN_APP_TTL_SECONDS = 30 * 86_400;

/** The Liquid fields of an in-app message, by path (`buttons.0.text`). */
export function inAppTemplates(message: InAppMessage): Record<string, string> {
  return templateFields({ channel: 'in_app_message', message });
}

/** The message with its Liquid fields replaced by their rendered values. */
export function applyRendered(
  message: InAppMessage,
  rendered: Record<string, string>,
): InAppMessage {
  const out: InAppMessage = { ...message };
  for (const key of ['message', 'header', 'html', 'image_url', 'uri'] as const) {
    if (rendered[key] !== undefined) out[key] = rendered[key];
  }
  if (message.buttons) {
    out.buttons = message.buttons.map((b, i) => ({
      ...b,
      text: rendered[`buttons.${i}.text`] ?? b.text,
      ...(b.uri !== undefined ? { uri: rendered[`buttons.${i}.uri`] ?? b.uri } : {}),
    }));
  }
  return out;
}

/** Why a rendered message cannot be shown, or null. */
export function inAppProblem(message: InAppMessage): string | null {
  if (message.type === 'slideup' && (message.message?.length ?? 0) > SLIDEUP_MAX_CHARS) {
    return `the rendered slideup text is over ${SLIDEUP_MAX_CHARS} characters`;
  }
  return null;
}

/** When a message stored at `now` stops being eligible; null: already past. */
export function inAppExpiry(message: InAppMessage, now: number): number | null {
  if (message.expire_at !== undefined) {
    const at = parseBrazeTime(message.expire_at)?.getTime() ?? null;
    if (at === null || at <= now) return null;
    return Math.min(at, now + IN_APP_MAX_TTL_SECONDS * 1_000);
  }
  return now + (message.expire_in_seconds ?? DEFAULT_IN_APP_TTL_SECONDS) * 1_000;
}

/** A message's id: stable per send. */
export async function inAppId(sendKey: string): Promise<string> {
  const digest = await crypto.subtle.digest('SHA-256', new TextEncoder().encode(`iam:${sendKey}`));
  return [...new Uint8Array(digest)]
    .slice(0, 16)
    .map((b) => b.toString(16).padStart(2, '0'))
    .join('');
}
