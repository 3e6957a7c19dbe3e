import { z } from 'zod';
import { getDispatch } from '../../delivery/dispatch-store';
import type { Ctx } from '../../http/context';
import { ApiError } from '../../http/errors';
import { defineRoute } from '../../http/route';
import { log } from '../../lib/log';
import { profileStub } from '../../lib/stubs';
import type { EngagementEvent } from '../../profiles/engagement-events';
import { profilesWith } from '../../subscriptions/apply';
import { groupForInbound } from '../../subscriptions/group-store';
import { recordTracked } from '../../tracking/record';
import { type TrackedMessage, verifyToken } from '../../tracking/token';
import { getSmsAccount } from './account-store';
import { clearNumbers, markNumber } from './address-store';
import { DEFAULT_REPLIES, type KeywordCategory, keywordCategory, twiml } from './keywords';
import { toE164 } from './phone';
import { verifyTwilioSignature } from './signature';
import { INVALID_NUMBER_CODES } from './twilio';

/**
 * Twilio's webhooks: message status callbacks (the URL each send names, carrying its signed
 * tracking token) and inbound messages (the URL the operator gives the sending numbers). Both are
 * verified with `X-Twilio-Signature` and the workspace's auth token before anything is read:
 * unsigned or wrongly signed requests answer 403 and record nothing.
 */

const TAG = 'SMS';
/** Twilio's form posts are a few kilobytes; anything much larger is not from Twilio. */
const MAX_FORM_BYTES = 64 * 1024;
/** Braze truncates inbound bodies past this in Currents. */
const MAX_INBOUND_BODY = 1_600;

/** The answer: empty for status callbacks, TwiML for inbound messages. */
const Form = z.string();

async function readForm(c: Ctx): Promise<[string, string][]> {
  const declared = Number(c.req.header('content-length') ?? '0');
  if (declared > MAX_FORM_BYTES) throw new ApiError(413, 'Request body too large');
  const bytes = await c.req.raw.arrayBuffer();
  if (bytes.byteLength > MAX_FORM_BYTES) throw new ApiError(413, 'Request body too large');
  return [...new URLSearchParams(new TextDecoder().decode(bytes))];
}

async function verified(c: Ctx, authToken: string, params: [string, string][]): Promise<void> {
  const ok = await verifyTwilioSignature({
    authToken,
    url: c.req.url,
    params,
    given: c.req.header('x-twilio-signature'),
  });
  if (!ok) throw new ApiError(403, 'Invalid Twilio signature');
}

/** Twilio's message statuses that are engagement; the others (queued, sending…) are progress. */
const STATUS_EVENTS: Record<string, EngagementEvent> = {
  sent: 'carrier_send',
  delivered: 'delivery',
  undelivered: 'delivery_failure',
  failed: 'rejection',
};

export const statusCallbackRoute = defineRoute({
  method: 'post',
  path: '/sms/twilio/status/{token}',
  tag: TAG,
  summary: "Twilio's message status callback",
  description:
    'Form-encoded, signed with `X-Twilio-Signature`. `sent` is recorded as sent to carrier, ' +
    '`delivered` as delivery, `undelivered` as delivery failure, `failed` as rejection; numbers ' +
    'Twilio calls unreachable are added to the invalid phone numbers.',
  auth: { type: 'none' },
  rawBody: true,
  success: { status: 200, description: 'Recorded (or nothing to record)', schema: Form },
  handler: async (c) => {
    const params = await readForm(c);
    const tracked = await verifyToken(c.env.DB, c.req.param('token') ?? '');
    if (tracked?.channel !== 'sms') throw new ApiError(403, 'Invalid Twilio signature');
    const account = await getSmsAccount(c.env.DB, tracked.workspaceId);
    if (!account) throw new ApiError(403, 'Invalid Twilio signature');
    await verified(c, account.authToken, params);
    const form = new Map(params);
    const status = form.get('MessageStatus') ?? form.get('SmsStatus') ?? '';
    const sid = form.get('MessageSid') ?? form.get('SmsSid') ?? '';
    const event = STATUS_EVENTS[status];
    if (!event || sid === '') return c.text('', 200);
    const code = Number(form.get('ErrorCode') ?? '');
    const failedCode = Number.isInteger(code) && code > 0 ? code : null;
    const now = Date.now();
    const to = toE164(form.get('To') ?? '');
    if (failedCode !== null && INVALID_NUMBER_CODES.has(failedCode) && to) {
      await markNumber(c.env.DB, {
        workspaceId: tracked.workspaceId,
        phone: to,
        kind: 'invalid_number',
        reason: 'provider_error',
        profileId: tracked.profileId,
        at: now,
      });
    }
    const answer = await recordTracked(c.env, tracked, {
      event,
      eventId: `twilio:${sid}:${status}`,
      at: now,
      ...(failedCode !== null ? { reason: `Twilio error ${failedCode}` } : {}),
      detail: {
        provider_id: sid,
        status,
        ...(failedCode !== null ? { error_code: failedCode } : {}),
        ...(form.get('From') ? { from_phone_number: form.get('From')! } : {}),
      },
    });
    log('debug', 'twilio status recorded', { status, result: answer.status });
    return c.text('', 200);
  },
});

