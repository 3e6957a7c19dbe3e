import { describe, expect, it } from 'vitest';
import { syncIndex } from '../fixtures/segments';
import { call, createWorkspace, type TestWorkspace } from '../fixtures/workspace';

async function createFlag(ws: TestWorkspace, body: Record<string, unknown>) {
  return ws.post('/herald/feature_flags', { name: 'A flag', ...body });
}

async function flagsOf(
  ws: TestWorkspace,
  externalId: string,
  headers: Record<string, string> = {},
) {
  const res = await call(`/herald/users/feature_flags?external_id=${externalId}`, {
    key: ws.key,
    headers,
  });
  const text = await res.text();
  return {
    status: res.status,
    etag: res.headers.get('etag'),
    json: text ? JSON.parse(text) : null,
  };
}

describe('feature flag management', () => {
  it('creates, reads, lists, replaces, archives and unarchives a flag', async () => {
    const ws = await createWorkspace();
    const created = await createFlag(ws, {
      id: 'new_checkout',
      description: 'The new checkout',
      properties: {
        color: { type: 'string', value: 'blue' },
        limit: { type: 'number', value: 3 },
        on_sale: { type: 'boolean', value: true },
        banner: { type: 'image', value: 'https://cdn.example.com/b.png' },
        starts: { type: 'timestamp', value: '2026-12-01T00:00:00Z' },
        config: { type: 'jsonobject', value: { a: [1, 2] } },
      },
      everyone_else: { enabled: true, rollout_percentage: 25 },
    });
    expect(created.status).toBe(201);
    expect(created.json).toMatchObject({
      message: 'success',
      id: 'new_checkout',
      archived: false,
      everyone_else: { enabled: true, rollout_percentage: 25 },
    });
    // Timestamps are stored as epoch milliseconds, as the SDK exposes them.
    expect(created.json.properties.starts).toEqual({
      type: 'timestamp',
      value: Date.parse('2026-12-01T00:00:00Z'),
    });
    expect((await createFlag(ws, { id: 'new_checkout' })).json.message).toBe(
      'Feature flag new_checkout already exists',
    );
    const list = await call('/herald/feature_flags', { key: ws.key });
    expect(((await list.json()) as any).feature_flags.map((f: any) => f.id)).toEqual([
      'new_checkout',
    ]);
    const replaced = await call('/herald/feature_flags/new_checkout', {
      key: ws.key,
      method: 'PUT',
      body: { id: 'new_checkout', name: 'Renamed' },
    });
    expect(replaced.status).toBe(200);
    expect(((await replaced.json()) as any).everyone_else).toEqual({
      enabled: false,
      rollout_percentage: 0,
    });
    const renamed = await call('/herald/feature_flags/new_checkout', {
      key: ws.key,
      method: 'PUT',
      body: { id: 'other', name: 'x' },
    });
    expect(renamed.status).toBe(400);
    expect(((await renamed.json()) as any).message).toBe('id: a feature flag id cannot change');
    const archived = await ws.post('/herald/feature_flags/new_checkout/archive', {});
    expect(archived.json.archived).toBe(true);
    const edit = await call('/herald/feature_flags/new_checkout', {
      key: ws.key,
      method: 'PUT',
      body: { id: 'new_checkout', name: 'x' },
    });
    expect(edit.status).toBe(400);
    expect((await ws.post('/herald/feature_flags/new_checkout/unarchive', {})).json.archived).toBe(
      false,
    );
  });

  it('refuses invalid flags with the offending field named', async () => {
    const ws = await createWorkspace();
    const cases: [Record<string, unknown>, string][] = [
      [{ id: 'has space' }, 'id'],
      [{ id: 'f', properties: { p: { type: 'color', value: 'x' } } }, 'properties.p'],
      [{ id: 'f', properties: { p: { type: 'string', value: 'x'.repeat(256) } } }, 'properties.p'],
      [{ id: 'f', properties: { p: { type: 'image', value: 'ftp://x' } } }, 'properties.p'],
      [{ id: 'f', everyone_else: { enabled: true, rollout_percentage: 101 } }, 'everyone_else'],
      [
        { id: 'f', rules: [{ segment_id: 'missing', rollout_percentage: 5 }] },
        'rules.0.segment_id',
      ],
    ];
    for (const [body, field] of cases) {
      const res = await createFlag(ws, body);
      expect(res.status, JSON.stringify(body)).toBe(400);
      expect(res.json.message).toContain(field);
    }
    const big: Record<string, unknown> = {};
    for (let i = 0; i < 50; i++) big[`k${i}`] = { type: 'string', value: 'x'.repeat(250) };
    const tooBig = await createFlag(ws, { id: 'big', properties: big });
    expect(tooBig.status).toBe(400);
    expect(tooBig.json.message).toContain('10 KB');
  });

  it('guards reads: no key, a key without the permission, another workspace', async () => {
    const ws = await createWorkspace();
    await createFlag(ws, { id: 'mine' });
    expect((await call('/herald/feature_flags/mine', { key: null })).status).toBe(401);
    const weak = await ws.keyWith(['users.track']);
    expect((await call('/herald/feature_flags/mine', { key: weak })).status).toBe(403);
    expect((await call('/herald/users/feature_flags?external_id=x', { key: weak })).status).toBe(
      403,
    );
    const intruder = await createWorkspace();
    expect((await call('/herald/feature_flags/mine', { key: intruder.key })).status).toBe(404);
    const theirs = await call('/herald/feature_flags', { key: intruder.key });
    expect(((await theirs.json()) as any).feature_flags).toEqual([]);
    const bad = await call('/herald/feature_flags?limit=many', { key: ws.key });
    expect(bad.status).toBe(400);
    expect(((await bad.json()) as any).message).toContain('limit');
  });
});

