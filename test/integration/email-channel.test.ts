import { describe, expect, it } from 'vitest';
import { createApp, launchCampaign } from '../fixtures/campaigns';
import { eventually, ledger } from '../fixtures/delivery';
import { sinkReceived, sinkRespond, sinkUrl } from '../fixtures/segments';
import { call, createWorkspace, operator, type TestWorkspace } from '../fixtures/workspace';

const PROVIDERS = [
  {
    provider: 'sendgrid',
    path: '/v3/mail/send',
    ok: { status: 202, headers: { 'x-message-id': 'sg-1' } },
  },
  {
    provider: 'postmark',
    path: '/email',
    ok: { status: 200, body: '{"ErrorCode":0,"Message":"OK","MessageID":"pm-1","To":"x"}' },
  },
] as const;

type Provider = (typeof PROVIDERS)[number];

const configPath = (ws: TestWorkspace) => `/operator/workspaces/${ws.id}/channels/email`;

/** A workspace whose email provider is the local sink under a fresh prefix; answers the full path. */
async function emailWorkspace(p: Provider, key = `key-${crypto.randomUUID()}`) {
  const ws = await createWorkspace();
  const prefix = `/${p.provider}/${crypto.randomUUID()}`;
  const res = await operator(configPath(ws), {
    method: 'PUT',
    body: { provider: p.provider, api_key: key, base_url: `${sinkUrl()}${prefix}` },
  });
  expect(res.status).toBe(201);
  const path = `${prefix}${p.path}`;
  await sinkRespond(path, p.ok);
  return { ws, path, key, appId: await createApp(ws) };
}

function email(appId: string, extra: Record<string, unknown> = {}) {
  return {
    app_id: appId,
    from: 'Herald Team <team@herald.test>',
    reply_to: 'help@herald.test',
    subject: 'Hi {{${first_name}}}',
    body: '<html><body><p>Hello {{${first_name}}}</p></body></html>',
    plaintext_body: 'Hello {{${first_name}}}',
    preheader: 'News inside',
    extras: { topic: 'welcome' },
    ...extra,
  };
}

async function track(ws: TestWorkspace, attributes: Record<string, unknown>[]) {
  expect((await ws.post('/users/track', { attributes })).status).toBe(201);
}

