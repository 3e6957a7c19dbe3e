import { describe, expect, it } from 'vitest';
import { call, createWorkspace, operator } from '../fixtures/workspace';

const body = { attributes: [{ external_id: 'a1', first_name: 'Ann' }] };

describe('REST API authentication and permissions', () => {
  it('answers 401 in the Braze envelope when no key is sent', async () => {
    const res = await call('/users/track', { body });
    expect(res.status).toBe(401);
    expect(await res.json()).toEqual({ message: 'Invalid API key: no REST API key was provided' });
  });

  it('answers 401 for an unknown key', async () => {
    const res = await call('/users/track', { body, key: 'not-a-real-key-0000' });
    expect(res.status).toBe(401);
    expect(((await res.json()) as { message: string }).message).toBe('Invalid API key');
  });

  it('answers 401 for a malformed Authorization header', async () => {
    const res = await call('/users/track', { body, headers: { authorization: 'Token abc' } });
    expect(res.status).toBe(401);
  });

  it('accepts the bearer scheme case-insensitively', async () => {
    const ws = await createWorkspace();
    const res = await call('/users/track', {
      body,
      headers: { authorization: `bearer ${ws.key}` },
    });
    expect(res.status).toBe(201);
  });

  it('accepts the legacy api_key in the JSON body', async () => {
    const ws = await createWorkspace();
    const res = await call('/users/track', { body: { ...body, api_key: ws.key } });
    expect(res.status).toBe(201);
  });

  it('accepts the legacy api_key in the query string', async () => {
    const ws = await createWorkspace();
    const res = await call(`/users/track?api_key=${ws.key}`, { body });
    expect(res.status).toBe(201);
  });

  it('answers 403 Access Denied when the key lacks the permission', async () => {
    const ws = await createWorkspace();
    const key = await ws.keyWith(['users.export.ids']);
    const res = await call('/users/track', { body, key });
    expect(res.status).toBe(403);
    expect(await res.json()).toEqual({
      message: 'Access Denied',
      errors: ['This API key lacks the users.track permission'],
    });
  });

  it('keeps workspaces apart: another workspace key cannot see a user', async () => {
    const a = await createWorkspace();
    const b = await createWorkspace();
    expect((await a.post('/users/track', body)).status).toBe(201);
    const fromB = await b.post('/users/export/ids', { external_ids: ['a1'] });
    expect(fromB.json).toEqual({ message: 'success', users: [], invalid_user_ids: ['a1'] });
    const fromA = await a.post('/users/export/ids', { external_ids: ['a1'] });
    expect(fromA.json.users[0].first_name).toBe('Ann');
  });

  it('rejects calls from addresses outside the key allowlist', async () => {
    const ws = await createWorkspace();
    const res = await operator(`/operator/workspaces/${ws.id}/api_keys`, {
      body: { name: 'office', permissions: ['users.track'], ip_allowlist: ['203.0.113.0/24'] },
    });
    const { key } = (await res.json()) as { key: string };
    const inside = await call('/users/track', {
      body,
      key,
      headers: { 'cf-connecting-ip': '203.0.113.9' },
    });
    expect(inside.status).toBe(201);
    const outside = await call('/users/track', {
      body,
      key,
      headers: { 'cf-connecting-ip': '198.51.100.1' },
    });
    expect(outside.status).toBe(401);
  });

  it('stops accepting a revoked key', async () => {
    const ws = await createWorkspace();
    const res = await operator(`/operator/workspaces/${ws.id}/api_keys`, {
      body: { name: 'temp', permissions: ['users.track'] },
    });
    const { id, key } = (await res.json()) as { id: string; key: string };
    expect((await call('/users/track', { body, key })).status).toBe(201);
    const revoke = await operator(`/operator/workspaces/${ws.id}/api_keys/${id}`, {
      method: 'DELETE',
    });
    expect(revoke.status).toBe(200);
    expect((await call('/users/track', { body, key })).status).toBe(401);
  });
});

describe('rate limits', () => {
  it('sends X-RateLimit headers on successful answers', async () => {
    const ws = await createWorkspace();
    const res = await ws.post('/users/track', body);
    expect(res.headers.get('x-ratelimit-limit')).toBe('3000');
    expect(Number(res.headers.get('x-ratelimit-remaining'))).toBeLessThan(3000);
    expect(Number(res.headers.get('x-ratelimit-reset'))).toBeGreaterThan(Date.now() / 1000 - 1);
  });

  it('answers 429 with headers once the workspace bucket is spent', async () => {
    const ws = await createWorkspace({
      rate_limits: { users_track: { limit: 2, window_seconds: 60 } },
    });
    expect((await ws.post('/users/track', body)).status).toBe(201);
    expect((await ws.post('/users/track', body)).status).toBe(201);
    const third = await ws.post('/users/track', body);
    expect(third.status).toBe(429);
    expect(third.json.message).toBe('API rate limit exceeded');
    expect(third.headers.get('x-ratelimit-limit')).toBe('2');
    expect(third.headers.get('x-ratelimit-remaining')).toBe('0');
  });

  it('counts shared buckets together, as Braze does for identity endpoints', async () => {
    const ws = await createWorkspace({
      rate_limits: { users_identity: { limit: 1, window_seconds: 60 } },
    });
    const first = await ws.post('/users/alias/new', {
      user_aliases: [{ alias_name: 'x', alias_label: 'l' }],
    });
    expect(first.status).toBe(201);
    const second = await ws.post('/users/delete', { external_ids: ['nobody'] });
    expect(second.status).toBe(429);
  });

  it('limits per workspace, not per key', async () => {
    const ws = await createWorkspace({
      rate_limits: { users_track: { limit: 1, window_seconds: 60 } },
    });
    const other = await ws.keyWith(['users.track']);
    expect((await ws.post('/users/track', body)).status).toBe(201);
    expect((await call('/users/track', { body, key: other })).status).toBe(429);
  });
});

describe('operator API', () => {
  it('refuses a wrong operator token', async () => {
    const res = await call('/operator/workspaces/x', {
      method: 'PUT',
      key: 'wrong',
      body: { name: 'x' },
    });
    expect(res.status).toBe(401);
  });

  it('rejects unknown permission names', async () => {
    const ws = await createWorkspace();
    const res = await operator(`/operator/workspaces/${ws.id}/api_keys`, {
      body: { name: 'bad', permissions: ['users.trak'] },
    });
    expect(res.status).toBe(400);
    expect(((await res.json()) as { message: string }).message).toBe(
      'Unknown permission: users.trak',
    );
  });

  it('returns the same key when a pinned key is created twice', async () => {
    const ws = await createWorkspace();
    const pinned = { name: 'pinned', permissions: ['*'], key: 'pinned-key-0123456789' };
    const first = await operator(`/operator/workspaces/${ws.id}/api_keys`, { body: pinned });
    const second = await operator(`/operator/workspaces/${ws.id}/api_keys`, { body: pinned });
    expect(first.status).toBe(201);
    expect(second.status).toBe(200);
    expect(((await second.json()) as { id: string }).id).toBe(
      ((await first.json()) as { id: string }).id,
    );
  });

  it('never returns key secrets when listing a workspace', async () => {
    const ws = await createWorkspace();
    const res = await operator(`/operator/workspaces/${ws.id}`);
    const text = await res.text();
    expect(res.status).toBe(200);
    expect(text).not.toContain(ws.key);
    expect(JSON.parse(text).api_keys).toHaveLength(1);
  });
});
