import { createScheduledController, env } from 'cloudflare:test';
import { describe, expect, it, vi } from 'vitest';
import { indexSyncHandler } from '../../src/segments/index-writer';
import { memberState } from '../../src/segments/members';
import { cachedDefinitions } from '../../src/segments/store';
import worker from '../../workers/main';
import { outboxRows, profileOf } from '../fixtures/profiles';
import { createSegment, get, syncIndex } from '../fixtures/segments';
import { call, createWorkspace, exportUser, type TestWorkspace } from '../fixtures/workspace';

const DAY = 86_400_000;
const pro = {
  custom_attribute: { custom_attribute_name: 'plan', comparison: 'equals', value: 'pro' },
};
const free = {
  custom_attribute: { custom_attribute_name: 'plan', comparison: 'equals', value: 'free' },
};

/** External ids of a segment's materialised rows, sorted. */
async function rows(ws: TestWorkspace, segmentId: string): Promise<string[]> {
  const { results } = await env.DB.prepare(
    `SELECT p.external_id FROM segment_members m JOIN idx_profiles p
       ON p.workspace_id = m.workspace_id AND p.profile_id = m.profile_id
     WHERE m.workspace_id = ? AND m.segment_id = ? ORDER BY p.external_id`,
  )
    .bind(ws.id, segmentId)
    .all<{ external_id: string }>();
  return results.map((r) => r.external_id);
}

/** Wait until the segment's rows are served (the pass on the jobs queue has finished). */
async function ready(ws: TestWorkspace, segmentId: string, after = 0) {
  let state: any;
  await vi.waitFor(
    async () => {
      state = (await get(ws, `/herald/segments/${segmentId}/membership`)).json;
      expect(state.status).toBe('ready');
      expect(Date.parse(state.evaluated_at)).toBeGreaterThanOrEqual(after);
    },
    { timeout: 10_000, interval: 50 },
  );
  return state;
}

/** Every member through preview paging, two at a time. */
async function preview(ws: TestWorkspace, segmentId: string): Promise<string[]> {
  const out: string[] = [];
  let cursor: string | null = null;
  do {
    const q: string = cursor ? `&cursor=${cursor}` : '';
    const page = (await get(ws, `/herald/segments/${segmentId}/preview?limit=2${q}`)).json;
    out.push(...page.users.map((u: { external_id: string }) => u.external_id));
    cursor = page.next_cursor;
  } while (cursor);
  return out.sort();
}

/** Users a, b (pro), c (free), indexed; no change records left for the queue to deliver. */
async function seed(): Promise<TestWorkspace> {
  const ws = await createWorkspace();
  await ws.post('/users/track', {
    attributes: [
      { external_id: 'a', plan: 'pro' },
      { external_id: 'b', plan: 'pro' },
      { external_id: 'c', plan: 'free' },
    ],
  });
  await syncIndex(ws, ['a', 'b', 'c']);
  return ws;
}

/** Wait until the change queue's consumer has taken a user's records (outbox drained). */
async function delivered(ws: TestWorkspace, externalId: string): Promise<void> {
  const { raw } = await profileOf(ws, externalId);
  await vi.waitFor(async () => expect(await outboxRows(raw)).toEqual([]), {
    timeout: 20_000,
    interval: 100,
  });
}

