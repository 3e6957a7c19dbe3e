import { env } from 'cloudflare:test';
import { describe, expect, it } from 'vitest';
import { markNumber } from '../../src/channels/sms/address-store';
import { get } from '../fixtures/segments';
import { call, createWorkspace, exportUser, type TestWorkspace } from '../fixtures/workspace';

async function workspaceWithGroups() {
  const ws = await createWorkspace();
  for (const g of [
    { subscription_group_id: 'news', name: 'Newsletter', channel: 'email' },
    {
      subscription_group_id: 'promo',
      name: 'Promotions',
      channel: 'sms',
      numbers: ['+15550001111'],
    },
  ]) {
    expect((await ws.post('/herald/subscription_groups', g)).status).toBe(201);
  }
  return ws;
}

async function track(ws: TestWorkspace, attributes: Record<string, unknown>[]) {
  expect((await ws.post('/users/track', { attributes })).status).toBe(201);
}

const statusOf = async (ws: TestWorkspace, query: string) =>
  (await get(ws, `/subscription/status/get?${query}`)).json;

describe('POST /subscription/status/set', () => {
  it('sets the state for external ids and answers 201 success', async () => {
    const ws = await workspaceWithGroups();
    await track(ws, [{ external_id: 'a' }, { external_id: 'b' }]);
    const res = await ws.post('/subscription/status/set', {
      subscription_group_id: 'news',
      subscription_state: 'subscribed',
      external_id: ['a', 'b'],
    });
    expect(res.status).toBe(201);
    expect(res.json).toEqual({ message: 'success' });
    expect(
      await statusOf(
        ws,
        'subscription_group_id=news&external_id[]=a&external_id[]=b&external_id[]=c',
      ),
    ).toEqual({
      status: { a: 'Subscribed', b: 'Subscribed', c: 'Unknown' },
      message: 'success',
    });
    // Unknown external ids are not created.
    expect(await exportUser(ws, 'c')).toBeNull();
  });

  it('updates every profile sharing a phone, in any stored form', async () => {
    const ws = await workspaceWithGroups();
    await track(ws, [
      { external_id: 'a', phone: '+15557654321' },
      { external_id: 'b', phone: '15557654321' },
      { external_id: 'c', phone: '+15550000000' },
    ]);
    const res = await ws.post('/subscription/status/set', {
      subscription_group_id: 'promo',
      subscription_state: 'unsubscribed',
      phone: ['+15557654321'],
    });
    expect(res.status).toBe(201);
    expect(
      (
        await statusOf(
          ws,
          'subscription_group_id=promo&external_id[]=a&external_id[]=b&external_id[]=c',
        )
      ).status,
    ).toEqual({
      a: 'Unsubscribed',
      b: 'Unsubscribed',
      c: 'Unknown',
    });
    expect((await statusOf(ws, 'subscription_group_id=promo&phone=%2B15557654321')).status).toEqual(
      {
        '+15557654321': 'Unsubscribed',
      },
    );
  });

  it('creates a profile for an email no profile has yet', async () => {
    const ws = await workspaceWithGroups();
    await ws.post('/subscription/status/set', {
      subscription_group_id: 'news',
      subscription_state: 'subscribed',
      email: 'new@example.com',
    });
    expect((await statusOf(ws, 'subscription_group_id=news&email=new@example.com')).status).toEqual(
      {
        'new@example.com': 'Subscribed',
      },
    );
  });

  it.each([
    [
      {
        subscription_group_id: 'promo',
        subscription_state: 'subscribed',
        email: 'a@b.c',
        phone: '+15550001234',
      },
      'Either an email address or a phone number should be provided, but not both.',
    ],
    [
      { subscription_group_id: 'news', subscription_state: 'maybe', external_id: 'a' },
      /subscription_state must be/,
    ],
    [{ subscription_state: 'subscribed', external_id: 'a' }, /subscription_group_id/],
    [
      { subscription_group_id: 'news', subscription_state: 'subscribed' },
      /external_id, email or phone is required/,
    ],
    [
      {
        subscription_group_id: 'news',
        subscription_state: 'subscribed',
        external_id: Array.from({ length: 51 }, (_, i) => `u${i}`),
      },
      /at most 50/,
    ],
    [
      { subscription_group_id: 'ghost', subscription_state: 'subscribed', external_id: 'a' },
      /not a subscription group/,
    ],
    [
      { subscription_group_id: 'news', subscription_state: 'subscribed', phone: '+15550001234' },
      /email subscription group/,
    ],
    [
      { subscription_group_id: 'promo', subscription_state: 'subscribed', phone: 'call me' },
      /E\.164/,
    ],
  ])('refuses %j and changes nothing', async (body, message) => {
    const ws = await workspaceWithGroups();
    await track(ws, [{ external_id: 'a' }]);
    const res = await ws.post('/subscription/status/set', body);
    expect(res.status).toBe(400);
    if (typeof message === 'string') expect(res.json.message).toBe(message);
    else expect(res.json.message).toMatch(message);
    expect((await statusOf(ws, 'subscription_group_id=news&external_id=a')).status.a).toBe(
      'Unknown',
    );
  });
});

