import { describe, expect, it } from 'vitest';
import { matchesPatterns, translateRegex } from '../../../src/segments/regex';
import { filter, summary, verdicts } from './helpers';

function patterns(regex: string): string[] {
  const t = translateRegex(regex);
  if (!t.ok) throw new Error(t.error);
  return t.patterns;
}

describe('translateRegex', () => {
  it.each([
    ['abc', ['%abc%']],
    ['^abc', ['abc%']],
    ['abc$', ['%abc']],
    ['^a.c$', ['a_c']],
    ['^a.*c$', ['a%c']],
    ['a.+', ['%a_%']],
    ['ABC', ['%abc%']],
    ['100%', ['%100\\%%']],
    ['a_b', ['%a\\_b%']],
    ['x\\.y\\$', ['%x.y$%']],
    ['^(red|blue)-(x|y)$', ['red-x', 'red-y', 'blue-x', 'blue-y']],
    ['^a|b$', ['a%', '%b']],
    ['', ['%']],
    ['^$', ['']],
  ])('translates %s', (regex, expected) => {
    expect(patterns(regex)).toEqual(expected);
  });

  it('refuses a regex that expands to more than 256 alternatives', () => {
    const t = translateRegex('(a|b|c|d)(a|b|c|d)(a|b|c|d)(a|b|c|d)(a|b)');
    expect(t).toEqual({ ok: false, error: 'regex expands to more than 256 alternatives' });
  });
});

describe('matchesPatterns', () => {
  it('matches partially and case-insensitively for ASCII', () => {
    expect(matchesPatterns('Hello World', patterns('WORLD'))).toBe(true);
  });

  it('folds only ASCII letters, as SQLite does', () => {
    expect(matchesPatterns('É', patterns('é'))).toBe(false);
  });

  it('lets . match a newline and an astral character', () => {
    expect(matchesPatterns('a\nb', patterns('^a.b$'))).toBe(true);
    expect(matchesPatterns('a😀b', patterns('^a.b$'))).toBe(true);
  });
});

describe('regex filters in both evaluators', () => {
  const profile = (v: string) => summary({ custom: { v: { type: 'string', value: v } } });
  const re = (value: string) =>
    filter({
      custom_attribute: { custom_attribute_name: 'v', comparison: 'matches_regex', value },
    });

  it.each([
    ['^a.b$', 'a😀b', true],
    ['^a.b$', 'a\nb', true],
    ['é', 'É', false],
    ["O'K", "it's o'k", true],
    ['\\\\', 'back\\slash', true],
    ['^\\(x\\)$', '(x)', true],
  ])('%s on %j', (regex, value, expected) => {
    expect(verdicts(re(regex), profile(value))).toEqual({ memory: expected, sql: expected });
  });
});
