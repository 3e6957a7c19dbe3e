import { env } from 'cloudflare:test';
import { describe, expect, it } from 'vitest';
import { profileStub } from '../../src/lib/stubs';
import { CLAIM_LEASE_MS, sendKey } from '../../src/profiles/sends';
import { eventually, ledger, sinkWorkspace } from '../fixtures/delivery';
import {
  createSegment,
  get,
  sinkReceived,
  sinkRespond,
  sinkUrl,
  syncIndex,
} from '../fixtures/segments';
import { call, createWorkspace, exportUser, type TestWorkspace } from '../fixtures/workspace';

function hookPath(): string {
  return `/hook/${crypto.randomUUID()}`;
}

async function track(ws: TestWorkspace, attributes: Record<string, unknown>[]) {
  const res = await ws.post('/users/track', { attributes });
  expect(res.status).toBe(201);
}

function webhook(path: string, extra: Record<string, unknown> = {}) {
  return {
    url: `${sinkUrl()}${path}`,
    request_method: 'POST',
    request_headers: { 'Content-Type': 'application/json', 'X-User': '{{${user_id}}}' },
    body: '{"name":"{{${first_name} | default: \'friend\'}}","dispatch":"{{campaign.${dispatch_id}}}"}',
    ...extra,
  };
}

