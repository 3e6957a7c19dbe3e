import { SELF } from 'cloudflare:test';
import { describe, expect, it } from 'vitest';
import { createApp } from '../fixtures/campaigns';
import { BASE, createWorkspace, exportUser, type TestWorkspace } from '../fixtures/workspace';

let seq = 0;
const uid = (p: string) => `${p}-${crypto.randomUUID()}`;

async function batch(body: unknown, headers: Record<string, string> = {}) {
  const res = await SELF.fetch(`${BASE}/sdk/v1/batch`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', origin: 'https://shop.example', ...headers },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
  const text = await res.text();
  return { status: res.status, headers: res.headers, json: text ? JSON.parse(text) : null };
}

function item(user: Record<string, string>, type: string, fields: Record<string, unknown> = {}) {
  seq++;
  return { id: uid(`item${seq}`), user, type, time: Date.now() - 1_000, ...fields };
}

async function exportAlias(ws: TestWorkspace, anonymousId: string) {
  const res = await ws.post('/users/export/ids', {
    user_aliases: [{ alias_label: 'herald_anonymous', alias_name: anonymousId }],
  });
  return res.json.users[0] ?? null;
}

async function setup() {
  const ws = await createWorkspace();
  const appKey = await createApp(ws);
  return { ws, appKey };
}

describe('the SDK batch endpoint', () => {
  it('gives an anonymous device a profile at first contact, with its session, events, purchase and attributes', async () => {
    const { ws, appKey } = await setup();
    const anon = { anonymous_id: uid('anon') };
    const session = uid('session');
    const res = await batch({
      app_key: appKey,
      sdk_version: '0.1.0',
      items: [
        item(anon, 'session_start', { session_id: session }),
        item(anon, 'event', { name: 'viewed_item', properties: { sku: 'A1' } }),
        item(anon, 'purchase', { product_id: 'A1', currency: 'USD', price: 9.5, quantity: 2 }),
        item(anon, 'attributes', { attributes: { first_name: 'Ada', loyalty: 3 } }),
        item(anon, 'session_end', { session_id: session, duration: 42 }),
      ],
    });
    expect(res.status).toBe(200);
    expect(res.json).toEqual({ message: 'success', accepted: 5, errors: [] });
    expect(res.headers.get('access-control-allow-origin')).toBe('*');
    const user = await exportAlias(ws, anon.anonymous_id);
    expect(user.external_id).toBeUndefined();
    expect(user.first_name).toBe('Ada');
    expect(user.custom_attributes).toEqual({ loyalty: 3 });
    expect(user.custom_events).toEqual([
      expect.objectContaining({ name: 'viewed_item', count: 1 }),
    ]);
    expect(user.purchases).toEqual([expect.objectContaining({ name: 'A1', count: 2 })]);
    expect(user.apps).toEqual([expect.objectContaining({ name: appKey, sessions: 1 })]);
  });

  it('never counts a retried batch twice', async () => {
    const { ws, appKey } = await setup();
    const user = { external_id: uid('retry') };
    const body = {
      app_key: appKey,
      items: [
        item(user, 'session_start', { session_id: uid('s') }),
        item(user, 'event', { name: 'played' }),
        item(user, 'purchase', { product_id: 'gem', currency: 'USD', price: 1 }),
      ],
    };
    expect((await batch(body)).json.accepted).toBe(3);
    expect((await batch(body)).json.accepted).toBe(3);
    const u = await exportUser(ws, user.external_id);
    expect(u.custom_events[0].count).toBe(1);
    expect(u.purchases[0].count).toBe(1);
    expect(u.apps[0].sessions).toBe(1);
  });

  it('attributes each item to its own user in a mixed batch', async () => {
    const { ws, appKey } = await setup();
    const a = { external_id: uid('a') };
    const b = { external_id: uid('b') };
    await batch({
      app_key: appKey,
      items: [item(a, 'event', { name: 'x' }), item(b, 'event', { name: 'y' })],
    });
    expect((await exportUser(ws, a.external_id)).custom_events.map((e: any) => e.name)).toEqual([
      'x',
    ]);
    expect((await exportUser(ws, b.external_id)).custom_events.map((e: any) => e.name)).toEqual([
      'y',
    ]);
  });

  it('identifies an anonymous user as a new external id, keeping its history (changeUser)', async () => {
    const { ws, appKey } = await setup();
    const anon = { anonymous_id: uid('anon') };
    const known = uid('known');
    const res = await batch({
      app_key: appKey,
      items: [
        item(anon, 'event', { name: 'before_login' }),
        item(anon, 'identify', { anonymous_id: anon.anonymous_id, external_id: known }),
        item({ external_id: known }, 'event', { name: 'after_login' }),
      ],
    });
    expect(res.json).toEqual({ message: 'success', accepted: 3, errors: [] });
    const user = await exportUser(ws, known);
    expect(user.custom_events.map((e: any) => e.name).sort()).toEqual([
      'after_login',
      'before_login',
    ]);
    // The anonymous alias stays with the identified profile: no duplicate.
    expect((await exportAlias(ws, anon.anonymous_id)).braze_id).toBe(user.braze_id);
  });

  it('merges an anonymous user into an existing external id, with no duplicate profile', async () => {
    const { ws, appKey } = await setup();
    const known = uid('known');
    await ws.post('/users/track', {
      attributes: [{ external_id: known, first_name: 'Grace' }],
      events: [{ external_id: known, name: 'played', time: new Date().toISOString() }],
    });
    const knownId = (await exportUser(ws, known)).braze_id;
    const anon = { anonymous_id: uid('anon') };
    await batch({
      app_key: appKey,
      items: [
        item(anon, 'attributes', { attributes: { first_name: 'Anon', last_name: 'Device' } }),
        item(anon, 'event', { name: 'played' }),
      ],
    });
    const res = await batch({
      app_key: appKey,
      items: [item(anon, 'identify', { anonymous_id: anon.anonymous_id, external_id: known })],
    });
    expect(res.json.errors).toEqual([]);
    const user = await exportUser(ws, known);
    expect(user.braze_id).toBe(knownId);
    // The known profile's values win; missing ones come over; history is carried.
    expect(user.first_name).toBe('Grace');
    expect(user.last_name).toBe('Device');
    expect(user.custom_events[0]).toMatchObject({ name: 'played', count: 2 });
    expect((await exportAlias(ws, anon.anonymous_id)).braze_id).toBe(knownId);
  });
});

describe('SDK batch bad input', () => {
  it('refuses an unknown app key, malformed JSON, a wrong shape and too many items', async () => {
    const { appKey } = await setup();
    const anon = { anonymous_id: uid('anon') };
    const unknown = await batch({ app_key: 'nope', items: [item(anon, 'event', { name: 'x' })] });
    expect(unknown.status).toBe(401);
    expect(unknown.json.message).toBe('Invalid app key');
    expect(unknown.headers.get('access-control-allow-origin')).toBe('*');
    const malformed = await batch('{"app_key": ');
    expect(malformed.status).toBe(400);
    const wrong = await batch({ app_key: appKey, items: 'all of them' });
    expect(wrong.status).toBe(400);
    expect(wrong.json.message).toContain('items');
    const many = await batch({
      app_key: appKey,
      items: Array.from({ length: 101 }, () => item(anon, 'event', { name: 'x' })),
    });
    expect(many.status).toBe(400);
    expect(many.json.message).toContain('100');
    const big = await batch({
      app_key: appKey,
      items: [item(anon, 'event', { name: 'x', properties: { blob: 'x'.repeat(300_000) } })],
    });
    expect(big.status).toBe(400);
    expect(big.json.message).toMatch(/^Request body too large/);
  });

  it('reports invalid items by index and applies the rest', async () => {
    const { ws, appKey } = await setup();
    const user = { external_id: uid('partial') };
    const res = await batch({
      app_key: appKey,
      items: [
        item(user, 'event', { name: 'ok' }),
        item(user, 'teleport'),
        item(user, 'purchase', { product_id: 'p', currency: 'USD', price: 'free' }),
        { ...item(user, 'event', { name: 'no id' }), id: 'x' },
        item(user, 'attributes', { attributes: { external_id: 'someone-else' } }),
        item(user, 'event', { name: '' }),
      ],
    });
    expect(res.status).toBe(200);
    expect(res.json.accepted).toBe(1);
    expect(res.json.errors.map((e: any) => e.index)).toEqual([1, 2, 3, 4, 5]);
    expect(res.json.errors[0].message).toContain('type');
    expect(res.json.errors[1].message).toContain('price');
    expect(res.json.errors[2].message).toContain('id');
    expect(res.json.errors[3].message).toContain('external_id');
    expect((await exportUser(ws, user.external_id)).custom_events.map((e: any) => e.name)).toEqual([
      'ok',
    ]);
  });

  it('answers a CORS preflight', async () => {
    const res = await SELF.fetch(`${BASE}/sdk/v1/batch`, {
      method: 'OPTIONS',
      headers: {
        origin: 'https://shop.example',
        'access-control-request-method': 'POST',
        'access-control-request-headers': 'content-type',
      },
    });
    expect(res.status).toBe(204);
    expect(res.headers.get('access-control-allow-origin')).toBe('*');
    expect(res.headers.get('access-control-allow-methods')).toContain('POST');
    expect(res.headers.get('access-control-allow-headers')?.toLowerCase()).toContain(
      'content-type',
    );
    expect(res.headers.get('access-control-max-age')).toBe('86400');
  });

  it('lets browsers read every SDK answer: successes, errors and 304s', async () => {
    const { appKey } = await setup();
    const anon = { anonymous_id: uid('anon') };
    const cors = (h: Headers) => [
      h.get('access-control-allow-origin'),
      h.get('access-control-expose-headers'),
      h.get('x-request-id') !== null,
    ];
    const ok = await batch({ app_key: appKey, items: [item(anon, 'event', { name: 'x' })] });
    expect(ok.status).toBe(200);
    expect(cors(ok.headers)).toEqual(['*', 'ETag,X-Request-Id', true]);
    const bad = await batch('{not json');
    expect(bad.status).toBe(400);
    expect(cors(bad.headers)).toEqual(['*', 'ETag,X-Request-Id', true]);
    const url = `${BASE}/sdk/v1/feature_flags?app_key=${appKey}&anonymous_id=${anon.anonymous_id}`;
    const flags = await SELF.fetch(url);
    await flags.text();
    const unchanged = await SELF.fetch(url, {
      headers: { 'if-none-match': flags.headers.get('etag') ?? '' },
    });
    expect(unchanged.status).toBe(304);
    expect(cors(unchanged.headers)).toEqual(['*', 'ETag,X-Request-Id', true]);
    // The REST API is for servers: no CORS there.
    const rest = await SELF.fetch(`${BASE}/users/track`, { method: 'POST', body: '{}' });
    await rest.text();
    expect(rest.headers.get('access-control-allow-origin')).toBeNull();
  });
});

describe('SDK feature flags', () => {
  it('answers the device user its flags, 304 while unchanged, all off for an unseen user', async () => {
    const { ws, appKey } = await setup();
    await ws.post('/herald/feature_flags', {
      id: 'dark_mode',
      name: 'Dark mode',
      properties: { shade: { type: 'string', value: 'charcoal' } },
      everyone_else: { enabled: true, rollout_percentage: 100 },
    });
    const anon = { anonymous_id: uid('anon') };
    await batch({ app_key: appKey, items: [item(anon, 'event', { name: 'x' })] });
    const url = `${BASE}/sdk/v1/feature_flags?app_key=${appKey}&anonymous_id=${anon.anonymous_id}`;
    const res = await SELF.fetch(url);
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({
      message: 'success',
      feature_flags: [
        {
          id: 'dark_mode',
          enabled: true,
          properties: { shade: { type: 'string', value: 'charcoal' } },
        },
      ],
    });
    const etag = res.headers.get('etag') ?? '';
    expect((await SELF.fetch(url, { headers: { 'if-none-match': etag } })).status).toBe(304);
    const unseen = await SELF.fetch(
      `${BASE}/sdk/v1/feature_flags?app_key=${appKey}&anonymous_id=${uid('never')}`,
    );
    expect(((await unseen.json()) as any).feature_flags).toEqual([]);
    const noKey = await SELF.fetch(`${BASE}/sdk/v1/feature_flags?app_key=nope&external_id=x`);
    expect(noKey.status).toBe(401);
  });
});
