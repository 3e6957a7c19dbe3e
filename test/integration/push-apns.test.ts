import { describe, expect, it } from 'vitest';
import { eventually, ledger } from '../fixtures/delivery';
import { verifyJwt } from '../fixtures/push';
import { apnsWorkspace, pushApp, received, userWithTokens } from '../fixtures/push-setup';
import { sinkRespond } from '../fixtures/segments';
import { exportUser, type TestWorkspace } from '../fixtures/workspace';

const MESSAGE = {
  alert: { title: 'Hi {{${first_name}}}', body: 'Your order shipped' },
  badge: 1,
  sound: 'default',
  extra: { order: 42 },
  collapse_id: 'order-42',
  expiry: '2030-01-01T00:00:00Z',
};

const hexToken = () =>
  Array.from(crypto.getRandomValues(new Uint8Array(32)), (b) =>
    b.toString(16).padStart(2, '0'),
  ).join('');

async function sendTo(ws: TestWorkspace, externalId: string, message: unknown = MESSAGE) {
  const res = await ws.post('/messages/send', {
    external_user_ids: [externalId],
    messages: { apple_push: message },
  });
  expect(res.status).toBe(201);
  const rows = await eventually(
    () => ledger(ws, externalId, res.json.dispatch_id),
    (r) => r.length === 1 && r[0]?.state !== 'claimed',
  );
  return rows[0];
}

describe('apple push through APNs', { timeout: 30_000 }, () => {
  it("sends Apple's request shape with an ES256 provider token, only to iOS devices", async () => {
    const a = await apnsWorkspace();
    const token = hexToken();
    const path = `${a.prefix}/3/device/${token}`;
    await sinkRespond(path, { status: 200, headers: { 'apns-id': 'A1B2C3D4-0000' } });
    const android = await pushApp(a.ws, 'android');
    await userWithTokens(a.ws, 'ada', [
      { app_id: a.appId, token },
      { app_id: android, token: 'fcm-token-not-for-apple' },
    ]);
    expect((await sendTo(a.ws, 'ada'))?.state).toBe('sent');
    const got = await received(path);
    expect(got).toHaveLength(1);
    const req = got[0]!;
    expect(req.headers['apns-topic']).toBe('test.herald.app');
    expect(req.headers['apns-push-type']).toBe('alert');
    expect(req.headers['apns-priority']).toBe('10');
    expect(req.headers['apns-expiration']).toBe(String(Date.parse('2030-01-01T00:00:00Z') / 1000));
    expect(req.headers['apns-collapse-id']).toBe('order-42');
    expect(req.headers['apns-id']).toMatch(
      /^[0-9A-F]{8}-[0-9A-F]{4}-[0-9A-F]{4}-[0-9A-F]{4}-[0-9A-F]{12}$/,
    );
    // Apple checks the provider token with the team's public key.
    const bearer = /^bearer (.+)$/.exec(req.headers.authorization ?? '')?.[1] ?? '';
    const jwt = await verifyJwt(bearer, a.key.verifyKey);
    expect(jwt.header).toEqual({ alg: 'ES256', typ: 'JWT', kid: 'KEY1234567' });
    expect(jwt.claims.iss).toBe('TEAM123456');
    expect(Math.abs((jwt.claims.iat as number) - Date.now() / 1000)).toBeLessThan(3600);
    expect(JSON.parse(req.body)).toEqual({
      order: 42,
      aps: {
        alert: { title: 'Hi Ada', body: 'Your order shipped' },
        sound: 'default',
        badge: 1,
      },
      herald: {
        token: expect.any(String),
        open_url: expect.stringMatching(/^https:\/\/herald\.test\/t\/push\/.+\/open$/),
      },
    });
  });

  it('retires a token APNs answers 410 Unregistered for', async () => {
    const a = await apnsWorkspace();
    const token = hexToken();
    const path = `${a.prefix}/3/device/${token}`;
    await sinkRespond(path, {
      status: 410,
      body: JSON.stringify({ reason: 'Unregistered', timestamp: Date.now() }),
    });
    await userWithTokens(a.ws, 'ada', [{ app_id: a.appId, token }]);
    expect((await sendTo(a.ws, 'ada'))?.state).toBe('failed');
    expect((await exportUser(a.ws, 'ada')).push_tokens).toBeUndefined();
    expect((await sendTo(a.ws, 'ada'))?.state).toBe('aborted');
    expect(await received(path)).toHaveLength(1);
  });

  it('retires a token APNs calls a BadDeviceToken, and retries a 503', async () => {
    const a = await apnsWorkspace();
    const bad = hexToken();
    await sinkRespond(`${a.prefix}/3/device/${bad}`, {
      status: 400,
      body: '{"reason":"BadDeviceToken"}',
    });
    await userWithTokens(a.ws, 'ada', [{ app_id: a.appId, token: bad }]);
    expect((await sendTo(a.ws, 'ada'))?.state).toBe('failed');
    expect((await exportUser(a.ws, 'ada')).push_tokens).toBeUndefined();

    const busy = hexToken();
    const busyPath = `${a.prefix}/3/device/${busy}`;
    await sinkRespond(busyPath, { status: 503, times: 1, body: '{"reason":"ServiceUnavailable"}' });
    await userWithTokens(a.ws, 'bob', [{ app_id: a.appId, token: busy }]);
    const res = await a.ws.post('/messages/send', {
      external_user_ids: ['bob'],
      messages: { apple_push: MESSAGE },
    });
    const rows = await eventually(
      () => ledger(a.ws, 'bob', res.json.dispatch_id),
      (r) => r[0]?.state === 'sent',
    );
    expect(rows[0]).toMatchObject({ state: 'sent', attempt: 2 });
    expect(await received(busyPath)).toHaveLength(2);
  });

  it('sends a silent push as background with priority 5', async () => {
    const a = await apnsWorkspace();
    const token = hexToken();
    const path = `${a.prefix}/3/device/${token}`;
    await userWithTokens(a.ws, 'ada', [{ app_id: a.appId, token }]);
    expect((await sendTo(a.ws, 'ada', { 'content-available': true }))?.state).toBe('sent');
    const [req] = await received(path);
    expect(req?.headers['apns-push-type']).toBe('background');
    expect(req?.headers['apns-priority']).toBe('5');
  });

  it('aborts a message over the 1,912-byte iOS limit without calling APNs', async () => {
    const a = await apnsWorkspace();
    const token = hexToken();
    await userWithTokens(a.ws, 'ada', [{ app_id: a.appId, token }]);
    const row = await sendTo(a.ws, 'ada', { alert: 'x'.repeat(2_000) });
    expect(row?.state).toBe('aborted');
    expect(await received(`${a.prefix}/3/device/${token}`)).toHaveLength(0);
  });
});
