import { describe, expect, it } from 'vitest';
import {
  buildEmail,
  type OutgoingEmail,
  parseSender,
  plaintextOf,
  withPreheader,
  withTemplate,
} from '../../../src/channels/email/content';
import { postmarkRequest, postmarkResult } from '../../../src/channels/email/postmark';
import { sendgridRequest, sendgridResult } from '../../../src/channels/email/sendgrid';

const EMAIL: OutgoingEmail = {
  to: 'ada@example.com',
  from: { email: 'team@herald.test', name: 'Herald Team' },
  replyTo: null,
  bcc: 'audit@herald.test',
  subject: 'Hi',
  html: '<p>Hi</p>',
  text: 'Hi',
  headers: { 'X-Herald-Send-Key': 'ref' },
  metadata: { herald_dispatch_id: 'd1', herald_send_key: 'ref' },
};
const CONFIG = { apiKey: 'k', baseUrl: 'https://api.example' };
const NOW = 1_000_000;

function answer(status: number, text = '', headers: Record<string, string> = {}) {
  return { status, text, headers: new Headers(headers) };
}

describe('email content', () => {
  it('puts the preheader in a hidden span right after <body>', () => {
    expect(withPreheader('<html><body class="x"><p>Hi</p></body></html>', 'Soon & <b>')).toMatch(
      /^<html><body class="x"><span style="display:none[^"]*">Soon &amp; &lt;b&gt;<\/span><p>Hi<\/p>/,
    );
  });

  it('puts the preheader first in a fragment and leaves a body without one unchanged', () => {
    expect(withPreheader('<p>Hi</p>', 'P')).toMatch(/^<span[^>]*>P<\/span><p>Hi<\/p>$/);
    expect(withPreheader('<p>Hi</p>', '')).toBe('<p>Hi</p>');
  });

  it('derives plain text from HTML when no plaintext_body is given', () => {
    expect(
      plaintextOf('<style>p{}</style><p>Hello&nbsp;<b>Ada</b></p><p>Bye &amp; thanks</p>'),
    ).toBe('Hello Ada\nBye & thanks');
  });

  it('splits a display name from its address', () => {
    expect(parseSender('Herald Team <team@herald.test>')).toEqual({
      email: 'team@herald.test',
      name: 'Herald Team',
    });
    expect(parseSender('team@herald.test')).toEqual({ email: 'team@herald.test', name: null });
    expect(parseSender('Nobody')).toBeNull();
  });

  it('lets the message override a stored template part by part', () => {
    const merged = withTemplate(
      { app_id: 'a', from: 'A <a@b.c>', subject: 'Mine', email_template_id: 't' },
      { subject: 'Stored', body: '<p>S</p>', plaintextBody: null, preheader: 'Pre' },
    );
    expect(merged).toMatchObject({ subject: 'Mine', body: '<p>S</p>', preheader: 'Pre' });
    expect(merged.plaintext_body).toBeUndefined();
  });

  it('drops reply_to for NO_REPLY_TO and falls back to the configured sender', () => {
    const email = buildEmail({
      message: { app_id: 'a', from: 'x', reply_to: 'NO_REPLY_TO', body: 'b' },
      rendered: { from: '', body: '<p>b</p>' },
      to: 'u@example.com',
      defaultFrom: 'Team <t@herald.test>',
      ids: { dispatchId: 'd', sendRef: 'r', campaignId: null },
    });
    expect(email).toMatchObject({
      from: { email: 't@herald.test', name: 'Team' },
      replyTo: null,
      text: 'b',
    });
  });

  it('fails a send whose rendered sender is not an address', () => {
    const result = buildEmail({
      message: { app_id: 'a', from: 'x', body: 'b' },
      rendered: { from: 'No one <>' },
      to: 'u@example.com',
      defaultFrom: null,
      ids: { dispatchId: 'd', sendRef: 'r', campaignId: null },
    });
    expect(result).toMatchObject({ result: 'failed' });
  });
});

