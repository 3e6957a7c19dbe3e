import { describe, expect, it } from 'vitest';
import { looksLikeDate, parseBrazeTime } from '../../../src/ingestion/time';

function iso(input: string): string | null {
  return parseBrazeTime(input)?.toISOString() ?? null;
}

describe('parseBrazeTime', () => {
  it('parses an ISO 8601 datetime with a Z zone', () => {
    expect(iso('2017-05-12T18:47:12Z')).toBe('2017-05-12T18:47:12.000Z');
  });

  it('applies a positive ISO offset', () => {
    expect(iso('2013-07-16T19:20:45+01:00')).toBe('2013-07-16T18:20:45.000Z');
  });

  it('applies a negative offset written without a colon', () => {
    expect(iso('2013-07-16T19:20:45-0530')).toBe('2013-07-17T00:50:45.000Z');
  });

  it('applies an offset written as hours only', () => {
    expect(iso('2013-07-16T19:20:45+02')).toBe('2013-07-16T17:20:45.000Z');
  });

  it('keeps milliseconds after a dot', () => {
    expect(iso('2020-01-02T03:04:05.678Z')).toBe('2020-01-02T03:04:05.678Z');
  });

  it('truncates fractions longer than milliseconds', () => {
    expect(iso('2020-01-02T03:04:05.123456789Z')).toBe('2020-01-02T03:04:05.123Z');
  });

  it("parses Braze's yyyy-MM-dd'T'HH:mm:ss:SSSZ with a colon before the milliseconds", () => {
    expect(iso('2020-05-28T10:00:00:123+0100')).toBe('2020-05-28T09:00:00.123Z');
  });

  it('parses the colon-millisecond form with a Z zone', () => {
    expect(iso('2020-05-28T10:00:00:250Z')).toBe('2020-05-28T10:00:00.250Z');
  });

  it('reads a datetime without a zone as UTC', () => {
    expect(iso('2020-05-28T10:11:12')).toBe('2020-05-28T10:11:12.000Z');
  });

  it('accepts a datetime without seconds', () => {
    expect(iso('2020-05-28T10:11')).toBe('2020-05-28T10:11:00.000Z');
  });

  it('parses yyyy-MM-dd HH:mm:ss with a space separator as UTC', () => {
    expect(iso('2020-05-28 10:11:12')).toBe('2020-05-28T10:11:12.000Z');
  });

  it('accepts a UTC suffix after a space', () => {
    expect(iso('2020-05-28 10:11:12 UTC')).toBe('2020-05-28T10:11:12.000Z');
  });

  it('parses a bare yyyy-MM-dd as midnight UTC', () => {
    expect(iso('2020-05-28')).toBe('2020-05-28T00:00:00.000Z');
  });

  it('parses MM/dd/yyyy as midnight UTC', () => {
    expect(iso('05/28/2020')).toBe('2020-05-28T00:00:00.000Z');
  });

  it('parses the date-looking 12/1/2021 month first', () => {
    expect(iso('12/1/2021')).toBe('2021-12-01T00:00:00.000Z');
  });

  it('parses the date-looking 12-1-2021 month first', () => {
    expect(iso('12-1-2021')).toBe('2021-12-01T00:00:00.000Z');
  });

  it('parses ddd MM dd HH:mm:ss.TZD YYYY with a numeric month and offset', () => {
    expect(iso('Thu 05 28 18:47:12.+01:00 2020')).toBe('2020-05-28T17:47:12.000Z');
  });

  it('parses the Unix date shape with a month name and UTC', () => {
    expect(iso('Thu May 28 18:47:12 UTC 2020')).toBe('2020-05-28T18:47:12.000Z');
  });

  it('parses the Unix date shape with a US zone abbreviation', () => {
    expect(iso('Thu May 28 18:47:12 EDT 2020')).toBe('2020-05-28T22:47:12.000Z');
  });

  it('parses the Unix date shape without a zone as UTC', () => {
    expect(iso('Thu May 28 18:47:12 2020')).toBe('2020-05-28T18:47:12.000Z');
  });

  it('keeps years 0 to 99 as written instead of mapping them to the 1900s', () => {
    expect(iso('0050-01-01')).toBe('0050-01-01T00:00:00.000Z');
  });

  it('parses years after 3000 so callers can apply the year rule', () => {
    expect(parseBrazeTime('3500-06-01')?.getUTCFullYear()).toBe(3500);
  });

  it('parses an expanded negative year', () => {
    expect(parseBrazeTime('-000001-01-01')?.getUTCFullYear()).toBe(-1);
  });

  it('accepts 29 February in a leap year', () => {
    expect(iso('2024-02-29')).toBe('2024-02-29T00:00:00.000Z');
  });

  it.each([
    ['29 February outside a leap year', '2023-02-29'],
    ['29 February in a century year', '1900-02-29'],
    ['31 April', '2020-04-31'],
    ['month 13', '2020-13-01'],
    ['day 0', '2020-01-00'],
    ['hour 24', '2020-01-01T24:00:00Z'],
    ['minute 60', '2020-01-01T10:60:00Z'],
    ['second 60', '2020-01-01T10:00:60Z'],
    ['an offset of 24 hours', '2020-01-01T10:00:00+24:00'],
    ['a month 13 in MM/dd/yyyy', '13/01/2020'],
    ['a bare year', '2021'],
    ['a year and month', '2021-05'],
    ['an integer', '1234567890'],
    ['a decimal number', '12.5'],
    ['an empty string', ''],
    ['a word', 'tomorrow'],
    ['a date with trailing text', '2020-01-01 and more'],
    ['a date with leading whitespace', ' 2020-01-01'],
    ['a zone on a date without time', '2020-01-01Z'],
    ['mixed separators', '12/1-2021'],
    ['a two-digit year', '12/1/21'],
    ['an unknown zone abbreviation', 'Thu May 28 18:47:12 CEST 2020'],
  ])('rejects %s', (_label, input) => {
    expect(parseBrazeTime(input)).toBeNull();
  });

  it('returns null for a non-string input', () => {
    expect(parseBrazeTime(42 as unknown as string)).toBeNull();
  });
});

describe('looksLikeDate', () => {
  it('is true for an ISO datetime', () => {
    expect(looksLikeDate('2020-05-28T10:11:12Z')).toBe(true);
  });

  it('is true for a month-first date with slashes', () => {
    expect(looksLikeDate('12/1/2021')).toBe(true);
  });

  it('is false for a numeric string', () => {
    expect(looksLikeDate('20210101')).toBe(false);
  });

  it('is false for ordinary text', () => {
    expect(looksLikeDate('pizza')).toBe(false);
  });

  it('is false for an impossible date', () => {
    expect(looksLikeDate('02/30/2021')).toBe(false);
  });
});
