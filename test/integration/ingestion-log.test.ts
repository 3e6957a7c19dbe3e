import { env, runInDurableObject, SELF } from 'cloudflare:test';
import { describe, expect, it } from 'vitest';
import { SHARD_BACKLOG_LIMIT, shardOf } from '../../src/ingestion/enqueue';
import { MAX_ATTEMPTS } from '../../src/ingestion/log-store';
import { INGEST_SHARDS, ingestShardStub, profileStub } from '../../src/lib/stubs';
import type { IngestShard } from '../../workers/ingest-shard';
import { createApp } from '../fixtures/campaigns';
import { eventually } from '../fixtures/delivery';
import { BASE, call, createWorkspace, exportUser, type TestWorkspace } from '../fixtures/workspace';

// The queued /users/track path (the deployed default): 201 once the objects are in the
// ingestion log, applied by the shard's alarm in accepted order, exactly once.

const queued = () => createWorkspace({ track_apply: 'queued' });
const T = '2026-11-20T10:00:00Z';

async function ingestion(ws: TestWorkspace): Promise<any> {
  const res = await call('/herald/ingestion', { key: ws.key });
  expect(res.status).toBe(200);
  return res.json();
}

async function settled(ws: TestWorkspace) {
  return eventually(
    () => ingestion(ws),
    (s) => s.pending_objects === 0,
  );
}

