import { SELF } from 'cloudflare:test';
import { describe, expect, it } from 'vitest';
import { createApp } from '../fixtures/campaigns';
import {
  BASE,
  call,
  createWorkspace,
  exportUser,
  operator,
  type TestWorkspace,
} from '../fixtures/workspace';

/** SDK authentication: per-app public keys, signed user tokens on /sdk/v1, key management. */

const uid = (p: string) => `${p}-${crypto.randomUUID()}`;
let seq = 0;

const b64url = (bytes: Uint8Array | ArrayBuffer) =>
  btoa(String.fromCharCode(...new Uint8Array(bytes)))
    .replace(/\+/g, '-')
    .replace(/\//g, '_')
    .replace(/=+$/, '');
const b64urlJson = (v: unknown) => b64url(new TextEncoder().encode(JSON.stringify(v)));

type Alg = 'RS256' | 'ES256';
const PARAMS = {
  RS256: {
    gen: {
      name: 'RSASSA-PKCS1-v1_5',
      modulusLength: 2048,
      publicExponent: new Uint8Array([1, 0, 1]),
      hash: 'SHA-256',
    },
    sign: { name: 'RSASSA-PKCS1-v1_5' },
  },
  ES256: {
    gen: { name: 'ECDSA', namedCurve: 'P-256' },
    sign: { name: 'ECDSA', hash: 'SHA-256' },
  },
} as const;

/** A key pair as an app's server holds it: the private key signs, the PEM is registered. */
async function keyPair(alg: Alg) {
  const pair = (await crypto.subtle.generateKey(PARAMS[alg].gen, true, [
    'sign',
    'verify',
  ])) as CryptoKeyPair;
  const spki = (await crypto.subtle.exportKey('spki', pair.publicKey)) as ArrayBuffer;
  const body = btoa(String.fromCharCode(...new Uint8Array(spki)));
  const pem = `-----BEGIN PUBLIC KEY-----\n${body.match(/.{1,64}/g)!.join('\n')}\n-----END PUBLIC KEY-----`;
  const sign = async (claims: Record<string, unknown>, header: Record<string, unknown> = {}) => {
    const input = `${b64urlJson({ alg, typ: 'JWT', ...header })}.${b64urlJson(claims)}`;
    const sig = await crypto.subtle.sign(
      PARAMS[alg].sign,
      pair.privateKey,
      new TextEncoder().encode(input),
    );
    return `${input}.${b64url(sig)}`;
  };
  return { pem, sign };
}

const inAnHour = () => Math.floor(Date.now() / 1000) + 3_600;

async function addKey(
  ws: TestWorkspace,
  appId: string,
  pem: string,
  over: Record<string, unknown> = {},
) {
  return ws.post('/app_group/sdk_authentication/create', {
    app_id: appId,
    rsa_public_key_str: pem,
    description: 'server key',
    ...over,
  });
}

async function enforce(ws: TestWorkspace, appId: string, enforcement: 'required' | 'disabled') {
  const res = await operator(`/operator/workspaces/${ws.id}/apps/${appId}/sdk_authentication`, {
    method: 'PUT',
    body: { enforcement },
  });
  return { status: res.status, json: (await res.json()) as any };
}

/** A workspace whose app requires tokens signed with `alg`. */
async function setup(alg: Alg = 'RS256') {
  const ws = await createWorkspace();
  const appKey = await createApp(ws);
  const key = await keyPair(alg);
  expect((await addKey(ws, appKey, key.pem)).status).toBe(201);
  expect((await enforce(ws, appKey, 'required')).status).toBe(200);
  return { ws, appKey, key };
}

function item(user: Record<string, string>, type: string, fields: Record<string, unknown> = {}) {
  seq++;
  return { id: uid(`item${seq}`), user, type, time: Date.now() - 1_000, ...fields };
}

async function batch(body: unknown, token?: string) {
  const res = await SELF.fetch(`${BASE}/sdk/v1/batch`, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      origin: 'https://shop.example',
      ...(token ? { authorization: `Bearer ${token}` } : {}),
    },
    body: JSON.stringify(body),
  });
  return { status: res.status, headers: res.headers, json: (await res.json()) as any };
}

async function sdkGet(path: string, token?: string) {
  const res = await SELF.fetch(`${BASE}${path}`, {
    headers: token ? { authorization: `Bearer ${token}` } : {},
  });
  const text = await res.text();
  return { status: res.status, json: text ? JSON.parse(text) : null };
}

