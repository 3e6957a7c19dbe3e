import { fnv1a32 } from '../lib/hash';
import { type AddressCheck, checkAddress } from '../personalization/address-guard';
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
  /** `headers` is the message's own record, never changed (no value was templated). */
  stableHeaders?: boolean;
  body: string | null;
}

/** Outbound HTTP as the channels see it: the global `fetch`, or a test's stand-in. */
export type Fetch = (input: string | Request, init?: RequestInit) => Promise<Response>;

export interface WebhookOptions {
  workspaceId: string;
  allowlist: readonly string[];
  breaker: HostBreaker;
  fetch: Fetch;
  now: () => number;
  timeoutMs?: number;
  /**
   * Work shared by the calls of one deliver message (address checks, headers, the timeout
   * signal); without it each call does its own.
   */
  memo?: WebhookMemo;
}

const RETRIED = (status: number) => status === 408 || status === 429 || status >= 500;

/**
 * How long one timeout signal is handed to new calls: 1% of the timeout, at most 50 ms. Each
 * call gets a signal that fires between the timeout and the timeout plus this much after the call
 * starts, so never sooner than Braze's 90 s. Every call in flight is registered with its signal;
 * twenty signals a second, each shared by ~100 calls, measured ~3% less CPU per send than one
 * shared by a second's ~2,000 (one A/B, about its noise), for twenty timers a second.
 */
const signalReuseMs = (timeoutMs: number) => Math.min(50, Math.ceil(timeoutMs / 100));

/** A call's target once its URL passed the address guard: what `fetch` and the breaker use. */
interface Target {
  check: AddressCheck;
  href: string;
  breakerKey: string;
}

/**
 * A message's rendered headers, validated once: the list to send (and, memoized, the `Headers`
 * to hand to `fetch` with or without an inferred content type), or why they cannot be sent.
 */
type HeaderSet =
  | {
      ok: true;
      list: [string, string][];
      hasContentType: boolean;
      /** Content type added ('' for none) → the headers `fetch` gets; fetch copies them. */
      built?: Map<string, Headers>;
    }
  | { ok: false; reason: string };

/**
 * What the calls of one deliver message share. A broadcast renders the same URL and headers for
 * most recipients: the address guard, the URL parse and the header validation then run once per
 * distinct value instead of once per call, and calls started within 50 ms share one timeout
 * signal. Bounded, so a template that renders a distinct URL per user costs memory only up to
 * `MAX_ENTRIES`.
 */
export class WebhookMemo {
  private static readonly MAX_ENTRIES = 256;
  private readonly targets = new Map<string, Target>();
  private readonly headerSets = new Map<string, HeaderSet>();
  /** Header records seen before, by identity: a message's unrendered (plain) headers object. */
  private readonly headerObjects = new WeakMap<object, HeaderSet>();
  private signalAt = Number.NEGATIVE_INFINITY;
  private shared: AbortSignal | null = null;

  constructor(private readonly clock: () => number = Date.now) {}

  target(url: string, workspaceId: string, allowlist: readonly string[]): Target {
    const hit = this.targets.get(url);
    if (hit) return hit;
    const made = makeTarget(url, workspaceId, allowlist);
    if (this.targets.size < WebhookMemo.MAX_ENTRIES) this.targets.set(url, made);
    return made;
  }

  /**
   * The validated header set of a call. `stable` says the record is never changed once made (a
   * message's own headers, passed when no value is templated): then it is looked up by identity,
   * without serializing it.
   */
  headers(input: {
    workspaceId: string;
    headers: Record<string, string>;
    stable?: boolean;
  }): HeaderSet {
    if (input.stable) {
      const same = this.headerObjects.get(input.headers);
      if (same) return same;
    }
    // JSON, not a joined string: a rendered value may hold any separator.
    const key = JSON.stringify(input.headers);
    let set = this.headerSets.get(key);
    if (!set) {
      set = makeHeaderSet(input.workspaceId, input.headers);
      if (this.headerSets.size < WebhookMemo.MAX_ENTRIES) this.headerSets.set(key, set);
    }
    if (input.stable) this.headerObjects.set(input.headers, set);
    return set;
  }

  signal(timeoutMs: number): AbortSignal {
    const now = this.clock();
    const reuse = signalReuseMs(timeoutMs);
    if (this.shared === null || now - this.signalAt >= reuse) {
      this.shared = AbortSignal.timeout(timeoutMs + reuse);
      this.signalAt = now;
    }
    return this.shared;
  }
}

function makeTarget(url: string, workspaceId: string, allowlist: readonly string[]): Target {
  const check = checkAddress(url, allowlist);
  return check.ok
    ? { check, href: check.url.href, breakerKey: breakerKey(workspaceId, check.url) }
    : { check, href: '', breakerKey: '' };
}

/** Validate header names and values (as `Headers` does) and add Herald's user agent. */
function makeHeaderSet(workspaceId: string, headers: Record<string, string>): HeaderSet {
  const checked = new Headers();
  for (const [name, value] of Object.entries(headers)) {
    try {
      checked.set(name, value);
    } catch {
      return { ok: false, reason: `invalid header ${JSON.stringify(name)}` };
    }
  }
  if (!checked.has('user-agent')) {
    checked.set('user-agent', `Herald Sender ${fnv1a32(workspaceId).toString(16)}`);
  }
  return { ok: true, list: [...checked], hasContentType: checked.has('content-type') };
}

/**
 * The `Headers` a call hands to `fetch`: the set's list plus the inferred content type, if any.
 * Built once per set and type and shared by the set's calls (a request copies its headers).
 */
function fetchHeaders(set: Extract<HeaderSet, { ok: true }>, contentType: string): Headers {
  set.built ??= new Map();
  let headers = set.built.get(contentType);
  if (!headers) {
    headers = new Headers(set.list);
    if (contentType) headers.set('content-type', contentType);
    set.built.set(contentType, headers);
  }
  return headers;
}

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
  const memo = opts.memo;
  const target = memo
    ? memo.target(req.url, opts.workspaceId, opts.allowlist)
    : makeTarget(req.url, opts.workspaceId, opts.allowlist);
  if (!target.check.ok) return { outcome: 'failed', status: null, reason: target.check.reason };
  const key = target.breakerKey;
  if (opts.breaker.halted(key, opts.now())) {
    return {
      outcome: 'retry',
      status: HOST_UNHEALTHY,
      reason: 'host unhealthy: calls halted for a minute',
      retryAfterMs: null,
    };
  }
  const headerSet = memo
    ? memo.headers({
        workspaceId: opts.workspaceId,
        headers: req.headers,
        stable: req.stableHeaders === true,
      })
    : makeHeaderSet(opts.workspaceId, req.headers);
  if (!headerSet.ok) return { outcome: 'failed', status: null, reason: headerSet.reason };
  const body = req.method === 'GET' || req.body === '' ? null : req.body;
  const headers = fetchHeaders(
    headerSet,
    body !== null && !headerSet.hasContentType ? inferredContentType(body) : '',
  );
  const timeoutMs = opts.timeoutMs ?? WEBHOOK_TIMEOUT_MS;
  let res: Response;
  try {
    res = await opts.fetch(target.href, {
      method: req.method,
      headers,
      body,
      redirect: 'manual',
      signal: memo ? memo.signal(timeoutMs) : AbortSignal.timeout(timeoutMs),
    });
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
    // The answer is not read: let it go without waiting for the stream to close.
    res.body?.cancel().catch(() => {});
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