describe('queued /users/track', () => {
  it('answers 201 with the counts Braze gives, then applies the objects', async () => {
    const ws = await queued();
    const res = await ws.post('/users/track', {
      attributes: [{ external_id: 'q1', first_name: 'Ana', plan: 'pro' }],
      events: [{ external_id: 'q1', name: 'played', time: T }],
      purchases: [{ external_id: 'q1', product_id: 'gold', currency: 'USD', price: 2, time: T }],
    });
    expect(res.status).toBe(201);
    expect(res.json).toEqual({
      message: 'success',
      attributes_processed: 1,
      events_processed: 1,
      purchases_processed: 1,
    });
    const user = await eventually(
      () => exportUser(ws, 'q1'),
      (u) => u?.purchases?.length === 1,
    );
    expect(user.first_name).toBe('Ana');
    expect(user.custom_attributes).toEqual({ plan: 'pro' });
    expect(user.custom_events).toEqual([expect.objectContaining({ name: 'played', count: 1 })]);
    const s = await settled(ws);
    expect(s.accepted_objects).toBe(3);
    expect(s.applied_objects).toBe(3);
    expect(s.dead_letters).toBe(0);
  });

  it('still refuses invalid objects at once, and queues the valid ones', async () => {
    const ws = await queued();
    const res = await ws.post('/users/track', {
      events: [
        { external_id: 'q2', name: 'ok', time: T },
        { external_id: 'q2', name: 'no time' },
      ],
    });
    expect(res.status).toBe(201);
    expect(res.json.events_processed).toBe(1);
    expect(res.json.errors).toHaveLength(1);
    expect(res.json.errors[0]).toMatchObject({ input_array: 'events', index: 1 });
    const user = await eventually(
      () => exportUser(ws, 'q2'),
      (u) => u !== null,
    );
    expect(user.custom_events).toEqual([expect.objectContaining({ name: 'ok', count: 1 })]);
  });

  it("keeps one user's requests in order and applies each once", async () => {
    const ws = await queued();
    for (let i = 0; i < 20; i++) {
      const res = await ws.post('/users/track', {
        attributes: [{ external_id: 'q3', step: i }],
        events: [{ external_id: 'q3', name: 'tick', time: T }],
      });
      expect(res.status).toBe(201);
    }
    await settled(ws);
    const user = await exportUser(ws, 'q3');
    expect(user.custom_attributes.step).toBe(19);
    expect(user.custom_events).toEqual([expect.objectContaining({ name: 'tick', count: 20 })]);
  });

  it('groups concurrent requests to one shard into fewer appends, and applies every one once', async () => {
    const ws = await queued();
    // 24 users whose objects queue in the same shard, each sent by its own concurrent request.
    const users: string[] = [];
    for (let i = 0; users.length < 24; i++) {
      if (shardOf({ kind: 'external_id', value: `gc${i}` }).shard === 0) users.push(`gc${i}`);
    }
    const answers = await Promise.all(
      users.map((u, i) =>
        ws.post('/users/track', {
          attributes: [{ external_id: u, rank: i }],
          events: [{ external_id: u, name: 'joined', time: T }],
        }),
      ),
    );
    expect(answers.map((a) => a.status)).toEqual(users.map(() => 201));
    const status = await settled(ws);
    expect(status.accepted_objects).toBe(48);
    expect(status.applied_objects).toBe(48);
    const shard0 = status.shards[0];
    expect(shard0.appends).toBeGreaterThan(0);
    expect(shard0.appends).toBeLessThan(users.length);
    expect(status.appends).toBe(shard0.appends);
    const exported = await ws.post('/users/export/ids', { external_ids: users });
    const byId = new Map<string, any>(exported.json.users.map((u: any) => [u.external_id, u]));
    for (const [i, u] of users.entries()) {
      expect(byId.get(u)?.custom_attributes.rank).toBe(i);
      expect(byId.get(u)?.custom_events).toEqual([
        expect.objectContaining({ name: 'joined', count: 1 }),
      ]);
    }
  });

  it('answers 429 for a shard holding more than its backlog limit, storing nothing of the request', async () => {
    const ws = await queued();
    const { shard, key } = shardOf({ kind: 'external_id', value: 'bp0' });
    const sameShard = (prefix: string) => {
      for (let i = 0; ; i++) {
        if (shardOf({ kind: 'external_id', value: `${prefix}${i}` }).shard === shard) {
          return `${prefix}${i}`;
        }
      }
    };
    // A backlog: one stored row that counts for more objects than the limit (as if the drain had
    // fallen far behind), stored without waking the drain.
    await runInDurableObject(ingestShardStub(env.INGEST_SHARD, ws.id, shard), (instance) => {
      const store = (
        instance as unknown as { store: import('../../src/ingestion/log-store').IngestLogStore }
      ).store;
      const identifier = { kind: 'external_id', value: 'bp0' };
      const body = {
        identifier,
        attributes: [],
        events: [
          {
            index: 0,
            identifier,
            name: 'backlog',
            time: Date.parse(T),
            appId: null,
            properties: {},
            updateExistingOnly: false,
          },
        ],
        purchases: [],
        settings: { arrayMaxLength: 25 },
      };
      store.append(ws.id, JSON.stringify([{ key, body }]), SHARD_BACKLOG_LIMIT + 1, Date.now());
    });
    // The request that finds the backlog is stored (its append tells the isolate the depth)...
    const first = sameShard('bp-a');
    const stored = await ws.post('/users/track', { attributes: [{ external_id: first, n: 1 }] });
    expect(stored.status).toBe(201);
    // ...and the next one for that shard is refused whole, in Braze's envelope, before storing.
    const refused = sameShard('bp-b');
    const other = (() => {
      for (let i = 0; ; i++) {
        if (shardOf({ kind: 'external_id', value: `bp-c${i}` }).shard !== shard) return `bp-c${i}`;
      }
    })();
    const res = await ws.post('/users/track', {
      attributes: [
        { external_id: other, n: 2 },
        { external_id: refused, n: 2 },
      ],
    });
    expect(res.status).toBe(429);
    expect(res.json.message).toBe('API rate limit exceeded');
    expect(res.json.errors[0]).toContain('Ingestion is behind');
    // The backlog drains; after the recheck interval the shard takes requests again.
    await settled(ws);
    await new Promise((r) => setTimeout(r, 1_100));
    const again = await ws.post('/users/track', { attributes: [{ external_id: refused, n: 3 }] });
    expect(again.status).toBe(201);
    const status = await settled(ws);
    expect(status.dead_letters).toBe(0);
    const exported = await ws.post('/users/export/ids', { external_ids: [first, other, refused] });
    const n = new Map(exported.json.users.map((u: any) => [u.external_id, u.custom_attributes.n]));
    // Nothing of the refused request landed: `other` was never created, `refused` has n = 3.
    expect(n).toEqual(
      new Map([
        [first, 1],
        [refused, 3],
      ]),
    );
  });

  it('applies an entry once even when two drains race for it', async () => {
    const ws = await queued();
    const { shard, key } = shardOf({ kind: 'external_id', value: 'q4' });
    const stub = ingestShardStub(env.INGEST_SHARD, ws.id, shard);
    // Store without waking the alarm, then drain from two sides at once.
    await runInDurableObject(stub, (instance: IngestShard) => {
      const store = (
        instance as unknown as { store: import('../../src/ingestion/log-store').IngestLogStore }
      ).store;
      for (let i = 0; i < 5; i++) {
        store.append(
          ws.id,
          JSON.stringify([
            {
              key,
              body: {
                identifier: { kind: 'external_id', value: 'q4' },
                attributes: [],
                events: [
                  {
                    index: i,
                    identifier: { kind: 'external_id', value: 'q4' },
                    name: 'race',
                    time: Date.parse(T),
                    appId: null,
                    properties: {},
                    updateExistingOnly: false,
                  } as never,
                ],
                purchases: [],
                settings: { arrayMaxLength: 25 },
              },
            },
          ]),
          1,
          Date.now(),
        );
      }
    });
    await Promise.all([stub.flushKey({ key }), stub.drain(), stub.flushKey({ key })]);
    await settled(ws);
    const user = await exportUser(ws, 'q4');
    expect(user.custom_events).toEqual([expect.objectContaining({ name: 'race', count: 5 })]);
  });

  it('lets a caller read its writes, and a delete right after a track stays a delete', async () => {
    const ws = await queued();
    await ws.post('/users/track', { attributes: [{ external_id: 'q8', plan: 'gold' }] });
    // No waiting: the export applies what is queued for the users it reads.
    expect((await exportUser(ws, 'q8')).custom_attributes).toEqual({ plan: 'gold' });
    await ws.post('/users/track', { events: [{ external_id: 'q9', name: 'late', time: T }] });
    const del = await ws.post('/users/delete', { external_ids: ['q9'] });
    expect(del.json).toEqual({ message: 'success', deleted: 1 });
    await settled(ws);
    expect(await exportUser(ws, 'q9')).toBeNull();
  });

  it('drops objects for nobody when _update_existing_only says so, and counts them', async () => {
    const ws = await queued();
    const res = await ws.post('/users/track', {
      attributes: [{ external_id: 'ghost', _update_existing_only: true, plan: 'x' }],
    });
    expect(res.status).toBe(201);
    const s = await eventually(
      () => ingestion(ws),
      (v) => v.skipped_objects === 1,
    );
    expect(s.pending_objects).toBe(0);
    expect(await exportUser(ws, 'ghost')).toBeNull();
  });

  it('moves an entry that keeps failing to the dead letters, and the rest still applies', async () => {
    const ws = await queued();
    const good = shardOf({ kind: 'external_id', value: 'q5' });
    const stub = ingestShardStub(env.INGEST_SHARD, ws.id, good.shard);
    const event = (value: string) => ({
      index: 0,
      identifier: { kind: 'external_id', value },
      name: 'kept',
      time: Date.parse(T),
      appId: null,
      properties: {},
      updateExistingOnly: false,
    });
    // One row, two entries: one whose event has no properties map (the profile throws on it every
    // attempt), one for q5 (it applies; the row keeps only the failing entry).
    await runInDurableObject(stub, (instance: IngestShard) => {
      const store = (
        instance as unknown as { store: import('../../src/ingestion/log-store').IngestLogStore }
      ).store;
      store.append(
        ws.id,
        JSON.stringify([
          {
            key: 'external_id:poison',
            body: {
              identifier: { kind: 'external_id', value: 'poison' },
              attributes: [],
              events: [{ ...event('poison'), properties: undefined }],
              purchases: [],
              settings: { arrayMaxLength: 25 },
            },
          },
          {
            key: good.key,
            body: {
              identifier: { kind: 'external_id', value: 'q5' },
              attributes: [],
              events: [event('q5')],
              purchases: [],
              settings: { arrayMaxLength: 25 },
            },
          },
        ]),
        2,
        Date.now(),
      );
    });
    await ws.post('/users/track', { attributes: [{ external_id: 'q5', plan: 'ok' }] });
    const s = await eventually(
      () => ingestion(ws),
      (v) => v.dead_letters === 1 && v.pending_objects === 0,
    );
    expect(s.dead_letters).toBe(1);
    expect(s.last_error).toContain('NOT NULL constraint failed');
    const q5 = await exportUser(ws, 'q5');
    expect(q5.custom_attributes).toEqual({ plan: 'ok' });
    expect(q5.custom_events).toEqual([expect.objectContaining({ name: 'kept', count: 1 })]);
    const dead = (await (
      await call('/herald/ingestion/dead_letters', { key: ws.key })
    ).json()) as any;
    expect(dead.dead_letters).toEqual([
      expect.objectContaining({ key: 'external_id:poison', attempts: MAX_ATTEMPTS, objects: 1 }),
    ]);
  });

  it('keeps segment membership in real time through the log', async () => {
    const ws = await queued();
    const seg = await ws.post('/herald/segments', {
      name: 'pros',
      filter: {
        custom_attribute: { custom_attribute_name: 'plan', comparison: 'equals', value: 'pro' },
      },
    });
    expect(seg.status).toBe(201);
    await ws.post('/users/track', { attributes: [{ external_id: 'q6', plan: 'pro' }] });
    const user = await eventually(
      () => exportUser(ws, 'q6'),
      (u) => u !== null,
    );
    const memberships = await profileStub(env.USER_PROFILE, ws.id, user.braze_id).memberships({
      workspaceId: ws.id,
      profileId: user.braze_id,
      addressedBy: null,
      now: Date.now(),
    });
    expect(memberships.status).toBe('ok');
    if (memberships.status === 'ok') {
      expect(memberships.segments.map((m) => m.segment_id)).toEqual([seg.json.id]);
    }
  });

  it('answers the status with every shard, and needs its permission', async () => {
    const ws = await queued();
    const s = await ingestion(ws);
    expect(s.shards).toHaveLength(INGEST_SHARDS);
    const weak = await ws.keyWith(['users.track']);
    const res = await call('/herald/ingestion', { key: weak });
    expect(res.status).toBe(403);
    // Another workspace's status counts only its own objects.
    await ws.post('/users/track', { attributes: [{ external_id: 'q7', plan: 'a' }] });
    const other = await queued();
    expect((await ingestion(other)).accepted_objects).toBe(0);
    expect((await settled(ws)).accepted_objects).toBe(1);
  });
});

