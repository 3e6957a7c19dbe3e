import { describe, expect, it } from 'vitest';
import { launchCampaign } from '../fixtures/campaigns';
import { eventually, ledger } from '../fixtures/delivery';
import { browserSubscription, decryptWebPush, unb64url, verifyJwt } from '../fixtures/push';
import { received, userWithTokens, webPushWorkspace } from '../fixtures/push-setup';
import { get, sinkRespond, sinkUrl } from '../fixtures/segments';
import { call, exportUser, type TestWorkspace } from '../fixtures/workspace';

const MESSAGE = {
  title: 'Hi {{${first_name}}}',
  alert: 'Your order shipped',
  custom_uri: 'https://shop.test/orders',
  extra: { order: 42 },
};

async function subscription() {
  const path = `/wp/${crypto.randomUUID()}`;
  await sinkRespond(path, { status: 201, headers: { location: `https://push.test${path}/m1` } });
  return { path, sub: await browserSubscription(`${sinkUrl()}${path}`) };
}

async function sendTo(ws: TestWorkspace, externalId: string, message: unknown = MESSAGE) {
  const res = await ws.post('/messages/send', {
    external_user_ids: [externalId],
    messages: { web_push: message },
  });
  expect(res.status).toBe(201);
  return res.json.dispatch_id as string;
}

async function settled(ws: TestWorkspace, externalId: string, dispatchId: string) {
  const rows = await eventually(
    () => ledger(ws, externalId, dispatchId),
    (r) => r.length === 1 && r[0]?.state !== 'claimed',
  );
  return rows[0];
}

