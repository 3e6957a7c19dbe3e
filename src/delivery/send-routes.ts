import { z } from 'zod';
import {
  AndroidPushMessage,
  ApplePushMessage,
  ContentCardMessage,
  EmailMessage,
  SmsMessage,
  WebPushMessage,
} from '../campaigns/messages';
import type { Occurrence } from '../campaigns/schedule';
import { badRequest } from '../http/errors';
import { enforceRateLimit } from '../http/guard';
import { defineRoute } from '../http/route';
import { SendId, UserAlias } from '../http/schemas';
import type { SegmentFilter } from '../segments/filters';
import { parseSegmentFilter } from '../segments/filters';
import { getSegment } from '../segments/store';
import {
  launchDispatch,
  localTimeControl,
  newDispatchId,
  requestDispatchId,
} from './campaign-dispatch';
import { type Channel, WebhookMessage } from './channels';
import type { DispatchMessages } from './dispatch-store';
import type { QueuedRecipient } from './queue';
import { DELIVERED_CHANNELS } from './senders';

/** `POST /messages/send` (contract §3.10.4, §1.4): one dispatch, delivered through the queue. */

/** Listed users per request (contract §1.4). */
const MAX_LISTED = 50;

/** Every Braze message object key; the ones Herald cannot deliver yet are refused by name. */
export const Messages = z
  .strictObject(
    {
      webhook: WebhookMessage.optional(),
      email: EmailMessage.optional(),
      sms: SmsMessage.optional(),
      apple_push: ApplePushMessage.optional(),
      android_push: AndroidPushMessage.optional(),
      web_push: WebPushMessage.optional(),
      content_card: ContentCardMessage.optional(),
      kindle_push: z.unknown().optional(),
      whats_app: z.unknown().optional(),
    },
    { error: 'messages has an unknown message type' },
  )
  .meta({
    description:
      'Message objects by channel (contract §3.11). Herald delivers `webhook`, `email`, `sms`, ' +
      '`apple_push`, `android_push`, `web_push` and `content_card`.',
  });

export const MessagesSendBody = z.object({
  broadcast: z.boolean({ error: 'broadcast must be a boolean' }).optional(),
  external_user_ids: z
    .array(z.string({ error: 'external_user_ids must be an array of strings' }).min(1))
    .max(MAX_LISTED, `external_user_ids may list at most ${MAX_LISTED} users`)
    .optional(),
  user_aliases: z
    .array(UserAlias)
    .max(MAX_LISTED, `user_aliases may list at most ${MAX_LISTED} users`)
    .optional(),
  segment_id: z.string({ error: 'segment_id must be a string' }).min(1).optional(),
  audience: z
    .record(z.string(), z.unknown(), { error: 'audience must be a Connected Audience object' })
    .optional(),
  campaign_id: z.string({ error: 'campaign_id must be a string' }).min(1).optional(),
  send_id: SendId.optional(),
  override_frequency_capping: z
    .boolean({ error: 'override_frequency_capping must be a boolean' })
    .optional(),
  recipient_subscription_state: z
    .enum(['opted_in', 'subscribed', 'all'], {
      error: 'recipient_subscription_state must be opted_in, subscribed or all',
    })
    .optional(),
  messages: Messages,
});
export type MessagesSendBody = z.infer<typeof MessagesSendBody>;

function listedRecipients(body: MessagesSendBody): QueuedRecipient[] {
  const seen = new Set<string>();
  const out: QueuedRecipient[] = [];
  for (const id of body.external_user_ids ?? []) {
    const key = `e\n${id}`;
    if (seen.has(key)) continue;
    seen.add(key);
    out.push({ id: { kind: 'external_id', value: id } });
  }
  for (const a of body.user_aliases ?? []) {
    const key = `a\n${a.alias_label}\n${a.alias_name}`;
    if (seen.has(key)) continue;
    seen.add(key);
    out.push({ id: { kind: 'user_alias', label: a.alias_label, name: a.alias_name } });
  }
  return out;
}

/** A `/messages/send` request checked and resolved: whom it reaches and what it sends. */
export interface MessagesSendPlan {
  /** Listed users; empty: everyone in `audience` (a broadcast). */
  listed: QueuedRecipient[];
  /** Whether a segment or audience narrows it (the `messaging_broadcast` bucket). */
  targeted: boolean;
  /** The segment's definition as it is now, ANDed with the request's `audience`. */
  audience: SegmentFilter | null;
  messages: DispatchMessages;
}

/**
 * Check a `/messages/send` body beyond its shape (Braze's audience rules, channels Herald
 * delivers, a live segment) and resolve it; throws the Braze error. Scheduled messages run it
 * when they are created and again when they start.
 */
