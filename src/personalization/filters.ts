import { createHash, createHmac } from 'node:crypto';
import type { Context, FilterImplOptions, Liquid } from 'liquidjs';
import { LiquidTime, parseZone, toInstant } from './liquid-time';
import { stateOf } from './render-state';
import { strftime, UTC } from './strftime';

/**
 * Braze's filter set (contract §6.3). Shopify filters Braze supports are kept from liquidjs where
 * liquidjs matches Ruby Liquid; the rest are defined here. Every other liquidjs filter is removed,
 * so a template using one fails at parse time with the filter's name, rather than rendering
 * something Braze would not.
 */

/** liquidjs filters whose behaviour already matches Braze's. */
const KEPT = [
  'abs',
  'append',
  'at_least',
  'at_most',
  'base64_decode',
  'capitalize',
  'ceil',
  'compact',
  'concat',
  'default',
  'downcase',
  'escape',
  'escape_once',
  'first',
  'floor',
  'join',
  'last',
  'map',
  'minus',
  'modulo',
  'newline_to_br',
  'plus',
  'prepend',
  'remove',
  'remove_first',
  'replace',
  'replace_first',
  'reverse',
  'size',
  'slice',
  'sort',
  'sort_natural',
  'split',
  'strip',
  'strip_html',
  'strip_newlines',
  'times',
  'truncate',
  'truncatewords',
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

/** Ruby's `String#to_f`: the leading number of a string, else 0. */
export function rubyToF(value: unknown): number {
  if (typeof value === 'number') return value;
  if (typeof value === 'boolean' || value === null || value === undefined) return 0;
  const m = /^\s*[+-]?(\d+(\.\d+)?|\.\d+)([eE][+-]?\d+)?/.exec(String(value));
  return m ? Number(m[0]) : 0;
}

function toNumber(value: unknown): number {
  if (typeof value === 'number') return value;
  const n = Number(value);
  return Number.isFinite(n) ? n : rubyToF(value);
}

/** True when a literal argument was written as a float (`3.0`), which Ruby keeps as a float. */
function argIsFloatLiteral(impl: FilterImpl, index: number): boolean {
  const arg = impl.token.args[index];
  if (!arg || Array.isArray(arg)) return false;
  const text = (arg as { getText?: () => string }).getText?.() ?? '';
  return /^-?\d+\.\d+$/.test(text.trim());
}

/** Ruby's `Float#round`: halves away from zero. */
export function rubyRound(value: number, digits = 0): number {
  const factor = 10 ** digits;
  const scaled = Math.abs(value) * factor;
  const rounded = Math.round(scaled + Number.EPSILON * scaled);
  return (Math.sign(value) * rounded) / factor;
}

function text(value: unknown): string {
  if (value === null || value === undefined) return '';
  return String(value);
}

const UNRESERVED = /[A-Za-z0-9\-._~]/;

function percentEncode(input: string, keep: RegExp, spaceAsPlus: boolean): string {
  let out = '';
  for (const ch of input) {
    if (keep.test(ch)) out += ch;
    else if (ch === ' ' && spaceAsPlus) out += '+';
    else
      for (const b of new TextEncoder().encode(ch))
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
  const n = typeof value === 'number' ? value : Number(value);
  if (value === '' || value === null || value === undefined || !Number.isFinite(n)) return value;
  const [whole, fraction] = String(typeof value === 'number' ? value : String(value).trim()).split(
    '.',
  );
  const sign = whole!.startsWith('-') ? '-' : '';
  const digits = whole!.replace(/^[+-]/, '').replace(/\B(?=(\d{3})+(?!\d))/g, ',');
  return fraction === undefined ? `${sign}${digits}` : `${sign}${digits}.${fraction}`;
}

/** Braze-specific and Braze-adjusted filters, by name. */
function brazeFilters(): Record<string, FilterImplOptions> {
  return {
    divided_by(this: FilterImpl, dividend: unknown, divisor: unknown) {
      const a = toNumber(dividend);
      const b = toNumber(divisor);
      if (b === 0) throw new Error('divided by 0');
      const integer = Number.isInteger(a) && Number.isInteger(b) && !argIsFloatLiteral(this, 0);
      return integer ? Math.floor(a / b) : a / b;
    },
    round: (value: unknown, digits: unknown = 0) => rubyRound(toNumber(value), toNumber(digits)),
    money: (value: unknown) => rubyToF(value).toFixed(2),
    number_with_delimiter: withDelimiter,
    date(this: FilterImpl, value: unknown, format?: unknown) {
      if (format === undefined || format === null || format === '') return value;
      const ms = toInstant(value, stateOf(this.context).now);
      if (ms === null) return value;
      const zone = value instanceof LiquidTime ? value.zone : UTC;
      return strftime(ms, zone, text(format));
    },
    time_zone(this: FilterImpl, value: unknown, zoneName: unknown) {
      const ms = toInstant(value, stateOf(this.context).now);
      const zone = parseZone(zoneName);
      if (ms === null) return value;
      if (zone === null)
        throw new Error(`time_zone: unknown time zone ${JSON.stringify(zoneName)}`);
      return new LiquidTime(ms, zone);
    },
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
    // Ruby's URI escape: everything outside URL syntax is escaped; `&`, `=`, `/`, `?` stay.
    url_escape: (v: unknown) =>
      percentEncode(text(v), /[A-Za-z0-9\-._~:/?#[\]@!$&'()*+,;=%]/, false),
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
    as_json_string: (v: unknown) => JSON.stringify(v ?? null),
    property_accessor: (hash: unknown, key: unknown) => {
      if (hash === null || typeof hash !== 'object') return null;
      const k = text(key);
      return Object.hasOwn(hash, k) ? (hash as Record<string, unknown>)[k] : null;
    },
  };
}

/** Names of every filter a Herald template may use. */
export function filterNames(): string[] {
  return [...KEPT, ...Object.keys(brazeFilters())].sort();
}

/** Replace the engine's filter table with Braze's set. */
export function installFilters(liquid: Liquid): void {
  const kept = new Set<string>(KEPT);
  for (const name of Object.keys(liquid.filters)) {
    if (!kept.has(name)) delete liquid.filters[name];
  }
  for (const [name, impl] of Object.entries(brazeFilters())) liquid.registerFilter(name, impl);
}
