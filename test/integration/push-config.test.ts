import { describe, expect, it } from 'vitest';
import { apnsKey, serviceAccountKey, vapidKeys } from '../fixtures/push';
import { call, createWorkspace, operator } from '../fixtures/workspace';

const path = (ws: string, channel: string) => `/operator/workspaces/${ws}/channels/${channel}`;

async function bodies() {
  const vapid = await vapidKeys();
  const sa = await serviceAccountKey();
  const p8 = await apnsKey();
  return {
    web_push: {
      vapid_public_key: vapid.publicKey,
      vapid_private_key: vapid.privateKey,
      subject: 'mailto:ops@herald.test',
    },
    android_push: {
      service_account: {
        type: 'service_account',
        project_id: 'herald-test',
        private_key_id: 'abc',
        private_key: sa.pem,
        client_email: 'sender@herald-test.iam.gserviceaccount.com',
      },
    },
    apple_push: {
      key_id: 'KEY1234567',
      team_id: 'TEAM123456',
      topic: 'test.herald.app',
      private_key: p8.pem,
      environment: 'sandbox',
    },
  } as const;
}

const SHOWN = {
  web_push: (b: any) => ({ vapid_public_key: b.vapid_public_key, subject: b.subject }),
  android_push: () => ({
    project_id: 'herald-test',
    client_email: 'sender@herald-test.iam.gserviceaccount.com',
    token_uri: 'https://oauth2.googleapis.com/token',
    base_url: 'https://fcm.googleapis.com',
  }),
  apple_push: () => ({
    key_id: 'KEY1234567',
    team_id: 'TEAM123456',
    topic: 'test.herald.app',
    base_url: 'https://api.sandbox.push.apple.com',
  }),
};

describe.each(['web_push', 'android_push', 'apple_push'] as const)('%s credentials', (channel) => {
  it('are stored, shown without the private key, replaced and removed', async () => {
    const ws = await createWorkspace();
    const body = (await bodies())[channel];
    const put = await operator(path(ws.id, channel), { method: 'PUT', body });
    expect(put.status).toBe(201);
    const shown = SHOWN[channel](body);
    expect(await put.json()).toEqual({ ...shown, created: true, message: 'success' });
    const again = await operator(path(ws.id, channel), { method: 'PUT', body });
    expect(again.status).toBe(200);
    const get = await operator(path(ws.id, channel));
    const text = await get.text();
    expect(JSON.parse(text)).toEqual({ ...shown, message: 'success' });
    expect(text).not.toContain('PRIVATE KEY');
    expect(text).not.toContain((body as { vapid_private_key?: string }).vapid_private_key ?? '#');
    expect((await operator(path(ws.id, channel), { method: 'DELETE' })).status).toBe(200);
    expect((await operator(path(ws.id, channel))).status).toBe(404);
    expect((await operator(path(ws.id, channel), { method: 'DELETE' })).status).toBe(404);
  });

  it('need the operator token: a workspace key or no key is refused', async () => {
    const ws = await createWorkspace();
    const body = (await bodies())[channel];
    expect((await call(path(ws.id, channel), { method: 'PUT', body })).status).toBe(401);
    const withKey = await call(path(ws.id, channel), { method: 'PUT', body, key: ws.key });
    expect([401, 403]).toContain(withKey.status);
    expect((await operator(path(ws.id, channel))).status).toBe(404);
  });

  it('refuse malformed JSON, wrong types and an unknown workspace in the Braze envelope', async () => {
    const ws = await createWorkspace();
    const body = (await bodies())[channel];
    const malformed = await call(path(ws.id, channel), {
      method: 'PUT',
      rawBody: '{"oops":',
      key: 'test-operator-token',
    });
    expect(malformed.status).toBe(400);
    expect(((await malformed.json()) as { message: string }).message).toMatch(/Invalid JSON/);
    const wrong = await operator(path(ws.id, channel), { method: 'PUT', body: { key_id: 5 } });
    expect(wrong.status).toBe(400);
    const unknown = await operator(path('ws_nope', channel), { method: 'PUT', body });
    expect(unknown.status).toBe(404);
    expect((await operator(path(ws.id, channel))).status).toBe(404);
  });
});

describe('push credential checks', () => {
  it('refuse keys that do not import, naming what is wrong', async () => {
    const ws = await createWorkspace();
    const b = await bodies();
    const cases = [
      [
        'web_push',
        { ...b.web_push, vapid_private_key: 'AAAA' },
        /vapid keys must be a P-256 key pair/,
      ],
      ['web_push', { ...b.web_push, subject: 'ops@herald.test' }, /subject must be a mailto/],
      [
        'android_push',
        { service_account: { ...b.android_push.service_account, private_key: 'nope' } },
        /service_account.private_key must be a PEM PKCS#8 RSA private key/,
      ],
      ['apple_push', { ...b.apple_push, private_key: (await serviceAccountKey()).pem }, /\.p8/],
      ['apple_push', { ...b.apple_push, key_id: 'short' }, /key_id must be the 10-character/],
    ] as const;
    for (const [channel, body, message] of cases) {
      const res = await operator(path(ws.id, channel), { method: 'PUT', body });
      expect(res.status, channel).toBe(400);
      expect(((await res.json()) as { message: string }).message).toMatch(message);
      expect((await operator(path(ws.id, channel))).status).toBe(404);
    }
  });
});