describe('POST /v2/subscription/status/set', () => {
  it('sets several groups in one request', async () => {
    const ws = await workspaceWithGroups();
    await track(ws, [{ external_id: 'a', phone: '+15557654321' }]);
    const res = await ws.post('/v2/subscription/status/set', {
      subscription_groups: [
        { subscription_group_id: 'news', subscription_state: 'subscribed', external_ids: ['a'] },
        {
          subscription_group_id: 'promo',
          subscription_state: 'subscribed',
          phones: ['+15557654321'],
        },
      ],
    });
    expect(res.status).toBe(201);
    const user = await get(ws, '/subscription/user/status?external_id=a');
    expect(user.json).toEqual({
      success: true,
      subscription_groups: [
        { subscription_group_id: 'news', subscription_status: 'subscribed' },
        { subscription_group_id: 'promo', subscription_status: 'subscribed' },
      ],
    });
  });

  it('applies nothing when one group of the request is invalid', async () => {
    const ws = await workspaceWithGroups();
    await track(ws, [{ external_id: 'a' }]);
    const res = await ws.post('/v2/subscription/status/set', {
      subscription_groups: [
        { subscription_group_id: 'news', subscription_state: 'subscribed', external_ids: ['a'] },
        {
          subscription_group_id: 'promo',
          subscription_state: 'subscribed',
          emails: ['a@b.c'],
          phones: ['+15550001234'],
        },
      ],
    });
    expect(res.status).toBe(400);
    expect(res.json.message).toBe(
      'Either an email address or a phone number should be provided, but not both.',
    );
    expect(
      (await get(ws, '/subscription/user/status?external_id=a')).json.subscription_groups,
    ).toEqual([]);
  });
});

describe('GET /subscription/status/get and /subscription/user/status', () => {
  it('looks up by external_id alone when it is given', async () => {
    const ws = await workspaceWithGroups();
    await track(ws, [
      {
        external_id: 'a',
        email: 'a@example.com',
        subscription_groups: [
          { subscription_group_id: 'news', subscription_state: 'unsubscribed' },
        ],
      },
    ]);
    expect(
      await statusOf(
        ws,
        'subscription_group_id=news&external_id=a&email=a@example.com&phone=%2B1555',
      ),
    ).toEqual({
      status: { a: 'Unsubscribed' },
      message: 'success',
    });
    const both = await get(
      ws,
      '/subscription/status/get?subscription_group_id=news&email=a@example.com&phone=%2B15550001234',
    );
    expect(both.status).toBe(400);
    expect(both.json.message).toBe(
      'Either an email address or a phone number should be provided, but not both.',
    );
  });

  it("pages a user's groups with limit and offset and refuses a limit over 100", async () => {
    const ws = await workspaceWithGroups();
    await track(ws, [
      {
        external_id: 'a',
        subscription_groups: [
          { subscription_group_id: 'news', subscription_state: 'subscribed' },
          { subscription_group_id: 'promo', subscription_state: 'unsubscribed' },
        ],
      },
    ]);
    const page = await get(ws, '/subscription/user/status?external_id=a&limit=1&offset=1');
    expect(page.json.subscription_groups).toEqual([
      { subscription_group_id: 'promo', subscription_status: 'unsubscribed' },
    ]);
    const bad = await get(ws, '/subscription/user/status?external_id=a&limit=101');
    expect(bad.status).toBe(400);
    expect(bad.json.message).toMatch(/limit/);
  });

  it("never reads another workspace's users", async () => {
    const ws = await workspaceWithGroups();
    await track(ws, [
      {
        external_id: 'a',
        subscription_groups: [{ subscription_group_id: 'news', subscription_state: 'subscribed' }],
      },
    ]);
    const intruder = await workspaceWithGroups();
    expect((await statusOf(intruder, 'subscription_group_id=news&external_id=a')).status).toEqual({
      a: 'Unknown',
    });
    expect(
      (await get(intruder, '/subscription/user/status?external_id=a')).json.subscription_groups,
    ).toEqual([]);
  });
});

