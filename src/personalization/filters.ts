import { createHash, createHmac } from 'node:crypto';
import { type Context, type FilterImplOptions, type Liquid, toValue } from 'liquidjs';
import { LiquidTime, parseZone, toTime } from './liquid-time';
import { stateOf } from './render-state';
import { strftime } from './strftime';

/**
 * Braze's filter set (contract §6.3). Shopify filters Braze supports are kept from liquidjs where
 * liquidjs matches Ruby Liquid; the rest are defined here, after Ruby Liquid 5 (what Braze runs).
 * Every other liquidjs filter is removed, so a template using one fails at parse time with the
 * filter's name, rather than rendering something Braze would not.
 */

/** liquidjs filters whose behaviour already matches Braze's. */
const KEPT = [
  'append',
  'base64_decode',
  'capitalize',
  'compact',
  'concat',
  'downcase',
  'join',
  'map',
  'newline_to_br',
  'prepend',
  'remove',
  'remove_first',
  'replace',
  'replace_first',
  'reverse',
  'slice',
  'sort',
  'sort_natural',
  'strip',
  'strip_html',
  'strip_newlines',
  'truncate',
  'uniq',
  'upcase',
  'url_decode',
  'where',
] as const;

/** What liquidjs binds `this` to in a filter (its own type is not exported). */
interface FilterImpl {
  context: Context;
  token: { args: unknown[] };
}

/** A filter's input or argument as data: `nil` and other drops become their values; times stay. */
function plain(value: unknown): unknown {
  return value instanceof LiquidTime ? value : toValue(value);
}

function text(value: unknown): string {
  const v = plain(value);
  if (v === null || v === undefined) return '';
  return String(v);
}

function isHash(value: unknown): value is Record<string, unknown> {
  if (value === null || typeof value !== 'object') return false;
  const proto = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}

/** Ruby's `String#to_f`: the leading number of a string, else 0. */
export function rubyToF(value: unknown): number {
  const v = plain(value);
  if (typeof v === 'number') return v;
  if (typeof v !== 'string') return 0;
  const m = /^\s*[+-]?(\d+(\.\d+)?|\.\d+)([eE][+-]?\d+)?/.exec(v);
  return m ? Number(m[0]) : 0;
}

const DECIMAL_STRING = /^\s*-?\d+\.\d+\s*$/;

/** Liquid's `Utils.to_number`: `"3.5"` is a float, other strings are `to_i` (`"12 items"` → 12), non-numbers 0. */
export function rubyToNumber(value: unknown): number {
  const v = plain(value);
  if (typeof v === 'number') return v;
  if (typeof v !== 'string') return 0;
  if (DECIMAL_STRING.test(v)) return Number(v);
  const m = /^\s*[+-]?\d+/.exec(v);
  return m ? Number(m[0]) : 0;
}

/** True when an argument was written as a float literal (`2.0`), which Ruby keeps as a float. */
function argIsFloatLiteral(impl: FilterImpl, index: number): boolean {
  const arg = impl.token.args[index];
  if (!arg || Array.isArray(arg)) return false;
  const source = (arg as { getText?: () => string }).getText?.() ?? '';
  return /^-?\d+\.\d+$/.test(source.trim());
}

/** Whether Ruby would hold this value as a Float (JS cannot tell `2.0` from `2` once parsed). */
function isRubyFloat(value: unknown): boolean {
  const v = plain(value);
  if (typeof v === 'string') return DECIMAL_STRING.test(v);
  return typeof v === 'number' && !Number.isInteger(v);
}

/** C's `round`: halves away from zero. */
function cRound(x: number): number {
  return Math.sign(x) * Math.round(Math.abs(x));
}

/**
 * Ruby's `round(digits)`: halves away from zero, judged on the decimal the float stands for
 * (`2.675.round(2)` is 2.68); negative digits round the integer part (`1250.round(-2)` is 1300).
 */