export async function planMessagesSend(
  db: D1Database,
  workspaceId: string,
  body: MessagesSendBody,
): Promise<MessagesSendPlan> {
  const listed = listedRecipients(body);
  const targeted = body.segment_id !== undefined || body.audience !== undefined;
  if (listed.length > MAX_LISTED) {
    throw badRequest(`At most ${MAX_LISTED} users may be listed in one request`);
  }
  if (listed.length === 0 && !targeted) {
    throw badRequest(
      'Give external_user_ids or user_aliases, or a segment_id or audience with broadcast: true',
    );
  }
  if (listed.length === 0 && body.broadcast !== true) {
    throw badRequest('broadcast must be true when no users are listed');
  }
  if (listed.length > 0 && body.broadcast === true) {
    throw badRequest('broadcast must not be true when users are listed');
  }
  const channels = Object.entries(body.messages)
    .filter(([, m]) => m !== undefined)
    .map(([k]) => k);
  if (channels.length === 0) throw badRequest('messages must contain at least one message');
  const undelivered = channels.filter((ch) => !DELIVERED_CHANNELS.has(ch as Channel));
  if (undelivered.length > 0) {
    throw badRequest(
      `Herald cannot deliver ${undelivered.join(', ')} messages yet; only ${[...DELIVERED_CHANNELS].join(', ')} are available`,
    );
  }
  const filters: SegmentFilter[] = [];
  if (body.segment_id !== undefined) {
    const segment = await getSegment(db, workspaceId, body.segment_id);
    if (!segment || segment.archived) throw badRequest('segment_id is invalid');
    // The definition as it is now goes with the dispatch: profiles and the index page by the
    // segment the caller named, even while caches elsewhere still hold an older version.
    filters.push(segment.filter);
  }
  if (body.audience !== undefined) {
    const parsed = parseSegmentFilter(body.audience);
    if (!parsed.ok) throw badRequest(`audience is invalid: ${parsed.error}`);
    filters.push(parsed.filter);
  }
  return {
    listed,
    targeted,
    audience: filters.length === 0 ? null : filters.length === 1 ? filters[0]! : { AND: filters },
    messages: {
      variants: [
        {
          id:
            body.messages.webhook?.message_variation_id ??
            body.messages.email?.message_variation_id ??
            body.messages.content_card?.message_variation_id ??
            body.messages.sms?.message_variation_id ??
            body.messages.apple_push?.message_variation_id ??
            body.messages.android_push?.message_variation_id ??
            body.messages.web_push?.message_variation_id ??
            null,
          percentage: 100,
          messages: {
            webhook: body.messages.webhook,
            email: body.messages.email,
            content_card: body.messages.content_card,
            sms: body.messages.sms,
            apple_push: body.messages.apple_push,
            android_push: body.messages.android_push,
            web_push: body.messages.web_push,
          },
        },
      ],
    },
  };
}

/** Write a planned `/messages/send` dispatch and queue it (`launchDispatch`). */
export async function startMessagesSend(
  env: { DB: D1Database; DELIVERY_QUEUE: Queue },
  input: {
    id: string;
    once: boolean;
    workspaceId: string;
    source: 'messages.send' | 'messages.schedule';
    body: MessagesSendBody;
    plan: MessagesSendPlan;
    /** `override_frequency_capping` (or the schedule endpoints' `override_messaging_limits`). */
    overrideCaps: boolean;
    /** A local-time send: each user at its wall-clock time. */
    occurrence?: Occurrence;
    now: number;
  },
): Promise<void> {
  const { body, plan } = input;
  await launchDispatch(env, {
    id: input.id,
    once: input.once,
    workspaceId: input.workspaceId,
    source: input.source,
    campaignId: body.campaign_id ?? null,
    sendId: body.send_id ?? null,
    messages: plan.messages,
    context: { campaign: body.campaign_id ? { api_id: body.campaign_id } : {} },
    controls: {
      override_frequency_capping: input.overrideCaps,
      recipient_subscription_state: body.recipient_subscription_state ?? 'subscribed',
      ...localTimeControl(input.occurrence),
    },
    audience: plan.audience,
    recipients: plan.listed.length === 0 ? null : plan.listed,
    now: input.now,
  });
}

export const messagesSendRoute = defineRoute({
  method: 'post',
  path: '/messages/send',
  tag: 'Messaging',
  summary: 'Send messages now to listed users, a segment or a Connected Audience',
  description:
    'Creates one dispatch and hands it to the delivery queue; the answer comes before delivery. ' +
    'Listed users (at most 50 across `external_user_ids` and `user_aliases`) and a segment or ' +
    'audience together send only to the listed users who are in it. A segment or audience send ' +
    'also counts against the `messaging_broadcast` bucket (250 per minute). Herald delivers the ' +
    '`webhook` message object; other channels answer 400 until their delivery exists.',
  auth: { type: 'api_key', permission: 'messages.send', bucket: 'messaging' },
  body: MessagesSendBody,
  maxBodyBytes: 1_048_576,
  success: {
    status: 201,
    description: 'Accepted for delivery',
    schema: z.object({
      dispatch_id: z.string(),
      send_id: z.string().optional(),
      message: z.string(),
    }),
  },
  handler: async (c, { body }) => {
    const workspace = c.get('caller').workspace;
    const plan = await planMessagesSend(c.env.DB, workspace.id, body);
    if (plan.targeted) await enforceRateLimit(c, 'messaging_broadcast');
    const now = Date.now();
    // A repeated identical request with a send_id is the same send (a client retry).
    const dispatchId = body.send_id
      ? await requestDispatchId(workspace.id, 'messages.send', body, now)
      : newDispatchId();
    await startMessagesSend(c.env, {
      id: dispatchId,
      once: body.send_id !== undefined,
      workspaceId: workspace.id,
      source: 'messages.send',
      body,
      plan,
      overrideCaps: body.override_frequency_capping ?? false,
      now,
    });
    return c.json(
      {
        dispatch_id: dispatchId,
        ...(body.send_id ? { send_id: body.send_id } : {}),
        message: 'success',
      },
      201,
    );
  },
});
