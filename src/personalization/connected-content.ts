import { fnv1a32 } from '../lib/hash';
import { checkAddress } from './address-guard';
import type {
  ConnectedContentFetcher,
  ConnectedContentRequest,
  ConnectedContentResponse,
} from './render-state';
import type { CredentialSource } from './sources';

/** Braze's numbers (contract §6.5, §10.6). */
export const CONNECTED_CONTENT_TIMEOUT_MS = 2_000;
export const CONNECTED_CONTENT_MAX_BYTES = 1_048_576;
export const CONNECTED_CONTENT_DEFAULT_CACHE_SECONDS = 300;
export const CONNECTED_CONTENT_MAX_ATTEMPTS = 5;

/**
 * The response cache: per isolate and in memory, as Braze's is ("durations are hints"). Keyed by
 * workspace, method, URL, body and credential, so workspaces never share entries.
 */
interface CacheEntry {
  expires: number;
  status: number;
  body: string;
  contentType: string | null;
}
const CACHE_MAX_ENTRIES = 2_000;
const CACHE_MAX_CHARS = 64 * 1_048_576;
const cache = new Map<string, CacheEntry>();
let cacheChars = 0;

function remember(key: string, entry: CacheEntry): void {
  const old = cache.get(key);
  if (old) {
    cache.delete(key);
    cacheChars -= old.body.length;
  }
  cache.set(key, entry);
  cacheChars += entry.body.length;
  while (cache.size > CACHE_MAX_ENTRIES || cacheChars > CACHE_MAX_CHARS) {
    const [oldest, value] = cache.entries().next().value as [string, CacheEntry];
    cache.delete(oldest);
    cacheChars -= value.body.length;
  }
}

/** Forget cached responses (tests start clean with it). */
export function clearConnectedContentCache(): void {
  cache.clear();
  cacheChars = 0;
}

export interface FetcherOptions {
  workspaceId: string;
  /** Hosts, `host:port` pairs or CIDRs the workspace lets templates call despite the guard. */
  allowlist: readonly string[];
  credentials: CredentialSource | null;
  fetch: (request: Request) => Promise<Response>;
  now: () => number;
  sleep: (ms: number) => Promise<void>;
  /** Delay before retry n (1-based): exponential from this base. */
  retryBaseMs?: number;
  timeoutMs?: number;
}

/** Read at most `limit` bytes of a body; null when it is larger. */
async function readCapped(response: Response, limit: number): Promise<string | null> {
  if (!response.body) return '';
  const declared = Number(response.headers.get('content-length') ?? '0');
  if (declared > limit) {
    await response.body.cancel();
    return null;
  }
  const reader = response.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > limit) {
      await reader.cancel();
      return null;
    }
    chunks.push(value);
  }
  const all = new Uint8Array(size);
  let at = 0;
  for (const c of chunks) {
    all.set(c, at);
    at += c.byteLength;
  }
  return new TextDecoder().decode(all);
}

/** Statuses Braze treats as a failed call (and retries with `:retry`). */
function isFailure(status: number): boolean {
  return status === 408 || status === 429 || status >= 500;
}

/** A fetcher bound to one workspace: guard, credentials, timeout, size cap, cache and retries. */
export function connectedContentFetcher(options: FetcherOptions): ConnectedContentFetcher {
  const timeoutMs = options.timeoutMs ?? CONNECTED_CONTENT_TIMEOUT_MS;
  const retryBase = options.retryBaseMs ?? 200;
  const userAgent = `Herald Sender ${fnv1a32(options.workspaceId).toString(16)}`;

  async function once(req: ConnectedContentRequest, url: URL): Promise<ConnectedContentResponse> {
    const headers = new Headers(req.headers);
    headers.set('User-Agent', userAgent);
    if (req.basicAuth !== null) {
      const credential = await options.credentials?.get(req.basicAuth);
      if (!credential)
        return { type: 'failed', reason: `unknown credential ${req.basicAuth}`, status: null };
      headers.set(
        'Authorization',
        `Basic ${btoa(`${credential.username}:${credential.password}`)}`,
      );
    }
    const controller = new AbortController();
    const timer = setTimeout(() => controller.abort(), timeoutMs);
    try {
      const response = await options.fetch(
        new Request(url.toString(), {
          method: req.method,
          headers,
          body: req.method === 'POST' ? (req.body ?? '') : null,
          redirect: 'manual',
          signal: controller.signal,
        }),
      );
      const body = await readCapped(response, CONNECTED_CONTENT_MAX_BYTES);
      if (body === null)
        return { type: 'failed', reason: 'response larger than 1 MB', status: response.status };
      if (isFailure(response.status)) {
        return { type: 'failed', reason: `HTTP ${response.status}`, status: response.status };
      }
      return {
        type: 'ok',
        status: response.status,
        body,
        contentType: response.headers.get('content-type'),
      };
    } catch (err) {
      const reason = controller.signal.aborted
        ? `no response within ${timeoutMs} ms`
        : `request failed: ${(err as Error).message}`;
      return { type: 'failed', reason, status: null };
    } finally {
      clearTimeout(timer);
    }
  }

  return {
    async fetch(req) {
      const check = checkAddress(req.url, options.allowlist);
      if (!check.ok) return { type: 'failed', reason: check.reason, status: null };
      const ttl =
        req.method === 'GET'
          ? req.noCache
            ? null
            : (req.cacheMaxAge ?? CONNECTED_CONTENT_DEFAULT_CACHE_SECONDS)
          : req.cacheMaxAge;
      const key = `${options.workspaceId}\n${req.method}\n${req.url}\n${req.body ?? ''}\n${req.basicAuth ?? ''}`;
      if (ttl !== null) {
        const hit = cache.get(key);
        if (hit && hit.expires > options.now()) {
          return {
            type: 'ok',
            status: hit.status,
            body: hit.body,
            contentType: hit.contentType,
            cached: true,
          };
        }
      }
      const attempts = req.retry ? CONNECTED_CONTENT_MAX_ATTEMPTS : 1;
      let result: ConnectedContentResponse = {
        type: 'failed',
        reason: 'not attempted',
        status: null,
      };
      for (let attempt = 1; attempt <= attempts; attempt++) {
        if (attempt > 1) await options.sleep(retryBase * 2 ** (attempt - 2));
        result = await once(req, check.url);
        if (result.type === 'ok') break;
      }
      if (result.type === 'ok' && ttl !== null && result.status >= 200 && result.status < 300) {
        remember(key, {
          expires: options.now() + ttl * 1000,
          status: result.status,
          body: result.body,
          contentType: result.contentType,
        });
      }
      return result;
    },
  };
}
