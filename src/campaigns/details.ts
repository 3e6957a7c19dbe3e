import type { Json } from '../ingestion/types';
import { type ChannelMessage, messageList } from './messages';
import type { Variant } from './model';
import { BRAZE_CHANNEL } from './stats';
import type { Campaign } from './store';

/**
 * A campaign in the shape of Braze's `/campaigns/details` (contract §3.9): messages keyed by
 * `message_variation_id` with Braze's per-channel fields, conversion behaviours, and the
 * draft / enabled / archived flags.
 */

const SCHEDULE_TYPE = {
  scheduled: 'time_based',
  action_based: 'action_based',
  api_triggered: 'api_triggered',
} as const;

/** Epoch ms as Braze's "ISO 8601 date and hour" (minutes and seconds zeroed). */
export function isoHour(ms: number | null): string | null {
  if (ms === null) return null;
  return `${new Date(ms).toISOString().slice(0, 13)}:00:00.000Z`;
}

/** The webhook's body content type: its Content-Type header, else JSON when the body parses. */
function webhookType(headers: Record<string, string>, body: string | undefined): string {
  const named = Object.entries(headers).find(([k]) => k.toLowerCase() === 'content-type');
  if (named) return named[1];
  try {
    JSON.parse(body ?? '');
    return 'application/json';
  } catch {
    return 'text/plain';
  }
}

function channelFields(m: ChannelMessage, name: string): Record<string, unknown> {
  switch (m.channel) {
    case 'apple_push': {
      const alert = m.message.alert;
      return {
        alert: typeof alert === 'string' ? alert : (alert?.body ?? null),
        title: typeof alert === 'object' ? (alert.title ?? null) : null,
        extras: m.message.extra ?? {},
        action: m.message.custom_uri ?? null,
        image_url: m.message.asset_url ?? null,
        large_image_url: null,
      };
    }
    case 'android_push': {
      const big = m.message.extra?.appboy_image_url;
      return {
        alert: m.message.alert ?? null,
        title: m.message.title ?? null,
        extras: m.message.extra ?? {},
        action: m.message.custom_uri ?? null,
        image_url: typeof big === 'string' ? big : null,
        large_image_url: m.message.push_icon_image_url ?? null,
      };
    }
    case 'web_push':
      return {
        alert: m.message.alert,
        title: m.message.title,
        extras: m.message.extra ?? {},
        action: m.message.custom_uri ?? null,
        image_url: m.message.image_url ?? null,
        large_image_url: m.message.large_image_url ?? null,
      };
    case 'email':
      return {
        extras: m.message.extras ?? {},
        subject: m.message.subject ?? null,
        body: m.message.body ?? null,
        from: m.message.from,
        reply_to: m.message.reply_to ?? null,
        title: name,
        amp_body: null,
        preheader: m.message.preheader ?? null,
        custom_plain_text: m.message.plaintext_body ?? null,
        should_inline_css: m.message.should_inline_css ?? null,
        should_whitespace_header: false,
        email_headers: m.message.headers ?? {},
      };
    case 'content_card':
      return m.message.extra ? { extras: m.message.extra as Record<string, Json> } : {};
    case 'in_app_message':
      return {
        type: m.message.type,
        message: m.message.message ?? m.message.html ?? null,
        ...(m.message.extras ? { extras: m.message.extras } : {}),
      };
    case 'webhook': {
      const headers = m.message.request_headers ?? {};
      return {
        url: m.message.url,
        body: m.message.body ?? null,
        type: webhookType(headers, m.message.body),
        headers,
        method: m.message.request_method,
      };
    }
    case 'sms':
      return {
        body: m.message.body,
        // Sending numbers belong to the subscription group, which Herald does not hold yet.
        from: [],
        subscription_group_id: m.message.subscription_group_id,
      };
  }
}

function variantMessages(v: Variant): [string, Record<string, unknown>][] {
  return messageList(v.messages).map((m) => [
    m.message.message_variation_id ?? v.id,
    { channel: BRAZE_CHANNEL[m.channel], name: v.name, ...channelFields(m, v.name) },
  ]);
}

/** The `/campaigns/details` answer for a campaign (without `message`). */
export function campaignDetails(c: Campaign): Record<string, unknown> {
  const messages: Record<string, unknown> = Object.fromEntries(c.variants.flatMap(variantMessages));
  if (c.controlPercentage > 0) {
    messages[c.controlVariationId] = {
      channel: BRAZE_CHANNEL[c.channels[0]!],
      name: 'Control',
      type: 'control',
    };
  }
  return {
    created_at: new Date(c.createdAt).toISOString(),
    updated_at: new Date(c.updatedAt).toISOString(),
    archived: c.archived,
    draft: c.status === 'draft',
    enabled: c.status === 'active' && !c.archived,
    has_post_launch_draft: false,
    name: c.name,
    description: c.description ?? '',
    schedule_type: SCHEDULE_TYPE[c.delivery.type],
    channels: c.channels.map((ch) => BRAZE_CHANNEL[ch]),
    first_sent: isoHour(c.firstSentAt),
    last_sent: isoHour(c.lastSentAt),
    tags: c.tags,
    teams: [],
    messages,
    conversion_behaviors: c.conversionEvents,
  };
}