describe('web push', { timeout: 30_000 }, () => {
  it('sends an RFC 8291 message the subscribing browser decrypts, signed with VAPID', async () => {
    const { ws, vapid, appId } = await webPushWorkspace();
    const { path, sub } = await subscription();
    await userWithTokens(ws, 'ada', [{ app_id: appId, token: sub.json }]);
    const dispatchId = await sendTo(ws, 'ada');
    const got = await eventually(
      () => received(path),
      (r) => r.length === 1,
    );
    expect(got).toHaveLength(1);
    const req = got[0]!;
    expect(req.method).toBe('POST');
    expect(req.headers['content-encoding']).toBe('aes128gcm');
    expect(req.headers['content-type']).toBe('application/octet-stream');
    expect(req.headers.ttl).toBe('2419200');
    expect(req.headers.urgency).toBe('normal');
    // The push service checks the VAPID JWT against the key in `k`.
    const auth = /^vapid t=([^,]+), k=(\S+)$/.exec(req.headers.authorization ?? '');
    expect(auth?.[2]).toBe(vapid.publicKey);
    const jwt = await verifyJwt(auth?.[1] ?? '', vapid.verifyKey);
    expect(jwt.claims).toMatchObject({ aud: sinkUrl(), sub: 'mailto:ops@herald.test' });
    expect(jwt.claims.exp as number).toBeGreaterThan(Date.now() / 1000);
    expect(jwt.claims.exp as number).toBeLessThanOrEqual(Date.now() / 1000 + 24 * 3600);
    // The browser decrypts with its private key and auth secret.
    const plain = await decryptWebPush(unb64url(req.body_base64.replace(/=+$/, '')), sub);
    const payload = JSON.parse(plain.text);
    expect(payload).toEqual({
      title: 'Hi Ada',
      body: 'Your order shipped',
      url: 'https://shop.test/orders',
      extra: { order: 42 },
      herald: {
        token: expect.any(String),
        open_url: `https://herald.test/t/push/${payload.herald.token}/open`,
      },
    });
    expect((await settled(ws, 'ada', dispatchId))?.state).toBe('sent');
  });

  it('sends to every subscription of the user, or only the latest with send_to_most_recent_device_only', async () => {
    const { ws, appId } = await webPushWorkspace();
    const a = await subscription();
    const b = await subscription();
    await userWithTokens(ws, 'ada', [{ app_id: appId, token: a.sub.json, device_id: 'laptop' }]);
    await userWithTokens(ws, 'ada', [{ app_id: appId, token: b.sub.json, device_id: 'phone' }]);
    await settled(ws, 'ada', await sendTo(ws, 'ada'));
    expect((await received(a.path)).length).toBe(1);
    expect((await received(b.path)).length).toBe(1);
    await settled(
      ws,
      'ada',
      await sendTo(ws, 'ada', { ...MESSAGE, send_to_most_recent_device_only: true }),
    );
    expect((await received(a.path)).length).toBe(1);
    expect((await received(b.path)).length).toBe(2);
  });

  it('retires a subscription the push service answers 410 for, counting a bounce', async () => {
    const { ws, appId } = await webPushWorkspace();
    const gone = await subscription();
    await sinkRespond(gone.path, { status: 410, body: 'push subscription has unsubscribed' });
    await userWithTokens(ws, 'ada', [{ app_id: appId, token: gone.sub.json }]);
    const c = await launchCampaign(ws, { variants: [{ messages: { web_push: MESSAGE } }] });
    const res = await ws.post('/campaigns/trigger/send', {
      campaign_id: c.id,
      recipients: [{ external_user_id: 'ada' }],
    });
    expect(res.status).toBe(201);
    const row = await settled(ws, 'ada', res.json.dispatch_id);
    expect(row?.state).toBe('failed');
    expect((await exportUser(ws, 'ada')).push_tokens).toBeUndefined();
    const series = await eventually(
      () => get(ws, `/campaigns/data_series?campaign_id=${c.id}&length=1`),
      (r) => r.json.data?.[0]?.messages?.web_push?.[0]?.bounces === 1,
    );
    expect(series.json.data[0].messages.web_push[0]).toMatchObject({ bounces: 1, sent: 0 });
    // Nothing is sent to it again.
    const again = await sendTo(ws, 'ada');
    expect((await settled(ws, 'ada', again))?.state).toBe('aborted');
    expect((await received(gone.path)).length).toBe(1);
  });

  it('counts an open reported to the payload’s open URL once per device', async () => {
    const { ws, appId } = await webPushWorkspace();
    const { path, sub } = await subscription();
    await userWithTokens(ws, 'ada', [{ app_id: appId, token: sub.json }]);
    const c = await launchCampaign(ws, { variants: [{ messages: { web_push: MESSAGE } }] });
    const res = await ws.post('/campaigns/trigger/send', {
      campaign_id: c.id,
      recipients: [{ external_user_id: 'ada' }],
    });
    await settled(ws, 'ada', res.json.dispatch_id);
    const [req] = await received(path);
    const payload = JSON.parse(
      (await decryptWebPush(unb64url(req!.body_base64.replace(/=+$/, '')), sub)).text,
    );
    const openPath = new URL(payload.herald.open_url).pathname;
    for (let i = 0; i < 2; i++) {
      const open = await call(openPath, { body: { device_id: 'laptop' } });
      expect(open.status).toBe(202);
    }
    expect((await call(openPath, { method: 'POST' })).status).toBe(202);
    const series = await eventually(
      () => get(ws, `/campaigns/data_series?campaign_id=${c.id}&length=1`),
      (r) => r.json.data?.[0]?.messages?.web_push?.[0]?.total_opens === 2,
    );
    expect(series.json.data[0].messages.web_push[0]).toMatchObject({
      sent: 1,
      total_opens: 2,
      direct_opens: 1,
    });
  });

  it('refuses a forged or non-push token at the open URL without recording anything', async () => {
    expect((await call('/t/push/not-a-token/open', { method: 'POST' })).status).toBe(404);
    const bad = await call('/t/push/x.y/open', { rawBody: '{"device_id": 5}' });
    expect(bad.status).toBe(400);
    expect(await bad.json()).toMatchObject({ message: 'device_id must be a string' });
    const malformed = await call('/t/push/x.y/open', { rawBody: '{"device_id":' });
    expect(malformed.status).toBe(400);
    const big = await call('/t/push/x.y/open', {
      body: { device_id: 'd', pad: 'x'.repeat(5_000) },
    });
    expect(big.status).toBe(400);
    expect(((await big.json()) as { message: string }).message).toMatch(/too large/);
  });

  it('aborts for a user without a subscription and fails without VAPID keys', async () => {
    const { ws, appId } = await webPushWorkspace();
    await userWithTokens(ws, 'bob', []);
    const none = await settled(ws, 'bob', await sendTo(ws, 'bob'));
    expect(none?.state).toBe('aborted');
    const { sub } = await subscription();
    await userWithTokens(ws, 'cy', [{ app_id: appId, token: sub.json }]);
    await call(`/operator/workspaces/${ws.id}/channels/web_push`, {
      method: 'DELETE',
      key: 'test-operator-token',
    });
    expect((await settled(ws, 'cy', await sendTo(ws, 'cy')))?.state).toBe('failed');
  });
});
