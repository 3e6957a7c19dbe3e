import {
  createExecutionContext,
  createMessageBatch,
  env,
  getQueueResult,
  runDurableObjectAlarm,
  runInDurableObject,
} from 'cloudflare:test';
import { describe, expect, it, vi } from 'vitest';
import { consumeChanges } from '../../src/changes/consumer';
import { type ChangeMessage, ChangeRecord } from '../../src/changes/records';
import worker from '../../workers/main';
import { outboxRows, profileOf } from '../fixtures/profiles';
import { createWorkspace } from '../fixtures/workspace';

describe('change records', () => {
  it('records every accepted change in order, with ids and sequence numbers', async () => {
    const ws = await createWorkspace();
    await ws.post('/users/track', {
      attributes: [{ external_id: 'cr', first_name: 'Ada', score: 1 }],
      events: [
        {
          external_id: 'cr',
          name: 'played',
          time: new Date().toISOString(),
          properties: { level: 2 },
        },
      ],
      purchases: [
        {
          external_id: 'cr',
          product_id: 'gem',
          currency: 'USD',
          price: 1,
          time: new Date().toISOString(),
        },
      ],
    });
    const { raw } = await profileOf(ws, 'cr');
    const emitted = await runInDurableObject(raw, (_i, state: DurableObjectState) =>
      state.storage.sql
        .exec<{ value: string }>(`SELECT value FROM meta WHERE key = 'profile'`)
        .toArray(),
    );
    const meta = JSON.parse(emitted[0]!.value);
    expect(meta.seq).toBe(4); // created, attributes, event, purchase
  });

  it('delivers the outbox to the queue and leaves nothing behind', async () => {
    const ws = await createWorkspace();
    await ws.post('/users/track', { attributes: [{ external_id: 'ob', first_name: 'Bo' }] });
    const { raw, stub } = await profileOf(ws, 'ob');
    await stub.flush();
    expect(await outboxRows(raw)).toEqual([]);
  });

  it("releases a track request's records once the queue consumer has read them", async () => {
    const ws = await createWorkspace();
    await ws.post('/users/track', {
      attributes: [
        { external_id: 'h1', a: 1 },
        { external_id: 'h2', a: 2 },
      ],
      events: [{ external_id: 'h1', name: 'e', time: new Date().toISOString() }],
    });
    for (const id of ['h1', 'h2']) {
      const { raw } = await profileOf(ws, id);
      await vi.waitFor(async () => expect(await outboxRows(raw)).toEqual([]), {
        timeout: 5_000,
        interval: 50,
      });
    }
  });

  it('hands track records to the caller and keeps them until they are acked', async () => {
    const ws = await createWorkspace();
    await ws.post('/users/track', { attributes: [{ external_id: 'ho', a: 1 }] });
    const { brazeId, stub, raw } = await profileOf(ws, 'ho');
    await stub.flush();
    const answer = await stub.track({
      workspaceId: ws.id,
      profileId: brazeId,
      addressedBy: { kind: 'external_id', value: 'ho' },
      now: Date.now(),
      create: false,
      attributes: [],
      events: [
        {
          index: 0,
          identifier: { kind: 'external_id', value: 'ho' },
          updateExistingOnly: false,
          name: 'e',
          time: Date.now(),
          appId: null,
          properties: {},
        },
      ],
      purchases: [],
      settings: { arrayMaxLength: 25 },
    });
    if (answer.status !== 'applied' || !answer.handoff) throw new Error('expected a handoff');
    expect(answer.handoff.batches[0]!.records.map((r) => r.type)).toEqual(['event.custom']);
    expect(await outboxRows(raw)).toHaveLength(1);
    await stub.ackChanges(answer.handoff.upTo);
    expect(await outboxRows(raw)).toEqual([]);
  });

  it('retries delivery from the alarm when the first attempt did not finish', async () => {
    const ws = await createWorkspace();
    await ws.post('/users/track', { attributes: [{ external_id: 'al', first_name: 'Al' }] });
    const { raw, stub } = await profileOf(ws, 'al');
    await stub.flush();
    // Put a record back as if a delivery had failed, then let the alarm deliver it.
    await runInDurableObject(raw, (_i, state: DurableObjectState) => {
      const record = {
        type: 'profile.deleted',
        time: Date.now(),
        id: crypto.randomUUID(),
        seq: 99,
      };
      state.storage.sql.exec(
        `INSERT INTO outbox (target, body) VALUES ('changes', ?)`,
        JSON.stringify(record),
      );
      return state.storage.setAlarm(Date.now() + 60_000);
    });
    expect(await outboxRows(raw)).toHaveLength(1);
    expect(await runDurableObjectAlarm(raw)).toBe(true);
    expect(await outboxRows(raw)).toEqual([]);
  });

  it('emits records that satisfy the published schema', () => {
    const record = {
      id: 'r1',
      seq: 1,
      time: 1,
      type: 'event.custom',
      event_id: 'e1',
      name: 'played',
      app_id: null,
      properties: { level: 2 },
    };
    expect(ChangeRecord.parse(record)).toEqual(record);
    expect(ChangeRecord.safeParse({ ...record, type: 'event.unknown' }).success).toBe(false);
  });
});

describe('change consumer', () => {
  const valid: ChangeMessage = {
    v: 1,
    batches: [
      {
        v: 1,
        workspace_id: 'w',
        profile_id: 'p',
        records: [{ id: 'r', seq: 1, time: 1, type: 'profile.deleted' }],
      },
    ],
  };

  it('acknowledges valid batches and drops invalid ones with a log line', async () => {
    const batch = createMessageBatch<unknown>('herald-changes', [
      { id: 'm1', timestamp: new Date(), attempts: 1, body: valid },
      { id: 'm2', timestamp: new Date(), attempts: 1, body: { v: 2, nonsense: true } },
    ]);
    const ctx = createExecutionContext();
    await worker.queue(batch, env);
    const result = await getQueueResult(batch, ctx);
    expect(result.explicitAcks.sort()).toEqual(['m1', 'm2']);
    expect(result.retryMessages).toEqual([]);
  });

  it('retries a batch whose handler fails, with backoff', async () => {
    const batch = createMessageBatch('herald-changes', [
      { id: 'm1', timestamp: new Date(), attempts: 3, body: valid },
    ]);
    const stats = await consumeChanges(batch, [
      async () => {
        throw new Error('segment index unavailable');
      },
    ]);
    expect(stats).toEqual({ processed: 0, invalid: 0, retried: 1 });
  });
});
