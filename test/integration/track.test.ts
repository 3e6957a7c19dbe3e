import { SELF } from 'cloudflare:test';
import { describe, expect, it } from 'vitest';
import { BASE, call, createWorkspace, exportUser } from '../fixtures/workspace';

const NOW = () => new Date().toISOString();

describe('/users/track: bad input', () => {
  it('answers 400 for malformed JSON and names the problem', async () => {
    const ws = await createWorkspace();
    const res = await call('/users/track', { key: ws.key, rawBody: '{"attributes": [' });
    expect(res.status).toBe(400);
    expect(((await res.json()) as { message: string }).message).toMatch(
      /^Invalid JSON in request body/,
    );
  });

  it('answers 400 when the body is not an object', async () => {
    const ws = await createWorkspace();
    const res = await ws.post('/users/track', [1, 2]);
    expect(res.status).toBe(400);
    expect(res.json.message).toBe('Invalid request body: expected a JSON object');
  });

  it('answers 400 when attributes is not an array', async () => {
    const ws = await createWorkspace();
    const res = await ws.post('/users/track', { attributes: { external_id: 'x' } });
    expect(res.status).toBe(400);
    expect(res.json.message).toBe('Invalid request body: attributes must be an array');
  });

  it('answers 400 Max Input Length Exceeded above 75 objects in an array, applying nothing', async () => {
    const ws = await createWorkspace();
    const events = Array.from({ length: 76 }, (_, i) => ({
      external_id: `cap${i}`,
      name: 'e',
      time: NOW(),
    }));
    const res = await ws.post('/users/track', { events });
    expect(res.status).toBe(400);
    expect(res.json).toEqual({ message: 'Max Input Length Exceeded' });
    expect(await exportUser(ws, 'cap0')).toBeNull();
  });

  it('applies the combined 50-object cap when the workspace is configured for it', async () => {
    const ws = await createWorkspace({ track_cap_mode: 'combined_50' });
    const attributes = Array.from({ length: 30 }, (_, i) => ({ external_id: `c${i}`, n: i }));
    const events = Array.from({ length: 21 }, (_, i) => ({
      external_id: `c${i}`,
      name: 'e',
      time: NOW(),
    }));
    const res = await ws.post('/users/track', { attributes, events });
    expect(res.status).toBe(400);
    expect(res.json.message).toBe('Max Input Length Exceeded');
  });

  it('rejects a body over 4 MB with a clear message', async () => {
    const ws = await createWorkspace();
    const big = 'x'.repeat(4 * 1024 * 1024 + 10);
    const res = await call('/users/track', { key: ws.key, rawBody: `{"pad":"${big}"}` });
    expect(res.status).toBe(400);
    expect(((await res.json()) as { message: string }).message).toBe(
      'Request body too large: the limit is 4 MB',
    );
  });

  it('measures a body sent without a declared length (chunked) against the same cap', async () => {
    const ws = await createWorkspace();
    const streamed = (text: string) =>
      SELF.fetch(`${BASE}/users/track`, {
        method: 'POST',
        headers: { authorization: `Bearer ${ws.key}`, 'content-type': 'application/json' },
        body: new Blob([text]).stream(),
      });
    const small = await streamed(JSON.stringify({ attributes: [{ external_id: 'chunk1', n: 1 }] }));
    expect(small.status).toBe(201);
    expect((await exportUser(ws, 'chunk1')).custom_attributes).toEqual({ n: 1 });
    const big = await streamed(`{"pad":"${'x'.repeat(4 * 1024 * 1024 + 10)}"}`);
    expect(big.status).toBe(400);
    expect(((await big.json()) as { message: string }).message).toBe(
      'Request body too large: the limit is 4 MB',
    );
    const broken = await streamed('{"attributes": [');
    expect(broken.status).toBe(400);
    expect(((await broken.json()) as { message: string }).message).toMatch(
      /^Invalid JSON in request body/,
    );
  });

  it('lists invalid objects in errors while the valid ones land', async () => {
    const ws = await createWorkspace();
    const res = await ws.post('/users/track', {
      attributes: [
        { external_id: 'ok1', first_name: 'Valid' },
        { first_name: 'No identifier' },
        { external_id: 'bad1', gender: 'X' },
      ],
      events: [{ external_id: 'ok1', name: 'e', time: 'not a time' }],
    });
    expect(res.status).toBe(201);
    expect(res.json.attributes_processed).toBe(1);
    expect(res.json.events_processed).toBe(0);
    expect(
      res.json.errors.map(
        (e: { input_array: string; index: number }) => `${e.input_array}[${e.index}]`,
      ),
    ).toEqual(['attributes[1]', 'attributes[2]', 'events[0]']);
    expect((await exportUser(ws, 'ok1')).first_name).toBe('Valid');
    expect(await exportUser(ws, 'bad1')).toBeNull();
  });

  it('rejects a string attribute longer than 255 characters without touching the profile', async () => {
    const ws = await createWorkspace();
    await ws.post('/users/track', {
      attributes: [{ external_id: 'long', nickname: 'short', tier: 'gold' }],
    });
    const res = await ws.post('/users/track', {
      attributes: [{ external_id: 'long', nickname: 'y'.repeat(256), tier: 'platinum' }],
    });
    expect(res.json.errors).toHaveLength(1);
    expect((await exportUser(ws, 'long')).custom_attributes).toEqual({
      nickname: 'short',
      tier: 'gold',
    });
  });

  it('rolls back a whole object whose operation conflicts with the stored type', async () => {
    const ws = await createWorkspace();
    await ws.post('/users/track', { attributes: [{ external_id: 't1', plan: 'pro' }] });
    const res = await ws.post('/users/track', {
      attributes: [{ external_id: 't1', first_name: 'Changed', plan: { inc: 1 } }],
    });
    expect(res.status).toBe(201);
    expect(res.json.attributes_processed).toBe(0);
    expect(res.json.errors[0]).toMatchObject({
      type: 'rejected',
      input_array: 'attributes',
      index: 0,
    });
    const user = await exportUser(ws, 't1');
    expect(user.first_name).toBeUndefined();
    expect(user.custom_attributes.plan).toBe('pro');
  });
});

