import { describe, expect, it } from 'vitest';
import {
  AndroidPushMessage,
  CampaignMessages,
  EmailMessage,
} from '../../../src/campaigns/messages';
import {
  audienceFilter,
  CampaignInput,
  findVariation,
  normalize,
} from '../../../src/campaigns/model';

const webhook = { url: 'https://example.com/hook', request_method: 'POST', body: 'hi' };
const email = {
  app_id: 'app',
  from: 'Herald <news@example.com>',
  subject: 'Hi',
  body: '<p>Hi</p>',
};

const campaign = (over: Record<string, unknown> = {}) => ({
  name: 'Welcome',
  delivery: { type: 'api_triggered' },
  variants: [{ messages: { webhook } }],
  ...over,
});

/** The first problem zod reports, as `path: message`. */
function problem(json: unknown): string {
  const r = CampaignInput.safeParse(json);
  if (r.success) throw new Error('expected a refusal');
  const i = r.error.issues[0]!;
  return `${i.path.join('.')}: ${i.message}`;
}

describe('CampaignInput', () => {
  it('fills in Braze defaults: no control, one variant with 100 %, subscribed users, capping on', () => {
    const c = CampaignInput.parse(campaign());
    expect(c.control_percentage).toBe(0);
    expect(c.delivery_controls).toEqual({
      reeligibility_seconds: null,
      rate_limit_per_minute: null,
      frequency_capping: true,
      quiet_hours: null,
      subscription_state: 'subscribed',
      global_control_group: true,
    });
    expect(normalize(c, null).variants[0]!.percentage).toBe(100);
  });

  it.each([
    [
      'percentages that do not add up to 100',
      {
        variants: [
          { percentage: 50, messages: { webhook } },
          { percentage: 40, messages: { webhook } },
        ],
      },
      'variants: variant percentages and control_percentage must add up to 100, not 90',
    ],
    [
      'a variant on other channels than the first',
      {
        variants: [
          { percentage: 50, messages: { webhook } },
          { percentage: 50, messages: { email } },
        ],
      },
      'variants.1.messages: must send on the same channels as variants.0 (webhook)',
    ],
    [
      'a control group in a multichannel campaign',
      { variants: [{ messages: { webhook, email } }], control_percentage: 10 },
      'control_percentage: must be 0: control groups need a single-channel campaign',
    ],
    [
      'nine variants',
      { variants: Array.from({ length: 9 }, () => ({ messages: { webhook } })) },
      'variants: Too big: expected array to have <=8 items',
    ],
    [
      'an email conversion event without an email message',
      { conversion_events: [{ type: 'Opens Email' }] },
      'conversion_events.0.type: Opens Email needs an email message',
    ],
    [
      'a conversion window over 30 days',
      { conversion_events: [{ type: 'Makes Any Purchase', window: 2_592_001 }] },
      'conversion_events.0.window: must be at most 30 days (2592000 seconds)',
    ],
    [
      'quiet hours on an API-triggered campaign',
      { delivery_controls: { quiet_hours: { start: '22:00', end: '08:00' } } },
      'delivery_controls.quiet_hours: are for action-based campaigns only',
    ],
    [
      'a rate limit under 10 a minute',
      { delivery_controls: { rate_limit_per_minute: 5 } },
      'delivery_controls.rate_limit_per_minute: must be 10..500000',
    ],
    [
      'an invalid audience filter',
      {
        audience: { filter: { AND: [{ custom_event: { event_name: 'x', comparison: 'nope' } }] } },
      },
      'audience.filter: AND[0].custom_event: comparison must be one of did,',
    ],
    [
      'an email without a sender',
      { variants: [{ messages: { email: { ...email, from: 'news@example.com' } } }] },
      'variants.0.messages.email.from: must be "Display Name <email@address.com>"',
    ],
    [
      'an unknown channel',
      { variants: [{ messages: { fax: {} } }] },
      'variants.0.messages: Unrecognized key: "fax"',
    ],
    [
      'a variant without messages',
      { variants: [{ messages: {} }] },
      'variants.0.messages: must hold at least one message object',
    ],
  ])('refuses %s, naming the field', (_, over, expected) => {
    expect(problem(campaign(over))).toContain(expected);
  });
});

