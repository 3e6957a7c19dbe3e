import { describe, expect, it } from 'vitest';
import { campaignBody, launchCampaign } from '../fixtures/campaigns';
import { eventually, ledger, sinkHook, sinkWorkspace } from '../fixtures/delivery';
import { get } from '../fixtures/segments';
import { createWorkspace, type TestWorkspace } from '../fixtures/workspace';

/** In-app messages: stored with their triggers in the profile, rendered, shown, clicked. */

const MODAL = {
  type: 'modal',
  header: 'Hello {{${first_name}}}',
  message: 'Use {{api_trigger_properties.${code}}}',
  buttons: [
    { text: 'Shop', click_action: 'URI', uri: 'https://example.com/shop' },
    { text: 'Later', click_action: 'CLOSE' },
  ],
  trigger: {
    type: 'custom_event',
    event_name: 'cart_viewed',
    property_filters: [{ property_name: 'total', comparison: 'greater_than', value: 50 }],
  },
  priority: 'high',
};

async function sendIam(
  ws: TestWorkspace,
  message: Record<string, unknown>,
  recipients: string[],
  over: Record<string, unknown> = {},
) {
  const c = await launchCampaign(ws, {
    variants: [{ messages: { in_app_message: message } }],
    ...over,
  });
  const res = await ws.post('/campaigns/trigger/send', {
    campaign_id: c.id,
    trigger_properties: { code: 'SAVE10' },
    recipients: recipients.map((external_user_id) => ({ external_user_id })),
  });
  expect(res.status).toBe(201);
  return { campaign: c, dispatchId: res.json.dispatch_id as string };
}

const eligible = (ws: TestWorkspace, user: string) =>
  get(ws, `/herald/users/in_app_messages?external_id=${user}`);
const eligibleWith = (ws: TestWorkspace, user: string, n: number) =>
  eventually(
    () => eligible(ws, user),
    (r) => r.json.in_app_messages?.length === n,
  );

