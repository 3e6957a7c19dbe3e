import type { ChannelResult } from '../delivery/channel';
import { retryAfterMs } from '../delivery/webhook';

/**
 * Provider HTTP shared by every channel (email, SMS, push): requests as data, the one POST that
 * sends them with a timeout, and the answer read once.
 */

/** Time a provider has to answer before the send is retried. */
const TIMEOUT_MS = 30_000;

/** A provider call as data: what the builders answer and the sender sends. */
export interface ProviderRequest {
  url: string;
  headers: Record<string, string>;
  body: string;
}

/**
 * POST a request to a provider, redirects not followed. Nothing answering (a timeout, a
 * connection error) is `{ unreachable }` with the reason, for the caller to retry.
 */
export async function postToProvider(
  fetcher: (request: Request) => Promise<Response>,
  req: { url: string; headers: Record<string, string>; body: BodyInit },
  service: string,
): Promise<ProviderAnswer | { unreachable: string }> {
  try {
    const res = await fetcher(
      new Request(req.url, {
        method: 'POST',
        headers: req.headers,
        body: req.body,
        redirect: 'manual',
        signal: AbortSignal.timeout(TIMEOUT_MS),
      }),
    );
    return { status: res.status, headers: res.headers, text: await res.text() };
  } catch (err) {
    const timedOut = err instanceof Error && err.name === 'TimeoutError';
    return {
      unreachable: timedOut ? `${service} timed out` : `${service} unreachable: ${String(err)}`,
    };
  }
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