function expectRequest(
  p: Provider,
  got: { headers: Record<string, string>; body: string },
  key: string,
  dispatchId: string,
) {
  const body = JSON.parse(got.body);
  expect(got.headers['content-type']).toBe('application/json');
  if (p.provider === 'sendgrid') {
    expect(got.headers.authorization).toBe(`Bearer ${key}`);
    expect(body).toEqual({
      personalizations: [{ to: [{ email: 'ada@example.com' }] }],
      from: { email: 'team@herald.test', name: 'Herald Team' },
      reply_to: { email: 'help@herald.test' },
      subject: 'Hi Ada',
      content: [
        { type: 'text/plain', value: 'Hello Ada' },
        {
          type: 'text/html',
          value: expect.stringMatching(
            /<body><span style="display:none[^"]*">News inside<\/span><p>Hello Ada<\/p>/,
          ),
        },
      ],
      custom_args: {
        topic: 'welcome',
        herald_dispatch_id: dispatchId,
        herald_send_key: expect.stringMatching(/^[0-9a-f]{64}$/),
        herald_token: expect.stringMatching(/^[\w-]+\.[\w-]+$/),
        ...(body.custom_args.herald_campaign_id ? { herald_campaign_id: expect.any(String) } : {}),
      },
      headers: {
        'X-Herald-Send-Key': body.custom_args.herald_send_key,
        ...(body.custom_args.herald_campaign_id
          ? {
              'List-Unsubscribe': `<https://herald.test/t/u/${body.custom_args.herald_token}>`,
              'List-Unsubscribe-Post': 'List-Unsubscribe=One-Click',
            }
          : {}),
      },
      tracking_settings: {
        click_tracking: { enable: false, enable_text: false },
        open_tracking: { enable: false },
        subscription_tracking: { enable: false },
      },
    });
  } else {
    expect(got.headers['x-postmark-server-token']).toBe(key);
    expect(got.headers.accept).toBe('application/json');
    expect(body).toEqual({
      From: '"Herald Team" <team@herald.test>',
      To: 'ada@example.com',
      ReplyTo: 'help@herald.test',
      Subject: 'Hi Ada',
      HtmlBody: expect.stringMatching(
        /<body><span style="display:none[^"]*">News inside<\/span><p>Hello Ada<\/p>/,
      ),
      TextBody: 'Hello Ada',
      Headers: [
        { Name: 'X-Herald-Send-Key', Value: body.Metadata.herald_send_key },
        ...(body.Metadata.herald_campaign_id
          ? [
              {
                Name: 'List-Unsubscribe',
                Value: expect.stringMatching(/^<https:\/\/herald\.test\/t\/u\//),
              },
              { Name: 'List-Unsubscribe-Post', Value: 'List-Unsubscribe=One-Click' },
            ]
          : []),
      ],
      Metadata: {
        topic: 'welcome',
        herald_dispatch_id: dispatchId,
        herald_send_key: expect.stringMatching(/^[0-9a-f]{64}$/),
        herald_token_1: expect.any(String),
        ...Object.fromEntries(
          Object.keys(body.Metadata)
            .filter((k) => /^herald_token_[2-9]$/.test(k))
            .map((k) => [k, expect.any(String)]),
        ),
        ...(body.Metadata.herald_campaign_id ? { herald_campaign_id: expect.any(String) } : {}),
      },
      MessageStream: 'outbound',
      TrackOpens: false,
      TrackLinks: 'None',
    });
  }
}

