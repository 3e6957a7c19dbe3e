import { env, runInDurableObject } from 'cloudflare:test';
import { describe, expect, it } from 'vitest';
import { BufferStore } from '../../src/currents/buffer-store';
import { EVENT_TYPES, eventSpec, SCHEMA_ID } from '../../src/currents/catalog';
import { getConnector } from '../../src/currents/connectors';
import { type CurrentsEvent, currentsEvents } from '../../src/currents/events';
import { flushBuffer } from '../../src/currents/flush';
import { recordTracked } from '../../src/tracking/record';
import {
  buffer,
  connectorStatus,
  createConnector,
  decodeAvro,
  objects,
} from '../fixtures/currents';
import { eventually } from '../fixtures/delivery';
import { createWorkspace, exportUser, type TestWorkspace } from '../fixtures/workspace';

const KEY = new RegExp(
  `^currents/dataexport\\.herald-01\\.S3\\.integration\\.([0-9a-f]{24})/event_type=([A-Za-z.]+)/date=(\\d{4}-\\d{2}-\\d{2}-\\d{2})/${SCHEMA_ID}/a/dataexport\\.herald-01\\.S3\\.integration\\.\\1\\+0\\+(\\d{10})\\.avro$`,
);

async function waiting(ws: TestWorkspace, connectorId: string, n: number) {
  const s = await eventually(
    () => connectorStatus(ws, connectorId),
    (s) => s.events_waiting >= n,
  );
  expect(s.events_waiting).toBeGreaterThanOrEqual(n);
}

async function fileOf(connectorId: string, type: string) {
  const list = await objects(
    `currents/dataexport.herald-01.S3.integration.${connectorId}/event_type=${type}/`,
  );
  expect(list).toHaveLength(1);
  return { key: list[0]!.key, ...(await decodeAvro(list[0]!.key)) };
}

/** Synthetic custom events for buffer-level tests. */
function customEvents(ws: TestWorkspace, n: number, from = 0): CurrentsEvent[] {
  const out: CurrentsEvent[] = [];
  for (let i = from; i < from + n; i++) {
    out.push(
      ...currentsEvents(
        {
          type: 'event.custom',
          id: `rec-${i}`,
          seq: i + 1,
          time: 1_777_629_600_000 + i,
          event_id: `e-${i}`,
          name: 'played',
          app_id: null,
          properties: { i },
        },
        {
          workspaceId: ws.id,
          userId: 'aaaaaaaaaaaaaaaaaaaaaaaa',
          externalUserId: `u-${i}`,
          email: null,
          phone: null,
          timezone: null,
          randomBucket: null,
        },
      ),
    );
  }
  return out;
}

