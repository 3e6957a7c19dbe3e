import { retryAfterMs } from '../../delivery/webhook';
import { type ProviderAnswer, postToProvider } from '../provider-http';

/**
 * How one push to one device ended. `invalid`: the push service says the token is gone for good
 * (the sender marks it invalid and records a bounce); the others mean what they mean for a send.
 */
export type DeviceResult =
  | { type: 'sent'; status: number; providerId?: string }
  | { type: 'invalid'; status: number | null; reason: string }
  | { type: 'retry'; status: number | null; reason: string; retryAfterMs: number | null }
  | { type: 'failed'; status: number | null; reason: string };

/** POST to a push service; a timeout or connection error is a `retry`. */
export async function post(
  fetcher: (request: Request) => Promise<Response>,
  req: { url: string; headers: Record<string, string>; body: BodyInit },
  service: string,
): Promise<ProviderAnswer | DeviceResult> {
  const answer = await postToProvider(fetcher, req, service);
  if ('unreachable' in answer) {
    return { type: 'retry', status: null, reason: answer.unreachable, retryAfterMs: null };
  }
  return answer;
}

/** 408, 429 and 5xx are retried (at least `Retry-After` later); any other status fails. */
export function failure(answer: ProviderAnswer, reason: string, now: number): DeviceResult {
  if (answer.status === 429 || answer.status === 408 || answer.status >= 500) {
    return {
      type: 'retry',
      status: answer.status,
      reason,
      retryAfterMs: retryAfterMs(answer.headers.get('retry-after'), now),
    };
  }
  return { type: 'failed', status: answer.status, reason };
}
