import { env } from 'cloudflare:test';
import { describe, expect, it, vi } from 'vitest';
import { composeCsv } from '../../src/analytics/compose';
import { DASHBOARD_ROW_CAP } from '../../src/analytics/csv';
import { startExport } from '../../src/segments/export-job';
import { eventually } from '../fixtures/delivery';
import { createSegment, get, syncIndex } from '../fixtures/segments';
import { call, createWorkspace, type TestWorkspace } from '../fixtures/workspace';

const pro = {
  custom_attribute: { custom_attribute_name: 'plan', comparison: 'equals', value: 'pro' },
};

async function seed(): Promise<TestWorkspace> {
  const ws = await createWorkspace();
  await ws.post('/users/track', {
    attributes: [
      { external_id: 'u1', first_name: 'Ada', plan: 'pro', tags: ['a', 'b'] },
      { external_id: 'u2', first_name: 'Bo, "the" Best', plan: 'pro' },
      { external_id: 'u3', first_name: '=cmd()', plan: 'pro' },
      { external_id: 'u4', first_name: 'Free', plan: 'free' },
    ],
  });
  await syncIndex(ws, ['u1', 'u2', 'u3', 'u4']);
  return ws;
}

/** Poll an export's status page until it is done. */
async function untilDone(ws: TestWorkspace, url: string): Promise<any> {
  let status: any;
  await vi.waitFor(
    async () => {
      status = (await get(ws, new URL(url).pathname)).json;
      expect(status.status).toBe('done');
    },
    { timeout: 10_000, interval: 100 },
  );
  return status;
}

async function download(ws: TestWorkspace, url: string): Promise<Response> {
  return call(new URL(url).pathname, { key: ws.key });
}

/** A CSV's header and its other lines sorted (users come in profile-id order). */
function parts(csv: string): { header: string; rows: string[] } {
  const lines = csv.split('\r\n');
  expect(lines.pop()).toBe('');
  return { header: lines[0]!, rows: lines.slice(1).sort() };
}

describe('users CSV export', () => {
  it('writes one CSV of the chosen fields and custom attributes, with a download link', async () => {
    const ws = await seed();
    const segment = await createSegment(ws, { filter: pro });
    const res = await ws.post('/herald/exports/users_csv', {
      segment_id: segment,
      fields_to_export: ['external_id', 'first_name'],
      custom_attributes_to_export: ['plan', 'tags'],
    });
    expect(res.status).toBe(201);
    const status = await untilDone(ws, res.json.url);
    expect(status).toMatchObject({
      format: 'csv',
      users_exported: 3,
      row_limit: null,
      row_limit_reached: false,
    });
    expect(status.files).toHaveLength(1);
    expect(status.files[0].key).toMatch(/\/users\.csv$/);
    const file = await download(ws, status.files[0].url);
    expect(file.headers.get('content-type')).toBe('text/csv; charset=utf-8');
    expect(parts(await file.text())).toEqual({
      header: 'external_id,first_name,custom_attributes.plan,custom_attributes.tags',
      rows: ['u1,Ada,pro,"[""a"",""b""]"', 'u2,"Bo, ""the"" Best",pro,', "u3,'=cmd(),pro,"].sort(),
    });
  });

  it('writes only the header for an empty segment', async () => {
    const ws = await createWorkspace();
    const segment = await createSegment(ws, { filter: pro });
    const res = await ws.post('/herald/exports/users_csv', {
      segment_id: segment,
      fields_to_export: ['external_id'],
      source: 'dashboard',
    });
    const status = await untilDone(ws, res.json.url);
    expect(status).toMatchObject({ users_exported: 0, row_limit: DASHBOARD_ROW_CAP });
    expect(await (await download(ws, status.files[0].url)).text()).toBe('external_id\r\n');
  });

  it('stops at the row cap of a dashboard-style export and says so', async () => {
    const ws = await seed();
    const segment = await createSegment(ws, { filter: pro });
    // The same job with a cap of 2 instead of 500,000: writing half a million users is not a test.
    const started = await startExport(env, {
      workspaceId: ws.id,
      statusUrl: (id) => `https://herald.test/herald/exports/${id}`,
      request: {
        segment_id: segment,
        fields_to_export: ['external_id'],
        output_format: 'zip',
        format: 'csv',
        max_rows: 2,
      },
    });
    if (started.type !== 'started') throw new Error(started.type);
    const status = await untilDone(ws, `https://herald.test/herald/exports/${started.row.id}`);
    expect(status).toMatchObject({ users_exported: 2, row_limit: 2, row_limit_reached: true });
    const { header, rows } = parts(await (await download(ws, status.files[0].url)).text());
    expect(header).toBe('external_id');
    expect(rows).toHaveLength(2);
  });

  it('refuses an unknown segment and unknown fields', async () => {
    const ws = await createWorkspace();
    const none = await ws.post('/herald/exports/users_csv', {
      segment_id: 'nope',
      fields_to_export: ['external_id'],
    });
    expect(none.status).toBe(400);
    const segment = await createSegment(ws, { filter: pro });
    const bad = await ws.post('/herald/exports/users_csv', {
      segment_id: segment,
      fields_to_export: ['password'],
    });
    expect(bad.status).toBe(400);
    expect(bad.json.message).toContain('fields_to_export');
  });
});