describe.each(PROVIDERS)('email through $provider', (p) => {
  it("sends a /messages/send email in the provider's documented request shape", async () => {
    const { ws, path, key, appId } = await emailWorkspace(p);
    await track(ws, [{ external_id: 'ada', first_name: 'Ada', email: 'ada@example.com' }]);
    const res = await ws.post('/messages/send', {
      external_user_ids: ['ada'],
      messages: { email: email(appId) },
    });
    expect(res.status).toBe(201);
    const got = await eventually(
      () => sinkReceived(path),
      (r) => r.length >= 1,
    );
    expect(got).toHaveLength(1);
    expect(got[0]!.method).toBe('POST');
    expectRequest(p, got[0]!, key, res.json.dispatch_id);
    const rows = await eventually(
      () => ledger(ws, 'ada', res.json.dispatch_id),
      (r) => r[0]?.state === 'sent',
    );
    expect(rows).toEqual([
      expect.objectContaining({ state: 'sent', attempt: 1, channel: 'email' }),
    ]);
  });

  it('sends a campaign email to the triggered user', async () => {
    const { ws, path, key, appId } = await emailWorkspace(p);
    await track(ws, [{ external_id: 'ada', first_name: 'Ada', email: 'ada@example.com' }]);
    const c = await launchCampaign(ws, { variants: [{ messages: { email: email(appId) } }] });
    const res = await ws.post('/campaigns/trigger/send', {
      campaign_id: c.id,
      recipients: [{ external_user_id: 'ada' }],
    });
    expect(res.status).toBe(201);
    const got = await eventually(
      () => sinkReceived(path),
      (r) => r.length >= 1,
    );
    expect(got).toHaveLength(1);
    expectRequest(p, got[0]!, key, res.json.dispatch_id);
    const body = JSON.parse(got[0]!.body);
    expect((body.custom_args ?? body.Metadata).herald_campaign_id).toBe(c.id);
  });

  it('fails a 4xx answer for good, without a retry', async () => {
    const { ws, path, appId } = await emailWorkspace(p);
    await sinkRespond(
      path,
      p.provider === 'sendgrid'
        ? {
            status: 400,
            body: '{"errors":[{"message":"The from address does not match a verified Sender Identity."}]}',
          }
        : {
            status: 422,
            body: '{"ErrorCode":406,"Message":"You tried to send to recipient(s) that have been marked as inactive."}',
          },
    );
    await track(ws, [{ external_id: 'ada', first_name: 'Ada', email: 'ada@example.com' }]);
    const res = await ws.post('/messages/send', {
      external_user_ids: ['ada'],
      messages: { email: email(appId) },
    });
    const rows = await eventually(
      () => ledger(ws, 'ada', res.json.dispatch_id),
      (r) => r[0]?.state === 'failed',
    );
    expect(rows[0]).toMatchObject({
      state: 'failed',
      attempt: 1,
    });
    expect(await sinkReceived(path)).toHaveLength(1);
  });

  it('retries a 503 and then sends', async () => {
    const { ws, path, appId } = await emailWorkspace(p);
    await sinkRespond(path, { status: 503, body: 'busy', times: 1 });
    await track(ws, [{ external_id: 'ada', first_name: 'Ada', email: 'ada@example.com' }]);
    const res = await ws.post('/messages/send', {
      external_user_ids: ['ada'],
      messages: { email: email(appId) },
    });
    const rows = await eventually(
      () => ledger(ws, 'ada', res.json.dispatch_id),
      (r) => r[0]?.state === 'sent',
    );
    expect(rows[0]).toMatchObject({ state: 'sent', attempt: 2 });
    expect(await sinkReceived(path)).toHaveLength(2);
  });

  it('sends nothing to an unsubscribed user, and aborts a user without an address', async () => {
    const { ws, path, appId } = await emailWorkspace(p);
    await track(ws, [
      { external_id: 'off', email: 'off@example.com', email_subscribe: 'unsubscribed' },
      { external_id: 'none', first_name: 'No' },
    ]);
    const res = await ws.post('/messages/send', {
      external_user_ids: ['off', 'none'],
      messages: { email: email(appId) },
    });
    const none = await eventually(
      () => ledger(ws, 'none', res.json.dispatch_id),
      (r) => r[0]?.state === 'aborted',
    );
    expect(none[0]).toMatchObject({ state: 'aborted' });
    const off = await eventually(
      () => ledger(ws, 'off', res.json.dispatch_id),
      (r) => r[0]?.state === 'skipped',
    );
    expect(off[0]).toMatchObject({ state: 'skipped' });
    expect(await sinkReceived(path)).toHaveLength(0);
  });

  it('fills subject, body, plaintext and preheader from email_template_id where the message gives none', async () => {
    const { ws, path, appId } = await emailWorkspace(p);
    const template = await ws.post('/templates/email/create', {
      template_name: 'welcome',
      subject: 'Welcome {{${first_name}}}',
      body: '<p>Stored body for {{${first_name}}}</p>',
      plaintext_body: 'Stored text',
      preheader: 'Stored preheader',
    });
    expect(template.status).toBe(201);
    await track(ws, [{ external_id: 'ada', first_name: 'Ada', email: 'ada@example.com' }]);
    const res = await ws.post('/messages/send', {
      external_user_ids: ['ada'],
      messages: {
        email: {
          app_id: appId,
          from: 'Herald <team@herald.test>',
          email_template_id: template.json.email_template_id,
          subject: 'Override for {{${first_name}}}',
        },
      },
    });
    expect(res.status).toBe(201);
    const got = await eventually(
      () => sinkReceived(path),
      (r) => r.length >= 1,
    );
    const body = JSON.parse(got[0]!.body);
    const [subject, html, text] =
      p.provider === 'sendgrid'
        ? [body.subject, body.content[1].value, body.content[0].value]
        : [body.Subject, body.HtmlBody, body.TextBody];
    expect(subject).toBe('Override for Ada');
    expect(html).toMatch(
      // The open pixel follows the body (email-tracking.test.ts).
      /^<span style="display:none[^"]*">Stored preheader<\/span><p>Stored body for Ada<\/p><img src="https:\/\/herald\.test\/t\/o\/[^"]+\.gif"[^>]*\/>$/,
    );
    expect(text).toBe('Stored text');
  });
});