/** What an inbound keyword records and changes. */
const INBOUND_EVENTS: Record<KeywordCategory | 'other', EngagementEvent> = {
  opt_out: 'unsubscribe',
  opt_in: 'opt_in',
  help: 'help',
  other: 'inbound',
};

/** Record an inbound message on one profile, credited to the last SMS it was sent. */
async function recordInbound(
  c: Ctx,
  input: {
    workspaceId: string;
    profileId: string;
    messageSid: string;
    category: KeywordCategory | 'other';
    groupId: string | null;
    detail: Record<string, string | null>;
  },
): Promise<void> {
  const { workspaceId, profileId } = input;
  const last = await profileStub(c.env.USER_PROFILE, workspaceId, profileId).lastSent({
    workspaceId,
    profileId,
    addressedBy: null,
    now: Date.now(),
    channel: 'sms',
  });
  const sent = last.status === 'ok' ? last.sent : null;
  // The ledger keeps the variant; statistics count under its message's variation id, as sends are.
  const dispatch = sent ? await getDispatch(c.env.DB, workspaceId, sent.dispatchId) : null;
  const variant = dispatch?.messages.variants.find((v) => v.id === sent?.variantId);
  const sms = variant?.messages.sms as { message_variation_id?: string } | undefined;
  const tracked: TrackedMessage = {
    workspaceId,
    profileId,
    channel: 'sms',
    dispatchId: sent?.dispatchId ?? `inbound:${input.messageSid}`,
    sendId: sent?.sendId ?? null,
    campaignId: sent?.campaignId ?? null,
    variantId: sms?.message_variation_id ?? sent?.variantId ?? null,
  };
  const state =
    input.category === 'opt_out'
      ? 'unsubscribed'
      : input.category === 'opt_in'
        ? 'subscribed'
        : null;
  await recordTracked(c.env, tracked, {
    event: INBOUND_EVENTS[input.category],
    eventId: `twilio-inbound:${input.messageSid}`,
    at: Date.now(),
    detail: { keyword_category: input.category, ...input.detail },
    ...(state !== null && input.groupId !== null
      ? {
          profileUpdate: {
            subscriptionGroups: [
              { subscription_group_id: input.groupId, subscription_state: state },
            ],
          },
        }
      : {}),
  });
}

export const inboundRoute = defineRoute({
  method: 'post',
  path: '/sms/twilio/inbound/{workspace_id}',
  tag: TAG,
  summary: 'Inbound SMS from Twilio (keywords STOP, START, HELP…)',
  description:
    'Form-encoded, signed with `X-Twilio-Signature`. A body that is exactly one default keyword ' +
    '(any case) unsubscribes, subscribes or asks for help in the subscription group owning the ' +
    "number it was sent to, for every profile with the sender's phone; the answer is TwiML with " +
    "the group's auto-reply. Other messages are recorded and get no reply.",
  auth: { type: 'none' },
  rawBody: true,
  success: { status: 200, description: 'TwiML', schema: Form },
  handler: async (c) => {
    const params = await readForm(c);
    const workspaceId = c.req.param('workspace_id') ?? '';
    const account = await getSmsAccount(c.env.DB, workspaceId);
    if (!account) throw new ApiError(403, 'Invalid Twilio signature');
    await verified(c, account.authToken, params);
    const form = new Map(params);
    const from = toE164(form.get('From') ?? '');
    const to = form.get('To') ?? '';
    const body = form.get('Body') ?? '';
    const messageSid = form.get('MessageSid') ?? form.get('SmsMessageSid') ?? '';
    const group = await groupForInbound(c.env.DB, {
      workspaceId,
      to,
      messagingServiceSid: form.get('MessagingServiceSid') ?? null,
    });
    const category = keywordCategory(body);
    if (from && messageSid !== '') {
      if (category === 'opt_in') {
        // Twilio lifts its own block when the number texts START.
        await clearNumbers(c.env.DB, { workspaceId, phones: [from], kind: 'unsubscribe' });
      }
      const b = { profiles: c.env.USER_PROFILE, directory: c.env.IDENTITY_INDEX };
      const profiles = await profilesWith(b, {
        workspaceId,
        kind: 'phone',
        value: from,
        now: Date.now(),
      });
      await Promise.all(
        profiles.map((p) =>
          recordInbound(c, {
            workspaceId,
            profileId: p.profileId,
            messageSid,
            category: category ?? 'other',
            groupId: group?.groupId ?? null,
            detail: {
              subscription_group_id: group?.groupId ?? null,
              inbound_phone_number: to,
              user_phone_number: from,
              message_body: body.slice(0, MAX_INBOUND_BODY),
              ...(category ? { keyword: body.trim().toUpperCase() } : {}),
            },
          }),
        ),
      );
    }
    const reply =
      category !== null && group !== null
        ? (group.settings.replies[category] ?? DEFAULT_REPLIES[category])
        : null;
    return c.body(twiml(reply), 200, { 'content-type': 'text/xml; charset=utf-8' });
  },
});
