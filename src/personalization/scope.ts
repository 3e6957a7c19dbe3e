import { z } from 'zod';
import type { Json } from '../ingestion/types';
import { LiquidTime } from './liquid-time';
import { STANDARD_ROOT } from './preprocess';

/**
 * What a render knows about its recipient: plain data the user's profile object hands over
 * (`UserProfile.recipient`), so it crosses RPC unchanged.
 */
export interface Recipient {
  brazeId: string;
  externalId: string | null;
  /** Standard fields under their export names: first_name, email, dob, home_city, phone, … */
  standard: Record<string, Json>;
  /** Custom attributes with their stored types (`time` values are ISO strings). */
  custom: Record<string, { type: string; value: Json }>;
  /** Subscription group id → `subscribed` | `unsubscribed`. */
  subscriptionGroups: Record<string, string>;
  randomBucket: number;
  /** Epoch ms of the last session, or null. */
  lastUsedAppAt: number | null;
}

const JsonRecord = z.record(z.string(), z.json());

/** Message-side variables (contract §6.2): campaign/Canvas/card fields and trigger properties. */
export const MessageContext = z.object({
  campaign: z
    .object({
      api_id: z.string().optional(),
      name: z.string().optional(),
      message_name: z.string().optional(),
      message_api_id: z.string().optional(),
      dispatch_id: z.string().optional(),
    })
    .optional(),
  canvas: z
    .object({
      api_id: z.string().optional(),
      name: z.string().optional(),
      variant_name: z.string().optional(),
      variant_api_id: z.string().optional(),
    })
    .optional(),
  card: z.object({ api_id: z.string().optional(), name: z.string().optional() }).optional(),
  app: z.object({ api_id: z.string().optional(), name: z.string().optional() }).optional(),
  event_properties: JsonRecord.optional(),
  api_trigger_properties: JsonRecord.optional(),
  canvas_entry_properties: JsonRecord.optional(),
  context: JsonRecord.optional(),
  targeted_device: JsonRecord.optional(),
  /** Email list links and footer, filled by the email channel. */
  links: z
    .object({
      unsubscribe: z.string().optional(),
      subscribe: z.string().optional(),
      opt_in: z.string().optional(),
      email_footer: z.string().optional(),
    })
    .optional(),
  sms: z
    .object({
      inbound_message_body: z.string().optional(),
      inbound_media_urls: z.array(z.string()).optional(),
    })
    .optional(),
});
export type MessageContext = z.infer<typeof MessageContext>;

/** Braze's `dispatch_id` placeholder before a campaign has sent. */
export const UNSENT_DISPATCH_ID = 'dispatch_id_for_unsent_campaign';

function customValue(entry: { type: string; value: Json }): unknown {
  if (entry.type === 'time' && typeof entry.value === 'string') {
    const ms = Date.parse(entry.value);
    return Number.isNaN(ms) ? entry.value : new LiquidTime(ms);
  }
  return entry.value;
}

/** The message-side variables: the same for every recipient of a message context. */
interface MessageScope {
  links: Record<string, unknown>;
  roots: Record<string, unknown>;
}

// Message contexts are shared by a deliver message's recipients (and never mutated once built).
const messageScopes = new WeakMap<MessageContext, MessageScope>();

function messageScope(message: MessageContext): MessageScope {
  let built = messageScopes.get(message);
  if (built) return built;
  built = {
    links: {
      set_user_to_unsubscribed_url: message.links?.unsubscribe,
      // Braze's legacy name for the same link.
      unsubscribe_url: message.links?.unsubscribe,
      set_user_to_subscribed_url: message.links?.subscribe,
      set_user_to_opted_in_url: message.links?.opt_in,
      email_footer: message.links?.email_footer,
    },
    roots: {
      // Herald keeps no device model yet: API-only users have no device, as in Braze.
      most_recently_used_device: {},
      targeted_device: message.targeted_device ?? {},
      event_properties: message.event_properties ?? {},
      api_trigger_properties: message.api_trigger_properties ?? {},
      canvas_entry_properties: message.canvas_entry_properties ?? {},
      context: message.context ?? message.canvas_entry_properties ?? {},
      campaign: message.campaign
        ? { dispatch_id: UNSENT_DISPATCH_ID, ...message.campaign }
        : undefined,
      canvas: message.canvas,
      card: message.card,
      app: message.app,
      sms: message.sms,
    },
  };
  messageScopes.set(message, built);
  return built;
}

/**
 * The variables a template sees. `${name}` reads STANDARD_ROOT under Braze's tag names
 * (`email_address`, `user_id`, `city`, …); namespaces hold the rest. Missing values are absent,
 * so they print as nothing and `default` applies. The message-side values are built once per
 * message context and shared by its recipients' scopes (templates only read them).
 */
export function buildScope(
  recipient: Recipient | null,
  message: MessageContext,
): Record<string, unknown> {
  const shared = messageScope(message);
  const std = recipient?.standard ?? {};
  const standard: Record<string, unknown> = {
    first_name: std.first_name,
    last_name: std.last_name,
    email_address: std.email,
    phone_number: std.phone,
    date_of_birth: std.dob,
    city: std.home_city,
    country: std.country,
    language: std.language,
    time_zone: std.time_zone,
    gender: std.gender,
    user_id: recipient?.externalId ?? undefined,
    braze_id: recipient?.brazeId,
    random_bucket_number: recipient?.randomBucket,
    last_used_app_date:
      recipient?.lastUsedAppAt != null ? new LiquidTime(recipient.lastUsedAppAt) : undefined,
    most_recent_app_version: undefined,
    most_recent_locale: undefined,
    most_recent_location: undefined,
    ...shared.links,
  };
  const custom: Record<string, unknown> = {};
  const entries = recipient?.custom;
  if (entries) for (const k in entries) custom[k] = customValue(entries[k]!);
  const subscribed: Record<string, unknown> = { ...(recipient?.subscriptionGroups ?? {}) };
  if (typeof std.email_subscribe === 'string') subscribed.email_global = std.email_subscribe;
  if (typeof std.push_subscribe === 'string') subscribed.push_global = std.push_subscribe;
  return {
    [STANDARD_ROOT]: standard,
    custom_attribute: custom,
    subscribed_state: subscribed,
    ...shared.roots,
  };
}
