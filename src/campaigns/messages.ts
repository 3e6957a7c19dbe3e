import { z } from 'zod';
import { CHANNELS, type Channel, WebhookMessage } from '../delivery/channels';
import { parseBrazeTime } from '../ingestion/time';
import { ExceptionEvent } from './triggers';

/**
 * Braze's API message objects (contract §3.11), one per channel, as campaigns store them and the
 * delivery pipeline reads them. Shapes only: Liquid is checked when a campaign is saved
 * (model.ts), and payload sizes after rendering, when the real size is known.
 */

export { CHANNELS, type Channel, WebhookMessage };

/** Apple's payload limit: alert + extra + other options (contract §3.11.1). */
export const APPLE_PUSH_MAX_BYTES = 1_912;
/** Android's payload limit: alert + extra (contract §3.11.2). */
export const ANDROID_PUSH_MAX_BYTES = 4_000;
/** Longest `time_to_live` Android accepts: 28 days. */
export const ANDROID_MAX_TTL_SECONDS = 2_419_200;
/** Content Cards expire at most 30 days out. */
export const CONTENT_CARD_MAX_TTL_SECONDS = 30 * 86_400;

/** Templates are stored as text; one field's template may be this long. */
const MAX_TEMPLATE = 256_000;

const Text = z.string().max(MAX_TEMPLATE);
const Required = z.string({ error: 'is required' }).min(1, 'must not be empty').max(MAX_TEMPLATE);
const Short = z.string().max(2_048);
const Extra = z.record(z.string().min(1).max(256), z.json());
const VariationId = z.string().min(1).max(128);
const Iso = z.string().refine((s) => parseBrazeTime(s) !== null, 'must be an ISO 8601 time');
const HttpUrl = z
  .string()
  .max(8_192)
  .refine((s) => /^https?:\/\/\S+$/i.test(s), 'must be an http(s) URL');

const ButtonAction = z.enum(['OPEN_APP', 'URI', 'DEEP_LINK', 'CLOSE']);

// ---- apple_push (§3.11.1) ----

/** Braze's own button categories; any other category is defined by the app. */
export const APPLE_DEFAULT_CATEGORIES = [
  'ab_cat_accept_decline',
  'ab_cat_yes_no',
  'ab_cat_confirm_cancel',
  'ab_cat_more',
] as const;

export const AppleAlert = z.strictObject({
  body: Text.optional(),
  title: Text.optional(),
  title_loc_key: Short.optional(),
  title_loc_args: z.array(Short).optional(),
  action_loc_key: Short.optional(),
  loc_key: Short.optional(),
  loc_args: z.array(Short).optional(),
  sound: Short.optional(),
});
export type AppleAlert = z.infer<typeof AppleAlert>;

export const AppleButton = z.strictObject({
  action_id: z.string().min(1, 'must not be empty').max(256),
  action: ButtonAction.optional(),
  uri: Short.optional(),
  use_webview: z.boolean().optional(),
});

export const ApplePushMessage = z
  .strictObject({
    badge: z.number().int().optional(),
    alert: z.union([Text, AppleAlert]).optional(),
    sound: Short.optional(),
    extra: Extra.refine(
      (e) => !Object.hasOwn(e, 'ab') && !Object.hasOwn(e, 'aps'),
      'must not use the reserved keys "ab" or "aps"',
    ).optional(),
    'content-available': z.boolean().optional(),
    interruption_level: z.enum(['passive', 'active', 'time-sensitive', 'critical']).optional(),
    relevance_score: z.number().min(0, 'must be 0.0..1.0').max(1, 'must be 0.0..1.0').optional(),
    expiry: Iso.optional(),
    custom_uri: Short.optional(),
    use_webview: z.boolean().optional(),
    message_variation_id: VariationId.optional(),
    notification_group_thread_id: Short.optional(),
    asset_url: Short.optional(),
    asset_file_type: z
      .enum(['aif', 'gif', 'jpg', 'm4a', 'mp3', 'mp4', 'png', 'wav'], {
        error: 'must be one of aif, gif, jpg, m4a, mp3, mp4, png, wav',
      })
      .optional(),
    collapse_id: Short.optional(),
    mutable_content: z.boolean().optional(),
    send_to_most_recent_device_only: z.boolean().optional(),
    category: Short.optional(),
    buttons: z.array(AppleButton).max(4).optional(),
    apns_priority: z.number().int().min(1, 'must be 1..10').max(10, 'must be 1..10').optional(),
  })
  .superRefine((m, ctx) => {
    const silent = m['content-available'] === true;
    const body = typeof m.alert === 'string' ? m.alert : m.alert?.body;
    if (!silent && (body === undefined || body === '')) {
      ctx.addIssue({
        code: 'custom',
        path: typeof m.alert === 'object' ? ['alert', 'body'] : ['alert'],
        message: 'is required unless content-available is true',
      });
    }
    if (m.asset_url !== undefined && m.asset_file_type === undefined) {
      ctx.addIssue({
        code: 'custom',
        path: ['asset_file_type'],
        message: 'is required with asset_url',
      });
    }
    const appDefined =
      m.category !== undefined &&
      !(APPLE_DEFAULT_CATEGORIES as readonly string[]).includes(m.category);
    for (const [i, b] of (m.buttons ?? []).entries()) {
      if (appDefined && b.action !== 'URI' && b.action !== 'DEEP_LINK') {
        ctx.addIssue({
          code: 'custom',
          path: ['buttons', i, 'action'],
          message: 'must be URI or DEEP_LINK for an app-defined category',
        });
      }
      if ((appDefined || b.action === 'URI' || b.action === 'DEEP_LINK') && !b.uri) {
        ctx.addIssue({ code: 'custom', path: ['buttons', i, 'uri'], message: 'is required' });
      }
    }
  });