describe("a user's feature flags", () => {
  it('turn on for a targeted segment member only, with properties, and poll with an ETag', async () => {
    const ws = await createWorkspace();
    const segment = await ws.post('/herald/segments', {
      name: 'Pro',
      filter: {
        custom_attribute: { custom_attribute_name: 'plan', comparison: 'equals', value: 'pro' },
      },
    });
    expect(segment.status).toBe(201);
    // Segments are read through a 5-second cache: the users come after the definition.
    await ws.post('/users/track', {
      attributes: [
        { external_id: 'vip', plan: 'pro' },
        { external_id: 'regular', plan: 'free' },
      ],
    });
    await syncIndex(ws, ['vip', 'regular']);
    await createFlag(ws, {
      id: 'pro_dashboard',
      properties: { theme: { type: 'string', value: 'dark' } },
      rules: [{ segment_id: segment.json.id, rollout_percentage: 100 }],
    });
    const vip = await flagsOf(ws, 'vip');
    expect(vip.status).toBe(200);
    expect(vip.json.feature_flags).toEqual([
      {
        id: 'pro_dashboard',
        enabled: true,
        properties: { theme: { type: 'string', value: 'dark' } },
        rule: 0,
      },
    ]);
    const regular = await flagsOf(ws, 'regular');
    expect(regular.json.feature_flags).toEqual([
      { id: 'pro_dashboard', enabled: false, properties: {}, rule: 'everyone_else' },
    ]);
    // Unchanged: 304 to a poll with the ETag.
    const again = await flagsOf(ws, 'vip', { 'if-none-match': vip.etag ?? '' });
    expect(again.status).toBe(304);
    // The user leaves the segment: the flag turns off at once (evaluated from the profile now).
    await ws.post('/users/track', { attributes: [{ external_id: 'vip', plan: 'free' }] });
    const after = await flagsOf(ws, 'vip', { 'if-none-match': vip.etag ?? '' });
    expect(after.status).toBe(200);
    expect(after.json.feature_flags[0].enabled).toBe(false);
    expect((await flagsOf(ws, 'nobody')).status).toBe(404);
  });

  it('are off for the Global Control Group, on for everyone else at 100 %', async () => {
    const ws = await createWorkspace({ global_control_group: { percentage: 15, seed: 'gcg' } });
    await createFlag(ws, {
      id: 'everyone',
      everyone_else: { enabled: true, rollout_percentage: 100 },
    });
    // Users come in batches until both a held-out user and another have been seen (15 % of
    // users are held out, so a few batches suffice; ten batches miss with odds below 1e-14).
    const rules = new Set<string>();
    for (let batch = 0; batch < 10 && rules.size < 2; batch++) {
      const ids = Array.from({ length: 20 }, (_, i) => `u${batch}-${i}`);
      await ws.post('/users/track', { attributes: ids.map((external_id) => ({ external_id })) });
      const answers = await Promise.all(ids.map((id) => flagsOf(ws, id)));
      for (const a of answers) {
        const [f] = a.json.feature_flags;
        // Held-out users are off; everyone else is on.
        expect(f.enabled).toBe(f.rule !== 'global_control');
        rules.add(f.rule);
      }
    }
    expect(rules).toEqual(new Set(['global_control', 'everyone_else']));
  }, 60_000);
});
