import { describe, expect, it } from 'vitest';
import { HostBreaker } from '../../../src/delivery/breaker';
import {
  CONNECTION_ERROR,
  callWebhook,
  type Fetch,
  WebhookMemo,
  type WebhookOptions,
  type WebhookRequest,
} from '../../../src/delivery/webhook';

/**
 * The webhook call (src/delivery/webhook.ts), with and without the per-message memo the delivery
 * consumer shares between a deliver message's calls: the memo must change what is computed, never
 * what is decided.
 */

interface Seen {
  url: string;
  init: RequestInit;
}

/** A fetch that records its calls and answers `answer` (or hangs until aborted when null). */
function fakeFetch(answer: () => Response | null) {
  const seen: Seen[] = [];
  const fetch: Fetch = (input, init = {}) => {
    seen.push({ url: String(input), init });
    const res = answer();
    if (res) return Promise.resolve(res);
    return new Promise((_, reject) => {
      init.signal?.addEventListener('abort', () => reject(init.signal?.reason));
    });
  };
  return { fetch, seen };
}

function options(fetch: Fetch, extra: Partial<WebhookOptions> = {}): WebhookOptions {
  return {
    workspaceId: 'ws_1',
    allowlist: [],
    breaker: new HostBreaker(),
    fetch,
    now: Date.now,
    ...extra,
  };
}

const POST: WebhookRequest = {
  url: 'https://hooks.example.com/in',
  method: 'POST',
  headers: { 'X-Run': 'r1' },
  body: '{"a":1}',
};

