import { runInDurableObject } from 'cloudflare:test';
import { describe, expect, it } from 'vitest';
import { ProfileStore } from '../../src/profiles/profile-store';
import { buildSummary, lazySummary } from '../../src/profiles/summary';
import { profileOf } from '../fixtures/profiles';
import { createWorkspace, type TestWorkspace } from '../fixtures/workspace';

/**
 * Filters evaluated inside a profile object (membership after a change, flag targeting, a send's
 * audience re-check) read a lazy summary: the same values as the whole summary the index writer
 * stores, each part read from its tables only when a filter looks at it.
 */

async function richUser(ws: TestWorkspace, externalId: string) {
  const at = new Date(Date.now() - 3_600_000).toISOString();
  const res = await ws.post('/users/track', {
    attributes: [
      {
        external_id: externalId,
        first_name: 'Ada',
        home_city: 'Paris',
        email: `${externalId}@example.com`,
        email_subscribe: 'opted_in',
        date_of_first_session: at,
        plan: 'pro',
        score: 7,
        tags: ['a', 'b'],
        renews_at: { $time: at },
      },
    ],
    events: [
      { external_id: externalId, name: 'played', time: at, properties: { level: 3 } },
      { external_id: externalId, name: 'played', time: at },
      { external_id: externalId, name: 'shared', time: at },
    ],
    purchases: [
      {
        external_id: externalId,
        product_id: 'gem',
        currency: 'USD',
        price: 2.5,
        quantity: 2,
        time: at,
      },
    ],
  });
  expect(res.status).toBe(201);
  return profileOf(ws, externalId);
}

/** The profile's SQL, recording each statement a summary runs. */
function recording(sql: SqlStorage): { sql: SqlStorage; ran: string[] } {
  const ran: string[] = [];
  const wrapped = {
    exec: (query: string, ...bindings: unknown[]) => {
      ran.push(query.replace(/\s+/g, ' '));
      return sql.exec(query, ...(bindings as SqlStorageValue[]));
    },
  } as unknown as SqlStorage;
  return { sql: wrapped, ran };
}

describe('lazy profile summary', () => {
  it('holds the same values as the whole summary', async () => {
    const ws = await createWorkspace();
    const { raw } = await richUser(ws, 'lazy-same');
    await runInDurableObject(raw, (_instance, state: DurableObjectState) => {
      const store = new ProfileStore(state.storage.sql, (fn) => state.storage.transactionSync(fn));
      const now = Date.now();
      const whole = buildSummary(store, now);
      expect(whole.custom.plan).toEqual({ type: 'string', value: 'pro' });
      expect(whole.events.played?.count).toBe(2);
      expect(whole.purchases.count).toBe(2);
      expect(whole.sessions.first).not.toBeNull();
      // JSON reads every getter: the lazy summary, read whole, is the same object.
      expect(JSON.parse(JSON.stringify(lazySummary(store, now)))).toEqual(
        JSON.parse(JSON.stringify(whole)),
      );
    });
  });

  it('reads a part from its tables only when it is looked at, and once', async () => {
    const ws = await createWorkspace();
    const { raw } = await richUser(ws, 'lazy-reads');
    await runInDurableObject(raw, (_instance, state: DurableObjectState) => {
      const { sql, ran } = recording(state.storage.sql);
      const store = new ProfileStore(sql, (fn) => state.storage.transactionSync(fn));
      ran.length = 0;
      const summary = lazySummary(store, Date.now());
      expect(ran).toEqual([]);

      expect(summary.standard.first_name).toBe('Ada');
      expect(summary.standard.home_city).toBe('Paris');
      expect(ran).toHaveLength(1);
      expect(ran[0]).toContain('FROM attributes');

      expect(summary.events.played?.count).toBe(2);
      const afterEvents = ran.length;
      expect(ran.slice(1).every((q) => /event_(totals|daily)/.test(q))).toBe(true);

      expect(summary.events.shared?.count).toBe(1);
      expect(summary.standard.email_subscribe).toBe('opted_in');
      expect(ran).toHaveLength(afterEvents);
      expect(ran.some((q) => /purchase|sends|message_engagement|subscription_groups/.test(q))).toBe(
        false,
      );
    });
  });
});
