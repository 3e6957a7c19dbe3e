/**
 * Segment regexes, restricted to a subset that SQL LIKE can express exactly.
 *
 * Why a subset: D1 has no REGEXP function and accepts no user functions, and the profile index
 * must answer segments in SQL. So a regex is translated, at save time, into one or more LIKE
 * patterns, and both evaluators run those patterns (SQL as `lower(x) LIKE ? ESCAPE '\'`, memory
 * through an equivalent RegExp). Supported: literal text (escape metacharacters with `\`), `.`,
 * `.*`, `.+`, a leading `^`, a trailing `$`, `|` between branches and one level of `( | )`
 * groups of such text. Anything else (classes, quantifiers on literals, `\d`, lookarounds, inline
 * flags) is refused with a message saying so. Matching is a partial match, case-insensitive for
 * ASCII letters only: SQLite's lower() folds only ASCII, and the in-memory side does the same so
 * the two never disagree (Braze folds all letters; `É` vs `é` is the one difference).
 */

/** Braze's documented pattern length limit. */
export const MAX_REGEX_LENGTH = 32_764;
/** Alternatives a pattern may expand to (branches times group choices). */
const MAX_ALTERNATIVES = 256;

const SUPPORTED =
  'supported: literal text, ., .*, .+, ^ at the start, $ at the end, | and (a|b) groups of text';
const META = new Set([...'\\^$.|?*+()[]{}/-']);

/** A translated regex: the LIKE patterns (ASCII-lowercased, `\` escapes) any one of which must match. */
export type RegexTranslation = { ok: true; patterns: string[] } | { ok: false; error: string };

/** ASCII-only lower-casing, the same folding as SQLite's built-in lower(). */
export function asciiLower(s: string): string {
  return s.replace(/[A-Z]+/g, (m) => m.toLowerCase());
}

function likeLiteral(ch: string): string {
  const lower = asciiLower(ch);
  return lower === '%' || lower === '_' || lower === '\\' ? `\\${lower}` : lower;
}

/**
 * Refuses patterns whose backtracking can explode: a repeated group that itself contains a
 * repetition or an alternation, such as `(a+)+`, `(.*)*` or `(a|aa)+`.
 */
function catastrophic(pattern: string): string | null {
  const stack: { risky: boolean }[] = [];
  for (let i = 0; i < pattern.length; i++) {
    const ch = pattern[i];
    if (ch === '\\') {
      i++;
    } else if (ch === '[') {
      const end = pattern.indexOf(']', i + 2);
      i = end === -1 ? pattern.length : end;
    } else if (ch === '(') {
      stack.push({ risky: false });
    } else if (ch === ')') {
      const group = stack.pop();
      const next = pattern[i + 1];
      const repeated = next === '*' || next === '+' || next === '{';
      if (group?.risky && repeated) {
        return (
          `regex is prone to catastrophic backtracking: a repeated group that itself repeats ` +
          `or alternates (like (a+)+, (.*)* or (a|aa)+) at position ${i}`
        );
      }
      const parent = stack[stack.length - 1];
      if (parent && (group?.risky || repeated)) parent.risky = true;
    } else if (ch === '*' || ch === '+' || ch === '{' || ch === '|') {
      const top = stack[stack.length - 1];
      if (top) top.risky = true;
    }
  }
  return null;
}

type Step = { ok: true; text: string; next: number } | { ok: false; error: string };

/** One literal, escape or `.`-form at `i`, as a LIKE fragment. */
function atom(src: string, i: number, inGroup: boolean): Step {
  const ch = src[i]!;
  const unsupported = (what: string): Step => ({
    ok: false,
    error: `unsupported regex construct ${what} at position ${i}; ${SUPPORTED}`,
  });
  if (ch === '\\') {
    const esc = src[i + 1];
    if (esc === undefined) return unsupported('trailing \\');
    if (!META.has(esc)) return unsupported(`\\${esc}`);
    return { ok: true, text: likeLiteral(esc), next: i + 2 };
  }
  if (ch === '.') {
    const q = src[i + 1];
    if (!inGroup && q === '*') return { ok: true, text: '%', next: i + 2 };
    if (!inGroup && q === '+') return { ok: true, text: '_%', next: i + 2 };
    if (q === '?' || q === '{' || q === '*' || q === '+') return unsupported(`.${q}`);
    return { ok: true, text: '_', next: i + 1 };
  }
  if (ch === '[') return unsupported('[...] (character classes)');
  if (ch === '*' || ch === '+' || ch === '?' || ch === '{') {
    return unsupported(`${ch} (quantifiers only as .* and .+)`);
  }
  if (ch === '^' || ch === '$') return unsupported(`${ch} (anchors only at a branch's ends)`);
  if (ch === '(' || ch === ')') return unsupported(`${ch} (nested or unbalanced group)`);
  const next = src[i + 1];
  if (next === '*' || next === '+' || next === '?' || next === '{') {
    return unsupported(`${ch}${next} (quantifiers only as .* and .+)`);
  }
  return { ok: true, text: likeLiteral(ch), next: i + 1 };
}

