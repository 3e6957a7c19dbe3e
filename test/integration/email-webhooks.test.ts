import { describe, expect, it } from 'vitest';
import { launchCampaign } from '../fixtures/campaigns';
import { eventually, ledger } from '../fixtures/delivery';
import { emailWorkspace, sentEmail, trackUsers } from '../fixtures/email';
import { get, sinkReceived } from '../fixtures/segments';
import { call, exportUser, operator, type TestWorkspace } from '../fixtures/workspace';

/** A DER INTEGER for one half of a raw ECDSA signature. */
function derInt(bytes: Uint8Array): number[] {
  let i = 0;
  while (i < bytes.length - 1 && bytes[i] === 0) i++;
  const v = [...bytes.slice(i)];
  if (v[0]! & 0x80) v.unshift(0);
  return [0x02, v.length, ...v];
}

function b64(bytes: ArrayBuffer | Uint8Array): string {
  return btoa(String.fromCharCode(...new Uint8Array(bytes)));
}

/** A SendGrid-style signer: a fresh P-256 key, its public half as SendGrid shows it. */
async function sendgridSigner() {
  const pair = (await crypto.subtle.generateKey({ name: 'ECDSA', namedCurve: 'P-256' }, true, [
    'sign',
    'verify',
  ])) as CryptoKeyPair;
  const publicKey = b64((await crypto.subtle.exportKey('spki', pair.publicKey)) as ArrayBuffer);
  const sign = async (timestamp: string, body: string) => {
    const raw = new Uint8Array(
      await crypto.subtle.sign(
        { name: 'ECDSA', hash: 'SHA-256' },
        pair.privateKey,
        new TextEncoder().encode(timestamp + body),
      ),
    );
    const seq = [...derInt(raw.slice(0, 32)), ...derInt(raw.slice(32))];
    return b64(Uint8Array.from([0x30, seq.length, ...seq]));
  };
  return { publicKey, sign };
}

function emailMessage(appId: string) {
  return { app_id: appId, from: 'Team <team@herald.test>', subject: 'Hi', body: '<p>Hi</p>' };
}

async function sendTo(ws: TestWorkspace, path: string, campaignId: string, count: number) {
  const res = await ws.post('/campaigns/trigger/send', {
    campaign_id: campaignId,
    recipients: [{ external_user_id: 'ada' }],
  });
  expect(res.status).toBe(201);
  const got = await eventually(
    () => sinkReceived(path),
    (r) => r.length >= count,
  );
  return { dispatchId: res.json.dispatch_id as string, ...sentEmail(got[count - 1]!.body) };
}

async function setup(provider: 'sendgrid' | 'postmark') {
  const { ws, path, appId } = await emailWorkspace(provider);
  const c = await launchCampaign(ws, { variants: [{ messages: { email: emailMessage(appId) } }] });
  await trackUsers(ws, [{ external_id: 'ada', email: 'ada@example.com' }]);
  const sent = await sendTo(ws, path, c.id, 1);
  return { ws, path, appId, campaignId: c.id as string, ...sent };
}

async function emailStats(ws: TestWorkspace, campaignId: string, check: (s: any) => boolean) {
  const series = await eventually(
    () => get(ws, `/campaigns/data_series?campaign_id=${campaignId}&length=1`),
    (r) => check(r.json.data?.[0]?.messages?.email?.[0] ?? {}),
  );
  return series.json.data[0].messages.email[0];
}

