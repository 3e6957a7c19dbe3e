import type { ChannelResult } from '../../delivery/channel';
import type { OutgoingEmail } from './content';
import { failureOf, jsonOf, type ProviderAnswer, type ProviderRequest, snippet } from './http';

/**
 * Postmark's Email API: `POST /email` with the server token in `X-Postmark-Server-Token`. 200 with
 * `ErrorCode` 0 means accepted (`MessageID`); 422 carries Postmark's own code (300 invalid
 * address, 406 inactive recipient…) and fails for good. Postmark has no idempotency key: the
 * send's reference rides in `Metadata` and a header.
 */

/** The transactional stream every server has. */
const STREAM = 'outbound';

function address(email: OutgoingEmail['from']): string {
  return email.name === null ? email.email : `${JSON.stringify(email.name)} <${email.email}>`;
}

/** The Email API request for one email. */
export function postmarkRequest(
  email: OutgoingEmail,
  config: { apiKey: string; baseUrl: string },
): ProviderRequest {
  const body: Record<string, unknown> = {
    From: address(email.from),
    To: email.to,
    Subject: email.subject,
    HtmlBody: email.html,
    TextBody: email.text,
    Headers: Object.entries(email.headers).map(([Name, Value]) => ({ Name, Value })),
    Metadata: email.metadata,
    MessageStream: STREAM,
  };
  if (email.replyTo !== null) body.ReplyTo = email.replyTo;
  if (email.bcc !== null) body.Bcc = email.bcc;
  return {
    url: `${config.baseUrl}/email`,
    headers: {
      accept: 'application/json',
      'content-type': 'application/json',
      'x-postmark-server-token': config.apiKey,
    },
    body: JSON.stringify(body),
  };
}

/** Postmark's answer as a channel result. */
export function postmarkResult(answer: ProviderAnswer, now: number): ChannelResult {
  const parsed = jsonOf(answer.text) as {
    ErrorCode?: number;
    Message?: string;
    MessageID?: string;
  } | null;
  if (answer.status === 200 && (parsed?.ErrorCode ?? 0) === 0) {
    return {
      result: 'sent',
      status: 200,
      ...(parsed?.MessageID ? { providerId: parsed.MessageID } : {}),
    };
  }
  const detail =
    parsed?.Message !== undefined
      ? `${parsed.Message} (ErrorCode ${parsed.ErrorCode ?? '?'})`
      : snippet(answer.text);
  return failureOf(answer, `Postmark ${answer.status}${detail ? `: ${detail}` : ''}`, now);
}
