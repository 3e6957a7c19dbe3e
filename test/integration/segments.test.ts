import { createMessageBatch, env, runInDurableObject } from 'cloudflare:test';
import { describe, expect, it, vi } from 'vitest';
import { consumeJobs } from '../../src/jobs/consumer';
import { indexSyncHandler } from '../../src/segments/index-writer';
import { profileOf } from '../fixtures/profiles';
import { createSegment, get, sinkReceived, sinkUrl, syncIndex } from '../fixtures/segments';
import { createWorkspace } from '../fixtures/workspace';

const now = () => new Date().toISOString();
const pro = {
  custom_attribute: { custom_attribute_name: 'plan', comparison: 'equals', value: 'pro' },
};
const played = {
  custom_event: { event_name: 'played', comparison: 'count_in_days_more_than', value: 1, days: 7 },
};
const buyer = { purchase: { comparison: 'made_any' } };

async function seed() {
  const ws = await createWorkspace();
  await ws.post('/users/track', {
    attributes: [
      { external_id: 'a', plan: 'pro' },
      { external_id: 'b', plan: 'pro' },
      { external_id: 'c', plan: 'free' },
    ],
    events: [
      { external_id: 'a', name: 'played', time: now() },
      { external_id: 'a', name: 'played', time: now() },
      { external_id: 'b', name: 'played', time: now() },
      { external_id: 'c', name: 'played', time: now() },
      { external_id: 'c', name: 'played', time: now() },
    ],
    purchases: [
      { external_id: 'a', product_id: 'gem', currency: 'USD', price: 2, time: now() },
      { external_id: 'c', product_id: 'gem', currency: 'USD', price: 2, time: now() },
    ],
  });
  await syncIndex(ws, ['a', 'b', 'c']);
  return ws;
}

describe('segment definitions', () => {
  it('refuses an invalid tree at save time, naming the offending filter', async () => {
    const ws = await createWorkspace();
    const res = await ws.post('/herald/segments', {
      name: 'bad',
      filter: {
        AND: [
          pro,
          {
            custom_event: {
              event_name: 'played',
              comparison: 'count_in_days_more_than',
              value: 1,
              days: 99,
            },
          },
        ],
      },
    });
    expect(res.status).toBe(400);
    expect(res.json.message).toMatch(/^Invalid segment filter: .*custom_event/);
  });

  it('refuses a segment that references a segment which itself uses membership', async () => {
    const ws = await createWorkspace();
    const base = await createSegment(ws, { filter: pro });
    const nested = await createSegment(ws, {
      filter: { segment_membership: { segment_id: base, comparison: 'is' } },
    });
    const res = await ws.post('/herald/segments', {
      name: 'too deep',
      filter: { segment_membership: { segment_id: nested, comparison: 'is' } },
    });
    expect(res.status).toBe(400);
    expect(res.json.message).toMatch(/cannot be referenced/);
  });

  it('lists segments and shows details as Braze does', async () => {
    const ws = await createWorkspace();
    const id = await createSegment(ws, {
      name: 'Pro users',
      filter: pro,
      tags: ['vip'],
      text_description: 'Paying',
    });
    const list = await get(ws, '/segments/list');
    expect(list.json).toEqual({
      message: 'success',
      segments: [{ id, name: 'Pro users', analytics_tracking_enabled: true, tags: ['vip'] }],
    });
    const details = await get(ws, `/segments/details?segment_id=${id}`);
    expect(details.json).toMatchObject({
      message: 'success',
      name: 'Pro users',
      text_description: 'Paying',
      tags: ['vip'],
      teams: [],
    });
    expect(details.json.description).toContain('plan');
  });

  it('hides archived segments from the list', async () => {
    const ws = await createWorkspace();
    const id = await createSegment(ws, { filter: pro });
    await ws.post(`/herald/segments/${id}/archive`, {});
    expect((await get(ws, '/segments/list')).json.segments).toEqual([]);
  });

  it('accepts the dashboard form of filter groups and exclusions', async () => {
    const ws = await seed();
    const id = await createSegment(ws, {
      groups: {
        groups: [{ connector: 'AND', filters: [pro] }],
        between_groups: 'AND',
        exclusions: [{ connector: 'OR', filters: [buyer] }],
      },
    });
    const preview = await get(ws, `/herald/segments/${id}/preview?limit=10`);
    expect(preview.json.users.map((u: { external_id: string }) => u.external_id)).toEqual(['b']);
  });
});

