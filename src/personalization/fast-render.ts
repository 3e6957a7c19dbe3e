import { type Liquid, type Template, TokenKind } from 'liquidjs';
import { isHeraldEngine, MAX_FIELD_OUTPUT_BYTES, RENDER_MEMORY_LIMIT, utf8Length } from './engine';

/**
 * A compiled fast path for the commonest templates: literal text and plain variable outputs
 * (`Hi {{${first_name}}}`, `{{custom_attribute.${plan} | upcase}}`), rendered by direct lookups
 * in the scope instead of liquidjs's Context and renderer. Whether a template qualifies is
 * decided once from its liquidjs parse (so whitespace control and the dialect's rewrite are
 * liquidjs's own); a render returns `undefined` whenever a value is not one whose output is
 * certainly liquidjs's (arrays, hashes, times, drops, functions, an oversized result), and the
 * caller renders that recipient through liquidjs instead. test/unit/personalization/fast-render
 * holds the two to byte-identical output.
 */
export type FastTemplate = (scope: Record<string, unknown>) => string | undefined;

/** What a plain filter chain may hold: filters whose result on a scalar is certain. */
type FastFilter =
  | { name: 'upcase' }
  | { name: 'downcase' }
  | { name: 'default'; fallback: string | number };

type Part = string | { path: string[]; filters: FastFilter[] };

/** Keys liquidjs answers specially (`size`, `first`, `last`), so a lookup is not a plain read. */
const SPECIAL_KEYS = new Set(['size', 'first', 'last']);

interface TokenLike {
  kind: number;
  content?: unknown;
  variable?: unknown;
  props?: TokenLike[];
}

interface OutputLike {
  value: {
    initial: { postfix: TokenLike[] };
    filters: { name: string; args: unknown[]; raw?: boolean }[];
  };
}

function pathOf(output: OutputLike): string[] | null {
  const postfix = output.value.initial.postfix;
  if (postfix.length !== 1) return null;
  const token = postfix[0]!;
  if (token.kind !== TokenKind.PropertyAccess || token.variable || !token.props?.length) {
    return null;
  }
  const path: string[] = [];
  for (const prop of token.props) {
    if (prop.kind !== TokenKind.Word && prop.kind !== TokenKind.Quoted) return null;
    if (typeof prop.content !== 'string' || SPECIAL_KEYS.has(prop.content)) return null;
    path.push(prop.content);
  }
  return path;
}

function filterOf(filter: OutputLike['value']['filters'][number]): FastFilter | null {
  if (filter.raw) return null;
  if ((filter.name === 'upcase' || filter.name === 'downcase') && filter.args.length === 0) {
    return { name: filter.name };
  }
  if (filter.name === 'default' && filter.args.length === 1) {
    const arg = filter.args[0] as TokenLike;
    if (Array.isArray(arg)) return null;
    const literal = arg.kind === TokenKind.Quoted || arg.kind === TokenKind.Number;
    if (literal && (typeof arg.content === 'string' || typeof arg.content === 'number')) {
      return { name: 'default', fallback: arg.content };
    }
  }
  return null;
}

/**
 * The fast path of a parsed template, or null when it has anything besides literal text and
 * plain variable outputs (tags, operators, literals, filters other than `default: <literal>`,
 * `upcase` and `downcase` on Herald's engine).
 */
export function compileFast(liquid: Liquid, templates: Template[]): FastTemplate | null {
  const options = liquid.options as { ownPropertyOnly?: boolean; outputEscape?: unknown };
  if (!options.ownPropertyOnly || options.outputEscape) return null;
  const heraldFilters = isHeraldEngine(liquid);
  const parts: Part[] = [];
  for (const template of templates) {
    const kind = (template as { token?: { kind?: number } }).token?.kind;
    if (kind === TokenKind.HTML) {
      const str = (template as unknown as { str: unknown }).str;
      if (typeof str !== 'string') return null;
      parts.push(str);
      continue;
    }
    if (kind !== TokenKind.Output) return null;
    const output = template as unknown as OutputLike;
    const path = pathOf(output);
    if (!path) return null;
    const filters: FastFilter[] = [];
    for (const f of output.value.filters) {
      const fast = heraldFilters ? filterOf(f) : null;
      if (!fast) return null;
      filters.push(fast);
    }
    parts.push({ path, filters });
  }
  const globals = (liquid.options as { globals?: Record<string, unknown> }).globals ?? {};
  return (scope) => renderParts(parts, scope, globals);
}

const hasOwn = Object.prototype.hasOwnProperty;

function isPlainObject(value: object): boolean {
  const proto = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}

type Scalar = string | number | boolean | null | undefined;

/** A value whose printing (and filtering) is certainly liquidjs's: a string, number, boolean or nil. */
function isScalar(value: unknown): value is Scalar {
  const t = typeof value;
  return t === 'string' || t === 'number' || t === 'boolean' || value == null;
}

const FALLBACK = Symbol('fallback');

/**
 * liquidjs's lookup (Context.findScope + readProperty with ownPropertyOnly) for plain data:
 * anything that is not a plain object on the way is answered by liquidjs instead.
 */
function lookup(
  path: string[],
  scope: Record<string, unknown>,
  globals: Record<string, unknown>,
): unknown {
  const root = path[0]!;
  // The render's scope is a copy of `scope`: an inherited name finds the copy and reads nothing.
  let value: unknown = hasOwn.call(scope, root)
    ? scope[root]
    : root in Object.prototype
      ? undefined
      : hasOwn.call(globals, root)
        ? globals[root]
        : undefined;
  for (let i = 1; i < path.length; i++) {
    if (value === null || value === undefined) return value;
    if (typeof value !== 'object' || Array.isArray(value) || !isPlainObject(value)) {
      return FALLBACK;
    }
    const obj = value as Record<string, unknown>;
    if (typeof obj.toLiquid === 'function') return FALLBACK;
    value = hasOwn.call(obj, path[i]!) ? obj[path[i]!] : undefined;
    if (typeof value === 'function') return FALLBACK;
  }
  return value;
}

function text(value: Scalar): string {
  if (typeof value === 'string') return value;
  if (value === null || value === undefined) return '';
  return String(value);
}

function renderParts(
  parts: Part[],
  scope: Record<string, unknown>,
  globals: Record<string, unknown>,
): string | undefined {
  let out = '';
  let charged = 0;
  for (const part of parts) {
    if (typeof part === 'string') {
      out += part;
      continue;
    }
    const found = lookup(part.path, scope, globals);
    if (!isScalar(found)) return undefined;
    let value: Scalar = found;
    for (const filter of part.filters) {
      if (filter.name === 'default') {
        // Herald's `default`: nil, false and "" take the fallback (a scalar is never [] or {}).
        if (value === null || value === undefined || value === false || value === '') {
          value = filter.fallback;
        }
        if (typeof value === 'string') charged += value.length;
      } else {
        const s = text(value);
        charged += s.length;
        value = filter.name === 'upcase' ? s.toUpperCase() : s.toLowerCase();
      }
    }
    out += text(value);
  }
  // Past either limit liquidjs fails the field with its own message: let it.
  if (charged > RENDER_MEMORY_LIMIT) return undefined;
  // A UTF-16 unit is at most 3 UTF-8 bytes: only a long output needs counting.
  if (out.length > MAX_FIELD_OUTPUT_BYTES / 3 && utf8Length(out) > MAX_FIELD_OUTPUT_BYTES) {
    return undefined;
  }
  return out;
}