describe('POST /messages/send with a webhook', () => {
  it('renders the URL, headers and body per listed user and calls the webhook once each', async () => {
    const ws = await sinkWorkspace();
    await track(ws, [{ external_id: 'ada', first_name: 'Ada' }, { external_id: 'bo' }]);
    const path = hookPath();
    const res = await ws.post('/messages/send', {
      external_user_ids: ['ada', 'bo', 'ada', 'nobody'],
      messages: { webhook: webhook(path) },
    });
    expect(res.status).toBe(201);
    expect(res.json).toEqual({
      dispatch_id: expect.stringMatching(/^[0-9a-f]{32}$/),
      message: 'success',
    });
    const got = await eventually(
      () => sinkReceived(path),
      (r) => r.length >= 2,
    );
    expect(got).toHaveLength(2);
    const bodies = got.map((r) => JSON.parse(r.body)).sort((a, b) => a.name.localeCompare(b.name));
    expect(bodies).toEqual([
      { name: 'Ada', dispatch: res.json.dispatch_id },
      { name: 'friend', dispatch: res.json.dispatch_id },
    ]);
    expect(got.map((r) => r.headers['x-user']).sort()).toEqual(['ada', 'bo']);
    expect(got[0]!.headers['user-agent']).toMatch(/^Herald Sender [0-9a-f]+$/);
    expect(await ledger(ws, 'ada', res.json.dispatch_id)).toEqual([
      expect.objectContaining({ state: 'sent', attempt: 1, channel: 'webhook' }),
    ]);
  });

  it('echoes send_id and records the campaign as received, which segments then see', async () => {
    const ws = await sinkWorkspace();
    // Created first: profiles cache a workspace's definitions for a few seconds.
    const segment = await createSegment(ws, {
      filter: { message_engagement: { campaign_id: 'camp_1', comparison: 'received' } },
    });
    await track(ws, [{ external_id: 'cy' }]);
    const path = hookPath();
    const res = await ws.post('/messages/send', {
      external_user_ids: ['cy'],
      campaign_id: 'camp_1',
      send_id: 'spring-sale',
      messages: { webhook: webhook(path) },
    });
    expect(res.json).toMatchObject({ send_id: 'spring-sale', message: 'success' });
    await eventually(
      () => sinkReceived(path),
      (r) => r.length >= 1,
    );
    const member = await eventually(
      () => get(ws, '/herald/users/segments?external_id=cy'),
      (r) => (r.json.segments ?? []).some((s: { segment_id: string }) => s.segment_id === segment),
    );
    expect(member.json.segments.map((s: { segment_id: string }) => s.segment_id)).toContain(
      segment,
    );
  });

  it('sends a segment broadcast to every member, page by page, and reports progress', async () => {
    const ws = await sinkWorkspace();
    await track(ws, [
      { external_id: 'm1', plan: 'pro' },
      { external_id: 'm2', plan: 'pro' },
      { external_id: 'x1', plan: 'free' },
    ]);
    await syncIndex(ws, ['m1', 'm2', 'x1']);
    const segment = await createSegment(ws, {
      filter: {
        custom_attribute: { custom_attribute_name: 'plan', comparison: 'equals', value: 'pro' },
      },
    });
    const path = hookPath();
    const res = await ws.post('/messages/send', {
      segment_id: segment,
      broadcast: true,
      messages: { webhook: webhook(path) },
    });
    expect(res.status).toBe(201);
    const got = await eventually(
      () => sinkReceived(path),
      (r) => r.length >= 2,
    );
    expect(got.map((r) => r.headers['x-user']).sort()).toEqual(['m1', 'm2']);
    const status = await eventually(
      () => get(ws, `/herald/dispatches/${res.json.dispatch_id}`),
      (r) => r.json.status === 'enqueued',
    );
    expect(status.json).toMatchObject({
      status: 'enqueued',
      enqueued_recipients: 2,
      source: 'messages.send',
    });
    // The first page arriving again (the queue delivers at least once) pages nothing twice.
    await env.DELIVERY_QUEUE.send({
      v: 1,
      type: 'expand',
      workspace_id: ws.id,
      dispatch_id: res.json.dispatch_id,
      after: null,
    });
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(await sinkReceived(path)).toHaveLength(2);
    expect((await get(ws, `/herald/dispatches/${res.json.dispatch_id}`)).json).toMatchObject({
      enqueued_recipients: 2,
    });
  });

  it('sends listed users with a segment only to the listed members', async () => {
    const ws = await sinkWorkspace();
    await track(ws, [
      { external_id: 'in', plan: 'pro' },
      { external_id: 'out', plan: 'free' },
    ]);
    const segment = await createSegment(ws, {
      filter: {
        custom_attribute: { custom_attribute_name: 'plan', comparison: 'equals', value: 'pro' },
      },
    });
    const path = hookPath();
    const res = await ws.post('/messages/send', {
      external_user_ids: ['in', 'out'],
      segment_id: segment,
      messages: { webhook: webhook(path) },
    });
    expect(res.status).toBe(201);
    const got = await eventually(
      () => sinkReceived(path),
      (r) => r.length >= 1,
    );
    expect(got.map((r) => r.headers['x-user'])).toEqual(['in']);
    expect(await ledger(ws, 'out', res.json.dispatch_id)).toEqual([]);
  });

  it('retries 503 answers with backoff and delivers once the host recovers', async () => {
    const ws = await sinkWorkspace();
    await track(ws, [{ external_id: 'rex' }]);
    const path = hookPath();
    await sinkRespond(path, { status: 503, body: 'busy', times: 2 });
    const res = await ws.post('/messages/send', {
      external_user_ids: ['rex'],
      messages: { webhook: webhook(path) },
    });
    const got = await eventually(
      () => sinkReceived(path),
      (r) => r.length >= 3,
    );
    expect(got).toHaveLength(3);
    const rows = await eventually(
      () => ledger(ws, 'rex', res.json.dispatch_id),
      (r) => r[0]?.state === 'sent',
    );
    expect(rows).toEqual([expect.objectContaining({ state: 'sent', attempt: 3 })]);
  });

  it('gives up after 5 attempts and keeps the send in the dead-letter API', async () => {
    const ws = await sinkWorkspace();
    await track(ws, [{ external_id: 'dee' }]);
    const path = hookPath();
    await sinkRespond(path, { status: 500, body: 'down' });
    const res = await ws.post('/messages/send', {
      external_user_ids: ['dee'],
      messages: { webhook: webhook(path) },
    });
    const letters = await eventually(
      () => get(ws, '/herald/delivery/dead_letters'),
      (r) => (r.json.dead_letters ?? []).length >= 1,
    );
    expect(letters.json.dead_letters).toEqual([
      expect.objectContaining({
        dispatch_id: res.json.dispatch_id,
        channel: 'webhook',
        status: 500,
        attempts: 5,
        reason: 'HTTP 500: down',
      }),
    ]);
    expect(await sinkReceived(path)).toHaveLength(5);
    expect(await ledger(ws, 'dee', res.json.dispatch_id)).toEqual([
      expect.objectContaining({ state: 'failed', attempt: 5 }),
    ]);
  });

  it('does not retry a 404, and refuses private addresses the workspace has not allowlisted', async () => {
    const ws = await sinkWorkspace();
    await track(ws, [{ external_id: 'nf' }]);
    const path = hookPath();
    await sinkRespond(path, { status: 404, body: 'no such hook' });
    const res = await ws.post('/messages/send', {
      external_user_ids: ['nf'],
      messages: { webhook: webhook(path) },
    });
    const rows = await eventually(
      () => ledger(ws, 'nf', res.json.dispatch_id),
      (r) => r[0]?.state === 'failed',
    );
    expect(rows[0]).toMatchObject({ state: 'failed', attempt: 1 });
    expect(await sinkReceived(path)).toHaveLength(1);

    const closed = await createWorkspace();
    await track(closed, [{ external_id: 'priv' }]);
    const privatePath = hookPath();
    const sent = await closed.post('/messages/send', {
      external_user_ids: ['priv'],
      messages: { webhook: webhook(privatePath) },
    });
    const privRows = await eventually(
      () => ledger(closed, 'priv', sent.json.dispatch_id),
      (r) => r[0]?.state === 'failed',
    );
    expect(privRows[0]).toMatchObject({ state: 'failed' });
    expect(await sinkReceived(privatePath)).toHaveLength(0);
  });

  it('aborts the send for a user whose template calls abort_message', async () => {
    const ws = await sinkWorkspace();
    await track(ws, [{ external_id: 'ab' }, { external_id: 'ok', first_name: 'Ok' }]);
    const path = hookPath();
    const res = await ws.post('/messages/send', {
      external_user_ids: ['ab', 'ok'],
      messages: {
        webhook: webhook(path, {
          body: "{% if ${first_name} == blank %}{% abort_message('no name') %}{% endif %}{{${first_name}}}",
        }),
      },
    });
    const rows = await eventually(
      () => ledger(ws, 'ab', res.json.dispatch_id),
      (r) => r[0]?.state === 'aborted',
    );
    expect(rows[0]).toMatchObject({ state: 'aborted' });
    const got = await eventually(
      () => sinkReceived(path),
      (r) => r.length >= 1,
    );
    expect(got.map((r) => r.body)).toEqual(['Ok']);
  });

  it('never sends twice when the same delivery message arrives again', async () => {
    const ws = await sinkWorkspace();
    await track(ws, [{ external_id: 'dup' }]);
    const path = hookPath();
    const res = await ws.post('/messages/send', {
      external_user_ids: ['dup'],
      messages: { webhook: webhook(path) },
    });
    await eventually(
      () => ledger(ws, 'dup', res.json.dispatch_id),
      (r) => r[0]?.state === 'sent',
    );
    // The queue delivering the same message again (at least once) and a batch retried whole.
    const again = {
      v: 1,
      type: 'deliver',
      workspace_id: ws.id,
      dispatch_id: res.json.dispatch_id,
      channel: 'webhook',
      attempt: 1,
      recipients: [{ id: { kind: 'external_id', value: 'dup' } }],
    };
    await env.DELIVERY_QUEUE.sendBatch([{ body: again }, { body: again }]);
    const user = await exportUser(ws, 'dup');
    await env.DELIVERY_QUEUE.send({ ...again, recipients: [{ profile_id: user.braze_id }] });
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(await sinkReceived(path)).toHaveLength(1);
    const key = sendKey({
      dispatchId: res.json.dispatch_id,
      profileId: user.braze_id,
      variantId: null,
      channel: 'webhook',
    });
    expect((await ledger(ws, 'dup', res.json.dispatch_id)).map((r) => r.key)).toEqual([key]);
  });
});

