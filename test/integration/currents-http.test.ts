import { describe, expect, it } from 'vitest';
import { buffer, connectorStatus, createConnector } from '../fixtures/currents';
import { eventually, sinkWorkspace } from '../fixtures/delivery';
import { get, sinkReceived, sinkRespond, sinkUrl } from '../fixtures/segments';
import { call, type TestWorkspace } from '../fixtures/workspace';

async function hmacHex(secret: string, message: string): Promise<string> {
  const enc = new TextEncoder();
  const key = await crypto.subtle.importKey(
    'raw',
    enc.encode(secret),
    { name: 'HMAC', hash: 'SHA-256' },
    false,
    ['sign'],
  );
  const mac = new Uint8Array(await crypto.subtle.sign('HMAC', key, enc.encode(message)));
  return [...mac].map((b) => b.toString(16).padStart(2, '0')).join('');
}

async function trackEvents(ws: TestWorkspace, n: number) {
  const res = await ws.post('/users/track', {
    events: Array.from({ length: n }, (_, i) => ({
      external_id: 'u1',
      name: 'played',
      time: '2026-05-01T10:00:00Z',
      properties: { round: i },
    })),
  });
  expect(res.status).toBe(201);
}

describe('Currents HTTP connectors', () => {
  it('post signed batches in the custom connector shape, retrying 5xx until the partner recovers', async () => {
    const ws = await sinkWorkspace();
    const path = `/currents/${crypto.randomUUID()}`;
    const c = await createConnector(ws, {
      name: 'partner',
      type: 'http',
      http: { url: `${sinkUrl()}${path}`, bearer_token: 'tok-123', batch_size: 2 },
      event_types: ['users.behaviors.CustomEvent'],
    });
    expect(c.signing_secret).toMatch(/^whsec_/);
    expect(c.http).toEqual({ url: `${sinkUrl()}${path}`, batch_size: 2, bearer_token_set: true });
    await sinkRespond(path, { status: 500, times: 2 });
    await trackEvents(ws, 3);
    await eventually(
      () => connectorStatus(ws, c.id),
      (s) => s.events_waiting === 3,
    );
    await buffer(ws, c.id).runAlarm();
    // Retries are due at once in tests (HERALD_RETRY_BASE_SECONDS = 0); the alarm re-runs itself.
    const status = await eventually(
      () => connectorStatus(ws, c.id),
      (s) => s.events_sent === 3,
    );
    expect(status).toMatchObject({
      events_sent: 3,
      batches_sent: 2,
      failures: 2,
      dead_letters: 0,
      events_waiting: 0,
    });
    expect(status.last_error).toMatch(/HTTP 500/);
    const received = await sinkReceived(path);
    expect(received).toHaveLength(4);
    const bodies = received.map((r) => JSON.parse(r.body));
    // The failed batch was sent again whole, then the rest.
    expect(bodies[0]).toEqual(bodies[2]);
    expect(bodies.slice(2).flatMap((b) => b.events)).toHaveLength(3);
    const ids = bodies.slice(2).flatMap((b) => b.events.map((e: any) => e.id));
    expect(new Set(ids).size).toBe(3);
    for (const r of received) {
      expect(r.method).toBe('POST');
      expect(r.headers['content-type']).toBe('application/json');
      expect(r.headers['braze-currents-version']).toBe('1');
      expect(r.headers.authorization).toBe('Bearer tok-123');
      const [t, v1] = r.headers['x-herald-signature']!.split(',');
      const ts = t!.replace('t=', '');
      expect(Math.abs(Number(ts) - Date.now() / 1000)).toBeLessThan(60);
      expect(v1).toBe(`v1=${await hmacHex(c.signing_secret, `${ts}.${r.body}`)}`);
    }
    const event = bodies[3].events[0];
    expect(event).toEqual({
      event_type: 'users.behaviors.CustomEvent',
      id: expect.any(String),
      time: Date.parse('2026-05-01T10:00:00Z') / 1000,
      user: { user_id: expect.stringMatching(/^[0-9a-f]{24}$/), external_user_id: 'u1' },
      properties: {
        name: 'played',
        custom_properties: { round: expect.any(Number) },
        app_group_id: ws.id,
      },
    });
  });

  it('keep events a partner never accepts as dead letters after 24 hours, visible through the API', async () => {
    const ws = await sinkWorkspace();
    const path = `/currents/${crypto.randomUUID()}`;
    const c = await createConnector(ws, {
      name: 'down',
      type: 'http',
      http: { url: `${sinkUrl()}${path}` },
      event_types: ['users.behaviors.CustomEvent'],
    });
    await sinkRespond(path, { status: 503, body: 'maintenance' });
    await trackEvents(ws, 1);
    await eventually(
      () => connectorStatus(ws, c.id),
      (s) => s.events_waiting === 1,
    );
    const b = buffer(ws, c.id);
    await b.api.flush({ now: Date.now() });
    expect(await b.api.status()).toMatchObject({ waiting: 1, retrying: 1 });
    // A day and an hour later, still 503: the event moves to the dead-letter store.
    await b.api.flush({ now: Date.now() + 25 * 3_600_000 });
    expect(await b.api.status()).toMatchObject({ waiting: 0 });
    const letters = await get(ws, `/herald/currents/connectors/${c.id}/dead_letters`);
    expect(letters.status).toBe(200);
    expect(letters.json.dead_letters).toHaveLength(1);
    expect(letters.json.dead_letters[0]).toMatchObject({
      event_type: 'users.behaviors.CustomEvent',
      status: 503,
      reason: expect.stringMatching(/HTTP 503 maintenance.*24 h/),
      event: { event_type: 'users.behaviors.CustomEvent', properties: { name: 'played' } },
    });
    const s = await connectorStatus(ws, c.id);
    expect(s.dead_letters).toBe(1);
    expect(s.events_sent).toBe(0);
  });

  it('refuse a connector aimed at a private address the workspace does not allow', async () => {
    const ws = await sinkWorkspace({ connected_content_allowlist: [] });
    const res = await ws.post('/herald/currents/connectors', {
      name: 'x',
      type: 'http',
      http: { url: 'http://127.0.0.1:9/hook' },
    });
    expect(res.status).toBe(400);
    expect(res.json.message).toMatch(/http\.url/);
  });
});