/** Splits at top-level `|` (outside groups), keeping escapes intact. */
function splitBranches(src: string): string[] {
  const out: string[] = [];
  let depth = 0;
  let start = 0;
  for (let i = 0; i < src.length; i++) {
    const ch = src[i];
    if (ch === '\\') i++;
    else if (ch === '(') depth++;
    else if (ch === ')') depth--;
    else if (ch === '|' && depth === 0) {
      out.push(src.slice(start, i));
      start = i + 1;
    }
  }
  out.push(src.slice(start));
  return out;
}

/** `( a | b )` starting at `i`: its alternatives as LIKE fragments, and where it ends. */
function group(
  src: string,
  i: number,
): { ok: true; options: string[]; next: number } | { ok: false; error: string } {
  let j = src.startsWith('(?:', i) ? i + 3 : i + 1;
  if (src[j] === '?') {
    return { ok: false, error: `unsupported regex construct (? at position ${i}; ${SUPPORTED}` };
  }
  const options: string[] = [];
  let text = '';
  while (j < src.length && src[j] !== ')') {
    if (src[j] === '|') {
      options.push(text);
      text = '';
      j++;
      continue;
    }
    const step = atom(src, j, true);
    if (!step.ok) return step;
    text += step.text;
    j = step.next;
  }
  if (src[j] !== ')') return { ok: false, error: `unbalanced ( at position ${i}` };
  options.push(text);
  const q = src[j + 1];
  if (q === '*' || q === '+' || q === '?' || q === '{') {
    return {
      ok: false,
      error: `unsupported regex construct )${q} (quantified group) at position ${j}; ${SUPPORTED}`,
    };
  }
  return { ok: true, options, next: j + 1 };
}

function branchPatterns(src: string, offset: number): RegexTranslation {
  let i = 0;
  let end = src.length;
  const anchoredStart = src.startsWith('^');
  if (anchoredStart) i = 1;
  const anchoredEnd = end > i && src[end - 1] === '$' && !escapedAt(src, end - 1);
  if (anchoredEnd) end -= 1;
  const body = src.slice(0, end);
  let patterns = [''];
  while (i < end) {
    let options: string[];
    if (body[i] === '(') {
      const g = group(body, i);
      if (!g.ok) return { ok: false, error: shift(g.error, offset) };
      options = g.options;
      i = g.next;
    } else {
      const step = atom(body, i, false);
      if (!step.ok) return { ok: false, error: shift(step.error, offset) };
      options = [step.text];
      i = step.next;
    }
    if (patterns.length * options.length > MAX_ALTERNATIVES) {
      return { ok: false, error: `regex expands to more than ${MAX_ALTERNATIVES} alternatives` };
    }
    patterns = patterns.flatMap((p) => options.map((o) => p + o));
  }
  const wrap = (p: string) =>
    `${anchoredStart ? '' : '%'}${p}${anchoredEnd ? '' : '%'}`.replace(/(?<!\\)%%+/g, '%');
  return { ok: true, patterns: patterns.map(wrap) };
}

function escapedAt(src: string, i: number): boolean {
  let n = 0;
  for (let j = i - 1; j >= 0 && src[j] === '\\'; j--) n++;
  return n % 2 === 1;
}

function shift(error: string, offset: number): string {
  return error.replace(/position (\d+)/, (_, n: string) => `position ${Number(n) + offset}`);
}

/** Validates a segment regex and translates it into LIKE patterns (see the module comment). */
export function translateRegex(pattern: string): RegexTranslation {
  if (pattern.length > MAX_REGEX_LENGTH) {
    return { ok: false, error: `regex must be at most ${MAX_REGEX_LENGTH} characters` };
  }
  const danger = catastrophic(pattern);
  if (danger) return { ok: false, error: danger };
  const patterns: string[] = [];
  let offset = 0;
  for (const branch of splitBranches(pattern)) {
    const t = branchPatterns(branch, offset);
    if (!t.ok) return t;
    patterns.push(...t.patterns);
    if (patterns.length > MAX_ALTERNATIVES) {
      return { ok: false, error: `regex expands to more than ${MAX_ALTERNATIVES} alternatives` };
    }
    offset += branch.length + 1;
  }
  return { ok: true, patterns: [...new Set(patterns)] };
}

const compiled = new Map<string, RegExp>();

/** The RegExp equivalent of one LIKE pattern (whole-string, any character for `_`). */
function likeRegExp(pattern: string): RegExp {
  const cached = compiled.get(pattern);
  if (cached) return cached;
  let src = '';
  for (let i = 0; i < pattern.length; i++) {
    const ch = pattern[i]!;
    if (ch === '\\') src += escapeRegExp(pattern[++i] ?? '');
    else if (ch === '%') src += '.*';
    else if (ch === '_') src += '.';
    else src += escapeRegExp(ch);
  }
  const re = new RegExp(`^${src}$`, 'su');
  if (compiled.size > 1000) compiled.clear();
  compiled.set(pattern, re);
  return re;
}

function escapeRegExp(s: string): string {
  return s.replace(/[\\^$.*+?()[\]{}|/]/g, '\\$&');
}

/** Whether a value matches any of a translated regex's LIKE patterns, as SQLite would decide. */
export function matchesPatterns(value: string, patterns: string[]): boolean {
  const folded = asciiLower(value);
  return patterns.some((p) => likeRegExp(p).test(folded));
}

/** LIKE patterns of a regex the parser already accepted; an unparseable one matches nothing. */
export function patternsOf(regex: string): string[] {
  const t = translateRegex(regex);
  return t.ok ? t.patterns : [];
}