describe('duplicate requests and restarts', () => {
  it('treats an identical request with the same send_id as the same send', async () => {
    const ws = await sinkWorkspace();
    await track(ws, [{ external_id: 'twice' }]);
    const path = hookPath();
    const body = {
      external_user_ids: ['twice'],
      send_id: 'receipt-42',
      messages: { webhook: webhook(path) },
    };
    const first = await ws.post('/messages/send', body);
    // The client retries: same body (keys in another order), same send_id.
    const { messages, ...rest } = body;
    const again = await ws.post('/messages/send', { messages, ...rest });
    expect(again.json.dispatch_id).toBe(first.json.dispatch_id);
    await eventually(
      () => ledger(ws, 'twice', first.json.dispatch_id),
      (r) => r[0]?.state === 'sent',
    );
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(await sinkReceived(path)).toHaveLength(1);
    // The same send_id with another body is another send, as Braze reuses send ids.
    const other = await ws.post('/messages/send', {
      ...body,
      messages: { webhook: webhook(path, { body: 'second' }) },
    });
    expect(other.json.dispatch_id).not.toBe(first.json.dispatch_id);
    const got = await eventually(
      () => sinkReceived(path),
      (r) => r.length >= 2,
    );
    expect(got).toHaveLength(2);
  });

  it('lets a send claimed by a consumer that died be taken over once the lease runs out', async () => {
    const ws = await sinkWorkspace();
    await track(ws, [{ external_id: 'crash' }]);
    const user = await exportUser(ws, 'crash');
    const stub = profileStub(env.USER_PROFILE, ws.id, user.braze_id);
    const claim = (now: number) =>
      stub.claimSend({
        workspaceId: ws.id,
        profileId: user.braze_id,
        addressedBy: null,
        now,
        audience: null,
        claim: {
          dispatchId: 'd-crash',
          sendId: null,
          campaignId: null,
          variantId: null,
          channel: 'webhook',
          attempt: 1,
        },
      });
    const t0 = Date.now();
    expect(await claim(t0)).toMatchObject({ status: 'claimed' });
    // The consumer dies mid-send: the queue redelivers; within the lease the claim is held.
    expect(await claim(t0 + 1_000)).toMatchObject({ status: 'in_flight' });
    // After the lease another consumer takes over (at least once: never lost).
    const taken = await claim(t0 + CLAIM_LEASE_MS + 1);
    expect(taken).toMatchObject({ status: 'claimed' });
    const key = (taken as { key: string }).key;
    // The first completion is recorded; a late second one (the dead consumer's) changes nothing.
    const complete = (attempt: number) =>
      stub.completeSend({
        workspaceId: ws.id,
        profileId: user.braze_id,
        addressedBy: null,
        now: Date.now(),
        outcome: { key, attempt, result: 'sent', status: 200 },
      });
    expect(await complete(1)).toEqual({ status: 'ok', applied: true });
    expect(await complete(1)).toEqual({ status: 'ok', applied: false });
    expect(await claim(t0 + CLAIM_LEASE_MS + 2)).toMatchObject({ status: 'done', state: 'sent' });
  });
});

