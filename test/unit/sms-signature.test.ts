import { createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import {
  signedPayload,
  twilioSignature,
  verifyTwilioSignature,
} from '../../src/channels/sms/signature';
import { twilioRequest, twilioResult } from '../../src/channels/sms/twilio';

const TOKEN = '12345';
const URL_ = 'https://mycompany.com/myapp.php?foo=1&bar=2';
const PARAMS: [string, string][] = [
  ['To', '+18005551212'],
  ['From', '+14158675310'],
  ['Digits', '1234'],
  ['CallSid', 'CA1234567890ABCDE'],
  ['Caller', '+14158675310'],
];

describe('Twilio signatures', () => {
  it('signs the URL followed by the parameters sorted by name', () => {
    expect(signedPayload(URL_, PARAMS)).toBe(
      `${URL_}CallSidCA1234567890ABCDECaller+14158675310Digits1234From+14158675310To+18005551212`,
    );
  });

  it('matches an independent HMAC-SHA1 over the same payload', async () => {
    const expected = createHmac('sha1', 'secret-token')
      .update('https://herald.test/xA1B2')
      .digest('base64');
    expect(
      await twilioSignature('secret-token', 'https://herald.test/x', [
        ['B', '2'],
        ['A', '1'],
      ]),
    ).toBe(expected);
  });

  it('accepts the right signature and refuses a wrong token, URL, parameter or none', async () => {
    const given = await twilioSignature(TOKEN, URL_, PARAMS);
    const ok = (over: Partial<Parameters<typeof verifyTwilioSignature>[0]>) =>
      verifyTwilioSignature({ authToken: TOKEN, url: URL_, params: PARAMS, given, ...over });
    expect(await ok({})).toBe(true);
    expect(await ok({ authToken: '54321' })).toBe(false);
    expect(await ok({ url: `${URL_}&baz=3` })).toBe(false);
    expect(await ok({ params: [...PARAMS, ['Body', 'STOP']] })).toBe(false);
    expect(await ok({ given: null })).toBe(false);
    expect(await ok({ given: '' })).toBe(false);
  });
});

describe('Twilio Messages API', () => {
  const account = {
    accountSid: `AC${'a'.repeat(32)}`,
    authToken: 'tok',
    baseUrl: 'https://api.twilio.com',
  };

  it('builds the documented form-encoded request with basic auth', () => {
    const req = twilioRequest(
      {
        to: '+15551230000',
        sender: { messagingServiceSid: `MG${'b'.repeat(32)}` },
        body: 'Hi & bye',
        mediaUrls: ['https://cdn.test/a.png', 'https://cdn.test/b.png'],
        statusCallback: 'https://herald.test/sms/twilio/status/t.k',
      },
      account,
    );
    expect(req.url).toBe(
      `https://api.twilio.com/2010-04-01/Accounts/${account.accountSid}/Messages.json`,
    );
    expect(req.headers.authorization).toBe(`Basic ${btoa(`${account.accountSid}:tok`)}`);
    expect(req.headers['content-type']).toBe('application/x-www-form-urlencoded');
    const form = new URLSearchParams(req.body);
    expect(form.get('To')).toBe('+15551230000');
    expect(form.get('MessagingServiceSid')).toBe(`MG${'b'.repeat(32)}`);
    expect(form.has('From')).toBe(false);
    expect(form.get('Body')).toBe('Hi & bye');
    expect(form.getAll('MediaUrl')).toEqual(['https://cdn.test/a.png', 'https://cdn.test/b.png']);
    expect(form.get('StatusCallback')).toBe('https://herald.test/sms/twilio/status/t.k');
  });

  const answer = (status: number, body: unknown, headers: Record<string, string> = {}) => ({
    status,
    headers: new Headers(headers),
    text: JSON.stringify(body),
  });

  it('reads 201 as sent with the message SID', () => {
    const out = twilioResult(answer(201, { sid: 'SM1', status: 'queued' }), 0);
    expect(out).toEqual({
      kind: 'sent',
      sid: 'SM1',
      result: { result: 'sent', status: 201, providerId: 'SM1' },
    });
  });

  it("maps 21211 to an invalid number and 21610 to the carrier's unsubscribe", () => {
    const invalid = twilioResult(
      answer(400, { code: 21211, message: "The 'To' number is not a valid phone number." }),
      0,
    );
    expect(invalid.kind).toBe('invalid_number');
    expect(invalid.result).toMatchObject({ result: 'failed', status: 400 });
    const stop = twilioResult(
      answer(400, { code: 21610, message: 'Attempt to send to unsubscribed recipient' }),
      0,
    );
    expect(stop.kind).toBe('unsubscribed');
    expect(stop.result.result).toBe('aborted');
  });

  it('retries 429 and 5xx and fails other 4xx', () => {
    expect(twilioResult(answer(429, { code: 20429 }, { 'retry-after': '7' }), 0).result).toEqual({
      result: 'retry',
      status: 429,
      reason: expect.stringContaining('20429'),
      retryAfterMs: 7_000,
    });
    expect(twilioResult(answer(503, {}), 0).result.result).toBe('retry');
    expect(twilioResult(answer(401, { code: 20003 }), 0).result.result).toBe('failed');
  });
});
