import { SmsMessage } from '../../campaigns/messages';
import type { ChannelSender } from '../../delivery/channel';
import { MAX_ATTEMPTS } from '../../delivery/queue';
import { getGroup, type SubscriptionGroup } from '../../subscriptions/group-store';
import { recordTracked } from '../../tracking/record';
import { signToken } from '../../tracking/token';
import { postToProvider } from '../provider-http';
import { getSmsAccount, type SmsAccount } from './account-store';
import { blockOf, markNumber } from './address-store';
import { toE164 } from './phone';
import { countSegments, MAX_SEGMENTS } from './segments';
import { type OutgoingSms, twilioRequest, twilioResult } from './twilio';

/**
 * The SMS channel (contract §3.11.5, §5.2) through the workspace's Twilio account. The profile
 * has already checked that the user is `subscribed` to the message's subscription group; this
 * sends to the profile's `phone` from the group's messaging service or number, with a status
 * callback carrying the send's signed tracking token.
 */

/** An MMS body may be this long (Twilio's limit); segments do not apply to MMS. */
const MAX_MMS_BODY = 1_600;

/** The message with the subscription group it names, as `prepare` resolves it once per batch. */
export type PreparedSms = SmsMessage & { group?: SubscriptionGroup };

/** Who the message is sent from: the group's messaging service or number, else the account's. */
function senderOf(group: SubscriptionGroup, account: SmsAccount): OutgoingSms['sender'] | null {
  if (group.settings.messaging_service_sid) {
    return { messagingServiceSid: group.settings.messaging_service_sid };
  }
  const number = group.settings.numbers[0];
  if (number) return { from: number };
  if (account.messagingServiceSid) return { messagingServiceSid: account.messagingServiceSid };
  if (account.fromNumber) return { from: account.fromNumber };
  return null;
}

export const smsSender: ChannelSender<PreparedSms> = {
  channel: 'sms',
  maxAttempts: MAX_ATTEMPTS,

  async prepare(raw, env) {
    // D1 is a trust boundary: the dispatch stores the object as it was accepted.
    const parsed = SmsMessage.safeParse(raw);
    if (!parsed.success) return { failed: 'the sms message object is invalid' };
    const id = parsed.data.subscription_group_id;
    const group = await getGroup(env.DB, env.workspaceId, id);
    if (group?.channel !== 'sms') {
      return {
        failed: `subscription group ${id} is not an SMS subscription group of the workspace`,
      };
    }
    if (group.settings.archived) return { failed: `subscription group ${id} is archived` };
    return { message: { ...parsed.data, group } };
  },

  templates(message) {
    return { body: message.body };
  },

  async send(input, env) {
    const group = input.message.group;
    if (!group) return { result: 'failed', status: null, reason: 'the message was not prepared' };
    // The profile's claim checked the first variant's group; a variant may name another.
    if (input.recipient.subscriptionGroups[group.groupId] !== 'subscribed') {
      return {
        result: 'aborted',
        reason: `the user is not subscribed to subscription group ${group.groupId}`,
      };
    }
    const raw = input.recipient.standard.phone;
    const to = typeof raw === 'string' ? toE164(raw) : null;
    if (!to) return { result: 'aborted', reason: 'the user has no valid phone number' };
    const block = await blockOf(env.DB, input.workspace.id, to);
    if (block === 'invalid_number') {
      return { result: 'aborted', reason: `${to} is an invalid phone number` };
    }
    if (block === 'unsubscribe') {
      return { result: 'aborted', reason: `${to} replied STOP to the carrier` };
    }
    const account = await getSmsAccount(env.DB, input.workspace.id);
    if (!account)
      return { result: 'failed', status: null, reason: 'no SMS provider is configured' };
    const sender = senderOf(group, account);
    if (!sender) {
      return {
        result: 'failed',
        status: null,
        reason: `subscription group ${group.groupId} has no sending number or messaging service`,
      };
    }
    const body = input.rendered.body ?? '';
    const media = input.message.media_items ?? [];
    const count = countSegments(body);
    const detail = { segments: count.segments, encoding: count.encoding, mms: media.length > 0 };
    if (body.trim() === '' && media.length === 0) {
      return { result: 'aborted', reason: 'the rendered body is empty', detail };
    }
    if (media.length === 0 && count.segments > MAX_SEGMENTS) {
      return {
        result: 'aborted',
        reason: `the body is ${count.segments} ${count.encoding} segments; at most ${MAX_SEGMENTS} are sent`,
        detail,
      };
    }
    if (media.length > 0 && body.length > MAX_MMS_BODY) {
      return {
        result: 'aborted',
        reason: `an MMS body may be at most ${MAX_MMS_BODY} characters`,
        detail,
      };
    }
    const token = await signToken(env.DB, input.tracking);
    const request = twilioRequest(
      {
        to,
        sender,
        body,
        mediaUrls: media,
        statusCallback: `${input.publicUrl}/sms/twilio/status/${token}`,
      },
      account,
    );
    const answer = await postToProvider(env.fetch, request, 'Twilio');
    if ('unreachable' in answer) {
      return { result: 'retry', status: null, reason: answer.unreachable, retryAfterMs: null };
    }
    const outcome = twilioResult(answer, env.now());
    const at = env.now();
    switch (outcome.kind) {
      case 'sent':
        return outcome.result.result === 'sent'
          ? { ...outcome.result, detail: { ...detail, provider_id: outcome.sid } }
          : outcome.result;
      case 'invalid_number':
        await markNumber(env.DB, {
          workspaceId: input.workspace.id,
          phone: to,
          kind: 'invalid_number',
          reason: 'provider_error',
          profileId: input.profileId,
          at,
        });
        return outcome.result;
      case 'unsubscribed':
        await markNumber(env.DB, {
          workspaceId: input.workspace.id,
          phone: to,
          kind: 'unsubscribe',
          reason: 'Twilio 21610: the number replied STOP',
          profileId: input.profileId,
          at,
        });
        if (env.USER_PROFILE) {
          // The carrier already has the opt-out: the group state follows it, once per send.
          await recordTracked({ USER_PROFILE: env.USER_PROFILE }, input.tracking, {
            event: 'unsubscribe',
            eventId: `twilio-21610:${input.sendKey}`,
            at,
            reason: 'Twilio 21610: the number replied STOP',
            detail: { subscription_group_id: group.groupId, source: 'carrier' },
            profileUpdate: {
              subscriptionGroups: [
                { subscription_group_id: group.groupId, subscription_state: 'unsubscribed' },
              ],
            },
          });
        }
        return outcome.result;
      default:
        return outcome.result;
    }
  },
};
