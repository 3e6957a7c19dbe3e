import { describe, expect, it } from 'vitest';
import { createSegment, get, syncIndex } from '../fixtures/segments';
import { createWorkspace, operator, type TestWorkspace } from '../fixtures/workspace';

const DAY = 86_400_000;
const ago = (days: number) => new Date(Date.now() - days * DAY).toISOString();
const now = () => ago(0);

const hardLevels = {
  custom_event_property: {
    event_name: 'played',
    property_name: 'level',
    property_value: 'hard',
    comparison: 'count_in_days_more_than',
    value: 1,
    days: 7,
  },
};

const played = (external_id: string, level: unknown, time = now()) => ({
  external_id,
  name: 'played',
  time,
  properties: { level },
});

const buy = (external_id: string, body: Record<string, unknown>) => ({
  external_id,
  product_id: 'gem',
  currency: 'USD',
  price: 1,
  time: now(),
  ...body,
});

async function segmentsOf(ws: TestWorkspace, externalId: string): Promise<string[]> {
  const res = await get(ws, `/herald/users/segments?external_id=${externalId}`);
  return res.json.segments.map((s: { segment_id: string }) => s.segment_id);
}

/** Size and members of a segment through the profile index, after syncing these users. */
async function overIndex(ws: TestWorkspace, id: string, users: string[]) {
  await syncIndex(ws, users);
  const size = (await get(ws, `/herald/segments/${id}/size`)).json.size;
  const preview = await get(ws, `/herald/segments/${id}/preview?limit=100`);
  const members = preview.json.users.map((u: { external_id: string }) => u.external_id).sort();
  return { size, members };
}

describe('X Custom Event Property In Y Days', () => {
  it('matches users by how often the event had the value, in real time and in the index', async () => {
    const ws = await createWorkspace({
      segmentable_event_properties: [{ event_name: 'played', property_name: 'level' }],
    });
    const id = await createSegment(ws, { filter: hardLevels });
    await ws.post('/users/track', {
      events: [
        played('a', 'hard'),
        played('a', 'hard', ago(6)),
        played('b', 'hard'),
        played('b', 'easy'),
        played('b', 'Hard'),
        played('c', 'hard', ago(9)),
        played('c', 'hard', ago(8)),
      ],
    });
    expect(await segmentsOf(ws, 'a')).toEqual([id]);
    expect(await segmentsOf(ws, 'b')).toEqual([]);
    expect(await segmentsOf(ws, 'c')).toEqual([]);
    expect(await overIndex(ws, id, ['a', 'b', 'c'])).toEqual({ size: 1, members: ['a'] });
  });

  it('keeps numbers, booleans and strings apart', async () => {
    const ws = await createWorkspace({
      segmentable_event_properties: [{ event_name: 'played', property_name: 'level' }],
    });
    const three = await createSegment(ws, {
      filter: {
        custom_event_property: { ...hardLevels.custom_event_property, property_value: 3, value: 0 },
      },
    });
    await ws.post('/users/track', {
      events: [played('num', 3), played('str', '3'), played('bool', true)],
    });
    expect(await segmentsOf(ws, 'num')).toEqual([three]);
    expect(await segmentsOf(ws, 'str')).toEqual([]);
    expect(await overIndex(ws, three, ['num', 'str', 'bool'])).toEqual({
      size: 1,
      members: ['num'],
    });
  });

  it('counts only properties enabled when the event arrived', async () => {
    const ws = await createWorkspace();
    await ws.post('/users/track', { events: [played('early', 'hard'), played('early', 'hard')] });
    const enable = await operator(`/operator/workspaces/${ws.id}`, {
      method: 'PUT',
      body: {
        name: ws.id,
        settings: {
          segmentable_event_properties: [{ event_name: 'played', property_name: 'level' }],
        },
      },
    });
    expect(enable.status).toBe(200);
    const id = await createSegment(ws, { filter: hardLevels });
    await ws.post('/users/track', { events: [played('late', 'hard'), played('late', 'hard')] });
    expect(await overIndex(ws, id, ['early', 'late'])).toEqual({ size: 1, members: ['late'] });
  });

  it('refuses to save a segment on a property that is not enabled, naming the filter', async () => {
    const ws = await createWorkspace({
      segmentable_event_properties: [{ event_name: 'played', property_name: 'level' }],
    });
    const res = await ws.post('/herald/segments', {
      name: 'scores',
      filter: {
        AND: [
          hardLevels,
          {
            custom_event_property: { ...hardLevels.custom_event_property, property_name: 'score' },
          },
        ],
      },
    });
    expect(res.status).toBe(400);
    expect(res.json.message).toBe(
      'Invalid segment filter: AND[1].custom_event_property: property "score" of event "played" is not enabled for segmentation (workspace setting segmentable_event_properties)',
    );
  });

  it('adds up a merged user’s property counts', async () => {
    const ws = await createWorkspace({
      segmentable_event_properties: [{ event_name: 'played', property_name: 'level' }],
    });
    const id = await createSegment(ws, { filter: hardLevels });
    await ws.post('/users/track', { events: [played('old', 'hard'), played('cur', 'hard')] });
    expect(await segmentsOf(ws, 'cur')).toEqual([]);
    await ws.post('/users/merge', {
      merge_updates: [
        { identifier_to_merge: { external_id: 'old' }, identifier_to_keep: { external_id: 'cur' } },
      ],
    });
    expect(await segmentsOf(ws, 'cur')).toEqual([id]);
  });
});