describe('subscription group management', () => {
  it('creates, lists, updates, archives and unarchives groups', async () => {
    const ws = await workspaceWithGroups();
    const list = await get(ws, '/herald/subscription_groups?channel=sms');
    expect(list.json.subscription_groups.map((g: any) => g.subscription_group_id)).toEqual([
      'promo',
    ]);
    const put = await call('/herald/subscription_groups/promo', {
      key: ws.key,
      method: 'PUT',
      body: { name: 'Deals', numbers: ['+15550001111', '+15550003333'] },
    });
    expect(put.status).toBe(200);
    expect(((await put.json()) as any).subscription_group).toMatchObject({
      name: 'Deals',
      channel: 'sms',
      numbers: ['+15550001111', '+15550003333'],
      archived: false,
    });
    expect((await ws.post('/herald/subscription_groups/promo/archive', {})).status).toBe(200);
    expect(
      (await get(ws, '/herald/subscription_groups')).json.subscription_groups.map(
        (g: any) => g.subscription_group_id,
      ),
    ).toEqual(['news']);
    expect(
      (await get(ws, '/herald/subscription_groups/promo')).json.subscription_group.archived,
    ).toBe(true);
    expect((await ws.post('/herald/subscription_groups/promo/unarchive', {})).status).toBe(200);
  });

  it('refuses a number another live group owns, and SMS fields on email groups', async () => {
    const ws = await workspaceWithGroups();
    const taken = await ws.post('/herald/subscription_groups', {
      name: 'Alerts',
      channel: 'sms',
      numbers: ['+15550001111'],
    });
    expect(taken.status).toBe(400);
    expect(taken.json.message).toBe('+15550001111 already belongs to subscription group promo');
    const email = await ws.post('/herald/subscription_groups', {
      name: 'X',
      channel: 'email',
      numbers: ['+15550009999'],
    });
    expect(email.status).toBe(400);
    const dup = await ws.post('/herald/subscription_groups', {
      subscription_group_id: 'news',
      name: 'Again',
      channel: 'email',
    });
    expect(dup.status).toBe(400);
    expect(dup.json.message).toMatch(/already exists/);
    expect((await get(ws, '/herald/subscription_groups')).json.subscription_groups).toHaveLength(2);
  });
});

describe('GET /sms/invalid_phone_numbers', () => {
  it('needs a date range or phone numbers, start before end', async () => {
    const ws = await createWorkspace();
    expect((await get(ws, '/sms/invalid_phone_numbers')).status).toBe(400);
    const backwards = await get(
      ws,
      '/sms/invalid_phone_numbers?start_date=2026-02-01&end_date=2026-01-01',
    );
    expect(backwards.json.message).toBe('start_date must be earlier than end_date');
    const ok = await get(
      ws,
      '/sms/invalid_phone_numbers?start_date=2026-01-01&end_date=2026-02-01',
    );
    expect(ok.json).toEqual({ sms: [], message: 'success' });
    expect(
      (
        await get(
          ws,
          '/sms/invalid_phone_numbers?start_date=2026-01-01&end_date=2026-02-01&limit=501',
        )
      ).status,
    ).toBe(400);
  });
});

describe('invalid phone numbers per workspace', () => {
  it("lists only the workspace's own numbers and removes only its own", async () => {
    const ws = await createWorkspace();
    const other = await createWorkspace();
    const at = Date.parse('2026-01-10T12:00:00Z');
    for (const w of [ws, other]) {
      await markNumber(env.DB, {
        workspaceId: w.id,
        phone: w === ws ? '+15550000001' : '+15550000002',
        kind: 'invalid_number',
        reason: 'provider_error',
        profileId: null,
        at,
      });
    }
    const range = '/sms/invalid_phone_numbers?start_date=2026-01-01&end_date=2026-02-01';
    expect((await get(ws, range)).json.sms).toEqual([
      { phone: '+15550000001', invalid_detected_at: '2026-01-10 12:00:00 +0000' },
    ]);
    await other.post('/sms/invalid_phone_numbers/remove', { phone_numbers: ['+15550000001'] });
    expect((await get(ws, range)).json.sms).toHaveLength(1);
    await ws.post('/sms/invalid_phone_numbers/remove', { phone_numbers: ['15550000001'] });
    expect((await get(ws, range)).json.sms).toEqual([]);
    expect((await get(other, range)).json.sms).toHaveLength(1);
  });
});
