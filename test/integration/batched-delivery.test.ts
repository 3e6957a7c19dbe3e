import { env } from 'cloudflare:test';
import { describe, expect, it } from 'vitest';
import { profileStub } from '../../src/lib/stubs';
import { sendKey } from '../../src/profiles/sends';
import { eventually, ledger, sinkHook, sinkWorkspace } from '../fixtures/delivery';
import { createSegment, get, sinkReceived, syncIndex } from '../fixtures/segments';
import { exportUser, type TestWorkspace } from '../fixtures/workspace';

/**
 * The batched send path (src/delivery/batch-send.ts): webhook broadcasts claimed in D1 per
 * deliver message, rendered from the profile index, recorded in the profiles afterwards.
 */

const BODY =
  '{"name":"{{${first_name} | default: \'friend\'}}","plan":"{{custom_attribute.${plan}}}"}';

function hookPath(): string {
  return `/hook/${crypto.randomUUID()}`;
}

async function track(ws: TestWorkspace, attributes: Record<string, unknown>[]) {
  const res = await ws.post('/users/track', { attributes });
  expect(res.status).toBe(201);
}

/** A workspace with `users` (all `plan: pro`) indexed, and a segment of the pro users. */
/** A segment of the users whose `plan` is "pro". */
function proSegment(ws: TestWorkspace): Promise<string> {
  return createSegment(ws, {
    filter: {
      custom_attribute: { custom_attribute_name: 'plan', comparison: 'equals', value: 'pro' },
    },
  });
}

async function proAudience(users: string[], settings: Record<string, unknown> = {}) {
  const ws = await sinkWorkspace(settings);
  // /users/track takes 75 objects per request.
  for (let i = 0; i < users.length; i += 75) {
    await track(
      ws,
      users.slice(i, i + 75).map((id) => ({ external_id: id, first_name: `N-${id}`, plan: 'pro' })),
    );
  }
  await syncIndex(ws, users);
  const segment = await proSegment(ws);
  return { ws, segment };
}

/** Broadcast to the segment and wait for `n` webhooks and the write-back of every send. */
async function broadcast(
  ws: TestWorkspace,
  segment: string,
  n: number,
  extra: Record<string, unknown> = {},
) {
  const path = hookPath();
  const res = await ws.post('/messages/send', {
    segment_id: segment,
    broadcast: true,
    messages: { webhook: sinkHook(path, BODY) },
    ...extra,
  });
  expect(res.status).toBe(201);
  const dispatchId: string = res.json.dispatch_id;
  const hooks = await eventually(
    () => sinkReceived(path),
    (r) => r.length >= n,
  );
  const status = await writtenBack(ws, dispatchId, n);
  return { path, dispatchId, hooks, status };
}

/** Wait until the dispatch's profiles recorded `n` sends. */
function writtenBack(ws: TestWorkspace, dispatchId: string, n: number) {
  return eventually(
    () => get(ws, `/herald/dispatches/${dispatchId}`),
    (r) => r.json.batch?.recorded >= n,
  );
}

/** A deliver message for the dispatch naming these profiles, as expand writes them. */
function deliverMessage(ws: TestWorkspace, dispatchId: string, profileIds: string[]) {
  return {
    v: 1,
    type: 'deliver',
    workspace_id: ws.id,
    dispatch_id: dispatchId,
    channel: 'webhook',
    attempt: 1,
    recipients: profileIds.map((profile_id) => ({ profile_id })),
  };
}

const settle = () => new Promise((resolve) => setTimeout(resolve, 700));

