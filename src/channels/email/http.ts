import type { ChannelResult } from '../../delivery/channel';
import { retryAfterMs } from '../../delivery/webhook';

/** A provider call as data: what the builders answer and the sender sends. */
export interface ProviderRequest {
  url: string;
  headers: Record<string, string>;
  body: string;
}

/** What a provider answered, read once. */
export interface ProviderAnswer {
  status: number;
  headers: Headers;
  text: string;
}

/** A provider's answer that is not its success: 429 and 5xx are retried, other 4xx fail. */
export function failureOf(answer: ProviderAnswer, reason: string, now: number): ChannelResult {
  if (answer.status === 429 || answer.status === 408 || answer.status >= 500) {
    return {
      result: 'retry',
      status: answer.status,
      reason,
      retryAfterMs: retryAfterMs(answer.headers.get('retry-after'), now),
    };
  }
  return { result: 'failed', status: answer.status, reason };
}

/** The first bytes of an answer, for a failure reason. */
export function snippet(text: string): string {
  return text.length > 200 ? `${text.slice(0, 200)}…` : text;
}

/** Parse a JSON answer; null when it is not JSON. */
export function jsonOf(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return null;
  }
}