describe('/users/track: attributes', () => {
  it('stores standard profile fields and normalises country names', async () => {
    const ws = await createWorkspace();
    await ws.post('/users/track', {
      attributes: [
        {
          external_id: 's1',
          first_name: 'Jon',
          last_name: 'Doe',
          email: 'jon@example.com',
          dob: '1988-02-14',
          country: 'Australia',
          language: 'en',
          gender: 'M',
          time_zone: 'America/New_York',
          home_city: 'Sydney',
          phone: '+61255501234',
          email_subscribe: 'opted_in',
          current_location: { longitude: 151.2, latitude: -33.9 },
        },
      ],
    });
    const user = await exportUser(ws, 's1');
    expect(user).toMatchObject({
      first_name: 'Jon',
      last_name: 'Doe',
      email: 'jon@example.com',
      dob: '1988-02-14',
      country: 'AU',
      language: 'en',
      gender: 'M',
      time_zone: 'America/New_York',
      home_city: 'Sydney',
      phone: '+61255501234',
      email_subscribe: 'opted_in',
      last_coordinates: [151.2, -33.9],
    });
    expect(user.braze_id).toMatch(/^[0-9a-f]{24}$/);
    expect(user.random_bucket).toBeGreaterThanOrEqual(0);
    expect(user.created_at).toMatch(/^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d{3} UTC$/);
  });

  it('removes an attribute set to null', async () => {
    const ws = await createWorkspace();
    await ws.post('/users/track', {
      attributes: [{ external_id: 'n1', first_name: 'A', color: 'red' }],
    });
    await ws.post('/users/track', {
      attributes: [{ external_id: 'n1', first_name: null, color: null }],
    });
    const user = await exportUser(ws, 'n1');
    expect(user.first_name).toBeUndefined();
    expect(user.custom_attributes).toBeUndefined();
  });

  it('increments numbers with inc, starting from zero', async () => {
    const ws = await createWorkspace();
    await ws.post('/users/track', { attributes: [{ external_id: 'i1', points: { inc: 5 } }] });
    await ws.post('/users/track', { attributes: [{ external_id: 'i1', points: { inc: -2 } }] });
    expect((await exportUser(ws, 'i1')).custom_attributes.points).toBe(3);
  });

  it('keeps array values unique, moves re-added values to the end and evicts the oldest past the cap', async () => {
    const ws = await createWorkspace({ array_max_length: 3 });
    await ws.post('/users/track', {
      attributes: [{ external_id: 'arr', tags: ['a', 'b', 'a', 'c'] }],
    });
    expect((await exportUser(ws, 'arr')).custom_attributes.tags).toEqual(['a', 'b', 'c']);
    await ws.post('/users/track', {
      attributes: [{ external_id: 'arr', tags: { add: ['a', 'd'], remove: ['b'] } }],
    });
    expect((await exportUser(ws, 'arr')).custom_attributes.tags).toEqual(['c', 'a', 'd']);
    await ws.post('/users/track', { attributes: [{ external_id: 'arr', tags: { add: ['e'] } }] });
    expect((await exportUser(ws, 'arr')).custom_attributes.tags).toEqual(['a', 'd', 'e']);
  });

  it('replaces nested objects unless _merge_objects is true', async () => {
    const ws = await createWorkspace();
    const song = { song_name: 'Solea', play_analytics: { count: 1000 } };
    await ws.post('/users/track', { attributes: [{ external_id: 'obj', most_played_song: song }] });
    await ws.post('/users/track', {
      attributes: [
        {
          external_id: 'obj',
          _merge_objects: true,
          most_played_song: { year_released: 1960, play_analytics: { top: 'x' } },
        },
      ],
    });
    expect((await exportUser(ws, 'obj')).custom_attributes.most_played_song).toEqual({
      song_name: 'Solea',
      year_released: 1960,
      play_analytics: { count: 1000, top: 'x' },
    });
    await ws.post('/users/track', {
      attributes: [{ external_id: 'obj', most_played_song: { only: true } }],
    });
    expect((await exportUser(ws, 'obj')).custom_attributes.most_played_song).toEqual({
      only: true,
    });
  });

  it('applies $remove, $update and $add to arrays of objects', async () => {
    const ws = await createWorkspace();
    await ws.post('/users/track', {
      attributes: [
        {
          external_id: 'pets',
          pets: [
            { id: 1, type: 'dog', name: 'Gus' },
            { id: 2, type: 'cat', name: 'Mo' },
          ],
        },
      ],
    });
    await ws.post('/users/track', {
      attributes: [
        {
          external_id: 'pets',
          _merge_objects: true,
          pets: {
            $remove: [{ $identifier_key: 'type', $identifier_value: 'dog' }],
            $update: [
              { $identifier_key: 'id', $identifier_value: 2, $new_object: { breed: 'tabby' } },
            ],
            $add: [{ id: 3, type: 'fish', name: 'Bo' }],
          },
        },
      ],
    });
    expect((await exportUser(ws, 'pets')).custom_attributes.pets).toEqual([
      { id: 2, type: 'cat', name: 'Mo', breed: 'tabby' },
      { id: 3, type: 'fish', name: 'Bo' },
    ]);
  });

  it('stores date-like strings as times', async () => {
    const ws = await createWorkspace();
    await ws.post('/users/track', {
      attributes: [{ external_id: 'd1', renewal: '2026-12-01T10:00:00Z' }],
    });
    expect((await exportUser(ws, 'd1')).custom_attributes.renewal).toBe('2026-12-01T10:00:00.000Z');
  });
});