describe('delivery controls on /messages/send', () => {
  it("applies the workspace's frequency cap per local day, unless the send overrides it", async () => {
    const ws = await createWorkspace({
      connected_content_allowlist: ['127.0.0.1'],
      frequency_capping_rules: [{ channel: 'webhook', limit: 1, unit: 'days', count: 1 }],
      company_time_zone: 'America/New_York',
    });
    await track(ws, [{ external_id: 'fc', time_zone: 'Europe/Paris' }]);
    const path = hookPath();
    const send = async (extra: Record<string, unknown> = {}) => {
      const res = await ws.post('/messages/send', {
        external_user_ids: ['fc'],
        messages: { webhook: webhook(path) },
        ...extra,
      });
      expect(res.status).toBe(201);
      return eventually(
        () => ledger(ws, 'fc', res.json.dispatch_id),
        (r) => r[0] !== undefined && r[0].state !== 'claimed',
      );
    };
    expect((await send())[0]).toMatchObject({ state: 'sent' });
    expect((await send())[0]).toMatchObject({ state: 'skipped' });
    // Overriding sends go out, and by Braze's current default do not count toward the cap.
    expect((await send({ override_frequency_capping: true }))[0]).toMatchObject({
      state: 'sent',
    });
    expect(await sinkReceived(path)).toHaveLength(2);
  });

  it('rejects invalid frequency rules and time zones in workspace settings', async () => {
    await expect(
      createWorkspace({
        frequency_capping_rules: [{ channel: 'any', limit: 1, unit: 'days', count: 31 }],
      }),
    ).rejects.toThrow(/30 days/);
    await expect(createWorkspace({ company_time_zone: 'Mars/Base' })).rejects.toThrow(/IANA/);
  });
});

