import { describe, expect, it } from 'vitest';
import { launchCampaign } from '../fixtures/campaigns';
import { eventually, ledger } from '../fixtures/delivery';
import { get, sinkRespond } from '../fixtures/segments';
import {
  ACCOUNT_SID,
  GROUP_NUMBER,
  groupState,
  SERVICE_SID,
  type SmsWorkspace,
  smsUser,
  smsWorkspace,
  twilioCalls,
  twilioPost,
} from '../fixtures/sms';
import { createWorkspace, operator } from '../fixtures/workspace';

const PHONE = '+15557654321';

function sms(s: SmsWorkspace, body = 'Hi {{${first_name}}}', extra: Record<string, unknown> = {}) {
  return { app_id: s.appId, subscription_group_id: s.groupId, body, ...extra };
}

async function sendTo(s: SmsWorkspace, ids: string[], message = sms(s)) {
  const res = await s.ws.post('/messages/send', {
    external_user_ids: ids,
    messages: { sms: message },
  });
  expect(res.status).toBe(201);
  return res.json.dispatch_id as string;
}

async function settled(s: SmsWorkspace, user: string, dispatchId: string) {
  const rows = await eventually(
    () => ledger(s.ws, user, dispatchId),
    (r) => r.length > 0 && !['claimed', 'retry_wait'].includes(r[0]!.state),
  );
  return rows[0]!.state;
}

describe('the Twilio account (operator API)', () => {
  it('stores the account, never answers the auth token and names the inbound URL', async () => {
    const ws = await createWorkspace();
    const path = `/operator/workspaces/${ws.id}/channels/sms`;
    const put = await operator(path, {
      method: 'PUT',
      body: {
        account_sid: ACCOUNT_SID,
        auth_token: 'very-secret',
        from_number: '+15550009999',
        messaging_service_sid: SERVICE_SID,
      },
    });
    expect(put.status).toBe(201);
    const got = await operator(path);
    const json = await got.json();
    expect(json).toEqual({
      provider: 'twilio',
      account_sid: ACCOUNT_SID,
      base_url: 'https://api.twilio.com',
      from_number: '+15550009999',
      messaging_service_sid: SERVICE_SID,
      inbound_url: `https://herald.test/sms/twilio/inbound/${ws.id}`,
      message: 'success',
    });
    expect(JSON.stringify(json)).not.toContain('very-secret');
    expect((await operator(path, { method: 'DELETE' })).status).toBe(200);
    expect((await operator(path)).status).toBe(404);
  });

  it.each([
    [{ account_sid: 'AC1', auth_token: 't' }, /account_sid must be AC/],
    [{ account_sid: ACCOUNT_SID, auth_token: '' }, /auth_token must not be empty/],
    [{ account_sid: ACCOUNT_SID, auth_token: 't', base_url: 'ftp://x' }, /base_url/],
    [{ account_sid: ACCOUNT_SID, auth_token: 't', from_number: '555' }, /sending number/],
    [{ account_sid: ACCOUNT_SID, auth_token: 't', provider: 'plivo' }, /provider must be twilio/],
  ])('refuses %j', async (body, message) => {
    const ws = await createWorkspace();
    const res = await operator(`/operator/workspaces/${ws.id}/channels/sms`, {
      method: 'PUT',
      body,
    });
    expect(res.status).toBe(400);
    expect(((await res.json()) as { message: string }).message).toMatch(message);
    expect((await operator(`/operator/workspaces/${ws.id}/channels/sms`)).status).toBe(404);
  });
});