describe('SendGrid Event Webhook', () => {
  async function signedSetup() {
    const s = await setup('sendgrid');
    const signer = await sendgridSigner();
    const res = await operator(`/operator/workspaces/${s.ws.id}/channels/email/webhooks`, {
      method: 'PUT',
      body: { sendgrid_verification_key: signer.publicKey },
    });
    expect(res.status).toBe(201);
    expect(await res.json()).toEqual({
      sendgrid_verification_key_set: true,
      postmark_basic_auth_username: null,
      message: 'success',
    });
    const post = async (body: string, headers: Record<string, string> | null = null) => {
      const timestamp = String(Math.floor(Date.now() / 1000));
      return call(`/webhooks/email/sendgrid/${s.ws.id}`, {
        rawBody: body,
        headers: headers ?? {
          'x-twilio-email-event-webhook-signature': await signer.sign(timestamp, body),
          'x-twilio-email-event-webhook-timestamp': timestamp,
        },
      });
    };
    return { ...s, post };
  }

  function events(token: string, at: number) {
    const base = { email: 'ada@example.com', timestamp: at, herald_token: token };
    return [
      { ...base, event: 'processed', sg_event_id: 'e0' },
      { ...base, event: 'delivered', sg_event_id: `d-${token.slice(-8)}` },
      {
        ...base,
        event: 'bounce',
        type: 'bounce',
        reason: '550 5.1.1 The email account does not exist',
        sg_event_id: `b-${token.slice(-8)}`,
      },
    ];
  }

  it('records deliveries and hard bounces, lists the bounce and sends nothing more to the address', async () => {
    const s = await signedSetup();
    const token = s.metadata.herald_token!;
    const body = JSON.stringify(events(token, Math.floor(Date.now() / 1000)));
    const res = await s.post(body);
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({
      message: 'success',
      applied: 2,
      duplicates: 0,
      untracked: 0,
      failed: 0,
    });
    // The same batch again counts nothing twice.
    expect(await (await s.post(body)).json()).toMatchObject({ applied: 0, duplicates: 2 });
    const stats = await emailStats(s.ws, s.campaignId, (x) => x.bounces === 1 && x.delivered === 1);
    expect(stats).toMatchObject({ delivered: 1, bounces: 1 });
    const list = await get(s.ws, '/email/hard_bounces?email=ada@example.com');
    expect(list.json.emails).toEqual([
      { email: 'ada@example.com', hard_bounced_at: expect.stringMatching(/ \+0000$/) },
    ]);
    const next = await s.ws.post('/messages/send', {
      external_user_ids: ['ada'],
      messages: { email: emailMessage(s.appId) },
    });
    const rows = await eventually(
      () => ledger(s.ws, 'ada', next.json.dispatch_id),
      (r) => r[0]?.state === 'aborted',
    );
    expect(rows[0]).toMatchObject({ state: 'aborted' });
    expect(await sinkReceived(s.path)).toHaveLength(1);
    // Removing the bounce lets mail through again.
    const removed = await s.ws.post('/email/bounce/remove', { email: 'ada@example.com' });
    expect(removed.status).toBe(200);
    expect((await get(s.ws, '/email/hard_bounces?email=ada@example.com')).json.emails).toEqual([]);
  }, 30_000);

  it('refuses unsigned, forged and stale posts with 401 and records nothing', async () => {
    const s = await signedSetup();
    const body = JSON.stringify(events(s.metadata.herald_token!, Math.floor(Date.now() / 1000)));
    const now = String(Math.floor(Date.now() / 1000));
    const forger = await sendgridSigner();
    const cases: Record<string, string>[] = [
      {},
      { 'x-twilio-email-event-webhook-timestamp': now },
      {
        'x-twilio-email-event-webhook-signature': await forger.sign(now, body),
        'x-twilio-email-event-webhook-timestamp': now,
      },
    ];
    for (const headers of cases) expect((await s.post(body, headers)).status).toBe(401);
    // A valid signature over another body.
    const other = await s.post('[]');
    expect(other.status).toBe(200);
    expect((await get(s.ws, '/email/hard_bounces?email=ada@example.com')).json.emails).toEqual([]);
    const res = await call(`/webhooks/email/sendgrid/ws_nobody`, { rawBody: body });
    expect(res.status).toBe(401);
  });

  it('answers 400 to a signed body that is not an array of events, and skips bad events', async () => {
    const s = await signedSetup();
    expect((await s.post('{"event":"delivered"')).status).toBe(400);
    expect((await s.post('{"event":"delivered"}')).status).toBe(400);
    const at = Math.floor(Date.now() / 1000);
    const res = await s.post(
      JSON.stringify([
        7,
        { event: 'delivered', email: 'x@example.com', timestamp: at, herald_token: 'forged.token' },
        {
          event: 'open',
          email: 'ada@example.com',
          timestamp: at,
          sg_event_id: 'o1',
          herald_token: s.metadata.herald_token,
          sg_machine_open: true,
        },
      ]),
    );
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ applied: 1, untracked: 1, failed: 0 });
  });
});