describe('POST /messages/send refuses bad requests', () => {
  const hook = { url: 'https://example.com/h', request_method: 'POST' };

  it.each([
    ['no audience', { messages: { webhook: hook } }, /external_user_ids or user_aliases/],
    [
      'a segment without broadcast',
      { segment_id: 'seg', messages: { webhook: hook } },
      /broadcast must be true/,
    ],
    [
      'broadcast with listed users',
      { external_user_ids: ['a'], broadcast: true, messages: { webhook: hook } },
      /broadcast must not be true/,
    ],
    [
      'more than 50 users',
      {
        external_user_ids: Array.from({ length: 51 }, (_, i) => `u${i}`),
        messages: { webhook: hook },
      },
      /at most 50/,
    ],
    ['no message', { external_user_ids: ['a'], messages: {} }, /at least one message/],
    [
      'a channel Herald does not deliver yet',
      {
        external_user_ids: ['a'],
        messages: {
          kindle_push: { alert: 'hi' },
        },
      },
      /cannot deliver kindle_push/,
    ],
    [
      'an unknown message type',
      { external_user_ids: ['a'], messages: { pager: {} } },
      /unknown message type/,
    ],
    [
      'a webhook without a method',
      { external_user_ids: ['a'], messages: { webhook: { url: 'https://e.com' } } },
      /request_method/,
    ],
    [
      'an unknown segment',
      { segment_id: 'nope', broadcast: true, messages: { webhook: hook } },
      /segment_id is invalid/,
    ],
    [
      'an invalid audience',
      { audience: { AND: [{ bogus: {} }] }, broadcast: true, messages: { webhook: hook } },
      /audience is invalid/,
    ],
    [
      'a send_id that is too long',
      { external_user_ids: ['a'], send_id: 'x'.repeat(65), messages: { webhook: hook } },
      /send_id/,
    ],
  ])('%s', async (_name, body, message) => {
    const ws = await createWorkspace();
    const res = await ws.post('/messages/send', body);
    expect(res.status).toBe(400);
    expect(res.json.message).toMatch(message);
  });

  it('guards the delivery read APIs with herald.delivery.read', async () => {
    const ws = await createWorkspace();
    for (const path of ['/herald/delivery/dead_letters', '/herald/dispatches/abc']) {
      expect((await call(path, {})).status).toBe(401);
      const key = await ws.keyWith(['messages.send']);
      expect((await call(path, { key })).status).toBe(403);
    }
    const bad = await get(ws, '/herald/delivery/dead_letters?limit=0');
    expect(bad.status).toBe(400);
    expect(bad.json.message).toMatch(/limit/);
  });

  it('answers 404 for another workspace dispatch', async () => {
    const a = await sinkWorkspace();
    const b = await createWorkspace();
    await track(a, [{ external_id: 'z' }]);
    const res = await a.post('/messages/send', {
      external_user_ids: ['z'],
      messages: { webhook: webhook(hookPath()) },
    });
    expect((await get(b, `/herald/dispatches/${res.json.dispatch_id}`)).status).toBe(404);
    expect((await get(a, `/herald/dispatches/${res.json.dispatch_id}`)).status).toBe(200);
  });
});