describe('SDK authentication on /sdk/v1', () => {
  it('accepts a batch for an identified user with a valid RS256 token for that user', async () => {
    const { ws, appKey, key } = await setup('RS256');
    const user = uid('ann');
    const token = await key.sign({ sub: user, exp: inAnHour() });
    const res = await batch(
      { app_key: appKey, items: [item({ external_id: user }, 'event', { name: 'signed_in' })] },
      token,
    );
    expect(res.json).toEqual({ message: 'success', accepted: 1, errors: [] });
    expect((await exportUser(ws, user)).custom_events[0].name).toBe('signed_in');
  });

  it('accepts an ES256 token, and refuses a missing, expired, forged or malformed one with 401', async () => {
    const { ws, appKey, key } = await setup('ES256');
    const user = uid('ann');
    const body = { app_key: appKey, items: [item({ external_id: user }, 'event', { name: 'x' })] };
    const other = await keyPair('ES256');
    const cases = {
      missing: undefined,
      expired: await key.sign({ sub: user, exp: Math.floor(Date.now() / 1000) - 120 }),
      noExp: await key.sign({ sub: user }),
      forged: await other.sign({ sub: user, exp: inAnHour() }),
      tampered: (await key.sign({ sub: 'someone', exp: inAnHour() })).replace(
        /^([^.]+)\.[^.]+/,
        `$1.${b64urlJson({ sub: user, exp: inAnHour() })}`,
      ),
      none: `${b64urlJson({ alg: 'none' })}.${b64urlJson({ sub: user, exp: inAnHour() })}.`,
      garbage: 'not.a.jwt',
    };
    for (const [name, token] of Object.entries(cases)) {
      const res = await batch(body, token);
      expect(res.status, name).toBe(401);
      expect(res.json.message, name).toMatch(/SDK authentication/);
      expect(res.headers.get('access-control-allow-origin')).toBe('*');
    }
    // Nothing was written by any refused request.
    expect((await ws.post('/users/export/ids', { external_ids: [user] })).json.users).toEqual([]);
    const good = await batch(body, await key.sign({ sub: user, exp: inAnHour() }));
    expect(good.json.accepted).toBe(1);
  });

  it('lets anonymous users through without a token', async () => {
    const { appKey } = await setup();
    const anon = { anonymous_id: uid('anon') };
    const res = await batch({ app_key: appKey, items: [item(anon, 'event', { name: 'browse' })] });
    expect(res.json).toEqual({ message: 'success', accepted: 1, errors: [] });
    const flags = await sdkGet(
      `/sdk/v1/feature_flags?app_key=${appKey}&anonymous_id=${anon.anonymous_id}`,
    );
    expect(flags.status).toBe(200);
  });

  it('requires a token for changeUser, and refuses items for a user the token does not name', async () => {
    const { ws, appKey, key } = await setup();
    const anon = { anonymous_id: uid('anon') };
    const ann = uid('ann');
    const identify = item(anon, 'identify', { anonymous_id: anon.anonymous_id, external_id: ann });
    const body = { app_key: appKey, items: [item(anon, 'event', { name: 'x' }), identify] };
    expect((await batch(body)).status).toBe(401);
    const token = await key.sign({ sub: ann, exp: inAnHour() });
    const mixed = await batch(
      {
        app_key: appKey,
        items: [
          ...body.items,
          item({ external_id: ann }, 'event', { name: 'mine' }),
          item({ external_id: 'victim' }, 'attributes', { attributes: { first_name: 'Mallory' } }),
        ],
      },
      token,
    );
    expect(mixed.json.accepted).toBe(3);
    expect(mixed.json.errors).toEqual([
      { index: 3, message: expect.stringContaining('another user') },
    ]);
    const u = await exportUser(ws, ann);
    expect(u.custom_events.map((e: any) => e.name).sort()).toEqual(['mine', 'x']);
  });

  it('guards the sync endpoints for identified users: the token must name the user asked for', async () => {
    const { appKey, key } = await setup();
    const ann = uid('ann');
    const token = await key.sign({ sub: ann, exp: inAnHour() });
    await batch(
      { app_key: appKey, items: [item({ external_id: ann }, 'event', { name: 'x' })] },
      token,
    );
    for (const path of ['content_cards', 'in_app_messages', 'feature_flags']) {
      const url = `/sdk/v1/${path}?app_key=${appKey}&external_id=${ann}`;
      expect((await sdkGet(url)).status, path).toBe(401);
      expect((await sdkGet(url, token)).status, path).toBe(200);
      const otherUrl = `/sdk/v1/${path}?app_key=${appKey}&external_id=victim`;
      const other = await sdkGet(otherUrl, token);
      expect(other.status, path).toBe(401);
      expect(other.json.message).toContain('another user');
    }
    const render = (t?: string) =>
      SELF.fetch(`${BASE}/sdk/v1/in_app_messages/render`, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          ...(t ? { authorization: `Bearer ${t}` } : {}),
        },
        body: JSON.stringify({ app_key: appKey, user: { external_id: ann }, message_id: 'm' }),
      });
    expect((await render()).status).toBe(401);
    expect((await render(token)).status).toBe(404);
  });

  it('answers a CORS preflight that asks to send Authorization', async () => {
    const res = await SELF.fetch(`${BASE}/sdk/v1/batch`, {
      method: 'OPTIONS',
      headers: {
        origin: 'https://shop.example',
        'access-control-request-method': 'POST',
        'access-control-request-headers': 'content-type, authorization',
      },
    });
    expect(res.status).toBe(204);
    expect(res.headers.get('access-control-allow-headers')?.toLowerCase()).toContain(
      'authorization',
    );
  });

  it('stops requiring tokens when the app turns enforcement off', async () => {
    const { ws, appKey } = await setup();
    const ann = uid('ann');
    const body = { app_key: appKey, items: [item({ external_id: ann }, 'event', { name: 'x' })] };
    expect((await batch(body)).status).toBe(401);
    expect((await enforce(ws, appKey, 'disabled')).json.enforcement).toBe('disabled');
    expect((await batch(body)).json.accepted).toBe(1);
  });
});