describe('SendGrid', () => {
  it('builds the v3 Mail Send request', () => {
    const req = sendgridRequest(EMAIL, CONFIG);
    expect(req.url).toBe('https://api.example/v3/mail/send');
    expect(req.headers).toEqual({ authorization: 'Bearer k', 'content-type': 'application/json' });
    expect(JSON.parse(req.body)).toEqual({
      personalizations: [
        { to: [{ email: 'ada@example.com' }], bcc: [{ email: 'audit@herald.test' }] },
      ],
      from: { email: 'team@herald.test', name: 'Herald Team' },
      subject: 'Hi',
      content: [
        { type: 'text/plain', value: 'Hi' },
        { type: 'text/html', value: '<p>Hi</p>' },
      ],
      custom_args: { herald_dispatch_id: 'd1', herald_send_key: 'ref' },
      headers: { 'X-Herald-Send-Key': 'ref' },
      // Herald tracks opens, clicks and unsubscribes itself: SendGrid's own stay off.
      tracking_settings: {
        click_tracking: { enable: false, enable_text: false },
        open_tracking: { enable: false },
        subscription_tracking: { enable: false },
      },
    });
  });

  it('maps 202 to sent with X-Message-Id', () => {
    expect(sendgridResult(answer(202, '', { 'x-message-id': 'm1' }), NOW)).toEqual({
      result: 'sent',
      status: 202,
      providerId: 'm1',
    });
  });

  it("fails a 400 with SendGrid's messages and retries 429 after Retry-After", () => {
    expect(sendgridResult(answer(400, '{"errors":[{"message":"bad from"}]}'), NOW)).toEqual({
      result: 'failed',
      status: 400,
      reason: 'SendGrid 400: bad from',
    });
    expect(sendgridResult(answer(429, '', { 'retry-after': '7' }), NOW)).toMatchObject({
      result: 'retry',
      status: 429,
      retryAfterMs: 7_000,
    });
    expect(sendgridResult(answer(502), NOW)).toMatchObject({ result: 'retry', status: 502 });
  });
});

describe('Postmark', () => {
  it('builds the Email API request', () => {
    const req = postmarkRequest({ ...EMAIL, replyTo: 'help@herald.test' }, CONFIG);
    expect(req.url).toBe('https://api.example/email');
    expect(req.headers).toEqual({
      accept: 'application/json',
      'content-type': 'application/json',
      'x-postmark-server-token': 'k',
    });
    expect(JSON.parse(req.body)).toEqual({
      From: '"Herald Team" <team@herald.test>',
      To: 'ada@example.com',
      Bcc: 'audit@herald.test',
      ReplyTo: 'help@herald.test',
      Subject: 'Hi',
      HtmlBody: '<p>Hi</p>',
      TextBody: 'Hi',
      Headers: [{ Name: 'X-Herald-Send-Key', Value: 'ref' }],
      Metadata: { herald_dispatch_id: 'd1', herald_send_key: 'ref' },
      MessageStream: 'outbound',
      // Herald tracks opens and clicks itself: Postmark's own tracking stays off.
      TrackOpens: false,
      TrackLinks: 'None',
    });
  });

  it('maps ErrorCode 0 to sent with the MessageID', () => {
    expect(
      postmarkResult(answer(200, '{"ErrorCode":0,"Message":"OK","MessageID":"p1"}'), NOW),
    ).toEqual({ result: 'sent', status: 200, providerId: 'p1' });
  });

  it("fails a 422 with Postmark's code and message, and retries a 503", () => {
    expect(
      postmarkResult(answer(422, '{"ErrorCode":300,"Message":"Invalid email request"}'), NOW),
    ).toEqual({
      result: 'failed',
      status: 422,
      reason: 'Postmark 422: Invalid email request (ErrorCode 300)',
    });
    expect(postmarkResult(answer(503, 'down'), NOW)).toMatchObject({
      result: 'retry',
      status: 503,
    });
  });
});
