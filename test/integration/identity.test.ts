import { describe, expect, it } from 'vitest';
import { createWorkspace, exportUser } from '../fixtures/workspace';

const now = () => new Date().toISOString();
const alias = (name: string, label = 'crm') => ({ alias_name: name, alias_label: label });

describe('/users/identify', () => {
  it('gives an alias-only user a new external_id, keeping its data', async () => {
    const ws = await createWorkspace();
    await ws.post('/users/alias/new', { user_aliases: [alias('lead-1')] });
    await ws.post('/users/track', {
      attributes: [{ user_alias: alias('lead-1'), first_name: 'Lea' }],
    });
    const res = await ws.post('/users/identify', {
      aliases_to_identify: [{ external_id: 'lea', user_alias: alias('lead-1') }],
    });
    expect(res.status).toBe(201);
    expect(res.json).toEqual({ aliases_processed: 1, message: 'success' });
    expect(await exportUser(ws, 'lea')).toMatchObject({
      external_id: 'lea',
      first_name: 'Lea',
      user_aliases: [alias('lead-1')],
    });
  });

  it('merges an alias-only user into the existing identified user', async () => {
    const ws = await createWorkspace();
    await ws.post('/users/track', {
      attributes: [{ external_id: 'kim', first_name: 'Kim', plan: 'pro' }],
      events: [{ external_id: 'kim', name: 'opened', time: now() }],
    });
    await ws.post('/users/track', {
      attributes: [
        {
          user_alias: alias('anon-9'),
          _update_existing_only: false,
          first_name: 'Anon',
          last_name: 'Lee',
          plan: 'free',
          color: 'blue',
        },
      ],
      events: [
        { user_alias: alias('anon-9'), name: 'opened', time: now() },
        { user_alias: alias('anon-9'), name: 'opened', time: now() },
      ],
    });
    await ws.post('/users/identify', {
      aliases_to_identify: [{ external_id: 'kim', user_alias: alias('anon-9') }],
    });
    const kim = await exportUser(ws, 'kim');
    // The kept profile's values win; missing ones are copied; counters are summed.
    expect(kim).toMatchObject({
      first_name: 'Kim',
      last_name: 'Lee',
      custom_attributes: { plan: 'pro', color: 'blue' },
    });
    expect(kim.custom_events[0].count).toBe(3);
    expect(kim.user_aliases).toEqual([alias('anon-9')]);
    // The alias now reaches the identified user, and the orphan is gone.
    const byAlias = await ws.post('/users/export/ids', { user_aliases: [alias('anon-9')] });
    expect(byAlias.json.users).toHaveLength(1);
    expect(byAlias.json.users[0].external_id).toBe('kim');
  });

  it('does not merge when the identified user already has an alias with the same label', async () => {
    const ws = await createWorkspace();
    await ws.post('/users/track', { attributes: [{ external_id: 'sam', first_name: 'Sam' }] });
    await ws.post('/users/alias/new', {
      user_aliases: [{ external_id: 'sam', ...alias('sam-crm') }],
    });
    await ws.post('/users/alias/new', { user_aliases: [alias('other-crm')] });
    await ws.post('/users/identify', {
      aliases_to_identify: [{ external_id: 'sam', user_alias: alias('other-crm') }],
    });
    const other = await ws.post('/users/export/ids', { user_aliases: [alias('other-crm')] });
    expect(other.json.users).toHaveLength(1);
    expect(other.json.users[0].external_id).toBeUndefined();
  });

  it('identifies an email-only user chosen by prioritization', async () => {
    const ws = await createWorkspace();
    await ws.post('/users/track', {
      attributes: [{ email: 'pat@example.com', first_name: 'Pat' }],
    });
    const res = await ws.post('/users/identify', {
      emails_to_identify: [
        {
          external_id: 'pat',
          email: 'pat@example.com',
          prioritization: ['unidentified', 'most_recently_updated'],
        },
      ],
    });
    expect(res.json.aliases_processed).toBe(1);
    expect(await exportUser(ws, 'pat')).toMatchObject({
      first_name: 'Pat',
      email: 'pat@example.com',
    });
  });

  it('reports an alias that matches no user as a non-fatal error', async () => {
    const ws = await createWorkspace();
    const res = await ws.post('/users/identify', {
      aliases_to_identify: [{ external_id: 'x', user_alias: alias('nobody') }],
    });
    expect(res.status).toBe(201);
    expect(res.json.aliases_processed).toBe(0);
    expect(res.json.errors).toEqual(['0: no user found for that alias']);
  });

  it('rejects more than 50 entries', async () => {
    const ws = await createWorkspace();
    const entries = Array.from({ length: 51 }, (_, i) => ({
      external_id: `e${i}`,
      user_alias: alias(`a${i}`),
    }));
    const res = await ws.post('/users/identify', { aliases_to_identify: entries });
    expect(res.status).toBe(400);
    expect(res.json.message).toBe(
      'The max number of external_ids and aliases per request was exceeded',
    );
  });
});