describe('message objects', () => {
  it('requires an iOS alert unless the push is silent', () => {
    const messages = (apple_push: unknown) => CampaignMessages.safeParse({ apple_push });
    expect(messages({ alert: 'Hi' }).success).toBe(true);
    expect(messages({ 'content-available': true }).success).toBe(true);
    expect(messages({ badge: 1 }).error!.issues[0]!.path).toEqual(['apple_push', 'alert']);
    expect(messages({ alert: { title: 'T' } }).error!.issues[0]!.path).toEqual([
      'apple_push',
      'alert',
      'body',
    ]);
    expect(messages({ alert: 'Hi', extra: { aps: 1 } }).error!.issues[0]!.message).toMatch(/aps/);
  });

  it('sends an out-of-range Android priority as 0, as Braze does', () => {
    expect(AndroidPushMessage.parse({ alert: 'a', title: 't', priority: 7 }).priority).toBe(0);
    expect(AndroidPushMessage.parse({ alert: 'a', title: 't', priority: -2 }).priority).toBe(-2);
  });

  it('refuses an Android silent push that has an alert', () => {
    const r = AndroidPushMessage.safeParse({ send_to_sync: true, alert: 'a' });
    expect(r.error!.issues[0]!.path).toEqual(['alert']);
  });

  it('takes an email body from a template id instead of the body', () => {
    const { body: _, ...rest } = email;
    expect(EmailMessage.safeParse(rest).success).toBe(false);
    expect(EmailMessage.safeParse({ ...rest, email_template_id: 't1' }).success).toBe(true);
  });

  it('requires an image for captioned cards and exactly one expiry', () => {
    const card = { type: 'CAPTIONED_IMAGE', title: 't', description: 'd', time_to_live: 60 };
    const r = CampaignMessages.safeParse({ content_card: card });
    expect(r.error!.issues[0]!.path).toEqual(['content_card', 'image_url']);
    const both = { ...card, image_url: 'https://x/i.png', expire_at: '2026-12-01T00:00:00Z' };
    expect(CampaignMessages.safeParse({ content_card: both }).success).toBe(false);
  });
});

describe('normalize', () => {
  let n = 0;
  const ids = () => `id-${++n}`;

  it('gives variants and messages ids, and keeps them across an edit', () => {
    const input = CampaignInput.parse(
      campaign({
        variants: [
          { percentage: 50, messages: { webhook } },
          { percentage: 40, messages: { webhook } },
        ],
        control_percentage: 10,
      }),
    );
    const first = normalize(input, null, ids);
    expect(first.variants.map((v) => v.name)).toEqual(['Variant 1', 'Variant 2']);
    const variationId = first.variants[1]!.messages.webhook!.message_variation_id;
    expect(variationId).toMatch(/^id-/);

    const edited = normalize(input, first, ids);
    expect(edited.variants.map((v) => v.id)).toEqual(first.variants.map((v) => v.id));
    expect(edited.variants[1]!.messages.webhook!.message_variation_id).toBe(variationId);
    expect(edited.controlVariationId).toBe(first.controlVariationId);
  });
});

describe('audienceFilter', () => {
  it('joins the segments and the extra filter with AND', () => {
    const filter = { email_available: { value: true } };
    expect(audienceFilter({ segment_ids: ['s1', 's2'], filter })).toEqual({
      AND: [
        { segment_membership: { segment_id: 's1', comparison: 'is' } },
        { segment_membership: { segment_id: 's2', comparison: 'is' } },
        filter,
      ],
    });
    expect(audienceFilter({ segment_ids: [], filter: null })).toBeNull();
  });
});

describe('findVariation', () => {
  const d = normalize(
    CampaignInput.parse(
      campaign({
        variants: [
          { percentage: 50, messages: { webhook } },
          { percentage: 40, messages: { webhook } },
        ],
        control_percentage: 10,
      }),
    ),
    null,
  );

  it("finds a variant's message and the control group by message_variation_id", () => {
    const id = d.variants[1]!.messages.webhook!.message_variation_id!;
    expect(findVariation(d, id)).toEqual({
      type: 'message',
      variant: d.variants[1],
      channel: 'webhook',
    });
    expect(findVariation(d, d.controlVariationId)).toEqual({ type: 'control', channel: 'webhook' });
    expect(findVariation(d, 'elsewhere')).toBeNull();
  });
});