describe('Currents storage connectors', () => {
  it("write a user's events as Avro files that avsc decodes field for field, in Braze's key layout", async () => {
    const ws = await createWorkspace();
    const c = await createConnector(ws, {
      name: 'lake',
      type: 'storage',
      storage: { codec: 'deflate' },
    });
    expect(c.storage).toEqual({
      prefix: 'currents',
      codec: 'deflate',
      key_prefix: `currents/dataexport.herald-01.S3.integration.${c.id}/`,
    });
    const track = await ws.post('/users/track', {
      attributes: [
        {
          external_id: 'u1',
          email: 'ada@example.com',
          time_zone: 'Europe/Paris',
          email_subscribe: 'opted_in',
        },
      ],
      events: [
        {
          external_id: 'u1',
          name: 'played',
          time: '2026-05-01T10:00:00Z',
          properties: { level: 3, tags: ['a', 'b'] },
        },
      ],
      purchases: [
        {
          external_id: 'u1',
          product_id: 'sword',
          currency: 'USD',
          price: 12.5,
          quantity: 2,
          time: '2026-05-01T10:01:00Z',
        },
      ],
    });
    expect(track.status).toBe(201);
    const user = await exportUser(ws, 'u1');
    await recordTracked(
      env,
      {
        workspaceId: ws.id,
        profileId: user.braze_id,
        channel: 'email',
        dispatchId: 'dispatch-1',
        sendId: 'send-1',
        campaignId: 'campaign-1',
        variantId: 'variant-1',
      },
      {
        event: 'open',
        eventId: 'open-1',
        at: Date.parse('2026-05-01T11:00:00Z'),
        detail: { user_agent: 'Mozilla/5.0', machine_open: 'true', is_amp: false },
      },
    );
    // Created (random bucket), subscription, custom event, 2 purchase units, email open.
    await waiting(ws, c.id, 6);
    const b = buffer(ws, c.id);
    const status = await b.api.status();
    // The 5-minute rule: the alarm waits for the oldest event's fifth minute.
    expect((await b.alarm())! - status.oldestQueuedAt!).toBe(300_000);
    expect(await objects(c.storage.key_prefix)).toEqual([]);
    expect(await b.runAlarm()).toBe(true);

    const all = await objects(c.storage.key_prefix);
    for (const o of all) expect(o.key).toMatch(KEY);
    expect(all.map((o) => o.key.match(KEY)![2]).sort()).toEqual([
      'users.RandomBucketNumberUpdate',
      'users.behaviors.CustomEvent',
      'users.behaviors.Purchase',
      'users.behaviors.subscription.GlobalStateChange',
      'users.messages.email.Open',
    ]);

    const custom = await fileOf(c.id, 'users.behaviors.CustomEvent');
    expect(custom.codec).toBe('deflate');
    expect(custom.schema.name).toBe('dataexport.S3.inner.users.behaviors.CustomEvent');
    expect(custom.schema.fields.map((f: any) => f.name)).toEqual([
      'id',
      'user_id',
      'external_user_id',
      'app_id',
      'time',
      'timezone',
      'platform',
      'os_version',
      'device_model',
      'device_id',
      'name',
      'properties',
      'ad_id',
      'ad_id_type',
      'ad_tracking_enabled',
      'app_group_id',
    ]);
    const typeOf = (name: string) => custom.schema.fields.find((f: any) => f.name === name).type;
    expect(typeOf('time')).toBe('int');
    expect(typeOf('properties')).toBe('string');
    expect(typeOf('external_user_id')).toEqual(['null', 'string']);
    expect(typeOf('ad_tracking_enabled')).toEqual(['null', 'boolean']);
    expect(custom.records).toHaveLength(1);
    const e = custom.records[0];
    expect(e).toEqual({
      id: expect.stringMatching(/^[0-9a-f-]{36}$/),
      user_id: user.braze_id,
      external_user_id: 'u1',
      app_id: null,
      time: Date.parse('2026-05-01T10:00:00Z') / 1000,
      timezone: 'Europe/Paris',
      platform: null,
      os_version: null,
      device_model: null,
      device_id: null,
      name: 'played',
      properties: JSON.stringify({ level: 3, tags: ['a', 'b'] }),
      ad_id: null,
      ad_id_type: null,
      ad_tracking_enabled: null,
      app_group_id: ws.id,
    });

    const purchase = await fileOf(c.id, 'users.behaviors.Purchase');
    expect(purchase.schema.fields.find((f: any) => f.name === 'price').type).toBe('float');
    expect(purchase.records).toHaveLength(2);
    expect(new Set(purchase.records.map((r: any) => r.id)).size).toBe(2);
    for (const r of purchase.records) {
      expect(r).toMatchObject({
        product_id: 'sword',
        price: 12.5,
        currency: 'USD',
        properties: '{}',
        time: Date.parse('2026-05-01T10:01:00Z') / 1000,
        user_id: user.braze_id,
      });
    }

    const sub = await fileOf(c.id, 'users.behaviors.subscription.GlobalStateChange');
    expect(sub.records[0]).toMatchObject({
      subscription_status: 'Opted In',
      channel: 'email',
      email_address: 'ada@example.com',
      channel_identifier: 'ada@example.com',
      state_change_source: null,
    });

    const open = await fileOf(c.id, 'users.messages.email.Open');
    expect(open.schema.name).toBe('dataexport.S3.inner.users.messages.email.Open');
    expect(open.records[0]).toEqual(
      Object.fromEntries(
        eventSpec('users.messages.email.Open').fields.map((f) => [
          f.name,
          {
            id: open.records[0].id,
            user_id: user.braze_id,
            dispatch_id: 'dispatch-1',
            external_user_id: 'u1',
            time: Date.parse('2026-05-01T11:00:00Z') / 1000,
            timezone: 'Europe/Paris',
            campaign_id: 'campaign-1',
            message_variation_id: 'variant-1',
            email_address: 'ada@example.com',
            send_id: 'send-1',
            user_agent: 'Mozilla/5.0',
            machine_open: 'true',
            is_amp: false,
            app_group_id: ws.id,
          }[f.name] ?? null,
        ]),
      ),
    );

    const bucket = await fileOf(c.id, 'users.RandomBucketNumberUpdate');
    expect(bucket.records[0].random_bucket_number).toBeGreaterThanOrEqual(0);
    expect(bucket.records[0].prev_random_bucket_number).toBeNull();

    const after = await connectorStatus(ws, c.id);
    expect(after).toMatchObject({
      events_waiting: 0,
      events_sent: 6,
      batches_sent: 5,
      failures: 0,
      lag_seconds: 0,
    });
    expect(after.last_flush_at).not.toBeNull();
  });

  it('export only the selected event types, with removed and hashed fields', async () => {
    const ws = await createWorkspace();
    const c = await createConnector(ws, {
      name: 'events only',
      type: 'storage',
      storage: { prefix: 'acme/raw' },
      event_types: ['users.behaviors.CustomEvent'],
      field_transformations: [
        { field: 'external_user_id', transformation: 'hash' },
        { field: 'name', transformation: 'remove' },
      ],
    });
    await ws.post('/users/track', {
      events: [{ external_id: 'u2', name: 'played', time: '2026-05-01T10:00:00Z' }],
      purchases: [{ external_id: 'u2', product_id: 'p', currency: 'USD', price: 1 }],
    });
    await waiting(ws, c.id, 1);
    await buffer(ws, c.id).runAlarm();
    const list = await objects('acme/raw/');
    expect(list).toHaveLength(1);
    const file = await decodeAvro(list[0]!.key);
    expect(list[0]!.key).toContain('event_type=users.behaviors.CustomEvent/');
    const digest = await crypto.subtle.digest('SHA-256', new TextEncoder().encode('u2'));
    const hex = [...new Uint8Array(digest)].map((x) => x.toString(16).padStart(2, '0')).join('');
    expect(file.records[0]).toMatchObject({ external_user_id: hex, name: '[REDACTED]' });
  });

  it('lose nothing when the R2 write fails or the flush dies after writing, and never store a redelivered event twice', async () => {
    const ws = await createWorkspace();
    const c = await createConnector(ws, { name: 'lake', type: 'storage' });
    const b = buffer(ws, c.id);
    const events = customEvents(ws, 3);
    expect(await b.api.append({ target: b.target, events })).toMatchObject({ stored: 3 });
    // A redelivered queue message carries the same ids.
    expect(await b.api.append({ target: b.target, events })).toMatchObject({
      stored: 0,
      duplicates: 3,
    });
    const connector = (await getConnector(env.DB, ws.id, c.id))!;
    const flushWith = (exports: R2Bucket) =>
      runInDurableObject(b.raw, (_o, state) =>
        flushBuffer({
          store: new BufferStore(state.storage.sql, (fn) => state.storage.transactionSync(fn)),
          target: b.target,
          connector,
          exports,
          allowlist: [],
          now: Date.now(),
          retryBaseMs: 0,
          fetch,
        }),
      );
    // R2 refuses the write: the events stay, marked for retry.
    const down = { put: async () => Promise.reject(new Error('R2 unavailable')) };
    const failed = await flushWith(down as unknown as R2Bucket);
    expect(failed).toMatchObject({ eventsSent: 0, failures: 1 });
    expect(await b.api.status()).toMatchObject({ waiting: 3, retrying: 3 });
    expect(await objects(c.storage.key_prefix)).toEqual([]);
    // The write lands but the flush dies before deleting the rows (a restart mid-batch).
    const dies = {
      put: async (key: string, body: Uint8Array, opts: R2PutOptions) => {
        await env.EXPORTS.put(key, body, opts);
        throw new Error('isolate killed after the write');
      },
    };
    await flushWith(dies as unknown as R2Bucket);
    expect(await b.api.status()).toMatchObject({ waiting: 3 });
    expect(await objects(c.storage.key_prefix)).toHaveLength(1);
    // A fourth event arrives, then the real alarm flushes.
    await b.api.append({ target: b.target, events: customEvents(ws, 1, 3) });
    expect(await b.runAlarm()).toBe(true);
    const files = await objects(c.storage.key_prefix);
    expect(files).toHaveLength(1);
    const file = await decodeAvro(files[0]!.key);
    expect(file.records.map((r: any) => r.id).sort()).toEqual(['rec-0', 'rec-1', 'rec-2', 'rec-3']);
    expect(await b.api.status()).toMatchObject({ waiting: 0 });
    // After the flush, a redelivery of the same records is still recognised.
    expect(await b.api.append({ target: b.target, events })).toMatchObject({ stored: 0 });
    const s = await connectorStatus(ws, c.id);
    expect(s).toMatchObject({ events_sent: 4, batches_sent: 1, events_waiting: 0 });
  });

  it('flush as soon as 15,000 events wait, without waiting for the 5 minutes', async () => {
    const ws = await createWorkspace();
    const c = await createConnector(ws, { name: 'lake', type: 'storage' });
    const b = buffer(ws, c.id);
    await b.api.append({ target: b.target, events: customEvents(ws, 14_999) });
    const first = await b.alarm();
    expect(first! - Date.now()).toBeGreaterThan(290_000);
    await b.api.append({ target: b.target, events: customEvents(ws, 1, 14_999) });
    expect((await b.alarm())! - Date.now()).toBeLessThan(5_000);
    // The platform runs the due alarm by itself.
    const files = await eventually(
      () => objects(c.storage.key_prefix),
      (f) => f.length > 0,
    );
    expect(files).toHaveLength(1);
    expect(files[0]!.customMetadata).toMatchObject({ events: '15000' });
    expect(files[0]!.key).toMatch(/\+0\+0000000001\.avro$/);
    const file = await decodeAvro(files[0]!.key);
    expect(file.records).toHaveLength(15_000);
  }, 60_000);

  it('catalog every exported type with its required fields', () => {
    expect(EVENT_TYPES.length).toBeGreaterThan(30);
    for (const t of EVENT_TYPES) {
      const names = eventSpec(t).fields.map((f) => f.name);
      expect(names).toContain('id');
      expect(names).toContain('time');
    }
  });
});
