import type { ChannelResult } from '../../delivery/channel';
import {
  failureOf,
  jsonOf,
  type ProviderAnswer,
  type ProviderRequest,
  snippet,
} from '../provider-http';
import type { OutgoingEmail } from './content';

/**
 * SendGrid's v3 Mail Send API: `POST /v3/mail/send` with a bearer API key; 202 means accepted,
 * with the message id in `X-Message-Id`. SendGrid has no idempotency key: the send's reference
 * rides in `custom_args` and a header, which its event webhooks hand back.
 */

/** The Mail Send request for one email. */
export function sendgridRequest(
  email: OutgoingEmail,
  config: { apiKey: string; baseUrl: string },
): ProviderRequest {
  const personalization: Record<string, unknown> = { to: [{ email: email.to }] };
  if (email.bcc !== null) personalization.bcc = [{ email: email.bcc }];
  const body: Record<string, unknown> = {
    personalizations: [personalization],
    from: email.from.name === null ? { email: email.from.email } : email.from,
    subject: email.subject,
    content: [
      { type: 'text/plain', value: email.text },
      { type: 'text/html', value: email.html },
    ],
    custom_args: email.metadata,
    headers: email.headers,
    // Herald tracks opens, clicks and unsubscribes itself; SendGrid's own would count twice.
    tracking_settings: {
      click_tracking: { enable: false, enable_text: false },
      open_tracking: { enable: false },
      subscription_tracking: { enable: false },
    },
  };
  if (email.replyTo !== null) body.reply_to = { email: email.replyTo };
  return {
    url: `${config.baseUrl}/v3/mail/send`,
    headers: { authorization: `Bearer ${config.apiKey}`, 'content-type': 'application/json' },
    body: JSON.stringify(body),
  };
}

/** SendGrid's answer as a channel result. */
export function sendgridResult(answer: ProviderAnswer, now: number): ChannelResult {
  if (answer.status === 202 || answer.status === 200) {
    const id = answer.headers.get('x-message-id');
    return { result: 'sent', status: answer.status, ...(id ? { providerId: id } : {}) };
  }
  const parsed = jsonOf(answer.text) as { errors?: { message?: string }[] } | null;
  const messages = (parsed?.errors ?? []).map((e) => e.message).filter(Boolean);
  const detail = messages.length > 0 ? messages.join('; ') : snippet(answer.text);
  return failureOf(answer, `SendGrid ${answer.status}${detail ? `: ${detail}` : ''}`, now);
}