export type ApplePushMessage = z.infer<typeof ApplePushMessage>;

// ---- android_push (§3.11.2) ----

const AndroidButton = z.strictObject({
  text: z.string().min(1, 'must not be empty').max(256),
  action: ButtonAction.optional(),
  uri: Short.optional(),
  use_webview: z.boolean().optional(),
});

const ConversationData = z.strictObject({
  shortcut_id: Short,
  reply_person_id: Short,
  messages: z
    .array(z.strictObject({ text: Text, timestamp: z.number().int(), person_id: Short }))
    .min(1),
  persons: z.array(z.strictObject({ id: Short, name: Short })).min(1),
});

export const AndroidPushMessage = z
  .strictObject({
    alert: Text.optional(),
    title: Text.optional(),
    extra: Extra.optional(),
    message_variation_id: VariationId.optional(),
    notification_channel_id: Short.optional(),
    // Braze: an out-of-range priority is sent as 0, not refused.
    priority: z
      .number()
      .int()
      .optional()
      .transform((p) => (p === undefined || (p >= -2 && p <= 2) ? p : 0)),
    android_priority: z.enum(['normal', 'high']).optional(),
    send_to_sync: z.boolean().optional(),
    collapse_key: Short.optional(),
    sound: Short.optional(),
    custom_uri: Short.optional(),
    use_webview: z.boolean().optional(),
    summary_text: Text.optional(),
    time_to_live: z
      .number()
      .int()
      .min(0)
      .max(ANDROID_MAX_TTL_SECONDS, `must be at most ${ANDROID_MAX_TTL_SECONDS} seconds`)
      .optional(),
    notification_id: z.number().int().optional(),
    push_icon_image_url: Short.optional(),
    accent_color: z.number().int().min(0).max(0xffffff).optional(),
    send_to_most_recent_device_only: z.boolean().optional(),
    buttons: z.array(AndroidButton).max(3).optional(),
    conversation_data: ConversationData.optional(),
  })
  .superRefine((m, ctx) => {
    if (m.send_to_sync === true) {
      for (const key of ['alert', 'title'] as const) {
        if (m[key] !== undefined) {
          ctx.addIssue({
            code: 'custom',
            path: [key],
            message: 'must not be set when send_to_sync is true',
          });
        }
      }
      return;
    }
    for (const key of ['alert', 'title'] as const) {
      if (!m[key]) ctx.addIssue({ code: 'custom', path: [key], message: 'is required' });
    }
  });
export type AndroidPushMessage = z.infer<typeof AndroidPushMessage>;

// ---- web_push (§3.11.3) ----

export const WebPushMessage = z.strictObject({
  alert: Required,
  title: Required,
  extra: Extra.optional(),
  message_variation_id: VariationId.optional(),
  custom_uri: Short.optional(),
  image_url: Short.optional(),
  large_image_url: Short.optional(),
  require_interaction: z.boolean().optional(),
  time_to_live: z.number().int().min(0).optional(),
  send_to_most_recent_device_only: z.boolean().optional(),
  buttons: z
    .array(
      z.strictObject({
        text: z.string().min(1, 'must not be empty').max(256),
        action: z.enum(['OPEN_APP', 'URI', 'CLOSE']).optional(),
        uri: Short.optional(),
      }),
    )
    .max(2)
    .optional(),
});
export type WebPushMessage = z.infer<typeof WebPushMessage>;

