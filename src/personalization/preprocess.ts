/**
 * Braze's template dialect, rewritten into plain Liquid before liquidjs parses it:
 *
 * - `${name}` attribute references: `{{${first_name}}}` reads the standard attribute
 *   `first_name`; `custom_attribute.${favorite color}` reads a key that may hold spaces or dots
 *   (a dotted name walks nested objects: `${address.city}`).
 * - `{{ }}` inside a tag's arguments is optional: `{% if {{custom_attribute.${x}}} == 1 %}`; so
 *   inside an output's filter arguments: `{{custom_attribute.${a} | plus: {{balance}}}}`.
 * - `{{content_blocks.${name}}}` becomes the internal `content_blocks` tag, so the block renders
 *   in the current scope (its `assign`s are visible after it, as in Braze).
 *
 * The rewrite only touches text between delimiters, skips quoted strings, and leaves `raw` and
 * `comment` blocks alone.
 */

/** Root variable holding the standard attributes that `${name}` reads. */
export const STANDARD_ROOT = '__braze';

/** Tags whose arguments are Liquid expressions, where Braze allows redundant `{{ }}`. */
const EXPRESSION_TAGS = new Set([
  'if',
  'elsif',
  'unless',
  'case',
  'when',
  'assign',
  'for',
  'echo',
  'cycle',
  'tablerow',
]);

function quoteKey(key: string): string {
  return key.includes('"') ? `'${key}'` : `"${key}"`;
}

function pathAccess(path: string): string {
  return path
    .split('.')
    .map((part) => `[${quoteKey(part.trim())}]`)
    .join('');
}

/** Rewrite `${…}` references in an expression, outside quoted strings. */
export function rewriteReferences(expr: string): string {
  let out = '';
  let i = 0;
  while (i < expr.length) {
    const ch = expr[i]!;
    if (ch === '"' || ch === "'") {
      const end = expr.indexOf(ch, i + 1);
      const stop = end < 0 ? expr.length : end + 1;
      out += expr.slice(i, stop);
      i = stop;
      continue;
    }
    if (ch === '$' && expr[i + 1] === '{') {
      const end = expr.indexOf('}', i + 2);
      if (end < 0) {
        out += expr.slice(i);
        break;
      }
      const name = expr.slice(i + 2, end);
      if (out.endsWith('.')) out = out.slice(0, -1) + pathAccess(name);
      else out += STANDARD_ROOT + pathAccess(name);
      i = end + 1;
      continue;
    }
    out += ch;
    i++;
  }
  return out;
}

/**
 * Index just past the closing delimiter, skipping quoted strings and `${…}`; -1 if unclosed. An
 * output's close skips nested `{{ }}` pairs: `{{ a | plus: {{b}} }}` is one output.
 */
function findClose(src: string, from: number, close: '}}' | '%}'): number {
  let depth = 0;
  let i = from;
  while (i < src.length) {
    const ch = src[i]!;
    if (ch === '"' || ch === "'") {
      const end = src.indexOf(ch, i + 1);
      // An unmatched quote (an apostrophe in text) is just a character.
      if (end >= 0 && !src.slice(i, end).includes(close)) {
        i = end + 1;
        continue;
      }
    } else if (ch === '$' && src[i + 1] === '{') {
      const end = src.indexOf('}', i + 2);
      if (end >= 0) {
        i = end + 1;
        continue;
      }
    } else if (close === '}}' && src.startsWith('{{', i)) {
      depth++;
      i += 2;
      continue;
    } else if (src.startsWith(close, i)) {
      if (depth === 0) return i + 2;
      depth--;
      i += 2;
      continue;
    }
    i++;
  }
  return -1;
}

/**
 * Drop the redundant `{{ }}` Braze allows around an expression inside a tag or another output:
 * `{% if {{x}} == 1 %}` reads `x`, and so does `{{ y | plus: {{x}} }}`.
 */
function stripInnerOutputs(markup: string): string {
  let out = '';
  let i = 0;
  while (i < markup.length) {
    const ch = markup[i]!;
    if (ch === '"' || ch === "'") {
      const end = markup.indexOf(ch, i + 1);
      const stop = end < 0 ? markup.length : end + 1;
      out += markup.slice(i, stop);
      i = stop;
      continue;
    }
    if (markup.startsWith('{{', i)) {
      const end = findClose(markup, i + 2, '}}');
      if (end >= 0) {
        const inner = markup
          .slice(i + 2, end - 2)
          .replace(/^-/, '')
          .replace(/-$/, '');
        out += stripInnerOutputs(inner.trim());
        i = end;
        continue;
      }
    }
    out += ch;
    i++;
  }
  return out;
}

// Braze lets a Content Block reference carry a tracking id (`| id: 'cb1'`); it only labels
// clicks in Braze's reporting, so it is accepted and dropped here.
const CONTENT_BLOCK =
  /^\s*content_blocks\.\$\{([^}]+)\}\s*(?:\|\s*id\s*:\s*(?:'[^']*'|"[^"]*")\s*)?$/;

/** Rewrite one Braze-dialect template into liquidjs-ready Liquid. */
export function preprocess(src: string): string {
  let out = '';
  let i = 0;
  while (i < src.length) {
    const output = src.indexOf('{{', i);
    const tag = src.indexOf('{%', i);
    const next = output < 0 ? tag : tag < 0 ? output : Math.min(output, tag);
    if (next < 0) {
      out += src.slice(i);
      break;
    }
    out += src.slice(i, next);
    const isTag = next === tag;
    const end = findClose(src, next + 2, isTag ? '%}' : '}}');
    if (end < 0) {
      // Unclosed: leave it for liquidjs to report with its position.
      out += src.slice(next);
      break;
    }
    const open = src.slice(next, next + 2);
    let inner = src.slice(next + 2, end - 2);
    const trimLeft = inner.startsWith('-');
    const trimRight = inner.endsWith('-');
    const body = inner.slice(trimLeft ? 1 : 0, trimRight ? -1 : undefined);
    if (isTag) {
      const name = /^\s*(\w+)/.exec(body)?.[1] ?? '';
      if (name === 'raw' || name === 'comment') {
        const closer = new RegExp(`\\{%-?\\s*end${name}\\s*-?%\\}`, 'g');
        closer.lastIndex = end;
        const m = closer.exec(src);
        const stop = m ? m.index + m[0].length : src.length;
        out += src.slice(next, stop);
        i = stop;
        continue;
      }
      inner = rewriteReferences(EXPRESSION_TAGS.has(name) ? stripInnerOutputs(inner) : inner);
      out += `${open}${inner}%}`;
    } else {
      const block = CONTENT_BLOCK.exec(body);
      if (block) {
        out += `{%${trimLeft ? '-' : ''} content_blocks ${quoteKey(block[1]!.trim())} ${trimRight ? '-' : ''}%}`;
      } else {
        out += `${open}${rewriteReferences(stripInnerOutputs(inner))}}}`;
      }
    }
    i = end;
  }
  return out;
}