describe('materialised segment membership', () => {
  it('is built when a segment is created, and size and preview read it', async () => {
    const ws = await seed();
    const id = await createSegment(ws, { filter: pro });
    const state = await ready(ws, id);
    expect(state.pass_profiles).toBe(3);
    expect(await rows(ws, id)).toEqual(['a', 'b']);
    expect(await preview(ws, id)).toEqual(['a', 'b']);
    expect((await get(ws, `/herald/segments/${id}/size`)).json.size).toBe(2);
  });

  it('is rebuilt when the filter changes', async () => {
    const ws = await seed();
    const id = await createSegment(ws, { filter: pro });
    const first = await ready(ws, id);
    const put = await call(`/herald/segments/${id}`, {
      method: 'PUT',
      key: ws.key,
      body: { name: 'free', filter: free },
    });
    expect(put.status).toBe(200);
    await ready(ws, id, Date.parse(first.evaluated_at) + 1);
    expect(await rows(ws, id)).toEqual(['c']);
    expect(await preview(ws, id)).toEqual(['c']);
  });

  it('follows entries and exits from /users/track through the index consumer', async () => {
    const ws = await seed();
    const id = await createSegment(ws, { filter: pro });
    await ready(ws, id);
    await ws.post('/users/track', {
      attributes: [
        { external_id: 'a', plan: 'free' },
        { external_id: 'd', plan: 'pro' },
      ],
    });
    await syncIndex(ws, ['a', 'd']);
    expect(await rows(ws, id)).toEqual(['b', 'd']);
    expect(await preview(ws, id)).toEqual(['b', 'd']);
    expect((await get(ws, `/herald/segments/${id}/size`)).json.size).toBe(2);
  });

  it('redoes rows the consumer wrote from definitions older than a finished pass', async () => {
    const ws = await seed();
    const id = await createSegment(ws, { filter: pro });
    await ready(ws, id);
    // The consumer's isolate caches definitions for 5 s; pin this workspace's cache entry (the
    // `pro` definition) for a minute, so the consumer below evaluates with it.
    await cachedDefinitions(env.DB, ws.id, Date.now() + 60_000);
    const before = Date.now();
    const put = await call(`/herald/segments/${id}`, {
      method: 'PUT',
      key: ws.key,
      body: { name: 'free', filter: free },
    });
    expect(put.status).toBe(200);
    const first = await ready(ws, id, before);
    expect(await rows(ws, id)).toEqual(['c']);
    // c changes; the cached `pro` definition says c leaves, the current `free` one says it stays.
    await ws.post('/users/track', { attributes: [{ external_id: 'c', level: 2 }] });
    await syncIndex(ws, ['c']);
    expect(await rows(ws, id)).toEqual(['c']);
    expect((await get(ws, `/herald/segments/${id}/membership`)).json.evaluated_at).toBe(
      first.evaluated_at,
    );
  }, 20_000);

  it('drops deleted users', async () => {
    const ws = await seed();
    const id = await createSegment(ws, { filter: pro });
    await ready(ws, id);
    const { brazeId } = await profileOf(ws, 'a');
    await ws.post('/users/delete', { external_ids: ['a'] });
    await vi.waitFor(async () => expect(await exportUser(ws, 'a')).toBeNull());
    await indexSyncHandler(env)([
      {
        v: 1,
        workspace_id: ws.id,
        profile_id: brazeId,
        records: [{ id: 'x', seq: 1, time: 0, type: 'profile.deleted' }],
      },
    ]);
    expect(await rows(ws, id)).toEqual(['b']);
    expect(await preview(ws, id)).toEqual(['b']);
  });

  it('purges the rows of an archived segment when the cron runs', async () => {
    const ws = await seed();
    const id = await createSegment(ws, { filter: pro });
    await ready(ws, id);
    expect((await ws.post(`/herald/segments/${id}/archive`, {})).status).toBe(200);
    expect((await get(ws, `/herald/segments/${id}/membership`)).json.status).toBe('none');
    await cron(Date.now());
    await vi.waitFor(async () => expect(await rows(ws, id)).toEqual([]), {
      timeout: 10_000,
      interval: 50,
    });
  });

  it('lets a user age out of a time window after the scheduled re-evaluation', async () => {
    const ws = await createWorkspace();
    const played = new Date(Date.now() - 25 * DAY).toISOString();
    await ws.post('/users/track', {
      events: [
        { external_id: 'old', name: 'played', time: played },
        { external_id: 'old', name: 'played', time: played },
        { external_id: 'new', name: 'played', time: new Date().toISOString() },
      ],
    });
    // Let the change queue's consumer take these records first, so nothing rewrites the rows
    // at the real time after the re-evaluation below.
    await delivered(ws, 'old');
    await delivered(ws, 'new');
    await syncIndex(ws, ['old', 'new']);
    const id = await createSegment(ws, {
      filter: {
        custom_event: {
          event_name: 'played',
          comparison: 'count_in_days_more_than',
          value: 0,
          days: 30,
        },
      },
    });
    const built = await ready(ws, id);
    expect(built.clock).toBe('day');
    expect(await rows(ws, id)).toEqual(['new', 'old']);
    // The window only moves at midnight: the rows answer the size today.
    expect((await get(ws, `/herald/segments/${id}/size`)).json.size).toBe(2);
    // Ten days on, without any activity, the minute cron re-evaluates the segment.
    const later = Date.now() + 10 * DAY;
    await cron(later);
    // The pass evaluates at the cron's time; the API's clock is still today, so wait on the state.
    await vi.waitFor(
      async () => {
        const state = await memberState(env.DB, ws.id, id);
        expect(state?.passId).toBeNull();
        expect(state?.evaluatedAt).toBe(later);
      },
      { timeout: 10_000, interval: 50 },
    );
    expect(await rows(ws, id)).toEqual(['new']);
  }, 30_000);
});

async function cron(scheduledTime: number): Promise<void> {
  await worker.scheduled(
    createScheduledController({ scheduledTime, cron: '* * * * *' }),
    env as unknown as Env,
  );
}