describe('sending SMS through Twilio', () => {
  it("calls Twilio's Messages API with the documented form and a signed status callback", async () => {
    const s = await smsWorkspace();
    await smsUser(s, 'ada', '+1 (555) 765-4321');
    const dispatchId = await sendTo(s, ['ada']);
    expect(await settled(s, 'ada', dispatchId)).toBe('sent');
    const [call] = await twilioCalls(s);
    expect(call!.headers.authorization).toBe(`Basic ${btoa(`${ACCOUNT_SID}:${s.authToken}`)}`);
    expect(call!.headers['content-type']).toBe('application/x-www-form-urlencoded');
    expect(Object.fromEntries(call!.form)).toEqual({
      To: PHONE,
      From: GROUP_NUMBER,
      Body: 'Hi Ada',
      StatusCallback: expect.stringMatching(
        /^https:\/\/herald\.test\/sms\/twilio\/status\/[\w-]+\.[\w-]+$/,
      ),
    });
  });

  it("uses the group's messaging service and passes MMS media", async () => {
    const s = await smsWorkspace();
    await s.ws.post('/herald/subscription_groups', {
      subscription_group_id: 'svc',
      name: 'Service',
      channel: 'sms',
      messaging_service_sid: SERVICE_SID,
    });
    await s.ws.post('/users/track', {
      attributes: [
        {
          external_id: 'ada',
          phone: PHONE,
          subscription_groups: [{ subscription_group_id: 'svc', subscription_state: 'subscribed' }],
        },
      ],
    });
    const message = {
      ...sms(s, 'Look'),
      subscription_group_id: 'svc',
      media_items: ['https://cdn.test/a.png'],
    };
    const dispatchId = await sendTo(s, ['ada'], message);
    expect(await settled(s, 'ada', dispatchId)).toBe('sent');
    const [call] = await twilioCalls(s);
    expect(call!.form.get('MessagingServiceSid')).toBe(SERVICE_SID);
    expect(call!.form.has('From')).toBe(false);
    expect(call!.form.getAll('MediaUrl')).toEqual(['https://cdn.test/a.png']);
  });

  it('sends only to users subscribed to the message subscription group', async () => {
    const s = await smsWorkspace();
    await smsUser(s, 'in', '+15550000001');
    await smsUser(s, 'out', '+15550000002', 'unsubscribed');
    await smsUser(s, 'never', '+15550000003', null);
    const dispatchId = await sendTo(s, ['in', 'out', 'never']);
    expect(await settled(s, 'in', dispatchId)).toBe('sent');
    expect(await settled(s, 'out', dispatchId)).toBe('skipped');
    expect(await settled(s, 'never', dispatchId)).toBe('skipped');
    expect((await twilioCalls(s)).map((c) => c.form.get('To'))).toEqual(['+15550000001']);
  });

  it('aborts a body longer than ten segments without calling Twilio', async () => {
    const s = await smsWorkspace();
    await smsUser(s, 'ada', PHONE);
    const dispatchId = await sendTo(s, ['ada'], sms(s, 'x'.repeat(1_531)));
    expect(await settled(s, 'ada', dispatchId)).toBe('aborted');
    const ok = await sendTo(s, ['ada'], sms(s, 'x'.repeat(1_530)));
    expect(await settled(s, 'ada', ok)).toBe('sent');
    expect(await twilioCalls(s)).toHaveLength(1);
  });

  it('marks the number invalid on error 21211 and sends to it no more until it is removed', async () => {
    const s = await smsWorkspace();
    await smsUser(s, 'ada', PHONE);
    await sinkRespond(s.messagesPath, {
      status: 400,
      times: 1,
      body: JSON.stringify({
        code: 21211,
        message: "The 'To' number is not a valid phone number.",
        status: 400,
      }),
    });
    expect(await settled(s, 'ada', await sendTo(s, ['ada']))).toBe('failed');
    const listed = await get(
      s.ws,
      `/sms/invalid_phone_numbers?phone_numbers[]=${encodeURIComponent(PHONE)}`,
    );
    expect(listed.json.sms).toEqual([
      {
        phone: PHONE,
        invalid_detected_at: expect.stringMatching(/^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d \+0000$/),
      },
    ]);
    expect(await settled(s, 'ada', await sendTo(s, ['ada']))).toBe('aborted');
    expect(await twilioCalls(s)).toHaveLength(1);
    const removed = await s.ws.post('/sms/invalid_phone_numbers/remove', {
      phone_numbers: [PHONE],
    });
    expect(removed.status).toBe(200);
    expect(await settled(s, 'ada', await sendTo(s, ['ada']))).toBe('sent');
    expect(await twilioCalls(s)).toHaveLength(2);
  });

  it('unsubscribes the user from the group on error 21610 (STOP sent to the carrier)', async () => {
    const s = await smsWorkspace();
    await smsUser(s, 'ada', PHONE);
    await sinkRespond(s.messagesPath, {
      status: 400,
      times: 1,
      body: JSON.stringify({ code: 21610, message: 'Attempt to send to unsubscribed recipient' }),
    });
    expect(await settled(s, 'ada', await sendTo(s, ['ada']))).toBe('aborted');
    expect(await groupState(s.ws, s.groupId, 'ada')).toBe('Unsubscribed');
  });

  it('retries a 503 and a 429 and then sends', async () => {
    const s = await smsWorkspace();
    await smsUser(s, 'ada', PHONE);
    await sinkRespond(s.messagesPath, { status: 503, times: 1, body: '{"code":20500}' });
    const dispatchId = await sendTo(s, ['ada']);
    expect(await settled(s, 'ada', dispatchId)).toBe('sent');
    expect(await twilioCalls(s)).toHaveLength(2);
  });

  it('sends nothing for a group that does not exist, and fails sends of an archived group', async () => {
    const s = await smsWorkspace();
    await smsUser(s, 'ada', PHONE);
    // No user can be subscribed to a group that does not exist.
    expect(
      await settled(
        s,
        'ada',
        await sendTo(s, ['ada'], { ...sms(s), subscription_group_id: 'nope' }),
      ),
    ).toBe('skipped');
    expect((await s.ws.post(`/herald/subscription_groups/${s.groupId}/archive`, {})).status).toBe(
      200,
    );
    expect(await settled(s, 'ada', await sendTo(s, ['ada']))).toBe('failed');
    expect(await twilioCalls(s)).toHaveLength(0);
  });
});