describe('segments over the profile index', () => {
  it('counts and pages a three-filter segment', async () => {
    const ws = await seed();
    const id = await createSegment(ws, { filter: { AND: [pro, played, buyer] } });
    expect((await get(ws, `/herald/segments/${id}/size`)).json.size).toBe(1);
    const either = await createSegment(ws, { filter: { OR: [pro, buyer] } });
    expect((await get(ws, `/herald/segments/${either}/size`)).json.size).toBe(3);
    const page1 = await get(ws, `/herald/segments/${either}/preview?limit=2`);
    expect(page1.json.users).toHaveLength(2);
    const page2 = await get(
      ws,
      `/herald/segments/${either}/preview?limit=2&cursor=${page1.json.next_cursor}`,
    );
    expect(page2.json.users).toHaveLength(1);
    expect(page2.json.next_cursor).toBeNull();
  });

  it('estimates an unsaved tree', async () => {
    const ws = await seed();
    const res = await ws.post('/herald/segments/estimate', {
      filter: { AND: [pro, { NOT: buyer }] },
    });
    expect(res.json).toEqual({ message: 'success', size: 1 });
  });

  it('keeps the index in sync through the change queue', async () => {
    const ws = await createWorkspace();
    const id = await createSegment(ws, { filter: pro });
    await ws.post('/users/track', { attributes: [{ external_id: 'q', plan: 'pro' }] });
    await vi.waitFor(
      async () => expect((await get(ws, `/herald/segments/${id}/size`)).json.size).toBe(1),
      {
        timeout: 10_000,
        interval: 100,
      },
    );
  });

  it('removes deleted users from the index', async () => {
    const ws = await seed();
    const id = await createSegment(ws, { filter: pro });
    const { brazeId } = await profileOf(ws, 'a');
    await ws.post('/users/delete', { external_ids: ['a'] });
    await indexSyncHandler(env)([
      {
        v: 1,
        workspace_id: ws.id,
        profile_id: brazeId,
        records: [{ id: 'x', seq: 1, time: 0, type: 'profile.deleted' }],
      },
    ]);
    expect((await get(ws, `/herald/segments/${id}/size`)).json.size).toBe(1);
  });

  it('records daily sizes for /segments/data_series', async () => {
    const ws = await seed();
    const id = await createSegment(ws, { filter: pro });
    const batch = createMessageBatch<unknown>('herald-jobs', [
      {
        id: 'j1',
        timestamp: new Date(),
        attempts: 1,
        body: { type: 'segment_sizes', workspace_id: ws.id, at: Date.now() },
      },
    ]);
    await consumeJobs(batch, env);
    const series = await get(ws, `/segments/data_series?segment_id=${id}&length=7`);
    expect(series.json).toEqual({
      message: 'success',
      data: [{ time: new Date().toISOString().slice(0, 10), size: 2 }],
    });
  });
});

