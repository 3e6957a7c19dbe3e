import { describe, expect, it } from 'vitest';
import { eventually, ledger } from '../fixtures/delivery';
import { verifyJwt } from '../fixtures/push';
import { fcmWorkspace, received, userWithTokens } from '../fixtures/push-setup';
import { sinkRespond } from '../fixtures/segments';
import { exportUser, type TestWorkspace } from '../fixtures/workspace';

const MESSAGE = {
  title: 'Hi {{${first_name}}}',
  alert: 'Your order shipped',
  extra: { order: 42 },
  android_priority: 'high',
  notification_channel_id: 'orders',
};
const TOKEN_ANSWER = { access_token: 'ya29.test-access', expires_in: 3599, token_type: 'Bearer' };

async function ready() {
  const f = await fcmWorkspace();
  await sinkRespond(f.tokenPath, { status: 200, body: JSON.stringify(TOKEN_ANSWER) });
  await sinkRespond(f.sendPath, {
    status: 200,
    body: '{"name":"projects/herald-test/messages/0:1"}',
  });
  return f;
}

async function sendTo(ws: TestWorkspace, externalId: string, message: unknown = MESSAGE) {
  const res = await ws.post('/messages/send', {
    external_user_ids: [externalId],
    messages: { android_push: message },
  });
  expect(res.status).toBe(201);
  const rows = await eventually(
    () => ledger(ws, externalId, res.json.dispatch_id),
    (r) => r.length === 1 && r[0]?.state !== 'claimed',
  );
  return rows[0];
}

describe('android push through FCM HTTP v1', { timeout: 30_000 }, () => {
  it('exchanges a signed service-account assertion for an access token, then sends to each device', async () => {
    const f = await ready();
    await userWithTokens(f.ws, 'ada', [
      { app_id: f.appId, token: 'fcm-token-phone', device_id: 'phone' },
      { app_id: f.appId, token: 'fcm-token-tablet', device_id: 'tablet' },
    ]);
    expect((await sendTo(f.ws, 'ada'))?.state).toBe('sent');

    const [exchange] = await received(f.tokenPath);
    expect(exchange?.headers['content-type']).toBe('application/x-www-form-urlencoded');
    const form = new URLSearchParams(exchange?.body);
    expect(form.get('grant_type')).toBe('urn:ietf:params:oauth:grant-type:jwt-bearer');
    // Google verifies the assertion with the service account's public key.
    const jwt = await verifyJwt(form.get('assertion') ?? '', f.key.verifyKey);
    expect(jwt.header).toEqual({ alg: 'RS256', typ: 'JWT' });
    expect(jwt.claims).toMatchObject({
      iss: 'sender@herald-test.iam.gserviceaccount.com',
      scope: 'https://www.googleapis.com/auth/firebase.messaging',
      aud: expect.stringMatching(new RegExp(`${f.tokenPath}$`)),
    });
    expect((jwt.claims.exp as number) - (jwt.claims.iat as number)).toBe(3600);

    const sends = await received(f.sendPath);
    expect(sends).toHaveLength(2);
    for (const s of sends) expect(s.headers.authorization).toBe('Bearer ya29.test-access');
    const bodies = sends.map((s) => JSON.parse(s.body));
    expect(bodies.map((b) => b.message.token).sort()).toEqual([
      'fcm-token-phone',
      'fcm-token-tablet',
    ]);
    expect(bodies[0].message).toEqual({
      token: expect.any(String),
      notification: { title: 'Hi Ada', body: 'Your order shipped' },
      data: {
        order: '42',
        herald_token: expect.any(String),
        herald_open_url: expect.stringMatching(/^https:\/\/herald\.test\/t\/push\/.+\/open$/),
      },
      android: {
        priority: 'HIGH',
        ttl: '2419200s',
        notification: { channel_id: 'orders' },
      },
    });
  });

  it('reuses the access token until it expires', async () => {
    const f = await ready();
    await userWithTokens(f.ws, 'ada', [{ app_id: f.appId, token: 'fcm-a' }]);
    await sendTo(f.ws, 'ada');
    await sendTo(f.ws, 'ada');
    expect(await received(f.sendPath)).toHaveLength(2);
    expect(await received(f.tokenPath)).toHaveLength(1);
  });

  it('retires an UNREGISTERED token and still counts the send that reached the other device', async () => {
    const f = await ready();
    await userWithTokens(f.ws, 'ada', [
      { app_id: f.appId, token: 'fcm-live', device_id: 'a' },
      { app_id: f.appId, token: 'fcm-gone', device_id: 'b' },
    ]);
    // FCM's documented answer for a token that is no longer valid.
    await sinkRespond(f.sendPath, {
      status: 404,
      times: 1,
      body: JSON.stringify({
        error: {
          code: 404,
          message: 'Requested entity was not found.',
          status: 'NOT_FOUND',
          details: [
            {
              '@type': 'type.googleapis.com/google.firebase.fcm.v1.FcmError',
              errorCode: 'UNREGISTERED',
            },
          ],
        },
      }),
    });
    expect((await sendTo(f.ws, 'ada'))?.state).toBe('sent');
    const refused = (await received(f.sendPath)).map((r) => JSON.parse(r.body).message.token);
    expect(refused).toHaveLength(2);
    const user = await exportUser(f.ws, 'ada');
    expect(user.push_tokens).toHaveLength(1);
    // The one left is whichever device FCM did not refuse (the sink refused the first call).
    expect(refused).toContain(user.push_tokens[0].token);
    expect(user.push_tokens[0].platform).toBe('Android');
  });

  it('fails without retrying when the token endpoint refuses the assertion', async () => {
    const f = await ready();
    await sinkRespond(f.tokenPath, {
      status: 400,
      body: '{"error":"invalid_grant","error_description":"Invalid JWT Signature."}',
    });
    await userWithTokens(f.ws, 'ada', [{ app_id: f.appId, token: 'fcm-a' }]);
    expect((await sendTo(f.ws, 'ada'))?.state).toBe('failed');
    expect(await received(f.sendPath)).toHaveLength(0);
  });

  it('aborts a message over the 4,000-byte Android limit without calling FCM', async () => {
    const f = await ready();
    await userWithTokens(f.ws, 'ada', [{ app_id: f.appId, token: 'fcm-a' }]);
    const row = await sendTo(f.ws, 'ada', { ...MESSAGE, alert: 'x'.repeat(4_100) });
    expect(row?.state).toBe('aborted');
    expect(await received(f.sendPath)).toHaveLength(0);
  });
});
