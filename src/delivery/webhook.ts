import { fnv1a32 } from '../lib/hash';
import { checkAddress } from '../personalization/address-guard';
import { breakerKey, type HostBreaker } from './breaker';
import type { WebhookMessage } from './channels';

/**
 * The webhook channel (contract §5.4): one HTTP request per recipient, with Braze's answer
 * handling. 2xx is received; 3xx (redirects are not followed) and other 4xx fail for good;
 * 408, 429, 5xx, timeouts and connection errors are retried by the caller.
 */

/** Braze's per-request timeout. */
export const WEBHOOK_TIMEOUT_MS = 90_000;

/** Synthetic statuses Braze reports (contract §5.4). */
export const HOST_UNHEALTHY = 598;
export const CONNECTION_ERROR = 599;

export type CallResult =
  | { outcome: 'delivered'; status: number }
  | { outcome: 'retry'; status: number; reason: string; retryAfterMs: number | null }
  | { outcome: 'failed'; status: number | null; reason: string };

/** What a rendered webhook asks for. */
export interface WebhookRequest {
  url: string;
  method: WebhookMessage['request_method'];
  headers: Record<string, string>;
  body: string | null;
}

export interface WebhookOptions {
  workspaceId: string;
  allowlist: readonly string[];
  breaker: HostBreaker;
  fetch: (request: Request) => Promise<Response>;
  now: () => number;
  timeoutMs?: number;
}

const RETRIED = (status: number) => status === 408 || status === 429 || status >= 500;

/** A body's Content-Type when the message names none: JSON if it parses, else plain text. */
function inferredContentType(body: string): string {
  try {
    JSON.parse(body);
    return 'application/json';
  } catch {
    return 'text/plain; charset=utf-8';
  }
}

/** `Retry-After` in seconds or as an HTTP date, as milliseconds from now. */
export function retryAfterMs(header: string | null, now: number): number | null {
  if (!header) return null;
  const seconds = Number(header);
  if (Number.isFinite(seconds) && seconds >= 0) return seconds * 1_000;
  const at = Date.parse(header);
  return Number.isNaN(at) ? null : Math.max(0, at - now);
}

/** The first bytes of a response body, for the failure reason. */
async function snippet(res: Response): Promise<string> {
  const text = await res.text().catch(() => '');
  return text.length > 200 ? `${text.slice(0, 200)}…` : text;
}

/** Make the call. Never throws: every way it can end is a CallResult. */
export async function callWebhook(req: WebhookRequest, opts: WebhookOptions): Promise<CallResult> {
  const checked = checkAddress(req.url, opts.allowlist);
  if (!checked.ok) return { outcome: 'failed', status: null, reason: checked.reason };
  const key = breakerKey(opts.workspaceId, checked.url);
  if (opts.breaker.halted(key, opts.now())) {
    return {
      outcome: 'retry',
      status: HOST_UNHEALTHY,
      reason: 'host unhealthy: calls halted for a minute',
      retryAfterMs: null,
    };
  }
  const headers = new Headers();
  for (const [name, value] of Object.entries(req.headers)) {
    try {
      headers.set(name, value);
    } catch {
      return { outcome: 'failed', status: null, reason: `invalid header ${JSON.stringify(name)}` };
    }
  }
  if (!headers.has('user-agent')) {
    headers.set('user-agent', `Herald Sender ${fnv1a32(opts.workspaceId).toString(16)}`);
  }
  const body = req.method === 'GET' ? null : req.body;
  if (body !== null && body !== '' && !headers.has('content-type')) {
    headers.set('content-type', inferredContentType(body));
  }
  let res: Response;
  try {
    res = await opts.fetch(
      new Request(checked.url, {
        method: req.method,
        headers,
        body: body === '' ? null : body,
        redirect: 'manual',
        signal: AbortSignal.timeout(opts.timeoutMs ?? WEBHOOK_TIMEOUT_MS),
      }),
    );
  } catch (err) {
    const timedOut = err instanceof Error && err.name === 'TimeoutError';
    opts.breaker.record(key, timedOut ? 408 : null, opts.now());
    return {
      outcome: 'retry',
      status: timedOut ? 408 : CONNECTION_ERROR,
      reason: timedOut ? 'timed out' : `connection error: ${String(err)}`,
      retryAfterMs: null,
    };
  }
  opts.breaker.record(key, res.status, opts.now());
  if (res.status >= 200 && res.status < 300) {
    await res.body?.cancel();
    return { outcome: 'delivered', status: res.status };
  }
  const text = await snippet(res);
  const reason = `HTTP ${res.status}${text ? `: ${text}` : ''}`;
  if (RETRIED(res.status)) {
    return {
      outcome: 'retry',
      status: res.status,
      reason,
      retryAfterMs: retryAfterMs(res.headers.get('retry-after'), opts.now()),
    };
  }
  return { outcome: 'failed', status: res.status, reason };
}
