import { describe, expect, it } from 'vitest';
import { keywordCategory, twiml } from '../../src/channels/sms/keywords';
import { storedForms, toE164 } from '../../src/channels/sms/phone';
import { countSegments } from '../../src/channels/sms/segments';

describe('countSegments', () => {
  it('fits 160 GSM-7 characters in one segment', () => {
    expect(countSegments('a'.repeat(160))).toEqual({ encoding: 'GSM-7', units: 160, segments: 1 });
  });

  it('splits 161 GSM-7 characters into two parts of at most 153', () => {
    expect(countSegments('a'.repeat(161)).segments).toBe(2);
    expect(countSegments('a'.repeat(306)).segments).toBe(2);
    expect(countSegments('a'.repeat(307)).segments).toBe(3);
  });

  it('counts GSM extension characters as two septets', () => {
    expect(countSegments('€'.repeat(80))).toEqual({ encoding: 'GSM-7', units: 160, segments: 1 });
    expect(countSegments(`${'€'.repeat(80)}a`).segments).toBe(2);
  });

  it('never splits an extension character across parts', () => {
    // 152 septets, then a two-septet character: it starts the second part.
    const text = `${'a'.repeat(152)}{${'a'.repeat(10)}`;
    expect(countSegments(text).units).toBe(164);
    expect(countSegments(text).segments).toBe(2);
    const exact = `${'a'.repeat(152)}${'{'.repeat(77)}`;
    // 152 + 154 = 306 septets would fit two parts of 153, but the brace cannot be split.
    expect(countSegments(exact).segments).toBe(3);
  });

  it('switches the whole message to UCS-2 for one character outside GSM-7', () => {
    expect(countSegments(`${'a'.repeat(69)}ł`)).toEqual({
      encoding: 'UCS-2',
      units: 70,
      segments: 1,
    });
    expect(countSegments(`${'a'.repeat(70)}ł`).segments).toBe(2);
    expect(countSegments('你'.repeat(134)).segments).toBe(2);
    expect(countSegments('你'.repeat(135)).segments).toBe(3);
  });

  it('counts an emoji as two UTF-16 units and keeps its pair in one part', () => {
    expect(countSegments('😀'.repeat(35))).toEqual({ encoding: 'UCS-2', units: 70, segments: 1 });
    // 66 units then a pair: the pair moves to the second part.
    expect(countSegments(`${'ł'.repeat(66)}😀${'ł'.repeat(5)}`).segments).toBe(2);
  });

  it('finds 1,530 GSM-7 characters to be the most that fit ten segments', () => {
    expect(countSegments('a'.repeat(1_530)).segments).toBe(10);
    expect(countSegments('a'.repeat(1_531)).segments).toBe(11);
    expect(countSegments('ł'.repeat(670)).segments).toBe(10);
    expect(countSegments('ł'.repeat(671)).segments).toBe(11);
  });

  it('treats GSM-7 accented letters as GSM-7 and others as UCS-2', () => {
    expect(countSegments('Café über Ñoño à è').encoding).toBe('GSM-7');
    expect(countSegments('ç').encoding).toBe('UCS-2');
  });
});

describe('keywordCategory', () => {
  it.each([
    ['STOP', 'opt_out'],
    ['stop', 'opt_out'],
    [' Unsubscribe \n', 'opt_out'],
    ['STOPALL', 'opt_out'],
    ['cancel', 'opt_out'],
    ['END', 'opt_out'],
    ['quit', 'opt_out'],
    ['START', 'opt_in'],
    ['yes', 'opt_in'],
    ['Unstop', 'opt_in'],
    ['HELP', 'help'],
    ['info', 'help'],
  ])('reads %j as %s', (body, category) => {
    expect(keywordCategory(body)).toBe(category);
  });

  it('ignores anything that is not exactly one keyword', () => {
    expect(keywordCategory('STOP PLEASE')).toBeNull();
    expect(keywordCategory('please stop')).toBeNull();
    expect(keywordCategory('STOP!')).toBeNull();
    expect(keywordCategory('')).toBeNull();
    expect(keywordCategory('constructor')).toBeNull();
  });
});

describe('twiml', () => {
  it('answers one escaped message, or an empty response', () => {
    expect(twiml('Reply <STOP> & go')).toBe(
      '<?xml version="1.0" encoding="UTF-8"?><Response><Message>Reply &lt;STOP&gt; &amp; go</Message></Response>',
    );
    expect(twiml(null)).toBe('<?xml version="1.0" encoding="UTF-8"?><Response/>');
  });
});

describe('toE164', () => {
  it('keeps E.164 and drops punctuation', () => {
    expect(toE164('+1 (724) 123-4567')).toBe('+17241234567');
    expect(toE164('+442071838750')).toBe('+442071838750');
  });

  it('reads ten digits without a country code as a US number', () => {
    expect(toE164('4155552671')).toBe('+14155552671');
    expect(toE164('14155552671')).toBe('+14155552671');
  });

  it('refuses what cannot be a phone number', () => {
    expect(toE164('call me')).toBeNull();
    expect(toE164('+0123')).toBeNull();
    expect(toE164('12345')).toBeNull();
    expect(toE164('+1234567890123456')).toBeNull();
  });

  it('lists the forms a number may be stored in', () => {
    expect(storedForms('+14155552671')).toEqual(['+14155552671', '14155552671', '4155552671']);
  });
});