describe('/users/alias/new and /users/alias/update', () => {
  it('adds an alias to an identified user', async () => {
    const ws = await createWorkspace();
    await ws.post('/users/track', { attributes: [{ external_id: 'al', a: 1 }] });
    const res = await ws.post('/users/alias/new', {
      user_aliases: [{ external_id: 'al', ...alias('al-1') }],
    });
    expect(res.json).toEqual({ aliases_processed: 1, message: 'success' });
    expect((await exportUser(ws, 'al')).user_aliases).toEqual([alias('al-1')]);
  });

  it('does not add an alias when the external_id does not exist', async () => {
    const ws = await createWorkspace();
    const res = await ws.post('/users/alias/new', {
      user_aliases: [{ external_id: 'missing', ...alias('m') }],
    });
    expect(res.json.aliases_processed).toBe(0);
    const found = await ws.post('/users/export/ids', { user_aliases: [alias('m')] });
    expect(found.json.users).toEqual([]);
  });

  it('renames an alias and the old name stops resolving', async () => {
    const ws = await createWorkspace();
    await ws.post('/users/alias/new', { user_aliases: [alias('old-name')] });
    const res = await ws.post('/users/alias/update', {
      alias_updates: [
        { alias_label: 'crm', old_alias_name: 'old-name', new_alias_name: 'new-name' },
      ],
    });
    expect(res.json).toEqual({ message: 'success', aliases_processed: 1 });
    expect(
      (await ws.post('/users/export/ids', { user_aliases: [alias('new-name')] })).json.users,
    ).toHaveLength(1);
    expect(
      (await ws.post('/users/export/ids', { user_aliases: [alias('old-name')] })).json.users,
    ).toHaveLength(0);
  });
});

describe('/users/delete', () => {
  it('deletes a user so its identifiers can start a new profile', async () => {
    const ws = await createWorkspace();
    await ws.post('/users/track', { attributes: [{ external_id: 'gone', first_name: 'Old' }] });
    const oldId = (await exportUser(ws, 'gone')).braze_id;
    const res = await ws.post('/users/delete', { external_ids: ['gone'] });
    expect(res.status).toBe(202);
    expect(res.json).toEqual({ message: 'success', deleted: 1 });
    expect(await exportUser(ws, 'gone')).toBeNull();
    await ws.post('/users/track', { attributes: [{ external_id: 'gone', last_name: 'New' }] });
    const fresh = await exportUser(ws, 'gone');
    expect(fresh.braze_id).not.toBe(oldId);
    expect(fresh.first_name).toBeUndefined();
    expect(fresh.last_name).toBe('New');
  });

  it('deletes by braze_id and alias in one request', async () => {
    const ws = await createWorkspace();
    await ws.post('/users/track', {
      attributes: [
        { external_id: 'd1', a: 1 },
        { external_id: 'd2', a: 1 },
      ],
    });
    await ws.post('/users/alias/new', { user_aliases: [{ external_id: 'd2', ...alias('d2') }] });
    const brazeId = (await exportUser(ws, 'd1')).braze_id;
    const res = await ws.post('/users/delete', {
      braze_ids: [brazeId],
      user_aliases: [alias('d2')],
    });
    expect(res.json.deleted).toBe(2);
  });

  it('deletes nothing when an email still matches several users', async () => {
    const ws = await createWorkspace();
    await ws.post('/users/track', {
      attributes: [
        { external_id: 'e1', email: 'dup@example.com' },
        { external_id: 'e2', email: 'dup@example.com' },
      ],
    });
    const res = await ws.post('/users/delete', {
      email_addresses: [{ email: 'dup@example.com', prioritization: ['identified'] }],
    });
    expect(res.json.deleted).toBe(0);
    expect(await exportUser(ws, 'e1')).not.toBeNull();
  });
});

describe('/users/merge', () => {
  it('merges with Braze merge rules and answers 202', async () => {
    const ws = await createWorkspace();
    await ws.post('/users/track', {
      attributes: [
        {
          external_id: 'old',
          first_name: 'Old',
          home_city: 'Oslo',
          date_of_first_session: '2020-01-01T00:00:00Z',
        },
        {
          external_id: 'cur',
          first_name: 'Current',
          date_of_first_session: '2022-01-01T00:00:00Z',
        },
      ],
      purchases: [
        { external_id: 'old', product_id: 'p', currency: 'USD', price: 5, time: now() },
        { external_id: 'cur', product_id: 'p', currency: 'USD', price: 7, time: now() },
      ],
    });
    const res = await ws.post('/users/merge', {
      merge_updates: [
        { identifier_to_merge: { external_id: 'old' }, identifier_to_keep: { external_id: 'cur' } },
      ],
    });
    expect(res.status).toBe(202);
    expect(res.json).toEqual({ message: 'success' });
    const cur = await exportUser(ws, 'cur');
    expect(cur).toMatchObject({ first_name: 'Current', home_city: 'Oslo', total_revenue: 12 });
    expect(cur.purchases[0].count).toBe(2);
    expect(await exportUser(ws, 'old')).toBeNull();
  });

  it('answers with Braze messages for malformed merge_updates', async () => {
    const ws = await createWorkspace();
    const cases: [unknown, string][] = [
      [{ merge_updates: [1] }, "'merge_updates' must be an array of objects"],
      [
        { merge_updates: [{ identifier_to_merge: { external_id: 'a' } }] },
        "'merge_updates' must only have 'identifier_to_merge' and 'identifier_to_keep'",
      ],
      [
        {
          merge_updates: [
            { identifier_to_merge: { braze_id: 'a' }, identifier_to_keep: { external_id: 'b' } },
          ],
        },
        "identifiers must be objects with an 'external_id' property that is a string, 'user_alias' property that is an object, 'email' property that is a string, or 'phone' property that is a string",
      ],
      [
        {
          merge_updates: Array.from({ length: 51 }, () => ({
            identifier_to_merge: { external_id: 'a' },
            identifier_to_keep: { external_id: 'b' },
          })),
        },
        'a single request may not contain more than 50 merge updates',
      ],
    ];
    for (const [body, message] of cases) {
      const res = await ws.post('/users/merge', body);
      expect(res.status).toBe(400);
      expect(res.json.message).toBe(message);
    }
  });
});