// ---- email (§3.11.4) ----

const Address = z
  .string()
  .max(320)
  .regex(/^[^\s<>@]+@[^\s<>@]+$/, 'must be an email address');
// The sender may be a Liquid template; only the `Name <address>` frame is checked here.
const From = z
  .string({ error: 'is required' })
  .max(1_024)
  .regex(/^[^<>]*<[^\s<>]+>$/, 'must be "Display Name <email@address.com>"');

export const EmailAttachment = z.strictObject({
  file_name: z.string().min(1, 'must not be empty').max(255),
  url: HttpUrl,
  basic_auth_credential: z.string().min(1).max(255).optional(),
});

export const EmailMessage = z
  .strictObject({
    app_id: z.string({ error: 'is required' }).min(1, 'must not be empty').max(128),
    subject: Text.optional(),
    from: From,
    reply_to: z.union([z.literal('NO_REPLY_TO'), Address]).optional(),
    bcc: Address.optional(),
    body: Text.optional(),
    plaintext_body: Text.optional(),
    preheader: Text.optional(),
    email_template_id: z.string().min(1).max(128).optional(),
    message_variation_id: VariationId.optional(),
    extras: z.record(z.string().min(1).max(256), z.string().max(8_192)).optional(),
    headers: z.record(z.string().min(1).max(256), z.string().max(8_192)).optional(),
    should_inline_css: z.boolean().optional(),
    attachments: z.array(EmailAttachment).max(20).optional(),
  })
  .refine((m) => m.body !== undefined || m.email_template_id !== undefined, {
    path: ['body'],
    message: 'is required unless email_template_id is given',
  });
export type EmailMessage = z.infer<typeof EmailMessage>;

// ---- sms (§3.11.5) ----

export const SmsMessage = z
  .strictObject({
    subscription_group_id: z.string({ error: 'is required' }).min(1, 'must not be empty').max(128),
    message_variation_id: VariationId.optional(),
    body: Required,
    app_id: z.string({ error: 'is required' }).min(1, 'must not be empty').max(128),
    media_items: z.array(HttpUrl).max(10).optional(),
    link_shortening_enabled: z.boolean().optional(),
    user_click_tracking_enabled: z.boolean().optional(),
  })
  .refine((m) => !m.user_click_tracking_enabled || m.link_shortening_enabled === true, {
    path: ['user_click_tracking_enabled'],
    message: 'requires link_shortening_enabled',
  });
export type SmsMessage = z.infer<typeof SmsMessage>;

// ---- content_card (§3.11.7) ----

/** A custom event or purchase that removes a content card (contract §5.6). */
export const CardRemovalEvent = z.discriminatedUnion('type', [
  z.strictObject({ type: z.literal('custom_event'), event_name: z.string().min(1).max(255) }),
  z.strictObject({
    type: z.literal('purchase'),
    product_id: z.string().min(1).max(255).optional(),
  }),
]);
export type CardRemovalEvent = z.infer<typeof CardRemovalEvent>;

export const ContentCardMessage = z
  .strictObject({
    type: z.enum(['CLASSIC', 'CAPTIONED_IMAGE', 'BANNER'], {
      error: 'must be one of CLASSIC, CAPTIONED_IMAGE, BANNER',
    }),
    title: Required,
    description: Required,
    message_variation_id: VariationId.optional(),
    pinned: z.boolean().optional(),
    image_url: Short.optional(),
    time_to_live: z
      .number()
      .int()
      .min(1)
      .max(CONTENT_CARD_MAX_TTL_SECONDS, 'must be at most 30 days')
      .optional(),
    expire_at: Iso.optional(),
    expire_in_local_time: z.boolean().optional(),
    ios_uri: Short.optional(),
    android_uri: Short.optional(),
    web_uri: Short.optional(),
    ios_use_webview: z.boolean().optional(),
    android_use_webview: z.boolean().optional(),
    uri_text: Short.optional(),
    extra: Extra.optional(),
    /**
     * Herald extensions (Braze sets these in its dashboard only): custom events or purchases that
     * remove the card from the user's feed, and whether the card is rendered when sent
     * (`at_send`, the default) or when the user first fetches the feed (`at_first_impression`).
     */
    removal_events: z.array(CardRemovalEvent).max(10).optional(),
    card_creation: z
      .enum(['at_send', 'at_first_impression'], {
        error: 'must be at_send or at_first_impression',
      })
      .optional(),
  })
  .superRefine((m, ctx) => {
    if ((m.time_to_live === undefined) === (m.expire_at === undefined)) {
      ctx.addIssue({
        code: 'custom',
        path: ['time_to_live'],
        message: 'give exactly one of time_to_live or expire_at',
      });
    }
    if (m.type !== 'CLASSIC' && !m.image_url) {
      ctx.addIssue({
        code: 'custom',
        path: ['image_url'],
        message: `is required for ${m.type} cards`,
      });
    }
  });
