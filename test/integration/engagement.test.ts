import { env } from 'cloudflare:test';
import { describe, expect, it } from 'vitest';
import { profileStub } from '../../src/lib/stubs';
import { recordTracked } from '../../src/tracking/record';
import { signToken, type TrackedMessage, verifyToken } from '../../src/tracking/token';
import { eventually } from '../fixtures/delivery';
import { createWorkspace, exportUser, type TestWorkspace } from '../fixtures/workspace';

async function userWith(ws: TestWorkspace, externalId: string, attrs: Record<string, unknown>) {
  const res = await ws.post('/users/track', {
    attributes: [{ external_id: externalId, ...attrs }],
  });
  expect(res.status).toBe(201);
  return (await exportUser(ws, externalId)).braze_id as string;
}

function message(ws: TestWorkspace, profileId: string, over: Partial<TrackedMessage> = {}) {
  return {
    workspaceId: ws.id,
    profileId,
    channel: 'email',
    dispatchId: 'dispatch-1',
    sendId: null,
    campaignId: 'campaign-1',
    variantId: 'variant-1',
    ...over,
  } satisfies TrackedMessage;
}

async function summaryOf(ws: TestWorkspace, profileId: string) {
  const answer = await profileStub(env.USER_PROFILE, ws.id, profileId).summary({
    workspaceId: ws.id,
    profileId,
    addressedBy: null,
    now: Date.now(),
  });
  if (answer.status !== 'ok') throw new Error(answer.status);
  return answer.summary;
}

describe('tracking tokens', () => {
  it('round-trip the message ids and refuse any change to them', async () => {
    const ws = await createWorkspace();
    const m = message(ws, 'p-1');
    const token = await signToken(env.DB, m);
    expect(await verifyToken(env.DB, token)).toEqual(m);
    const [payload, mac] = token.split('.') as [string, string];
    // Another user's id in the payload, the signature kept: refused.
    const forged = btoa(JSON.stringify({ w: ws.id, p: 'p-2', ch: 'email', d: 'dispatch-1' }))
      .replace(/\+/g, '-')
      .replace(/\//g, '_')
      .replace(/=+$/, '');
    expect(await verifyToken(env.DB, `${forged}.${mac}`)).toBeNull();
    expect(await verifyToken(env.DB, `${payload}.${mac.slice(0, -2)}AA`)).toBeNull();
    expect(await verifyToken(env.DB, payload)).toBeNull();
    expect(await verifyToken(env.DB, 'not a token')).toBeNull();
    expect(await verifyToken(env.DB, `${payload}.${mac}`.repeat(20))).toBeNull();
  });

  it('are signed per workspace: one workspace cannot sign for another', async () => {
    const a = await createWorkspace();
    const b = await createWorkspace();
    await signToken(env.DB, message(b, 'p-1'));
    const tokenA = await signToken(env.DB, message(a, 'p-1'));
    const [, mac] = tokenA.split('.') as [string, string];
    const payloadB = (await signToken(env.DB, message(b, 'p-1'))).split('.')[0];
    expect(await verifyToken(env.DB, `${payloadB}.${mac}`)).toBeNull();
  });

  it('name no key for a workspace that never signed, and make none', async () => {
    const ws = await createWorkspace();
    const other = await createWorkspace();
    const token = await signToken(env.DB, message(other, 'p-1'));
    const payload = btoa(JSON.stringify({ w: ws.id, p: 'p', ch: 'email', d: 'd' })).replace(
      /=+$/,
      '',
    );
    expect(await verifyToken(env.DB, `${payload}.${token.split('.')[1]}`)).toBeNull();
    const row = await env.DB.prepare('SELECT 1 FROM workspace_secrets WHERE workspace_id = ?')
      .bind(ws.id)
      .first();
    expect(row).toBeNull();
  });
});

describe('recording engagement in the profile', () => {
  it('sets first opened and clicked times, once per event id, with unique flags', async () => {
    const ws = await createWorkspace();
    const profileId = await userWith(ws, 'eng-1', { email: 'eng-1@example.com' });
    const tracked = message(ws, profileId);
    const at = Date.now() - 60_000;
    const open = { event: 'open' as const, eventId: 'open-1', at };
    expect(await recordTracked(env, tracked, open)).toEqual({ status: 'recorded', unique: true });
    expect(await recordTracked(env, tracked, open)).toEqual({ status: 'duplicate' });
    expect(await recordTracked(env, tracked, { ...open, eventId: 'open-2', at: at + 1 })).toEqual({
      status: 'recorded',
      unique: false,
    });
    await recordTracked(env, tracked, {
      event: 'click',
      eventId: 'click-1',
      at: at + 2,
      url: 'https://example.com/a',
    });
    const s = await summaryOf(ws, profileId);
    expect(s.messages['campaign-1']).toMatchObject({ openedAt: at, clickedAt: at + 2 });
  });

  it('applies a profile update (an unsubscribe) as /users/track would', async () => {
    const ws = await createWorkspace();
    const profileId = await userWith(ws, 'eng-2', {
      email: 'eng-2@example.com',
      email_subscribe: 'opted_in',
    });
    const answer = await recordTracked(env, message(ws, profileId), {
      event: 'unsubscribe',
      eventId: 'unsub-1',
      at: Date.now(),
      profileUpdate: { standard: { email_subscribe: 'unsubscribed' } },
    });
    expect(answer).toMatchObject({ status: 'recorded' });
    const user = await eventually(
      () => exportUser(ws, 'eng-2'),
      (u) => u.email_subscribe === 'unsubscribed',
    );
    expect(user.email_subscribe).toBe('unsubscribed');
  });

  it('follows a merged profile and reports a deleted one as gone', async () => {
    const ws = await createWorkspace();
    const profileId = await userWith(ws, 'eng-3', {});
    const del = await ws.post('/users/delete', { external_ids: ['eng-3'] });
    expect(del.status).toBe(202);
    const answer = await eventually(
      () => recordTracked(env, message(ws, profileId), { event: 'open', eventId: 'o', at: 1 }),
      (a) => a.status === 'gone',
    );
    expect(answer).toEqual({ status: 'gone' });
  });
});