export function rubyRound(value: number, digits = 0): number {
  if (!Number.isFinite(value)) return value;
  const d = Math.trunc(digits);
  if (d === 0) return cRound(value);
  if (d < 0) {
    const step = 10 ** -d;
    const whole = Math.trunc(value);
    return Math.sign(whole) * Math.floor((Math.abs(whole) + step / 2) / step) * step;
  }
  if (d > 15) return value;
  const s = 10 ** d;
  let f = cRound(value * s);
  if (value > 0 && (f + 0.5) / s <= value) f += 1;
  if (value < 0 && (f - 0.5) / s >= value) f -= 1;
  return f / s;
}

const HTML_ESCAPES: Record<string, string> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&#39;',
};

const escapeHtml = (v: unknown) => text(v).replace(/[&<>"']/g, (c) => HTML_ESCAPES[c]!);

/** Ruby's `String#split`: a single space splits on runs of whitespace, ignoring leading ones. */
function rubySplit(input: string, pattern: string): string[] {
  const parts = pattern === ' ' ? input.replace(/^\s+/, '').split(/\s+/) : input.split(pattern);
  while (parts.length > 0 && parts[parts.length - 1] === '') parts.pop();
  return parts;
}

/** Ruby Liquid's `truncatewords`: untouched (spacing and all) unless it has more words than asked. */
function truncateWords(input: unknown, words: unknown = 15, ellipsis: unknown = '...'): unknown {
  const v = plain(input);
  if (v === null || v === undefined) return v;
  const s = String(v);
  const limit = Math.max(1, Math.trunc(rubyToNumber(words)));
  const start = s.replace(/^\s+/, '');
  // `split(' ', limit + 1)` keeps a trailing empty field, so trailing whitespace counts as one.
  const fields = start === '' ? [] : start.split(/\s+/);
  if (fields.length <= limit) return s;
  return fields.slice(0, limit).join(' ') + text(ellipsis);
}

/** Ruby's `empty?` as `default` reads it: nil, false, "", [] and {} (not "  "). */
function isBlankForDefault(v: unknown): boolean {
  if (v === null || v === undefined || v === false || v === '') return true;
  if (Array.isArray(v)) return v.length === 0;
  return isHash(v) && Object.keys(v).length === 0;
}

/** Shopify's filters where liquidjs differs from Ruby Liquid 5. */
function shopifyFilters(): Record<string, FilterImplOptions> {
  const num = rubyToNumber;
  return {
    abs: (v: unknown) => Math.abs(num(v)),
    ceil: (v: unknown) => Math.ceil(num(v)),
    floor: (v: unknown) => Math.floor(num(v)),
    at_least: (v: unknown, n: unknown) => Math.max(num(v), num(n)),
    at_most: (v: unknown, n: unknown) => Math.min(num(v), num(n)),
    plus: (v: unknown, n: unknown) => num(v) + num(n),
    minus: (v: unknown, n: unknown) => num(v) - num(n),
    times: (v: unknown, n: unknown) => num(v) * num(n),
    // Ruby's `%` takes the divisor's sign (-7 % 3 is 2) and refuses zero.
    modulo: (v: unknown, n: unknown) => {
      const b = num(n);
      if (b === 0) throw new Error('divided by 0');
      const a = num(v);
      return a - b * Math.floor(a / b);
    },
    divided_by(this: FilterImpl, dividend: unknown, divisor: unknown) {
      const a = num(dividend);
      const b = num(divisor);
      const integer =
        !isRubyFloat(dividend) && !isRubyFloat(divisor) && !argIsFloatLiteral(this, 0);
      if (b === 0 && integer) throw new Error('divided by 0');
      return integer ? Math.floor(a / b) : a / b;
    },
    round: (v: unknown, digits: unknown = 0) => rubyRound(num(v), num(digits)),
    default(value: unknown, fallback: unknown, ...options: unknown[]) {
      const v = plain(value);
      const allowFalse = options.some((o) => Array.isArray(o) && o[0] === 'allow_false' && o[1]);
      if (v === false && allowFalse) return false;
      return isBlankForDefault(v) ? fallback : value;
    },
    size(value: unknown) {
      const v = plain(value);
      if (typeof v === 'string') return [...v].length;
      if (Array.isArray(v)) return v.length;
      return isHash(v) ? Object.keys(v).length : 0;
    },
    // Ruby strings have no `first`/`last`: only arrays answer.
    first: (v: unknown) => {
      const a = plain(v);
      return Array.isArray(a) ? a[0] : null;
    },
    last: (v: unknown) => {
      const a = plain(v);
      return Array.isArray(a) ? a[a.length - 1] : null;
    },
    split: (v: unknown, pattern: unknown) => rubySplit(text(v), text(pattern)),
    truncatewords: truncateWords,
    // CGI.escapeHTML, which Liquid's `escape` is: `"` becomes `&quot;`.
    escape: escapeHtml,
    escape_once: (v: unknown) =>
      text(v).replace(/["><']|&(?!(?:[a-zA-Z]+|#\d+);)/g, (c) => HTML_ESCAPES[c]!),
  };
}

// Ruby's URI.escape (RFC 2396): unreserved and reserved characters stay; `#`, `%` and the rest go.
const URL_SAFE = /[A-Za-z0-9\-_.!~*'();/?:@&=+$,[\]]/;
const UNRESERVED = /[A-Za-z0-9\-._~]/;

function percentEncode(input: string, keep: RegExp, spaceAsPlus: boolean): string {
  let out = '';
  const encoder = new TextEncoder();
  for (const ch of input) {
    if (keep.test(ch)) out += ch;
    else if (ch === ' ' && spaceAsPlus) out += '+';
    else
      for (const b of encoder.encode(ch))
        out += `%${b.toString(16).toUpperCase().padStart(2, '0')}`;
  }
  return out;
}

function digest(algorithm: 'md5' | 'sha1' | 'sha256' | 'sha512', value: unknown): string {
  return createHash(algorithm).update(text(value)).digest('hex');
}

function hmac(
  algorithm: 'sha1' | 'sha256' | 'sha512',
  value: unknown,
  key: unknown,
  encoding: 'hex' | 'base64',
): string {
  return createHmac(algorithm, text(key)).update(text(value)).digest(encoding);
}

function withDelimiter(value: unknown): unknown {
  const v = plain(value);
  const n = typeof v === 'number' ? v : Number(v);
  if (v === '' || v === null || v === undefined || !Number.isFinite(n)) return v;
  const [whole, fraction] = String(typeof v === 'number' ? v : String(v).trim()).split('.');
  const sign = whole!.startsWith('-') ? '-' : '';
  const digits = whole!.replace(/^[+-]/, '').replace(/\B(?=(\d{3})+(?!\d))/g, ',');
  return fraction === undefined ? `${sign}${digits}` : `${sign}${digits}.${fraction}`;
}

/**
 * `time_zone`: the same instant shown in another zone. A missing zone (a user without a
 * `time_zone`) leaves the time as it is, as ActiveSupport's `in_time_zone(nil)` does; an unknown
 * name fails the render.
 */
function timeZone(this: FilterImpl, value: unknown, zoneName: unknown): unknown {
  const time = toTime(plain(value), stateOf(this.context).now);
  if (time === null) return value;
  const name = plain(zoneName);
  if (name === null || name === undefined || name === '') return time;
  const zone = parseZone(name);
  if (zone === null) throw new Error(`time_zone: unknown time zone ${JSON.stringify(name)}`);
  return new LiquidTime(time.ms, zone);
}

/** Braze-specific filters, by name. */
function brazeFilters(): Record<string, FilterImplOptions> {
  return {
    money: (value: unknown) => rubyToF(value).toFixed(2),
    number_with_delimiter: withDelimiter,
    date(this: FilterImpl, value: unknown, format?: unknown) {
      const fmt = text(format);
      if (fmt === '') return value;
      const time = toTime(plain(value), stateOf(this.context).now);
      return time === null ? value : strftime(time.ms, time.zone, fmt);
    },
    time_zone: timeZone,
    // One of Braze's own examples spells it `timezone` (contract §6.2).
    timezone: timeZone,
    md5: (v: unknown) => digest('md5', v),
    sha1: (v: unknown) => digest('sha1', v),
    sha2: (v: unknown) => digest('sha256', v),
    sha256: (v: unknown) => digest('sha256', v),
    hmac_sha1: (v: unknown, key: unknown) => hmac('sha1', v, key, 'hex'),
    hmac_sha1_hex: (v: unknown, key: unknown) => hmac('sha1', v, key, 'hex'),
    hmac_sha1_base64: (v: unknown, key: unknown) => hmac('sha1', v, key, 'base64'),
    hmac_sha256: (v: unknown, key: unknown) => hmac('sha256', v, key, 'hex'),
    hmac_sha256_hex: (v: unknown, key: unknown) => hmac('sha256', v, key, 'hex'),
    hmac_sha256_base64: (v: unknown, key: unknown) => hmac('sha256', v, key, 'base64'),
    hmac_sha512: (v: unknown, key: unknown) => hmac('sha512', v, key, 'hex'),
    base64_encode: (v: unknown) => {
      let binary = '';
      for (const b of new TextEncoder().encode(text(v))) binary += String.fromCharCode(b);
      return btoa(binary);
    },
    url_escape: (v: unknown) => percentEncode(text(v), URL_SAFE, false),
    // As url_escape, but for one query value: `&`, `=`, `/` and friends are escaped too.
    url_param_escape: (v: unknown) => percentEncode(text(v), UNRESERVED, false),
    // Form encoding (CGI.escape): space becomes `+`.
    url_encode: (v: unknown) => percentEncode(text(v), UNRESERVED, true),
    json_escape: (v: unknown) => JSON.stringify(text(v)).slice(1, -1),
    json_parse: (v: unknown) => {
      try {
        return JSON.parse(text(v));
      } catch {
        throw new Error('json_parse: the input is not valid JSON');
      }
    },
    as_json_string: (v: unknown) => JSON.stringify(plain(v) ?? null),
    property_accessor: (hash: unknown, key: unknown) => {
      const h = plain(hash);
      if (h === null || typeof h !== 'object') return null;
      const k = text(key);
      return Object.hasOwn(h, k) ? (h as Record<string, unknown>)[k] : null;
    },
  };
}

/** Charge what a filter made against the render's memory limit, as liquidjs' own filters do. */
function charged(impl: FilterImplOptions): FilterImplOptions {
  const fn = impl as (this: FilterImpl, ...args: unknown[]) => unknown;
  return function (this: FilterImpl, ...args: unknown[]) {
    const out = fn.apply(this, args);
    if (typeof out === 'string' || Array.isArray(out)) this.context.memoryLimit.use(out.length);
    return out;
  };
}

function definedFilters(): Record<string, FilterImplOptions> {
  return { ...shopifyFilters(), ...brazeFilters() };
}

/** Names of every filter a Herald template may use. */
export function filterNames(): string[] {
  return [...KEPT, ...Object.keys(definedFilters())].sort();
}

/** Replace the engine's filter table with Braze's set. */
export function installFilters(liquid: Liquid): void {
  const kept = new Set<string>(KEPT);
  for (const name of Object.keys(liquid.filters)) {
    if (!kept.has(name)) delete liquid.filters[name];
  }
  for (const [name, impl] of Object.entries(definedFilters())) {
    liquid.registerFilter(name, charged(impl));
  }
}