describe('Twilio status callbacks', () => {
  async function sentCampaign(s: SmsWorkspace) {
    await smsUser(s, 'ada', PHONE);
    const c = await launchCampaign(s.ws, { variants: [{ messages: { sms: sms(s) } }] });
    const res = await s.ws.post('/campaigns/trigger/send', {
      campaign_id: c.id,
      recipients: [{ external_user_id: 'ada' }],
    });
    expect(res.status).toBe(201);
    expect(await settled(s, 'ada', res.json.dispatch_id)).toBe('sent');
    const callback = (await twilioCalls(s))[0]!.form.get('StatusCallback')!;
    return { campaignId: c.id as string, callback };
  }

  const status = (
    sid: string,
    value: string,
    extra: [string, string][] = [],
  ): [string, string][] => [
    ['MessageSid', sid],
    ['SmsSid', sid],
    ['MessageStatus', value],
    ['SmsStatus', value],
    ['AccountSid', ACCOUNT_SID],
    ['From', GROUP_NUMBER],
    ['To', PHONE],
    ['ApiVersion', '2010-04-01'],
    ...extra,
  ];

  async function smsStats(s: SmsWorkspace, campaignId: string, check: (m: any) => boolean) {
    const series = await eventually(
      () => get(s.ws, `/campaigns/data_series?campaign_id=${campaignId}&length=1`),
      (r) => {
        const m = r.json.data?.[0]?.messages?.sms?.[0];
        return m !== undefined && check(m);
      },
    );
    return series.json.data[0].messages.sms[0];
  }

  it('counts sent to carrier and delivered from signed callbacks, each once', async () => {
    const s = await smsWorkspace();
    const { campaignId, callback } = await sentCampaign(s);
    for (const value of ['queued', 'sent', 'delivered', 'delivered']) {
      const res = await twilioPost(callback, status('SM0001', value), s.authToken);
      expect(res.status).toBe(200);
    }
    const m = await smsStats(s, campaignId, (x) => x.delivered === 1 && x.sent_to_carrier === 1);
    expect(m).toMatchObject({ sent: 1, sent_to_carrier: 1, delivered: 1, rejected: 0 });
  });

  it('refuses unsigned and wrongly signed callbacks and records nothing', async () => {
    const s = await smsWorkspace();
    const { campaignId, callback } = await sentCampaign(s);
    expect((await twilioPost(callback, status('SM0001', 'delivered'), null)).status).toBe(403);
    expect((await twilioPost(callback, status('SM0001', 'delivered'), 'wrong-token')).status).toBe(
      403,
    );
    const forged = `${callback.slice(0, -4)}AAAA`;
    expect((await twilioPost(forged, status('SM0001', 'delivered'), s.authToken)).status).toBe(403);
    // A signed `failed` afterwards proves the stats are read: delivered stayed 0.
    await twilioPost(callback, status('SM0001', 'failed', [['ErrorCode', '30005']]), s.authToken);
    const m = await smsStats(s, campaignId, (x) => x.rejected === 1);
    expect(m.delivered).toBe(0);
    const invalid = await get(
      s.ws,
      `/sms/invalid_phone_numbers?phone_numbers[]=${encodeURIComponent(PHONE)}`,
    );
    expect(invalid.json.sms.map((r: any) => r.phone)).toEqual([PHONE]);
  });

  it('counts undelivered as a delivery failure', async () => {
    const s = await smsWorkspace();
    const { campaignId, callback } = await sentCampaign(s);
    await twilioPost(
      callback,
      status('SM0001', 'undelivered', [['ErrorCode', '30003']]),
      s.authToken,
    );
    const m = await smsStats(s, campaignId, (x) => x.delivery_failed === 1);
    expect(m.delivery_failed).toBe(1);
  });

  it('counts inbound STOP and HELP replies as opt-out and help of the last campaign sent', async () => {
    const s = await smsWorkspace();
    const { campaignId } = await sentCampaign(s);
    const url = `https://herald.test/sms/twilio/inbound/${s.ws.id}`;
    await twilioPost(url, inbound('SMin1', 'HELP'), s.authToken);
    await twilioPost(url, inbound('SMin2', 'stop'), s.authToken);
    const m = await smsStats(s, campaignId, (x) => x.opt_out === 1 && x.help === 1);
    expect(m).toMatchObject({ opt_out: 1, help: 1 });
  });
});