describe('/users/track: identification', () => {
  it('does not create a user when _update_existing_only is true', async () => {
    const ws = await createWorkspace();
    const res = await ws.post('/users/track', {
      attributes: [{ external_id: 'ghost', _update_existing_only: true, a: 1 }],
    });
    expect(res.status).toBe(201);
    expect(await exportUser(ws, 'ghost')).toBeNull();
  });

  it('updates only existing alias users unless _update_existing_only is false', async () => {
    const ws = await createWorkspace();
    const alias = { alias_name: 'dev-1', alias_label: 'device' };
    await ws.post('/users/track', { attributes: [{ user_alias: alias, first_name: 'Skipped' }] });
    let found = await ws.post('/users/export/ids', { user_aliases: [alias] });
    expect(found.json.users).toEqual([]);
    await ws.post('/users/track', {
      attributes: [{ user_alias: alias, _update_existing_only: false, first_name: 'Created' }],
    });
    await ws.post('/users/track', { attributes: [{ user_alias: alias, last_name: 'Updated' }] });
    found = await ws.post('/users/export/ids', { user_aliases: [alias] });
    expect(found.json.users[0]).toMatchObject({
      first_name: 'Created',
      last_name: 'Updated',
      user_aliases: [alias],
    });
  });

  it('reaches the same profile by braze_id', async () => {
    const ws = await createWorkspace();
    await ws.post('/users/track', { attributes: [{ external_id: 'b1', a: 1 }] });
    const brazeId = (await exportUser(ws, 'b1')).braze_id;
    await ws.post('/users/track', { attributes: [{ braze_id: brazeId, a: 2 }] });
    expect((await exportUser(ws, 'b1')).custom_attributes.a).toBe(2);
  });

  it('creates email-only users and finds them again by email', async () => {
    const ws = await createWorkspace();
    await ws.post('/users/track', {
      attributes: [{ email: 'solo@example.com', first_name: 'Solo' }],
    });
    await ws.post('/users/track', {
      attributes: [{ email: 'solo@example.com', last_name: 'Again' }],
    });
    const res = await ws.post('/users/export/ids', { email_address: 'solo@example.com' });
    expect(res.json.users).toHaveLength(1);
    expect(res.json.users[0]).toMatchObject({
      first_name: 'Solo',
      last_name: 'Again',
      email: 'solo@example.com',
    });
  });

  it('writes by email to the most recently updated identified profile', async () => {
    const ws = await createWorkspace();
    await ws.post('/users/track', { attributes: [{ email: 'shared@example.com', n: 'anon' }] });
    await ws.post('/users/track', {
      attributes: [{ external_id: 'known', email: 'shared@example.com' }],
    });
    await ws.post('/users/track', { attributes: [{ email: 'shared@example.com', picked: true }] });
    expect((await exportUser(ws, 'known')).custom_attributes.picked).toBe(true);
  });
});