export type ContentCardMessage = z.infer<typeof ContentCardMessage>;

// ---- in_app_message (§5.5; campaigns only, as at Braze) ----

/** Slideup text longer than this is refused (contract §5.5). */
export const SLIDEUP_MAX_CHARS = 140;
/** Longest an in-app message stays eligible. */
export const IN_APP_MAX_TTL_SECONDS = 365 * 86_400;

const InAppClick = z.enum(['NONE', 'URI', 'CLOSE'], { error: 'must be NONE, URI or CLOSE' });

export const InAppButton = z
  .strictObject({
    text: z.string({ error: 'is required' }).min(1, 'must not be empty').max(2_048),
    click_action: InAppClick.optional(),
    uri: Short.optional(),
  })
  .refine((b) => b.click_action !== 'URI' || !!b.uri, {
    path: ['uri'],
    message: 'is required when click_action is URI',
  });

export const InAppMessage = z
  .strictObject({
    type: z.enum(['slideup', 'modal', 'full', 'html'], {
      error: 'must be one of slideup, modal, full, html',
    }),
    /** The body text (slideup, modal, full). */
    message: Text.optional(),
    header: Text.optional(),
    /** The page of an `html` message (must offer a close action, e.g. `appboy://close`). */
    html: Text.optional(),
    image_url: Short.optional(),
    slide_from: z.enum(['top', 'bottom']).optional(),
    click_action: InAppClick.optional(),
    uri: Short.optional(),
    dismiss_type: z.enum(['auto_dismiss', 'swipe']).optional(),
    /** Milliseconds before an auto-dismissed message closes. */
    duration: z.number().int().min(1_000).max(60_000).optional(),
    buttons: z.array(InAppButton).max(2, 'at most 2 buttons').optional(),
    extras: z.record(z.string().min(1).max(256), z.string().max(2_048)).optional(),
    /** When the SDK shows it: session start, a custom event (with property filters), a purchase. */
    trigger: ExceptionEvent,
    /** Among messages matching the same trigger only the highest is shown; ties: newest. */
    priority: z
      .union([z.enum(['high', 'medium', 'low']), z.number().int().min(0).max(1_000)])
      .optional(),
    expire_in_seconds: z
      .number()
      .int()
      .min(60)
      .max(IN_APP_MAX_TTL_SECONDS, 'must be at most 365 days')
      .optional(),
    expire_at: Iso.optional(),
    /** Braze's templated in-app message: stored unrendered and rendered when it is displayed. */
    templated: z.boolean().optional(),
    message_variation_id: VariationId.optional(),
  })
  .superRefine((m, ctx) => {
    if (m.type === 'html' ? !m.html : !m.message && !m.image_url) {
      ctx.addIssue({
        code: 'custom',
        path: [m.type === 'html' ? 'html' : 'message'],
        message: m.type === 'html' ? 'is required for html messages' : 'is required',
      });
    }
    if (m.type === 'slideup' && (m.message?.length ?? 0) > SLIDEUP_MAX_CHARS) {
      ctx.addIssue({
        code: 'custom',
        path: ['message'],
        message: `must be at most ${SLIDEUP_MAX_CHARS} characters for slideup messages`,
      });
    }
    if (m.click_action === 'URI' && !m.uri) {
      ctx.addIssue({
        code: 'custom',
        path: ['uri'],
        message: 'is required when click_action is URI',
      });
    }
    if (m.expire_in_seconds !== undefined && m.expire_at !== undefined) {
      ctx.addIssue({
        code: 'custom',
        path: ['expire_at'],
        message: 'give at most one of expire_in_seconds or expire_at',
      });
    }
  });
export type InAppMessage = z.infer<typeof InAppMessage>;