describe('email provider configuration', () => {
  it("never answers the API key, and a workspace never uses another's provider", async () => {
    const a = await emailWorkspace(PROVIDERS[0], 'secret-key-of-a');
    const read = await operator(configPath(a.ws));
    const text = await read.text();
    expect(read.status).toBe(200);
    expect(JSON.parse(text)).toEqual({
      provider: 'sendgrid',
      base_url: expect.stringContaining('/sendgrid/'),
      from_address: null,
      message: 'success',
    });
    expect(text).not.toContain('secret-key-of-a');

    const b = await createWorkspace();
    const appB = await createApp(b);
    await track(b, [{ external_id: 'ada', email: 'ada@example.com' }]);
    const res = await b.post('/messages/send', {
      external_user_ids: ['ada'],
      messages: { email: email(appB) },
    });
    const rows = await eventually(
      () => ledger(b, 'ada', res.json.dispatch_id),
      (r) => r[0]?.state === 'failed',
    );
    expect(rows[0]).toMatchObject({ state: 'failed', attempt: 1 });
    expect(await sinkReceived(a.path)).toHaveLength(0);
  });

  it('replaces and deletes the provider', async () => {
    const { ws } = await emailWorkspace(PROVIDERS[0]);
    const put = await operator(configPath(ws), {
      method: 'PUT',
      body: { provider: 'postmark', api_key: 'k', from_address: 'Team <t@herald.test>' },
    });
    expect(put.status).toBe(200);
    expect(await put.json()).toEqual({
      provider: 'postmark',
      base_url: 'https://api.postmarkapp.com',
      from_address: 'Team <t@herald.test>',
      created: false,
      message: 'success',
    });
    expect((await operator(configPath(ws), { method: 'DELETE' })).status).toBe(200);
    expect((await operator(configPath(ws))).status).toBe(404);
    expect((await operator(configPath(ws), { method: 'DELETE' })).status).toBe(404);
  });

  it('refuses a request without the operator token, or with a REST key', async () => {
    const ws = await createWorkspace();
    const body = { provider: 'sendgrid', api_key: 'k' };
    expect((await call(configPath(ws), { method: 'PUT', body })).status).toBe(401);
    expect((await call(configPath(ws), { method: 'PUT', key: ws.key, body })).status).toBe(401);
    expect((await call(configPath(ws), { key: ws.key })).status).toBe(401);
  });

  it.each([
    [
      'an unknown provider',
      { provider: 'mailgun', api_key: 'k' },
      /provider must be sendgrid or postmark/,
    ],
    ['a missing key', { provider: 'sendgrid' }, /api_key/],
    [
      'a key that is not a string',
      { provider: 'sendgrid', api_key: 7 },
      /api_key must be a string/,
    ],
    [
      'a base_url that is not a URL',
      { provider: 'postmark', api_key: 'k', base_url: 'ftp://x' },
      /base_url must be an http\(s\) URL/,
    ],
    [
      'a bad from_address',
      { provider: 'postmark', api_key: 'k', from_address: 'nobody' },
      /from_address/,
    ],
  ])('refuses %s with 400', async (_name, body, message) => {
    const ws = await createWorkspace();
    const res = await operator(configPath(ws), { method: 'PUT', body });
    expect(res.status).toBe(400);
    expect(((await res.json()) as { message: string }).message).toMatch(message);
    expect((await operator(configPath(ws))).status).toBe(404);
  });

  it('answers 404 for an unknown workspace', async () => {
    const res = await operator('/operator/workspaces/ws_missing/channels/email', {
      method: 'PUT',
      body: { provider: 'sendgrid', api_key: 'k' },
    });
    expect(res.status).toBe(404);
  });
});