describe('SDK authentication keys (/app_group/sdk_authentication/*)', () => {
  it('creates, lists, rotates the primary and deletes keys; every key verifies during a rotation', async () => {
    const { ws, appKey, key } = await setup();
    const first = (await call(`/app_group/sdk_authentication/keys?app_id=${appKey}`, {
      key: ws.key,
    }).then((r) => r.json())) as any;
    expect(first.keys).toEqual([
      {
        id: expect.any(String),
        rsa_public_key: key.pem,
        description: 'server key',
        is_primary: true,
      },
    ]);
    const next = await keyPair('RS256');
    const created = await addKey(ws, appKey, next.pem, { description: 'next', make_primary: true });
    expect(created.status).toBe(201);
    const ann = uid('ann');
    const body = { app_key: appKey, items: [item({ external_id: ann }, 'event', { name: 'x' })] };
    expect((await batch(body, await key.sign({ sub: ann, exp: inAnHour() }))).status).toBe(200);
    expect((await batch(body, await next.sign({ sub: ann, exp: inAnHour() }))).status).toBe(200);
    const refused = await call('/app_group/sdk_authentication/delete', {
      method: 'DELETE',
      key: ws.key,
      body: { app_id: appKey, key_id: created.json.id },
    });
    expect(refused.status).toBe(400);
    expect(((await refused.json()) as any).message).toContain('primary');
    const deleted = await call('/app_group/sdk_authentication/delete', {
      method: 'DELETE',
      key: ws.key,
      body: { app_id: appKey, key_id: first.keys[0].id },
    });
    expect(deleted.status).toBe(200);
    expect(((await deleted.json()) as any).keys).toEqual([
      { id: created.json.id, rsa_public_key: next.pem, description: 'next', is_primary: true },
    ]);
    // The deleted key's tokens no longer verify.
    expect((await batch(body, await key.sign({ sub: ann, exp: inAnHour() }))).status).toBe(401);
    const third = await addKey(ws, appKey, (await keyPair('ES256')).pem);
    const primary = await call('/app_group/sdk_authentication/primary', {
      method: 'PUT',
      key: ws.key,
      body: { app_id: appKey, key_id: third.json.id },
    });
    expect(((await primary.json()) as any).keys.map((k: any) => k.is_primary)).toEqual([
      false,
      true,
    ]);
  });

  it('refuses a bad key, a fourth key, another workspace app, and enforcement without keys', async () => {
    const ws = await createWorkspace();
    const appKey = await createApp(ws);
    expect((await enforce(ws, appKey, 'required')).status).toBe(400);
    const bad = await addKey(
      ws,
      appKey,
      '-----BEGIN PUBLIC KEY-----\nAAAA\n-----END PUBLIC KEY-----',
    );
    expect(bad.status).toBe(400);
    expect(bad.json.message).toContain('rsa_public_key_str');
    const wrongType = await addKey(ws, appKey, 'x', { make_primary: 'yes' });
    expect(wrongType.status).toBe(400);
    expect(wrongType.json.message).toContain('make_primary');
    for (let i = 0; i < 3; i++) {
      expect((await addKey(ws, appKey, (await keyPair('ES256')).pem)).status).toBe(201);
    }
    const fourth = await addKey(ws, appKey, (await keyPair('ES256')).pem);
    expect(fourth.status).toBe(400);
    expect(fourth.json.message).toContain('at most 3');
    const intruder = await createWorkspace();
    const stolen = await addKey(intruder, appKey, (await keyPair('ES256')).pem);
    expect(stolen.status).toBe(400);
    expect(stolen.json.message).toBe('Invalid app_id');
    const peek = await call(`/app_group/sdk_authentication/keys?app_id=${appKey}`, {
      key: intruder.key,
    });
    expect(peek.status).toBe(400);
    const noPerm = await call(`/app_group/sdk_authentication/keys?app_id=${appKey}`, {
      key: await ws.keyWith(['users.track']),
    });
    expect(noPerm.status).toBe(403);
    expect((await call(`/app_group/sdk_authentication/keys?app_id=${appKey}`)).status).toBe(401);
    const owned = await operator(
      `/operator/workspaces/${intruder.id}/apps/${appKey}/sdk_authentication`,
      {
        method: 'PUT',
        body: { enforcement: 'disabled' },
      },
    );
    expect(owned.status).toBe(404);
  });
});