describe('queued SDK batches', () => {
  const uid = (p: string) => `${p}-${crypto.randomUUID()}`;
  let n = 0;
  const item = (
    user: Record<string, string>,
    type: string,
    fields: Record<string, unknown> = {},
  ) => ({
    id: uid(`item${n++}`),
    user,
    type,
    time: Date.now() - 1_000,
    ...fields,
  });
  async function batch(body: unknown) {
    const res = await SELF.fetch(`${BASE}/sdk/v1/batch`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
    return { status: res.status, json: (await res.json()) as any };
  }

  it('queues a device batch, and an identify in a later batch still carries its history over', async () => {
    const ws = await queued();
    const appKey = await createApp(ws);
    const anon = { anonymous_id: uid('anon') };
    const known = uid('known');
    await ws.post('/users/track', { attributes: [{ external_id: known, first_name: 'Grace' }] });
    const first = await batch({
      app_key: appKey,
      items: [
        item(anon, 'attributes', { attributes: { first_name: 'Anon', last_name: 'Device' } }),
        item(anon, 'event', { name: 'played' }),
      ],
    });
    expect(first.json).toEqual({ message: 'success', accepted: 2, errors: [] });
    // Straight away, before the drain: the identify applies what both users queued first.
    const second = await batch({
      app_key: appKey,
      items: [
        item(anon, 'identify', { anonymous_id: anon.anonymous_id, external_id: known }),
        item({ external_id: known }, 'event', { name: 'after_login' }),
      ],
    });
    expect(second.json).toEqual({ message: 'success', accepted: 2, errors: [] });
    const user = await eventually(
      () => exportUser(ws, known),
      (u) => u?.custom_events?.length === 2,
    );
    expect(user.first_name).toBe('Grace');
    expect(user.last_name).toBe('Device');
    expect(user.custom_events.map((e: any) => e.name).sort()).toEqual(['after_login', 'played']);
    await settled(ws);
  });
});