// ---- all channels ----

/** The message object type of each channel. */
export interface MessageByChannel {
  webhook: WebhookMessage;
  email: EmailMessage;
  sms: SmsMessage;
  apple_push: ApplePushMessage;
  android_push: AndroidPushMessage;
  web_push: WebPushMessage;
  content_card: ContentCardMessage;
  in_app_message: InAppMessage;
}

/** The schema of each channel's message object. */
export const MESSAGE_SCHEMAS: { [C in Channel]: z.ZodType<MessageByChannel[C]> } = {
  webhook: WebhookMessage,
  email: EmailMessage,
  sms: SmsMessage,
  apple_push: ApplePushMessage,
  android_push: AndroidPushMessage,
  web_push: WebPushMessage,
  content_card: ContentCardMessage,
  in_app_message: InAppMessage,
};

/** Any one message object with its channel. */
export type ChannelMessage = {
  [C in Channel]: { channel: C; message: MessageByChannel[C] };
}[Channel];

/** A variant's messages: one object per channel the campaign sends on, keyed by channel. */
export const CampaignMessages = z
  .strictObject({
    webhook: WebhookMessage.optional(),
    email: EmailMessage.optional(),
    sms: SmsMessage.optional(),
    apple_push: ApplePushMessage.optional(),
    android_push: AndroidPushMessage.optional(),
    web_push: WebPushMessage.optional(),
    content_card: ContentCardMessage.optional(),
    in_app_message: InAppMessage.optional(),
  })
  .refine((m) => Object.values(m).some((v) => v !== undefined), {
    message: `must hold at least one message object (${CHANNELS.join(', ')})`,
  });
export type CampaignMessages = z.infer<typeof CampaignMessages>;

/** The channels a messages object sends on, in CHANNELS order. */
export function channelsOf(messages: CampaignMessages): Channel[] {
  return CHANNELS.filter((c) => messages[c] !== undefined);
}

/** The message objects of a messages object, with their channels, in CHANNELS order. */
export function messageList(messages: CampaignMessages): ChannelMessage[] {
  return channelsOf(messages).map(
    (channel) => ({ channel, message: messages[channel] }) as ChannelMessage,
  );
}

/**
 * The fields of a message object that are Liquid templates, by their path in the object
 * (`alert.body`, `request_headers.Authorization`): what is checked when a campaign is saved and
 * rendered per recipient at send time.
 */
export function templateFields(m: ChannelMessage): Record<string, string> {
  const out: Record<string, string> = {};
  const put = (path: string, v: string | undefined) => {
    if (v !== undefined) out[path] = v;
  };
  switch (m.channel) {
    case 'webhook':
      put('url', m.message.url);
      put('body', m.message.body);
      for (const [k, v] of Object.entries(m.message.request_headers ?? {}))
        put(`request_headers.${k}`, v);
      break;
    case 'email':
      put('from', m.message.from);
      put('subject', m.message.subject);
      put('body', m.message.body);
      put('plaintext_body', m.message.plaintext_body);
      put('preheader', m.message.preheader);
      break;
    case 'sms':
      put('body', m.message.body);
      break;
    case 'apple_push':
      if (typeof m.message.alert === 'string') put('alert', m.message.alert);
      else {
        put('alert.body', m.message.alert?.body);
        put('alert.title', m.message.alert?.title);
      }
      put('custom_uri', m.message.custom_uri);
      break;
    case 'android_push':
      put('alert', m.message.alert);
      put('title', m.message.title);
      put('summary_text', m.message.summary_text);
      put('custom_uri', m.message.custom_uri);
      break;
    case 'web_push':
      put('alert', m.message.alert);
      put('title', m.message.title);
      put('custom_uri', m.message.custom_uri);
      break;
    case 'content_card':
      put('title', m.message.title);
      put('description', m.message.description);
      put('image_url', m.message.image_url);
      put('ios_uri', m.message.ios_uri);
      put('android_uri', m.message.android_uri);
      put('web_uri', m.message.web_uri);
      put('uri_text', m.message.uri_text);
      break;
    case 'in_app_message':
      put('message', m.message.message);
      put('header', m.message.header);
      put('html', m.message.html);
      put('image_url', m.message.image_url);
      put('uri', m.message.uri);
      for (const [i, b] of (m.message.buttons ?? []).entries()) {
        put(`buttons.${i}.text`, b.text);
        put(`buttons.${i}.uri`, b.uri);
      }
      break;
  }
  return out;
}