describe('X Purchase Property In Y Days', () => {
  it('counts purchase units with the property value, per product or over all', async () => {
    const ws = await createWorkspace({
      segmentable_purchase_properties: [{ property_name: 'color' }],
    });
    const red = { property_name: 'color', property_value: 'red', days: 1 };
    const anyProduct = await createSegment(ws, {
      filter: { purchase_property: { ...red, comparison: 'count_in_days_exactly', value: 3 } },
    });
    const gemOnly = await createSegment(ws, {
      filter: {
        purchase_property: {
          ...red,
          product_id: 'gem',
          comparison: 'count_in_days_exactly',
          value: 2,
        },
      },
    });
    await ws.post('/users/track', {
      purchases: [
        buy('x', { quantity: 2, properties: { color: 'red' } }),
        buy('x', { product_id: 'coin', properties: { color: 'red' } }),
        buy('y', { quantity: 3, properties: { color: 'blue' } }),
      ],
    });
    expect((await segmentsOf(ws, 'x')).sort()).toEqual([anyProduct, gemOnly].sort());
    expect(await segmentsOf(ws, 'y')).toEqual([]);
    expect(await overIndex(ws, anyProduct, ['x', 'y'])).toEqual({ size: 1, members: ['x'] });
    expect(await overIndex(ws, gemOnly, ['x', 'y'])).toEqual({ size: 1, members: ['x'] });
  });

  it('refuses to save a segment on a purchase property that is not enabled', async () => {
    const ws = await createWorkspace();
    const res = await ws.post('/herald/segments', {
      name: 'red buyers',
      filter: {
        purchase_property: {
          property_name: 'color',
          property_value: 'red',
          comparison: 'count_in_days_more_than',
          value: 0,
          days: 7,
        },
      },
    });
    expect(res.status).toBe(400);
    expect(res.json.message).toMatch(/purchase_property: purchase property "color" is not enabled/);
  });
});

describe('X Money Spent in Y Days', () => {
  it('sums the window over the last 50 purchases only', async () => {
    const ws = await createWorkspace();
    const under100 = await createSegment(ws, {
      filter: { purchase: { comparison: 'revenue_in_days_less_than', value: 100, days: 7 } },
    });
    const over25 = await createSegment(ws, {
      filter: { purchase: { comparison: 'revenue_in_days_more_than', value: 25, days: 1 } },
    });
    await ws.post('/users/track', {
      purchases: [
        // 100 three days ago, then 50 units at 1 today: only the 50 are among the last 50.
        buy('capped', { price: 100, time: ago(3) }),
        buy('capped', { price: 1, quantity: 50 }),
        buy('big', { price: 30 }),
        buy('old', { price: 30, time: ago(2) }),
      ],
    });
    expect((await segmentsOf(ws, 'capped')).sort()).toEqual([under100, over25].sort());
    expect(await segmentsOf(ws, 'old')).toEqual([under100]);
    expect(await overIndex(ws, under100, ['capped', 'big', 'old'])).toEqual({
      size: 3,
      members: ['big', 'capped', 'old'],
    });
    expect(await overIndex(ws, over25, ['capped', 'big', 'old'])).toEqual({
      size: 2,
      members: ['big', 'capped'],
    });
  });
});

describe('segmentable property settings', () => {
  it('refuse more properties than the workspace allowance', async () => {
    const ws = await createWorkspace();
    const res = await operator(`/operator/workspaces/${ws.id}`, {
      method: 'PUT',
      body: {
        name: ws.id,
        settings: {
          segmentable_property_limit: 1,
          segmentable_purchase_properties: [{ property_name: 'a' }, { property_name: 'b' }],
        },
      },
    });
    expect(res.status).toBe(400);
    expect(((await res.json()) as { message: string }).message).toBe(
      'settings: 2 segmentable properties are enabled but segmentable_property_limit is 1',
    );
  });
});