describe('Postmark webhooks', () => {
  async function postmarkSetup() {
    const s = await setup('postmark');
    const res = await operator(`/operator/workspaces/${s.ws.id}/channels/email/webhooks`, {
      method: 'PUT',
      body: { postmark_basic_auth: { username: 'postmark', password: 'correct horse battery' } },
    });
    expect(res.status).toBe(201);
    const post = (body: unknown, credentials = 'postmark:correct horse battery') =>
      call(`/webhooks/email/postmark/${s.ws.id}`, {
        body,
        headers: { authorization: `Basic ${btoa(credentials)}` },
      });
    return { ...s, post };
  }

  it('unsubscribes the user and marks the address on a spam complaint', async () => {
    const s = await postmarkSetup();
    expect(s.metadata.herald_token_1).toBeDefined();
    const res = await s.post({
      RecordType: 'SpamComplaint',
      ID: 42,
      Type: 'SpamComplaint',
      TypeCode: 100001,
      MessageID: 'pm-1',
      Email: 'ada@example.com',
      BouncedAt: new Date().toISOString(),
      Metadata: s.metadata,
    });
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ applied: 1 });
    const user = await eventually(
      () => exportUser(s.ws, 'ada'),
      (u) => u.email_subscribe === 'unsubscribed',
    );
    expect(user.email_subscribe).toBe('unsubscribed');
    const stats = await emailStats(s.ws, s.campaignId, (x) => x.reported_spam === 1);
    expect(stats.reported_spam).toBe(1);
    const unsubscribed = await get(s.ws, '/email/unsubscribes?email=ada@example.com');
    expect(unsubscribed.json.emails).toHaveLength(1);
  }, 30_000);

  it('tells hard from soft bounces by Type', async () => {
    const s = await postmarkSetup();
    const bounce = (id: number, Type: string, TypeCode: number) => ({
      RecordType: 'Bounce',
      ID: id,
      Type,
      TypeCode,
      MessageID: 'pm-1',
      Email: 'ada@example.com',
      Description: Type,
      BouncedAt: new Date().toISOString(),
      Metadata: s.metadata,
    });
    await s.post(bounce(1, 'Transient', 2));
    expect((await get(s.ws, '/email/hard_bounces?email=ada@example.com')).json.emails).toEqual([]);
    await s.post(bounce(2, 'HardBounce', 1));
    const list = await get(s.ws, '/email/hard_bounces?email=ada@example.com');
    expect(list.json.emails).toHaveLength(1);
  });

  it('refuses wrong or missing credentials with 401, and malformed records with 400', async () => {
    const s = await postmarkSetup();
    const record = { RecordType: 'Delivery', MessageID: 'pm-1', Metadata: s.metadata };
    expect((await s.post(record, 'postmark:wrong')).status).toBe(401);
    expect((await call(`/webhooks/email/postmark/${s.ws.id}`, { body: record })).status).toBe(401);
    expect((await s.post([record])).status).toBe(400);
    const config = await operator(`/operator/workspaces/${s.ws.id}/channels/email/webhooks`);
    expect(await config.json()).toEqual({
      sendgrid_verification_key_set: false,
      postmark_basic_auth_username: 'postmark',
      message: 'success',
    });
  });
});