describe('external_id migration', () => {
  it('renames an external_id; the old one still resolves until removed', async () => {
    const ws = await createWorkspace();
    await ws.post('/users/track', { attributes: [{ external_id: 'v1', first_name: 'Ren' }] });
    const res = await ws.post('/users/external_ids/rename', {
      external_id_renames: [{ current_external_id: 'v1', new_external_id: 'v2' }],
    });
    expect(res.json).toEqual({ message: 'success', external_ids: ['v1'], rename_errors: [] });
    expect((await exportUser(ws, 'v2')).external_id).toBe('v2');
    expect((await exportUser(ws, 'v1')).first_name).toBe('Ren');
    await ws.post('/users/track', { attributes: [{ external_id: 'v1', last_name: 'ViaOld' }] });
    expect((await exportUser(ws, 'v2')).last_name).toBe('ViaOld');

    const primary = await ws.post('/users/external_ids/remove', { external_ids: ['v2'] });
    expect(primary.json.removal_errors).toEqual([[0, 'primary external_ids cannot be removed']]);
    const removed = await ws.post('/users/external_ids/remove', { external_ids: ['v1'] });
    expect(removed.json).toEqual({ message: 'success', removed_ids: ['v1'], removal_errors: [] });
    expect(await exportUser(ws, 'v1')).toBeNull();
    expect(await exportUser(ws, 'v2')).not.toBeNull();
  });

  it('refuses to rename onto an existing or deprecated external_id', async () => {
    const ws = await createWorkspace();
    await ws.post('/users/track', {
      attributes: [
        { external_id: 'a', x: 1 },
        { external_id: 'b', x: 1 },
      ],
    });
    const taken = await ws.post('/users/external_ids/rename', {
      external_id_renames: [{ current_external_id: 'a', new_external_id: 'b' }],
    });
    expect(taken.json.rename_errors).toEqual([[0, 'new_external_id already exists']]);
    await ws.post('/users/external_ids/rename', {
      external_id_renames: [{ current_external_id: 'a', new_external_id: 'a2' }],
    });
    const deprecated = await ws.post('/users/external_ids/rename', {
      external_id_renames: [{ current_external_id: 'b', new_external_id: 'a' }],
    });
    expect(deprecated.json.rename_errors).toEqual([[0, 'new_external_id already exists']]);
  });
});

describe('/users/export/ids', () => {
  it('exports only the requested fields', async () => {
    const ws = await createWorkspace();
    await ws.post('/users/track', {
      attributes: [{ external_id: 'f', first_name: 'F', email: 'f@example.com', x: 1 }],
    });
    const res = await ws.post('/users/export/ids', {
      external_ids: ['f'],
      fields_to_export: ['email', 'external_id'],
    });
    expect(res.json.users).toEqual([{ external_id: 'f', email: 'f@example.com' }]);
  });

  it('exports every user sharing an email', async () => {
    const ws = await createWorkspace();
    await ws.post('/users/track', {
      attributes: [
        { external_id: 's1', email: 'same@example.com' },
        { external_id: 's2', email: 'same@example.com' },
      ],
    });
    const res = await ws.post('/users/export/ids', {
      email_address: 'same@example.com',
      fields_to_export: ['external_id'],
    });
    expect(res.json.users.map((u: { external_id: string }) => u.external_id).sort()).toEqual([
      's1',
      's2',
    ]);
  });

  it('lists identifiers that matched no user in invalid_user_ids', async () => {
    const ws = await createWorkspace();
    const res = await ws.post('/users/export/ids', { external_ids: ['nobody'], braze_id: 'zz' });
    expect(res.json).toEqual({ message: 'success', users: [], invalid_user_ids: ['nobody', 'zz'] });
  });

  it('answers 400 when nothing is requested', async () => {
    const ws = await createWorkspace();
    const res = await ws.post('/users/export/ids', { fields_to_export: ['email'] });
    expect(res.status).toBe(400);
  });
});
