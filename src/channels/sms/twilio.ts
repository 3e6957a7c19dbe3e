import type { ChannelResult } from '../../delivery/channel';
import {
  failureOf,
  jsonOf,
  type ProviderAnswer,
  type ProviderRequest,
  snippet,
} from '../provider-http';

/**
 * Twilio's Messages API as data (pure): the request Herald makes and what its answers mean.
 * `POST {base}/2010-04-01/Accounts/{AccountSid}/Messages.json`, form-encoded, HTTP basic auth
 * with the account SID and auth token; 201 with the message resource on success, a JSON error
 * (`code`, `message`, `more_info`) otherwise.
 */

export interface TwilioAccount {
  accountSid: string;
  authToken: string;
  baseUrl: string;
}

export interface OutgoingSms {
  to: string;
  /** A sending number or alphanumeric sender id, or a messaging service choosing one. */
  sender: { from: string } | { messagingServiceSid: string };
  body: string;
  mediaUrls: string[];
  statusCallback: string;
}

/** The form-encoded Messages API call for one message. */
export function twilioRequest(sms: OutgoingSms, account: TwilioAccount): ProviderRequest {
  const form = new URLSearchParams();
  form.set('To', sms.to);
  if ('from' in sms.sender) form.set('From', sms.sender.from);
  else form.set('MessagingServiceSid', sms.sender.messagingServiceSid);
  if (sms.body !== '') form.set('Body', sms.body);
  for (const url of sms.mediaUrls) form.append('MediaUrl', url);
  form.set('StatusCallback', sms.statusCallback);
  return {
    url: `${account.baseUrl}/2010-04-01/Accounts/${encodeURIComponent(account.accountSid)}/Messages.json`,
    headers: {
      authorization: `Basic ${btoa(`${account.accountSid}:${account.authToken}`)}`,
      'content-type': 'application/x-www-form-urlencoded',
      accept: 'application/json',
    },
    body: form.toString(),
  };
}

/** Twilio error codes that say the number can never receive SMS (Braze: invalid phone number). */
export const INVALID_NUMBER_CODES: ReadonlySet<number> = new Set([
  21211, // invalid 'To' phone number
  21214, // 'To' number cannot be reached
  21614, // 'To' number is not a valid mobile number
  30005, // unknown destination handset
  30006, // landline or unreachable carrier
]);

/** The recipient replied STOP to the sending number: Twilio blocks messages to it. */
export const UNSUBSCRIBED_CODE = 21610;

/** What one Messages API answer means for the send, and what it says about the number. */
export type TwilioOutcome =
  | { kind: 'sent'; result: ChannelResult; sid: string | null }
  | { kind: 'invalid_number'; result: ChannelResult; code: number }
  | { kind: 'unsubscribed'; result: ChannelResult }
  | { kind: 'other'; result: ChannelResult };

export function twilioResult(answer: ProviderAnswer, now: number): TwilioOutcome {
  const json = jsonOf(answer.text) as Record<string, unknown> | null;
  if (answer.status === 200 || answer.status === 201) {
    const sid = typeof json?.sid === 'string' ? json.sid : null;
    return {
      kind: 'sent',
      sid,
      result: { result: 'sent', status: answer.status, ...(sid ? { providerId: sid } : {}) },
    };
  }
  const code = typeof json?.code === 'number' ? json.code : null;
  const message = typeof json?.message === 'string' ? json.message : snippet(answer.text);
  const reason = `Twilio ${answer.status}${code !== null ? ` (error ${code})` : ''}: ${message}`;
  if (code !== null && INVALID_NUMBER_CODES.has(code)) {
    return {
      kind: 'invalid_number',
      code,
      result: { result: 'failed', status: answer.status, reason },
    };
  }
  if (code === UNSUBSCRIBED_CODE) {
    return {
      kind: 'unsubscribed',
      result: { result: 'aborted', reason: `the recipient unsubscribed at the carrier: ${reason}` },
    };
  }
  return { kind: 'other', result: failureOf(answer, reason, now) };
}