describe('the in_app_message channel', () => {
  it('stores a rendered message with its trigger and priority in the profile', async () => {
    const ws = await createWorkspace();
    await ws.post('/users/track', { attributes: [{ external_id: 'ann', first_name: 'Ann' }] });
    const { campaign } = await sendIam(ws, MODAL, ['ann']);
    const list = await eligibleWith(ws, 'ann', 1);
    expect(list.json.in_app_messages[0]).toMatchObject({
      trigger: MODAL.trigger,
      priority: 750,
      templated: false,
      campaign_id: campaign.id,
      message: {
        type: 'modal',
        header: 'Hello Ann',
        message: 'Use SAVE10',
        buttons: [{ text: 'Shop', uri: 'https://example.com/shop' }, { text: 'Later' }],
      },
    });
  });

  it('renders a templated message at display time, with the trigger event properties', async () => {
    const ws = await createWorkspace();
    await ws.post('/users/track', { attributes: [{ external_id: 'ann', first_name: 'Ann' }] });
    await sendIam(
      ws,
      { ...MODAL, templated: true, message: 'Total {{event_properties.${total}}}' },
      ['ann'],
    );
    const list = await eligibleWith(ws, 'ann', 1);
    const stored = list.json.in_app_messages[0];
    expect(stored).toMatchObject({ templated: true, message: null });
    await ws.post('/users/track', { attributes: [{ external_id: 'ann', first_name: 'Annie' }] });
    const shown = await ws.post('/herald/users/in_app_messages/render', {
      external_id: 'ann',
      message_id: stored.id,
      event_properties: { total: 72 },
    });
    expect(shown.status).toBe(200);
    expect(shown.json.in_app_message).toMatchObject({
      header: 'Hello Annie',
      message: 'Total 72',
    });
  });

  it('shows nothing when a templated message aborts at display', async () => {
    const ws = await createWorkspace();
    await ws.post('/users/track', { attributes: [{ external_id: 'ann' }] });
    await sendIam(ws, { ...MODAL, templated: true, message: '{% abort_message("no total") %}' }, [
      'ann',
    ]);
    const id = (await eligibleWith(ws, 'ann', 1)).json.in_app_messages[0].id;
    const shown = await ws.post('/herald/users/in_app_messages/render', {
      external_id: 'ann',
      message_id: id,
    });
    expect(shown.json).toEqual({ message: 'success', in_app_message: null, aborted: 'no total' });
  });

  it('counts impressions and button clicks; a shown message is no longer eligible', async () => {
    const ws = await createWorkspace();
    await ws.post('/users/track', { attributes: [{ external_id: 'ann' }] });
    const { campaign } = await sendIam(ws, MODAL, ['ann']);
    const id = (await eligibleWith(ws, 'ann', 1)).json.in_app_messages[0].id;
    const post = (body: Record<string, unknown>) =>
      ws.post('/herald/users/in_app_messages/events', {
        external_id: 'ann',
        message_id: id,
        ...body,
      });
    expect((await post({ event: 'impression' })).json.recorded).toBe(true);
    expect((await post({ event: 'impression' })).json.recorded).toBe(false);
    expect((await post({ event: 'click', button_index: 1 })).status).toBe(201);
    expect((await eligible(ws, 'ann')).json.in_app_messages).toEqual([]);
    const series = await eventually(
      () => get(ws, `/campaigns/data_series?campaign_id=${campaign.id}&length=1`),
      (r) => r.json.data?.[0]?.messages?.trigger_in_app_message?.[0]?.second_button_clicks === 1,
    );
    expect(series.json.data[0].messages.trigger_in_app_message[0]).toMatchObject({
      impressions: 1,
      clicks: 1,
      first_button_clicks: 0,
      second_button_clicks: 1,
    });
  }, 30_000);

  it('drops the messages of a stopped campaign from the eligible set', async () => {
    const ws = await createWorkspace();
    await ws.post('/users/track', { attributes: [{ external_id: 'ann' }] });
    const { campaign } = await sendIam(ws, MODAL, ['ann']);
    await eligibleWith(ws, 'ann', 1);
    await ws.post(`/herald/campaigns/${campaign.id}/stop`, {});
    expect((await eligible(ws, 'ann')).json.in_app_messages).toEqual([]);
  });

  it('is not held back by frequency caps, and lists higher priority first', async () => {
    const ws = await sinkWorkspace({
      frequency_capping_rules: [{ channel: 'any', limit: 1, unit: 'days', count: 1 }],
    });
    await ws.post('/users/track', { attributes: [{ external_id: 'ann' }] });
    // A webhook uses up the day's one message; in-app messages are not capped.
    const hook = await launchCampaign(ws, {
      variants: [{ messages: { webhook: sinkHook(`/iam/${crypto.randomUUID()}`, 'x') } }],
    });
    const sent = await ws.post('/campaigns/trigger/send', {
      campaign_id: hook.id,
      recipients: [{ external_user_id: 'ann' }],
    });
    await eventually(
      () => ledger(ws, 'ann', sent.json.dispatch_id),
      (r) => r[0]?.state === 'sent',
    );
    await sendIam(ws, MODAL, ['ann']);
    await sendIam(ws, { ...MODAL, priority: 'low' }, ['ann']);
    const list = await eligibleWith(ws, 'ann', 2);
    expect(list.json.in_app_messages.map((m: { priority: number }) => m.priority)).toEqual([
      750, 250,
    ]);
  });

  it('is refused by /messages/send, as at Braze', async () => {
    const ws = await createWorkspace();
    const res = await ws.post('/messages/send', {
      external_user_ids: ['ann'],
      messages: { in_app_message: MODAL },
    });
    expect(res.status).toBe(400);
  });

  it('refuses a slideup over 140 characters and a third button when the campaign is saved', async () => {
    const ws = await createWorkspace();
    const long = await ws.post(
      '/herald/campaigns',
      campaignBody({
        variants: [
          { messages: { in_app_message: { ...MODAL, type: 'slideup', message: 'x'.repeat(141) } } },
        ],
      }),
    );
    expect(long.status).toBe(400);
    expect(JSON.stringify(long.json)).toMatch(/140/);
    const three = await ws.post(
      '/herald/campaigns',
      campaignBody({
        variants: [
          {
            messages: { in_app_message: { ...MODAL, buttons: [...MODAL.buttons, { text: 'x' }] } },
          },
        ],
      }),
    );
    expect(three.status).toBe(400);
  });

  it('aborts the send of a message that expired before it was sent', async () => {
    const ws = await createWorkspace();
    await ws.post('/users/track', { attributes: [{ external_id: 'ann' }] });
    const { dispatchId } = await sendIam(ws, { ...MODAL, expire_at: '2020-01-01T00:00:00Z' }, [
      'ann',
    ]);
    const rows = await eventually(
      () => ledger(ws, 'ann', dispatchId),
      (r) => r[0]?.state === 'aborted',
    );
    expect(rows[0]?.state).toBe('aborted');
  });
});
