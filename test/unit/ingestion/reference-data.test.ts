import { describe, expect, it } from 'vitest';
import { isCountryCode, toCountryCode } from '../../../src/lib/country';
import { isCurrencyCode } from '../../../src/lib/currency';
import { isLanguageCode, normalizeLanguage } from '../../../src/lib/language';
import { isValidTimeZone, RAILS_TIME_ZONE_NAMES, toIanaTimeZone } from '../../../src/lib/time-zone';

describe('toCountryCode', () => {
  it('returns an upper-case alpha-2 code unchanged', () => {
    expect(toCountryCode('AU')).toBe('AU');
  });

  it('upper-cases a lower-case alpha-2 code', () => {
    expect(toCountryCode('fr')).toBe('FR');
  });

  it('maps the English name Australia to AU', () => {
    expect(toCountryCode('Australia')).toBe('AU');
  });

  it('maps United States to US', () => {
    expect(toCountryCode('United States')).toBe('US');
  });

  it('maps the abbreviation USA to US', () => {
    expect(toCountryCode('USA')).toBe('US');
  });

  it('maps the dotted U.S.A. to US', () => {
    expect(toCountryCode('U.S.A.')).toBe('US');
  });

  it('maps UK, which is not an ISO code, to GB', () => {
    expect(toCountryCode('UK')).toBe('GB');
  });

  it('maps a name regardless of case and surrounding spaces', () => {
    expect(toCountryCode('  new ZEALAND ')).toBe('NZ');
  });

  it('maps a name written with accents', () => {
    expect(toCountryCode("Côte d'Ivoire")).toBe('CI');
  });

  it('maps an ISO formal name with a comma', () => {
    expect(toCountryCode('Korea, Republic of')).toBe('KR');
  });

  it('maps the St. abbreviation to the Saint name', () => {
    expect(toCountryCode('St. Lucia')).toBe('LC');
  });

  it('maps an & to and', () => {
    expect(toCountryCode('Trinidad & Tobago')).toBe('TT');
  });

  it('maps a former name', () => {
    expect(toCountryCode('Swaziland')).toBe('SZ');
  });

  it('returns null for an unassigned two-letter code', () => {
    expect(toCountryCode('ZZ')).toBeNull();
  });

  it('returns null for an unknown name', () => {
    expect(toCountryCode('Atlantis')).toBeNull();
  });

  it('returns null for an empty string', () => {
    expect(toCountryCode('')).toBeNull();
  });

  it('knows all 249 ISO-3166-1 codes plus XK', () => {
    const letters = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ';
    let known = 0;
    for (const a of letters) for (const b of letters) if (isCountryCode(a + b)) known++;
    expect(known).toBe(250);
  });
});

describe('language codes', () => {
  it('accepts a lower-case ISO-639-1 code', () => {
    expect(isLanguageCode('en')).toBe(true);
  });

  it('normalises an upper-case code to lower case', () => {
    expect(normalizeLanguage('PT')).toBe('pt');
  });

  it('rejects a three-letter ISO-639-2 code', () => {
    expect(normalizeLanguage('eng')).toBeNull();
  });

  it('rejects an unassigned two-letter code', () => {
    expect(isLanguageCode('qq')).toBe(false);
  });

  it('rejects a locale with a region', () => {
    expect(normalizeLanguage('en-US')).toBeNull();
  });

  it('knows the 184 two-letter codes', () => {
    const letters = 'abcdefghijklmnopqrstuvwxyz';
    let known = 0;
    for (const a of letters) for (const b of letters) if (isLanguageCode(a + b)) known++;
    expect(known).toBe(184);
  });
});

describe('time zones', () => {
  it('accepts an IANA name', () => {
    expect(isValidTimeZone('America/New_York')).toBe(true);
  });

  it('accepts a Rails name', () => {
    expect(isValidTimeZone('Eastern Time (US & Canada)')).toBe(true);
  });

  it('maps a Rails name to its IANA zone', () => {
    expect(toIanaTimeZone('Pacific Time (US & Canada)')).toBe('America/Los_Angeles');
  });

  it('maps the Rails name London to Europe/London', () => {
    expect(toIanaTimeZone('London')).toBe('Europe/London');
  });

  it('maps the Rails name Tokyo to Asia/Tokyo', () => {
    expect(toIanaTimeZone('Tokyo')).toBe('Asia/Tokyo');
  });

  it('returns an IANA name unchanged', () => {
    expect(toIanaTimeZone('Europe/Paris')).toBe('Europe/Paris');
  });

  it('rejects an unknown name', () => {
    expect(isValidTimeZone('Mars/Olympus_Mons')).toBe(false);
  });

  it('rejects a bare UTC offset', () => {
    expect(isValidTimeZone('+01:00')).toBe(false);
  });

  it('rejects an empty string', () => {
    expect(toIanaTimeZone('')).toBeNull();
  });

  it('lists the full Rails mapping', () => {
    expect(RAILS_TIME_ZONE_NAMES.length).toBeGreaterThanOrEqual(150);
  });

  it('maps every Rails name to a zone the runtime knows', () => {
    const unknown = RAILS_TIME_ZONE_NAMES.filter((name) => {
      const iana = toIanaTimeZone(name);
      if (iana === null) return true;
      try {
        new Intl.DateTimeFormat(undefined, { timeZone: iana });
        return false;
      } catch {
        return true;
      }
    });
    expect(unknown).toEqual([]);
  });
});

describe('isCurrencyCode', () => {
  it('accepts USD', () => {
    expect(isCurrencyCode('USD')).toBe(true);
  });

  it('accepts a lower-case code', () => {
    expect(isCurrencyCode('eur')).toBe(true);
  });

  it('accepts a recently introduced code', () => {
    expect(isCurrencyCode('ZWG')).toBe(true);
  });

  it('rejects an unknown three-letter code', () => {
    expect(isCurrencyCode('ABC')).toBe(false);
  });

  it('rejects the no-currency code XXX', () => {
    expect(isCurrencyCode('XXX')).toBe(false);
  });

  it('rejects a currency symbol', () => {
    expect(isCurrencyCode('$')).toBe(false);
  });
});