describe('joining CSV parts', () => {
  it('streams the parts into one file in key order and deletes them, once', async () => {
    const folder = `test-compose/${crypto.randomUUID()}/`;
    await env.EXPORTS.put(`${folder}users-000001.csv`, 'b\r\n');
    await env.EXPORTS.put(`${folder}users-000000.csv`, 'h\r\na\r\n');
    await env.EXPORTS.put(`${folder}users-000002.csv`, 'c\r\n');
    const input = {
      partsPrefix: `${folder}users-`,
      finalKey: `${folder}users.csv`,
      header: 'h\r\n',
    };
    expect(await composeCsv(env.EXPORTS, input)).toBe(true);
    // Run again, as a retried job would: the file stays whole.
    expect(await composeCsv(env.EXPORTS, input)).toBe(true);
    const listed = await env.EXPORTS.list({ prefix: folder });
    expect(listed.objects.map((o) => o.key)).toEqual([`${folder}users.csv`]);
    expect(await (await env.EXPORTS.get(`${folder}users.csv`))!.text()).toBe(
      'h\r\na\r\nb\r\nc\r\n',
    );
  });
});

describe('analytics series CSV export', () => {
  it('writes a series as time and value columns, with progress and a download link', async () => {
    const ws = await createWorkspace();
    await ws.post('/users/track', {
      events: [
        { external_id: 'a', name: 'played', time: '2026-03-09T10:00:00Z' },
        { external_id: 'a', name: 'played', time: '2026-03-10T10:00:00Z' },
        { external_id: 'b', name: 'played', time: '2026-03-10T11:00:00Z' },
      ],
    });
    const q = 'event=played&length=3&ending_at=2026-03-10T12:00:00Z';
    await eventually(
      () => get(ws, `/events/data_series?${q}`),
      (r) => r.json.data?.[2]?.count === 2,
    );
    const res = await ws.post('/herald/analytics/exports', {
      series: 'events',
      event: 'played',
      length: 3,
      ending_at: '2026-03-10T12:00:00Z',
    });
    expect(res.status).toBe(201);
    expect(res.json.status).toBe('queued');
    const status = await untilDone(ws, res.json.url);
    expect(status.rows_written).toBe(3);
    const file = await download(ws, status.file);
    expect(await file.text()).toBe(
      'time,count\r\n2026-03-08,0\r\n2026-03-09,1\r\n2026-03-10,2\r\n',
    );
  });

  it("needs the series' own permission as well", async () => {
    const ws = await createWorkspace();
    const key = await ws.keyWith(['herald.analytics.export']);
    const res = await call('/herald/analytics/exports', {
      key,
      body: { series: 'dau', length: 7 },
    });
    expect(res.status).toBe(403);
    expect(((await res.json()) as any).errors).toEqual([
      'This API key lacks the kpi.dau.data_series permission',
    ]);
  });

  it('refuses a series it does not know and parameters the series refuses', async () => {
    const ws = await createWorkspace();
    const unknown = await ws.post('/herald/analytics/exports', { series: 'bogus', length: 7 });
    expect(unknown.status).toBe(400);
    expect(unknown.json.message).toContain('series');
    const noEvent = await ws.post('/herald/analytics/exports', { series: 'events', length: 7 });
    expect(noEvent.status).toBe(400);
    expect(noEvent.json.message).toBe('event is required');
    const other = await createWorkspace();
    const mine = await ws.post('/herald/analytics/exports', { series: 'mau', length: 2 });
    expect((await get(other, new URL(mine.json.url).pathname)).status).toBe(404);
  });
});
