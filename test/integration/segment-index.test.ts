import { env } from 'cloudflare:test';
import { describe, expect, it } from 'vitest';
import { writeSummary } from '../../src/segments/index-writer';
import type { ProfileSummary } from '../../src/segments/summary';
import { summary as makeSummary } from '../fixtures/summary';

function summary(seq: number, plan: string, events: number): ProfileSummary {
  return makeSummary({
    externalId: 'u1',
    seq,
    custom: { plan: { type: 'string', value: plan } },
    events: { played: { count: events, first: 1, last: 2, days: { 20000: events } } },
  });
}

async function stored(workspaceId: string) {
  const profile = await env.DB.prepare(
    'SELECT seq, custom FROM idx_profiles WHERE workspace_id = ?',
  )
    .bind(workspaceId)
    .first<{ seq: number; custom: string }>();
  const event = await env.DB.prepare('SELECT count FROM idx_events WHERE workspace_id = ?')
    .bind(workspaceId)
    .first<{ count: number }>();
  return {
    seq: profile?.seq,
    plan: JSON.parse(profile?.custom ?? '{}').plan?.v,
    events: event?.count,
  };
}

describe('profile index writes', () => {
  it('keeps the newer summary when an older one arrives later', async () => {
    const ws = `w_${crypto.randomUUID()}`;
    await writeSummary(env.DB, ws, summary(5, 'pro', 3));
    await writeSummary(env.DB, ws, summary(3, 'free', 1));
    expect(await stored(ws)).toEqual({ seq: 5, plan: 'pro', events: 3 });
  });

  it('replaces rows with a newer summary, children included', async () => {
    const ws = `w_${crypto.randomUUID()}`;
    await writeSummary(env.DB, ws, summary(3, 'free', 1));
    await writeSummary(env.DB, ws, summary(9, 'pro', 4));
    expect(await stored(ws)).toEqual({ seq: 9, plan: 'pro', events: 4 });
  });

  it('is idempotent when the same summary is delivered twice', async () => {
    const ws = `w_${crypto.randomUUID()}`;
    await writeSummary(env.DB, ws, summary(4, 'pro', 2));
    await writeSummary(env.DB, ws, summary(4, 'pro', 2));
    expect(await stored(ws)).toEqual({ seq: 4, plan: 'pro', events: 2 });
    const n = await env.DB.prepare(
      'SELECT count(*) AS n FROM idx_event_days WHERE workspace_id = ?',
    )
      .bind(ws)
      .first<{ n: number }>();
    expect(n?.n).toBe(1);
  });
});