describe('/users/track: events and purchases', () => {
  it('keeps per-event count, first and last time', async () => {
    const ws = await createWorkspace();
    const day = 86_400_000;
    const base = Math.floor(Date.now() / 1000) * 1000;
    const t = (d: number) => new Date(base - d * day).toISOString();
    await ws.post('/users/track', {
      events: [
        { external_id: 'ev', name: 'played', time: t(3) },
        { external_id: 'ev', name: 'played', time: t(1) },
        { external_id: 'ev', name: 'played', time: t(2), properties: { level: 4 } },
      ],
    });
    expect((await exportUser(ws, 'ev')).custom_events).toEqual([
      { name: 'played', first: t(3), last: t(1), count: 3 },
    ]);
  });

  it('lists only events seen in the last 90 days, with all-time first and count', async () => {
    const ws = await createWorkspace();
    const old = new Date(Date.now() - 120 * 86_400_000).toISOString();
    await ws.post('/users/track', {
      events: [
        { external_id: 'win', name: 'stale', time: old },
        { external_id: 'win', name: 'fresh', time: old },
        { external_id: 'win', name: 'fresh', time: new Date().toISOString() },
      ],
    });
    const events = (await exportUser(ws, 'win')).custom_events;
    expect(
      events.map((e: { name: string; count: number; first: string }) => [e.name, e.count, e.first]),
    ).toEqual([['fresh', 2, old]]);
  });

  it('clamps future event times to now', async () => {
    const ws = await createWorkspace();
    await ws.post('/users/track', {
      events: [{ external_id: 'fut', name: 'x', time: '2999-01-01T00:00:00Z' }],
    });
    const last = Date.parse((await exportUser(ws, 'fut')).custom_events[0].last);
    expect(last).toBeLessThanOrEqual(Date.now());
  });

  it('counts a purchase of quantity N as N purchases and sums revenue', async () => {
    const ws = await createWorkspace();
    await ws.post('/users/track', {
      purchases: [
        {
          external_id: 'buyer',
          product_id: 'backpack',
          currency: 'USD',
          price: 40,
          quantity: 2,
          time: NOW(),
        },
        { external_id: 'buyer', product_id: 'hat', currency: 'usd', price: 10.5, time: NOW() },
      ],
    });
    const user = await exportUser(ws, 'buyer');
    expect(user.total_revenue).toBe(90.5);
    expect(user.purchases.map((p: { name: string; count: number }) => [p.name, p.count])).toEqual([
      ['backpack', 2],
      ['hat', 1],
    ]);
  });

  it('answers counts per array as Braze does', async () => {
    const ws = await createWorkspace();
    const res = await ws.post('/users/track', {
      attributes: [{ external_id: 'cnt', a: 1 }],
      events: [
        { external_id: 'cnt', name: 'a', time: NOW() },
        { external_id: 'cnt2', name: 'b', time: NOW() },
      ],
    });
    expect(res.json).toEqual({ message: 'success', attributes_processed: 1, events_processed: 2 });
  });
});
