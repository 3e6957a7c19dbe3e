/**
 * The arguments of `{% connected_content url [:option value …] %}` (contract §6.5), read after
 * the tag's own Liquid has rendered. Pure: returns a typed result for bad markup.
 */

export interface ConnectedContentCall {
  url: string;
  method: 'GET' | 'POST';
  headers: Record<string, string>;
  body: string | null;
  /** `:content_type`: sets both Content-Type and Accept. */
  contentType: string | null;
  basicAuth: string | null;
  /** Seconds, clamped to 300–14,400; null when not given. */
  cacheMaxAge: number | null;
  noCache: boolean;
  retry: boolean;
  /** Variable the parsed response is saved to; null inserts the body inline. */
  save: string | null;
}

export const CACHE_MIN_SECONDS = 300;
export const CACHE_MAX_SECONDS = 14_400;

const FLAGS = new Set(['retry', 'no_cache']);
const VALUED = new Set([
  'method',
  'headers',
  'body',
  'content_type',
  'basic_auth',
  'cache_max_age',
  'cache',
  'save',
]);

/** End of a `{…}` value starting at `from`, honouring quoted strings; -1 if unbalanced. */
function balancedEnd(text: string, from: number): number {
  let depth = 0;
  let quote: string | null = null;
  for (let i = from; i < text.length; i++) {
    const ch = text[i]!;
    if (quote) {
      if (ch === '\\') i++;
      else if (ch === quote) quote = null;
    } else if (ch === '"' || ch === "'") quote = ch;
    else if (ch === '{') depth++;
    else if (ch === '}') {
      depth--;
      if (depth === 0) return i + 1;
    }
  }
  return -1;
}

function parseHeaders(raw: string): Record<string, string> | string {
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw);
  } catch {
    return ':headers must be a JSON object, e.g. {"X-Key": "value"}';
  }
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) {
    return ':headers must be a JSON object';
  }
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(parsed)) out[k] = String(v);
  return out;
}

/** Parse rendered tag arguments into a call, or an error message. */
export function parseConnectedContent(markup: string): ConnectedContentCall | { error: string } {
  const text = markup.trim();
  const urlEnd = text.search(/\s/);
  const url = urlEnd < 0 ? text : text.slice(0, urlEnd);
  if (url === '') return { error: 'connected_content needs a URL' };
  if (!/^https?:\/\//i.test(url)) return { error: `connected_content URL must be http(s): ${url}` };
  const call: ConnectedContentCall = {
    url,
    method: 'GET',
    headers: {},
    body: null,
    contentType: null,
    basicAuth: null,
    cacheMaxAge: null,
    noCache: false,
    retry: false,
    save: null,
  };
  let i = urlEnd < 0 ? text.length : urlEnd;
  while (i < text.length) {
    while (i < text.length && /\s/.test(text[i]!)) i++;
    if (i >= text.length) break;
    const opt = /^:(\w+)/.exec(text.slice(i));
    if (!opt) return { error: `connected_content: unexpected "${text.slice(i, i + 20)}"` };
    const name = opt[1]!;
    i += opt[0].length;
    if (FLAGS.has(name)) {
      if (name === 'retry') call.retry = true;
      else call.noCache = true;
      continue;
    }
    if (!VALUED.has(name)) return { error: `connected_content: unknown option :${name}` };
    while (i < text.length && /[ \t]/.test(text[i]!)) i++;
    let value: string;
    if (text[i] === '{' && name === 'headers') {
      const end = balancedEnd(text, i);
      if (end < 0) return { error: ':headers has unbalanced braces' };
      value = text.slice(i, end);
      i = end;
    } else if (name === 'body') {
      // The body runs to the next option (it may be JSON with spaces from a captured variable).
      const rest = text.slice(i);
      const next =
        /\s:(method|headers|content_type|basic_auth|cache_max_age|cache|save|retry|no_cache)\b/.exec(
          rest,
        );
      value = (next ? rest.slice(0, next.index) : rest).trim();
      i += next ? next.index : rest.length;
    } else {
      const m = /^\S+/.exec(text.slice(i));
      if (!m) return { error: `connected_content: :${name} needs a value` };
      value = m[0];
      i += value.length;
    }
    switch (name) {
      case 'method': {
        const method = value.toUpperCase();
        if (method !== 'GET' && method !== 'POST') {
          return { error: `connected_content supports GET and POST, not ${value}` };
        }
        call.method = method;
        break;
      }
      case 'headers': {
        const headers = parseHeaders(value);
        if (typeof headers === 'string') return { error: headers };
        call.headers = headers;
        break;
      }
      case 'body':
        call.body = value;
        break;
      case 'content_type':
        call.contentType = value;
        break;
      case 'basic_auth':
        call.basicAuth = value;
        break;
      case 'cache':
      case 'cache_max_age': {
        const seconds = Number(value);
        if (!Number.isFinite(seconds)) return { error: `:${name} must be a number of seconds` };
        call.cacheMaxAge = Math.min(
          CACHE_MAX_SECONDS,
          Math.max(CACHE_MIN_SECONDS, Math.floor(seconds)),
        );
        break;
      }
      case 'save':
        if (!/^[A-Za-z_][\w-]*$/.test(value))
          return { error: `:save needs a variable name, not ${value}` };
        call.save = value;
        break;
    }
  }
  return call;
}

/**
 * The request headers and body Braze sends for a call: `:content_type` sets Content-Type and
 * Accept; GET defaults to JSON with `Accept: *\/*`; POST defaults to a form body, and a `k=v` body
 * with `application/json` is encoded as a JSON object.
 */
export function requestShape(call: ConnectedContentCall): {
  headers: Record<string, string>;
  body: string | null;
} {
  const headers: Record<string, string> = {};
  if (call.contentType) {
    headers['Content-Type'] = call.contentType;
    headers.Accept = call.contentType;
  } else if (call.method === 'GET') {
    headers['Content-Type'] = 'application/json';
    headers.Accept = '*/*';
  } else {
    headers['Content-Type'] = 'application/x-www-form-urlencoded';
  }
  Object.assign(headers, call.headers);
  let body = call.method === 'POST' ? (call.body ?? '') : null;
  const isJson = /application\/json/i.test(headers['Content-Type'] ?? '');
  if (body !== null && isJson && body !== '' && !/^\s*[[{]/.test(body)) {
    const obj: Record<string, string> = {};
    for (const pair of body.split('&')) {
      if (pair === '') continue;
      const at = pair.indexOf('=');
      const k = at < 0 ? pair : pair.slice(0, at);
      obj[decodeURIComponent(k)] = at < 0 ? '' : decodeURIComponent(pair.slice(at + 1));
    }
    body = JSON.stringify(obj);
  }
  return { headers, body };
}