describe('Currents connector API', () => {
  it('creates, lists, reads, pauses and deletes connectors of one workspace only', async () => {
    const ws = await sinkWorkspace();
    const c = await createConnector(ws, { name: 'lake', type: 'storage' });
    expect(c.event_types.length).toBeGreaterThan(30);
    expect(c.signing_secret).toBeUndefined();
    const listed = await get(ws, '/herald/currents/connectors');
    expect(listed.json.connectors.map((x: any) => x.id)).toEqual([c.id]);
    const other = await sinkWorkspace();
    expect((await get(other, `/herald/currents/connectors/${c.id}`)).status).toBe(404);
    const paused = await ws.post(`/herald/currents/connectors/${c.id}`, {});
    expect(paused.status).toBe(404);
    const patch = await fetchPatch(ws, c.id, { enabled: false, shards: 4 });
    expect(patch.connector).toMatchObject({ enabled: false, shards: 4 });
    expect((await get(ws, `/herald/currents/connectors/${c.id}`)).json.connector.enabled).toBe(
      false,
    );
    const types = await get(ws, '/herald/currents/event_types');
    expect(types.json.event_types.map((t: any) => t.name)).toContain('users.messages.email.Send');
    const del = await callDelete(ws, c.id);
    expect(del).toBe(200);
    expect((await get(ws, `/herald/currents/connectors/${c.id}`)).status).toBe(404);
  });
});

async function fetchPatch(ws: TestWorkspace, id: string, body: unknown) {
  const res = await call(`/herald/currents/connectors/${id}`, {
    key: ws.key,
    method: 'PATCH',
    body,
  });
  expect(res.status).toBe(200);
  return res.json() as Promise<any>;
}

async function callDelete(ws: TestWorkspace, id: string) {
  return (await call(`/herald/currents/connectors/${id}`, { key: ws.key, method: 'DELETE' }))
    .status;
}
