import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  filterNames,
  rubyRound,
  rubyToF,
  rubyToNumber,
} from '../../../src/personalization/filters';

describe('rubyRound', () => {
  it.each([
    [2.5, 0, 3],
    [-2.5, 0, -3],
    [0.49999999999999994, 0, 0],
    [2.675, 2, 2.68],
    [1.005, 2, 1.01],
    [-1.005, 2, -1.01],
    [183.357, 2, 183.36],
    [1250, -2, 1300],
    [-1250, -2, -1300],
    [1249.9, -2, 1200],
  ])('rounds %d to %d digits as %d', (value, digits, expected) => {
    expect(rubyRound(value, digits)).toBe(expected);
  });

  it('moves an integer-rounded value by at most a half', () => {
    fc.assert(
      fc.property(fc.double({ min: -1e9, max: 1e9, noNaN: true }), (x) => {
        const r = rubyRound(x);
        expect(Number.isInteger(r)).toBe(true);
        expect(Math.abs(r - x)).toBeLessThanOrEqual(0.5);
      }),
    );
  });
});

describe('number conversions', () => {
  it.each([
    ['12', 12],
    [' 3.5 ', 3.5],
    ['12 items', 12],
    ['3.5abc', 3],
    ['1e3', 1],
    ['abc', 0],
    [null, 0],
    [true, 0],
    [7.25, 7.25],
  ])('to_number reads %j as %d', (input, expected) => {
    expect(rubyToNumber(input)).toBe(expected);
  });

  it.each([
    ['17.8', 17.8],
    ['350000.25 USD', 350000.25],
    ['.5', 0.5],
    ['1e3', 1000],
    ['x', 0],
  ])('to_f reads %j as %d', (input, expected) => {
    expect(rubyToF(input)).toBe(expected);
  });
});

describe('filterNames', () => {
  it("lists Braze's filters and none of the unsupported Shopify ones", () => {
    const names = filterNames();
    for (const name of [
      'md5',
      'sha2',
      'time_zone',
      'timezone',
      'url_param_escape',
      'money',
      'default',
    ]) {
      expect(names).toContain(name);
    }
    for (const name of ['lstrip', 'rstrip', 'camelize', 'handleize', 'pluralize', 'find_index']) {
      expect(names).not.toContain(name);
    }
  });
});