describe('batched delivery of webhook broadcasts', () => {
  it('renders each member from the index and writes the send back to their profile', async () => {
    const { ws, segment } = await proAudience(['b1', 'b2']);
    const { hooks, dispatchId, status } = await broadcast(ws, segment, 2, {
      campaign_id: 'camp_batched',
    });
    expect(
      hooks.map((h) => JSON.parse(h.body)).sort((a, b) => a.name.localeCompare(b.name)),
    ).toEqual([
      { name: 'N-b1', plan: 'pro' },
      { name: 'N-b2', plan: 'pro' },
    ]);
    expect(status.json).toMatchObject({
      ledger: 'batch',
      batch: { settled: 2, recorded: 2, pending: 0 },
    });
    // The profile's own record: its ledger row, and the campaign received in the export.
    const rows = await ledger(ws, 'b1', dispatchId);
    expect(rows).toEqual([expect.objectContaining({ state: 'sent', attempt: 1 })]);
    const user = await exportUser(ws, 'b1');
    expect(user.campaigns_received).toEqual([
      expect.objectContaining({ api_campaign_id: 'camp_batched', in_control: false }),
    ]);
  });

  it('sends once to each of 120 members, whose page spans deliver messages of up to 100', async () => {
    const users = Array.from({ length: 120 }, (_, i) => `m${i}`);
    const { ws, segment } = await proAudience(users);
    const { path, status } = await broadcast(ws, segment, 120);
    await settle();
    const names = (await sinkReceived(path)).map((h) => JSON.parse(h.body).name).sort();
    expect(names).toEqual(users.map((id) => `N-${id}`).sort());
    // Every send written back: a 100-recipient message's sends go out as two record messages.
    expect(status.json).toMatchObject({ batch: { settled: 120, recorded: 120, pending: 0 } });
  }, 30_000);

  it('sends once when a deliver message and its write-back arrive again', async () => {
    const { ws, segment } = await proAudience(['r1']);
    const { path, dispatchId } = await broadcast(ws, segment, 1, { campaign_id: 'camp_again' });
    const user = await exportUser(ws, 'r1');
    const again = deliverMessage(ws, dispatchId, [user.braze_id]);
    await env.DELIVERY_QUEUE.sendBatch([{ body: again }, { body: again }]);
    await env.DELIVERY_QUEUE.send({
      v: 1,
      type: 'record',
      workspace_id: ws.id,
      dispatch_id: dispatchId,
      channel: 'webhook',
      sends: [{ profile_id: user.braze_id, result: 'sent', attempt: 1, at: Date.now() }],
    });
    await settle();
    expect(await sinkReceived(path)).toHaveLength(1);
    const key = sendKey({
      dispatchId,
      profileId: user.braze_id,
      variantId: null,
      channel: 'webhook',
    });
    expect((await ledger(ws, 'r1', dispatchId)).map((r) => r.key)).toEqual([key]);
    const stats = await env.DB.prepare(
      `SELECT sum(value) AS n FROM campaign_stats
       WHERE workspace_id = ? AND campaign_id = 'camp_again' AND field = 'sent'`,
    )
      .bind(ws.id)
      .first<{ n: number }>();
    expect(stats?.n).toBe(1);
  });

  it('drops a member who left the audience after the page was read', async () => {
    const { ws, segment } = await proAudience(['s1', 'gone']);
    const leaver = await exportUser(ws, 'gone');
    await track(ws, [{ external_id: 'gone', plan: 'free' }]);
    await syncIndex(ws, ['gone']);
    const sent = await broadcast(ws, segment, 1);
    // A deliver message written while `gone` was still a member arrives after they left.
    await env.DELIVERY_QUEUE.send(deliverMessage(ws, sent.dispatchId, [leaver.braze_id]));
    await settle();
    expect((await sinkReceived(sent.path)).map((h) => h.headers['x-user'])).toEqual(['s1']);
    expect((await get(ws, `/herald/dispatches/${sent.dispatchId}`)).json.batch).toMatchObject({
      settled: 1,
      recorded: 1,
    });
  });

  it('never sends to a deleted user, even from a message queued before the deletion', async () => {
    const { ws, segment } = await proAudience(['keep', 'del']);
    const doomed = await exportUser(ws, 'del');
    const first = await broadcast(ws, segment, 2);
    const res = await ws.post('/users/delete', { external_ids: ['del'] });
    expect(res.status).toBe(202);
    const second = await broadcast(ws, segment, 1);
    await env.DELIVERY_QUEUE.send(deliverMessage(ws, second.dispatchId, [doomed.braze_id]));
    await settle();
    expect((await sinkReceived(first.path)).length).toBe(2);
    expect((await sinkReceived(second.path)).map((h) => h.headers['x-user'])).toEqual(['keep']);
  });

  it('leaves frequency-capped workspaces on the per-profile path, where caps apply', async () => {
    const { ws, segment } = await proAudience(['cap'], {
      frequency_capping_rules: [{ channel: 'webhook', limit: 1, unit: 'days', count: 1 }],
    });
    const send = async () => {
      const path = hookPath();
      const res = await ws.post('/messages/send', {
        segment_id: segment,
        broadcast: true,
        messages: { webhook: sinkHook(path, BODY) },
      });
      const rows = await eventually(
        () => ledger(ws, 'cap', res.json.dispatch_id),
        (r) => r[0] !== undefined && r[0].state !== 'claimed',
      );
      const status = await get(ws, `/herald/dispatches/${res.json.dispatch_id}`);
      return { rows, status };
    };
    const first = await send();
    expect(first.status.json.ledger).toBe('profile');
    expect(first.rows[0]).toMatchObject({ state: 'sent' });
    expect((await send()).rows[0]).toMatchObject({ state: 'skipped' });
  });

  it('counts batched sends toward the frequency caps of later sends', async () => {
    const { ws, segment } = await proAudience(['fc2']);
    await broadcast(ws, segment, 1);
    const user = await exportUser(ws, 'fc2');
    // A later capped send claims in the profile, which now holds the batched send's record.
    const answer = await profileStub(env.USER_PROFILE, ws.id, user.braze_id).claimSend({
      workspaceId: ws.id,
      profileId: user.braze_id,
      addressedBy: null,
      now: Date.now(),
      audience: null,
      claim: {
        dispatchId: 'later',
        sendId: null,
        campaignId: null,
        variantId: null,
        channel: 'webhook',
        attempt: 1,
        controls: {
          frequencyCaps: [{ channel: 'webhook', limit: 1, unit: 'days', count: 1 }],
          companyTimeZone: 'UTC',
        },
      },
    });
    expect(answer).toMatchObject({ status: 'done', state: 'skipped', reason: 'frequency_capped' });
  });
  it('claims once when two copies of a deliver message run at the same time', async () => {
    const ws = await sinkWorkspace();
    const users = ['t1', 't2', 't3'];
    await track(
      ws,
      users.map((id) => ({ external_id: id, first_name: `N-${id}`, plan: 'free' })),
    );
    await syncIndex(ws, users);
    const segment = await proSegment(ws);
    // The segment is empty when the dispatch is made: no deliver message of its own.
    const path = hookPath();
    const res = await ws.post('/messages/send', {
      segment_id: segment,
      broadcast: true,
      campaign_id: 'camp_twice',
      messages: { webhook: sinkHook(path, BODY) },
    });
    expect(res.status).toBe(201);
    const dispatchId: string = res.json.dispatch_id;
    await eventually(
      () => get(ws, `/herald/dispatches/${dispatchId}`),
      (r) => r.json.status === 'enqueued',
    );
    await track(
      ws,
      users.map((id) => ({ external_id: id, plan: 'pro' })),
    );
    await syncIndex(ws, users);
    const ids = await Promise.all(users.map(async (id) => (await exportUser(ws, id)).braze_id));
    const message = deliverMessage(ws, dispatchId, ids);
    await env.DELIVERY_QUEUE.sendBatch([{ body: message }, { body: message }]);
    const hooks = await eventually(
      () => sinkReceived(path),
      (r) => r.length >= 3,
    );
    await writtenBack(ws, dispatchId, 3);
    await settle();
    expect((await sinkReceived(path)).map((h) => h.headers['x-user']).sort()).toEqual(users);
    expect(hooks).toHaveLength(3);
    const stats = await env.DB.prepare(
      `SELECT sum(value) AS n FROM campaign_stats
       WHERE workspace_id = ? AND campaign_id = 'camp_twice' AND field = 'sent'`,
    )
      .bind(ws.id)
      .first<{ n: number }>();
    expect(stats?.n).toBe(3);
  });

  it("renders a member's subscription groups when the template reads them", async () => {
    const ws = await sinkWorkspace();
    await track(ws, [
      {
        external_id: 'sg1',
        plan: 'pro',
        subscription_groups: [{ subscription_group_id: 'news', subscription_state: 'subscribed' }],
      },
    ]);
    await syncIndex(ws, ['sg1']);
    const segment = await proSegment(ws);
    const path = hookPath();
    const res = await ws.post('/messages/send', {
      segment_id: segment,
      broadcast: true,
      messages: { webhook: sinkHook(path, '{"news":"{{subscribed_state.${news}}}"}') },
    });
    expect(res.status).toBe(201);
    const hooks = await eventually(
      () => sinkReceived(path),
      (r) => r.length >= 1,
    );
    expect(hooks.map((h) => JSON.parse(h.body))).toEqual([{ news: 'subscribed' }]);
    const status = await get(ws, `/herald/dispatches/${res.json.dispatch_id}`);
    expect(status.json.ledger).toBe('batch');
  });
});
