import { describe, expect, it } from 'vitest';
import { eventually, ledger } from '../fixtures/delivery';
import { browserSubscription } from '../fixtures/push';
import { received, userWithTokens, webPushWorkspace } from '../fixtures/push-setup';
import { sinkRespond, sinkUrl } from '../fixtures/segments';
import { exportUser, type TestWorkspace } from '../fixtures/workspace';

async function subscription() {
  const path = `/wp/${crypto.randomUUID()}`;
  await sinkRespond(path, { status: 201 });
  return { path, sub: await browserSubscription(`${sinkUrl()}${path}`) };
}

async function send(ws: TestWorkspace, externalId: string) {
  const res = await ws.post('/messages/send', {
    external_user_ids: [externalId],
    messages: { web_push: { title: 'T', alert: 'A' } },
  });
  expect(res.status).toBe(201);
  const rows = await eventually(
    () => ledger(ws, externalId, res.json.dispatch_id),
    (r) => r.length === 1 && r[0]?.state !== 'claimed',
  );
  return rows[0]?.state;
}

const tokens = async (ws: TestWorkspace, id: string) =>
  ((await exportUser(ws, id)).push_tokens ?? []).map((t: { token: string }) => t.token);

describe('push devices', { timeout: 30_000 }, () => {
  it('belong to the last user who registered the token', async () => {
    const { ws, appId } = await webPushWorkspace();
    const { path, sub } = await subscription();
    await userWithTokens(ws, 'ada', [{ app_id: appId, token: sub.json }]);
    await userWithTokens(ws, 'bob', [{ app_id: appId, token: sub.json }]);
    // Ada's profile learns at her next send that the browser is Bob's now, and lets it go.
    expect(await send(ws, 'ada')).toBe('aborted');
    expect(await tokens(ws, 'ada')).toEqual([]);
    expect(await send(ws, 'bob')).toBe('sent');
    expect(await received(path)).toHaveLength(1);
    // Ada signs in again on that browser: it is hers, and Bob's copy goes at his next send.
    await userWithTokens(ws, 'ada', [{ app_id: appId, token: sub.json }]);
    expect(await send(ws, 'bob')).toBe('aborted');
    expect(await send(ws, 'ada')).toBe('sent');
    expect(await received(path)).toHaveLength(2);
  });

  it('hold one token per app on a device: a new token replaces the old one', async () => {
    const { ws, appId } = await webPushWorkspace();
    const first = await subscription();
    const second = await subscription();
    await userWithTokens(ws, 'ada', [{ app_id: appId, token: first.sub.json, device_id: 'd1' }]);
    await userWithTokens(ws, 'ada', [{ app_id: appId, token: second.sub.json, device_id: 'd1' }]);
    expect(await tokens(ws, 'ada')).toEqual([`${sinkUrl()}${second.path}`]);
    expect(await send(ws, 'ada')).toBe('sent');
    expect(await received(first.path)).toHaveLength(0);
    expect(await received(second.path)).toHaveLength(1);
  });

  it('move with a merged profile to the profile it merged into', async () => {
    const { ws, appId } = await webPushWorkspace();
    const { path, sub } = await subscription();
    const alias = { alias_name: 'anon-1', alias_label: 'device' };
    const res = await ws.post('/users/track', {
      attributes: [
        {
          user_alias: alias,
          _update_existing_only: false,
          push_tokens: [{ app_id: appId, token: sub.json }],
        },
      ],
    });
    expect(res.status).toBe(201);
    await userWithTokens(ws, 'ada', []);
    const merged = await ws.post('/users/merge', {
      merge_updates: [
        { identifier_to_merge: { user_alias: alias }, identifier_to_keep: { external_id: 'ada' } },
      ],
    });
    expect(merged.status).toBe(202);
    const t = await eventually(
      () => tokens(ws, 'ada'),
      (t) => t.length === 1,
    );
    expect(t).toEqual([`${sinkUrl()}${path}`]);
    expect(await send(ws, 'ada')).toBe('sent');
    expect(await received(path)).toHaveLength(1);
  });
});