describe('POST /transactional/v1/campaigns/{campaign_id}/send', () => {
  it('sends one email, to unsubscribed users too, once per external_send_id, and posts back', async () => {
    const postback = `/postback/${crypto.randomUUID()}`;
    const ws = await createWorkspace({
      connected_content_allowlist: ['127.0.0.1'],
      transactional_postback_url: `${sinkUrl()}${postback}`,
    });
    const prefix = `/sendgrid/${crypto.randomUUID()}`;
    await operator(configPath(ws), {
      method: 'PUT',
      body: { provider: 'sendgrid', api_key: 'k', base_url: `${sinkUrl()}${prefix}` },
    });
    const path = `${prefix}/v3/mail/send`;
    await sinkRespond(path, PROVIDERS[0].ok);
    const appId = await createApp(ws);
    const c = await launchCampaign(ws, {
      variants: [
        {
          messages: {
            email: email(appId, { subject: 'Order {{api_trigger_properties.${order}}}' }),
          },
        },
      ],
    });
    const body = {
      external_send_id: 'b3JkZXItNDI=',
      trigger_properties: { order: 42 },
      recipient: {
        external_user_id: 'buyer',
        attributes: { first_name: 'Bo', email: 'bo@herald.test', email_subscribe: 'unsubscribed' },
      },
    };
    const res = await call(`/transactional/v1/campaigns/${c.id}/send`, { key: ws.key, body });
    expect(res.status).toBe(201);
    const json = (await res.json()) as { dispatch_id: string; status: string; metadata: unknown };
    expect(json).toMatchObject({
      status: 'queued',
      metadata: { external_send_id: 'b3JkZXItNDI=', campaign_api_id: c.id },
    });
    const got = await eventually(
      () => sinkReceived(path),
      (r) => r.length >= 1,
    );
    expect(JSON.parse(got[0]!.body)).toMatchObject({ subject: 'Order 42' });
    const posted = await eventually(
      () => sinkReceived(postback),
      (r) => r.length >= 1,
    );
    expect(JSON.parse(posted[0]!.body)).toMatchObject({
      dispatch_id: json.dispatch_id,
      status: 'sent',
      metadata: { external_send_id: 'b3JkZXItNDI=', campaign_api_id: c.id },
    });
    // The same external_send_id again: the same dispatch, no second email.
    const again = await call(`/transactional/v1/campaigns/${c.id}/send`, { key: ws.key, body });
    expect(((await again.json()) as { dispatch_id: string }).dispatch_id).toBe(json.dispatch_id);
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(await sinkReceived(path)).toHaveLength(1);
    expect(await ledger(ws, 'buyer', json.dispatch_id)).toEqual([
      expect.objectContaining({ state: 'sent', channel: 'email' }),
    ]);
  });

  it('posts back an abort with its reason when the user has no email address', async () => {
    const postback = `/postback/${crypto.randomUUID()}`;
    const ws = await createWorkspace({
      connected_content_allowlist: ['127.0.0.1'],
      transactional_postback_url: `${sinkUrl()}${postback}`,
    });
    await operator(configPath(ws), {
      method: 'PUT',
      body: {
        provider: 'postmark',
        api_key: 'k',
        base_url: `${sinkUrl()}/pm/${crypto.randomUUID()}`,
      },
    });
    const appId = await createApp(ws);
    const c = await launchCampaign(ws, { variants: [{ messages: { email: email(appId) } }] });
    await ws.post('/users/track', { attributes: [{ external_id: 'nomail' }] });
    const res = await call(`/transactional/v1/campaigns/${c.id}/send`, {
      key: ws.key,
      body: { recipient: { external_user_id: 'nomail' } },
    });
    expect(res.status).toBe(201);
    const posted = await eventually(
      () => sinkReceived(postback),
      (r) => r.length >= 1,
    );
    expect(JSON.parse(posted[0]!.body)).toMatchObject({
      status: 'aborted',
      metadata: { reason: expect.stringMatching(/email/) },
    });
  });
});