describe('callWebhook with a shared memo', () => {
  it('refuses private addresses for every recipient without calling them', async () => {
    const { fetch, seen } = fakeFetch(() => new Response('ok'));
    const memo = new WebhookMemo();
    const opts = options(fetch, { memo });
    for (const url of ['http://127.0.0.1/hook', 'http://10.0.0.7/hook', 'http://127.0.0.1/hook']) {
      const r = await callWebhook({ ...POST, url }, opts);
      expect(r).toMatchObject({ outcome: 'failed', status: null });
      expect(r.outcome === 'failed' && r.reason).toMatch(/private address/);
    }
    expect(seen).toHaveLength(0);
  });

  it('calls the same URL with the same headers for every recipient, user agent and type added', async () => {
    const { fetch, seen } = fakeFetch(() => new Response('ok'));
    const memo = new WebhookMemo();
    for (const body of ['{"u":1}', 'plain']) {
      const r = await callWebhook({ ...POST, body }, options(fetch, { memo }));
      expect(r).toEqual({ outcome: 'delivered', status: 200 });
    }
    expect(seen.map((s) => s.url)).toEqual([
      'https://hooks.example.com/in',
      'https://hooks.example.com/in',
    ]);
    const headers = seen.map((s) => Object.fromEntries(new Headers(s.init.headers)));
    expect(headers[0]).toMatchObject({ 'x-run': 'r1', 'content-type': 'application/json' });
    expect(headers[0]!['user-agent']).toMatch(/^Herald Sender [0-9a-f]+$/);
    expect(headers[1]).toMatchObject({ 'content-type': 'text/plain; charset=utf-8' });
    expect(seen[0]!.init).toMatchObject({ method: 'POST', redirect: 'manual', body: '{"u":1}' });
  });

  it('fails a send whose rendered header is invalid, each time it is rendered so', async () => {
    const { fetch, seen } = fakeFetch(() => new Response('ok'));
    const memo = new WebhookMemo();
    for (let i = 0; i < 2; i++) {
      const r = await callWebhook(
        { ...POST, headers: { 'Bad Name': 'x' } },
        options(fetch, { memo }),
      );
      expect(r).toEqual({ outcome: 'failed', status: null, reason: 'invalid header "Bad Name"' });
    }
    expect(seen).toHaveLength(0);
  });

  it('does not mistake a value holding a line break for two valid headers', async () => {
    const { fetch, seen } = fakeFetch(() => new Response('ok'));
    const memo = new WebhookMemo();
    const ok = await callWebhook(
      { ...POST, headers: { a: 'x', b: 'y' } },
      options(fetch, { memo }),
    );
    expect(ok).toMatchObject({ outcome: 'delivered' });
    const bad = await callWebhook({ ...POST, headers: { a: 'x\nb\ny' } }, options(fetch, { memo }));
    expect(bad).toMatchObject({ outcome: 'failed', status: null });
    expect(seen).toHaveLength(1);
  });

  it("knows a message's own headers by identity and sends them, validated, on every call", async () => {
    const { fetch, seen } = fakeFetch(() => new Response('ok'));
    const memo = new WebhookMemo();
    const own = { 'X-Run': 'r1', 'Content-Type': 'application/json' };
    const first = memo.headers({ workspaceId: 'ws_1', headers: own, stable: true });
    expect(memo.headers({ workspaceId: 'ws_1', headers: own, stable: true })).toBe(first);
    // An equal record rendered per recipient finds the same validated set by value.
    expect(memo.headers({ workspaceId: 'ws_1', headers: { ...own } })).toBe(first);
    for (let i = 0; i < 3; i++) {
      const r = await callWebhook(
        { ...POST, headers: own, stableHeaders: true },
        options(fetch, { memo }),
      );
      expect(r).toEqual({ outcome: 'delivered', status: 200 });
    }
    const headers = seen.map((s) => Object.fromEntries(new Headers(s.init.headers)));
    for (const h of headers) {
      expect(h).toMatchObject({ 'x-run': 'r1', 'content-type': 'application/json' });
      expect(h['user-agent']).toMatch(/^Herald Sender [0-9a-f]+$/);
    }
  });

  it('fails every call whose stable headers are invalid', async () => {
    const { fetch, seen } = fakeFetch(() => new Response('ok'));
    const memo = new WebhookMemo();
    const own = { 'Bad Name': 'x' };
    for (let i = 0; i < 2; i++) {
      const r = await callWebhook(
        { ...POST, headers: own, stableHeaders: true },
        options(fetch, { memo }),
      );
      expect(r).toEqual({ outcome: 'failed', status: null, reason: 'invalid header "Bad Name"' });
    }
    expect(seen).toHaveLength(0);
  });

  it('shares a timeout signal between calls started within 50 ms, and no longer', () => {
    let now = 1_000_000;
    const memo = new WebhookMemo(() => now);
    const first = memo.signal(90_000);
    now += 49;
    expect(memo.signal(90_000)).toBe(first);
    now += 1;
    const next = memo.signal(90_000);
    expect(next).not.toBe(first);
    now += 10;
    expect(memo.signal(90_000)).toBe(next);
  });

  it('times a hanging call out as a retried 408', async () => {
    const { fetch } = fakeFetch(() => null);
    const r = await callWebhook(POST, options(fetch, { memo: new WebhookMemo(), timeoutMs: 50 }));
    expect(r).toEqual({ outcome: 'retry', status: 408, reason: 'timed out', retryAfterMs: null });
  });

  it('gives a call started later its whole timeout, not what is left of an earlier one', async () => {
    let hang = false;
    const { fetch } = fakeFetch(() => (hang ? null : new Response('ok')));
    const memo = new WebhookMemo();
    const opts = options(fetch, { memo, timeoutMs: 200 });
    expect(await callWebhook(POST, opts)).toMatchObject({ outcome: 'delivered' });
    await new Promise((resolve) => setTimeout(resolve, 150));
    hang = true;
    const started = Date.now();
    const r = await callWebhook(POST, opts);
    expect(r).toMatchObject({ outcome: 'retry', status: 408 });
    expect(Date.now() - started).toBeGreaterThanOrEqual(195);
  });

  it('classifies answers as Braze does: 2xx delivered, 408/429/5xx retried, 3xx and 4xx failed', async () => {
    const answers: Response[] = [
      new Response(null, { status: 204 }),
      new Response('busy', { status: 429, headers: { 'retry-after': '7' } }),
      new Response('down', { status: 503 }),
      new Response('', { status: 302, headers: { location: 'https://elsewhere.example.com/' } }),
      new Response('nope', { status: 404 }),
    ];
    const { fetch } = fakeFetch(() => answers.shift()!);
    const memo = new WebhookMemo();
    const results = [];
    for (let i = 0; i < 5; i++) results.push(await callWebhook(POST, options(fetch, { memo })));
    expect(results).toEqual([
      { outcome: 'delivered', status: 204 },
      { outcome: 'retry', status: 429, reason: 'HTTP 429: busy', retryAfterMs: 7_000 },
      { outcome: 'retry', status: 503, reason: 'HTTP 503: down', retryAfterMs: null },
      { outcome: 'failed', status: 302, reason: 'HTTP 302' },
      { outcome: 'failed', status: 404, reason: 'HTTP 404: nope' },
    ]);
  });

  it('reports a connection error as a retried 599', async () => {
    const fetch: Fetch = () => Promise.reject(new TypeError('connection refused'));
    const r = await callWebhook(POST, options(fetch, { memo: new WebhookMemo() }));
    expect(r).toMatchObject({ outcome: 'retry', status: CONNECTION_ERROR });
  });

  it('calls an allowlisted private host', async () => {
    const { fetch, seen } = fakeFetch(() => new Response('ok'));
    const r = await callWebhook(
      { ...POST, url: 'http://127.0.0.1:8080/hook' },
      options(fetch, { memo: new WebhookMemo(), allowlist: ['127.0.0.1'] }),
    );
    expect(r).toEqual({ outcome: 'delivered', status: 200 });
    expect(seen.map((s) => s.url)).toEqual(['http://127.0.0.1:8080/hook']);
  });
});