describe('real-time membership', () => {
  it('records entries and exits on the profile as data arrives', async () => {
    const ws = await createWorkspace();
    const id = await createSegment(ws, { filter: pro });
    await ws.post('/users/track', { attributes: [{ external_id: 'rt', plan: 'pro' }] });
    expect(
      (await get(ws, '/herald/users/segments?external_id=rt')).json.segments.map(
        (s: { segment_id: string }) => s.segment_id,
      ),
    ).toEqual([id]);
    await ws.post('/users/track', { attributes: [{ external_id: 'rt', plan: 'free' }] });
    expect((await get(ws, '/herald/users/segments?external_id=rt')).json.segments).toEqual([]);
  });

  it('emits one change record per entry and exit', async () => {
    const ws = await createWorkspace();
    await createSegment(ws, { filter: pro });
    const seqOf = async (externalId: string) => {
      const { raw } = await profileOf(ws, externalId);
      const rows = await runInDurableObject(raw, (_i, state: DurableObjectState) =>
        state.storage.sql
          .exec<{ value: string }>(`SELECT value FROM meta WHERE key = 'profile'`)
          .toArray(),
      );
      return JSON.parse(rows[0]!.value).seq as number;
    };
    // Same writes; only `member` enters (+1 record) and then exits (+1 record).
    for (const [id, plan] of [
      ['member', 'pro'],
      ['outsider', 'basic'],
    ]) {
      await ws.post('/users/track', { attributes: [{ external_id: id, plan }] });
      await ws.post('/users/track', { attributes: [{ external_id: id, plan: 'free' }] });
    }
    expect((await seqOf('member')) - (await seqOf('outsider'))).toBe(2);
  });
});

describe('segment export', () => {
  it('writes members to zip files in R2 and reports progress', async () => {
    const ws = await seed();
    const id = await createSegment(ws, { filter: pro });
    const res = await ws.post('/users/export/segment', {
      segment_id: id,
      fields_to_export: ['external_id', 'custom_attributes'],
    });
    expect(res.status).toBe(201);
    expect(res.json.object_prefix).toMatch(/^[0-9a-f-]{36}-\d{10}$/);
    const exportPath = new URL(res.json.url).pathname;
    let status: any;
    await vi.waitFor(
      async () => {
        status = (await get(ws, exportPath)).json;
        expect(status.status).toBe('done');
      },
      { timeout: 10_000, interval: 100 },
    );
    expect(status.users_exported).toBe(2);
    expect(status.files).toHaveLength(1);
    const date = new Date().toISOString().slice(0, 10);
    expect(status.files[0].key).toMatch(
      new RegExp(`^segment-export/${id}/${date}/${res.json.object_prefix}/.+\\.zip$`),
    );
    const object = await env.EXPORTS.get(status.files[0].key);
    const bytes = new Uint8Array(await object!.arrayBuffer());
    expect([bytes[0], bytes[1]]).toEqual([0x50, 0x4b]); // "PK": a zip archive
  });

  it('calls callback_endpoint with success and the status url when done', async () => {
    const ws = await seed();
    const id = await createSegment(ws, { filter: pro });
    const path = `/callback/${crypto.randomUUID()}`;
    const res = await ws.post('/users/export/segment', {
      segment_id: id,
      fields_to_export: ['external_id'],
      output_format: 'gzip',
      callback_endpoint: `${sinkUrl()}${path}`,
    });
    expect(res.status).toBe(201);
    let calls: { method: string; body: string }[] = [];
    await vi.waitFor(
      async () => {
        calls = await sinkReceived(path);
        expect(calls).toHaveLength(1);
      },
      { timeout: 10_000, interval: 100 },
    );
    expect(calls[0]!.method).toBe('POST');
    expect(JSON.parse(calls[0]!.body)).toEqual({
      success: true,
      object_prefix: res.json.object_prefix,
      url: res.json.url,
    });
  });

  it('answers 429 to a second export of the same segment while one runs', async () => {
    const ws = await seed();
    const id = await createSegment(ws, { filter: pro });
    // An export that is still running, as a long one would be.
    await env.DB.prepare(
      `INSERT INTO segment_exports (id, workspace_id, segment_id, status, object_prefix, request, created_at, updated_at)
       VALUES ('running-1', ?, ?, 'running', 'p', '{}', 0, 0)`,
    )
      .bind(ws.id, id)
      .run();
    const second = await ws.post('/users/export/segment', {
      segment_id: id,
      fields_to_export: ['external_id'],
    });
    expect(second.status).toBe(429);
    expect(second.json.message).toBe('An export of this segment is already running');
  });

  it('refuses an unknown segment', async () => {
    const ws = await createWorkspace();
    const res = await ws.post('/users/export/segment', {
      segment_id: 'nope',
      fields_to_export: ['external_id'],
    });
    expect(res.status).toBe(400);
  });
});