function inbound(sid: string, body: string, to = GROUP_NUMBER): [string, string][] {
  return [
    ['MessageSid', sid],
    ['SmsMessageSid', sid],
    ['AccountSid', ACCOUNT_SID],
    ['From', PHONE],
    ['To', to],
    ['Body', body],
    ['NumMedia', '0'],
  ];
}

describe('inbound SMS keywords', () => {
  const urlOf = (s: SmsWorkspace) => `https://herald.test/sms/twilio/inbound/${s.ws.id}`;

  it('unsubscribes on STOP and resubscribes on START, with TwiML auto-replies', async () => {
    const s = await smsWorkspace();
    await smsUser(s, 'ada', PHONE);
    await smsUser(s, 'twin', PHONE);
    const stop = await twilioPost(urlOf(s), inbound('SM1', ' Stop '), s.authToken);
    expect(stop.status).toBe(200);
    expect(stop.headers.get('content-type')).toMatch(/^text\/xml/);
    expect(await stop.text()).toMatch(
      /<Response><Message>You are unsubscribed[^<]*<\/Message><\/Response>$/,
    );
    // Every profile with the number follows.
    expect(await groupState(s.ws, s.groupId, 'ada')).toBe('Unsubscribed');
    expect(await groupState(s.ws, s.groupId, 'twin')).toBe('Unsubscribed');
    const start = await twilioPost(urlOf(s), inbound('SM2', 'unstop'), s.authToken);
    expect(await start.text()).toContain('<Message>You are now subscribed');
    expect(await groupState(s.ws, s.groupId, 'ada')).toBe('Subscribed');
  });

  it("answers HELP with the group's own reply and leaves the state alone", async () => {
    const s = await smsWorkspace();
    await s.ws.post(`/herald/subscription_groups/${s.groupId}`, {});
    const put = await fetchPut(s, { replies: { help: 'Acme: call 555-0100' } });
    expect(put.status).toBe(200);
    await smsUser(s, 'ada', PHONE);
    const res = await twilioPost(urlOf(s), inbound('SM1', 'info'), s.authToken);
    expect(await res.text()).toContain('<Message>Acme: call 555-0100</Message>');
    expect(await groupState(s.ws, s.groupId, 'ada')).toBe('Subscribed');
  });

  it('ignores a message that is not exactly one keyword', async () => {
    const s = await smsWorkspace();
    await smsUser(s, 'ada', PHONE);
    const res = await twilioPost(urlOf(s), inbound('SM1', 'STOP PLEASE'), s.authToken);
    expect(res.status).toBe(200);
    expect(await res.text()).toBe('<?xml version="1.0" encoding="UTF-8"?><Response/>');
    expect(await groupState(s.ws, s.groupId, 'ada')).toBe('Subscribed');
  });

  it('applies STOP only to the group owning the number it was sent to', async () => {
    const s = await smsWorkspace();
    await s.ws.post('/herald/subscription_groups', {
      subscription_group_id: 'alerts',
      name: 'Alerts',
      channel: 'sms',
      numbers: ['+15550002222'],
    });
    await s.ws.post('/users/track', {
      attributes: [
        {
          external_id: 'ada',
          phone: PHONE,
          subscription_groups: [
            { subscription_group_id: 'promo', subscription_state: 'subscribed' },
            { subscription_group_id: 'alerts', subscription_state: 'subscribed' },
          ],
        },
      ],
    });
    await twilioPost(urlOf(s), inbound('SM1', 'STOP', '+15550002222'), s.authToken);
    expect(await groupState(s.ws, 'alerts', 'ada')).toBe('Unsubscribed');
    expect(await groupState(s.ws, 'promo', 'ada')).toBe('Subscribed');
  });

  it('refuses unsigned or wrongly signed inbound messages and changes nothing', async () => {
    const s = await smsWorkspace();
    await smsUser(s, 'ada', PHONE);
    expect((await twilioPost(urlOf(s), inbound('SM1', 'STOP'), null)).status).toBe(403);
    expect((await twilioPost(urlOf(s), inbound('SM1', 'STOP'), 'not-the-token')).status).toBe(403);
    const other = await createWorkspace();
    const elsewhere = `https://herald.test/sms/twilio/inbound/${other.id}`;
    expect((await twilioPost(elsewhere, inbound('SM1', 'STOP'), s.authToken)).status).toBe(403);
    expect(await groupState(s.ws, s.groupId, 'ada')).toBe('Subscribed');
  });
});

async function fetchPut(s: SmsWorkspace, body: unknown) {
  const { call } = await import('../fixtures/workspace');
  const res = await call(`/herald/subscription_groups/${s.groupId}`, {
    key: s.ws.key,
    method: 'PUT',
    body,
  });
  return { status: res.status, json: await res.json() };
}
