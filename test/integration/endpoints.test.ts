import { describe, expect, it } from 'vitest';
import { call, createWorkspace, exportUser } from '../fixtures/workspace';

/**
 * The bad-input matrix every REST endpoint must pass. `valid` references the user `victim`,
 * which exists in the workspace under test; the same call with another workspace's key must leave
 * that user untouched.
 */
const alias = { alias_name: 'victim-alias', alias_label: 'crm' };
const ENDPOINTS = [
  {
    path: '/users/track',
    permission: 'users.track',
    valid: { attributes: [{ external_id: 'victim', first_name: 'Mallory' }] },
    wrongType: { events: [{ external_id: 'victim', name: 7, time: '2026-01-01T00:00:00Z' }] },
  },
  {
    path: '/users/identify',
    permission: 'users.identify',
    valid: { aliases_to_identify: [{ external_id: 'victim', user_alias: alias }] },
    wrongType: { aliases_to_identify: 'victim' },
  },
  {
    path: '/users/alias/new',
    permission: 'users.alias.new',
    valid: {
      user_aliases: [{ external_id: 'victim', alias_name: 'second', alias_label: 'other' }],
    },
    wrongType: { user_aliases: [{ alias_name: 5, alias_label: true }] },
  },
  {
    path: '/users/alias/update',
    permission: 'users.alias.update',
    valid: {
      alias_updates: [
        { alias_label: 'crm', old_alias_name: 'victim-alias', new_alias_name: 'moved' },
      ],
    },
    wrongType: { alias_updates: [{ alias_label: 'crm' }] },
  },
  {
    path: '/users/delete',
    permission: 'users.delete',
    valid: { external_ids: ['victim'] },
    wrongType: { external_ids: 'victim' },
  },
  {
    path: '/users/merge',
    permission: 'users.merge',
    valid: {
      merge_updates: [
        {
          identifier_to_merge: { external_id: 'victim' },
          identifier_to_keep: { external_id: 'other' },
        },
      ],
    },
    wrongType: { merge_updates: 'victim' },
  },
  {
    path: '/users/external_ids/rename',
    permission: 'users.external_ids.rename',
    valid: { external_id_renames: [{ current_external_id: 'victim', new_external_id: 'renamed' }] },
    wrongType: { external_id_renames: [{ current_external_id: 1 }] },
  },
  {
    path: '/users/external_ids/remove',
    permission: 'users.external_ids.remove',
    valid: { external_ids: ['victim'] },
    wrongType: { external_ids: [null] },
  },
  {
    path: '/users/export/ids',
    permission: 'users.export.ids',
    valid: { external_ids: ['victim'] },
    wrongType: { external_ids: [{}], fields_to_export: ['not_a_field'] },
  },
] as const;

async function seededWorkspace() {
  const ws = await createWorkspace();
  await ws.post('/users/track', {
    attributes: [
      { external_id: 'victim', first_name: 'Alice', points: 10 },
      { external_id: 'other', first_name: 'Bob' },
    ],
  });
  await ws.post('/users/alias/new', { user_aliases: [{ external_id: 'victim', ...alias }] });
  return ws;
}

describe.each(ENDPOINTS)('$path', (endpoint) => {
  it('answers 400 to malformed JSON', async () => {
    const ws = await createWorkspace();
    const res = await call(endpoint.path, { key: ws.key, rawBody: '{"oops": ' });
    expect(res.status).toBe(400);
    expect(((await res.json()) as { message: string }).message).toMatch(/^Invalid JSON/);
  });

  it('answers 400 to values of the wrong type, naming the problem', async () => {
    const ws = await createWorkspace();
    const res = await ws.post(endpoint.path, endpoint.wrongType);
    if (endpoint.path === '/users/track') {
      // /users/track reports bad objects individually and still answers 201.
      expect(res.status).toBe(201);
      expect(res.json.errors[0].message).toMatch(/name/);
    } else {
      expect(res.status).toBe(400);
      expect(typeof res.json.message).toBe('string');
      expect(res.json.message.length).toBeGreaterThan(5);
    }
  });

  it('answers 400 to an oversize body', async () => {
    const ws = await createWorkspace();
    const res = await call(endpoint.path, {
      key: ws.key,
      rawBody: `{"pad":"${'x'.repeat(4 * 1024 * 1024)}"}`,
    });
    expect(res.status).toBe(400);
    expect(((await res.json()) as { message: string }).message).toMatch(/^Request body too large/);
  });

  it('answers 401 without a key', async () => {
    const res = await call(endpoint.path, { body: endpoint.valid });
    expect(res.status).toBe(401);
  });

  it(`answers 403 to a key without ${endpoint.permission}`, async () => {
    const ws = await createWorkspace();
    const key = await ws.keyWith(
      endpoint.permission === 'users.track' ? ['users.delete'] : ['users.track'],
    );
    const res = await call(endpoint.path, { key, body: endpoint.valid });
    expect(res.status).toBe(403);
    expect(((await res.json()) as { message: string }).message).toBe('Access Denied');
  });

  it("leaves another workspace's users untouched", async () => {
    const target = await seededWorkspace();
    const before = await exportUser(target, 'victim');
    const intruder = await createWorkspace();
    const res = await intruder.post(endpoint.path, endpoint.valid);
    expect(res.status).toBeLessThan(300);
    expect(await exportUser(target, 'victim')).toEqual(before);
  });
});
