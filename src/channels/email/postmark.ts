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

/** Postmark keeps metadata values to 80 characters: the tracking token goes in pieces. */
export const METADATA_VALUE_MAX = 80;
export const TOKEN_KEY = 'herald_token';

/** Metadata as Postmark takes it: `herald_token` split into `herald_token_1`, `_2`, … */
export function postmarkMetadata(metadata: Record<string, string>): Record<string, string> {
  const { [TOKEN_KEY]: token, ...rest } = metadata;
  if (token === undefined) return rest;
  const out: Record<string, string> = { ...rest };
  for (let i = 0; i * METADATA_VALUE_MAX < token.length; i++) {
    out[`${TOKEN_KEY}_${i + 1}`] = token.slice(
      i * METADATA_VALUE_MAX,
      (i + 1) * METADATA_VALUE_MAX,
    );
  }
  return out;
}

/** The token from a webhook's `Metadata` (joined from its pieces), or null. */
export function tokenFromMetadata(metadata: Record<string, unknown> | undefined): string | null {
  if (!metadata) return null;
  let token = '';
  for (let i = 1; i <= 16; i++) {
    const piece = metadata[`${TOKEN_KEY}_${i}`];
    if (typeof piece !== 'string') break;
    token += piece;
  }
  return token === '' ? null : token;
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
    Metadata: postmarkMetadata(email.metadata),
    MessageStream: STREAM,
    // Herald tracks opens and clicks itself; Postmark's own would count twice.
    TrackOpens: false,
    TrackLinks: 'None',
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
