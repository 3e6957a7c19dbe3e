import type { EmailMessage } from '../../campaigns/messages';
import type { ChannelResult } from '../../delivery/channel';

/**
 * The provider-neutral email: what the SendGrid and Postmark request builders turn into their
 * own JSON. Pure: no I/O, so the shapes are unit-tested.
 */
export interface OutgoingEmail {
  to: string;
  from: { email: string; name: string | null };
  replyTo: string | null;
  bcc: string | null;
  subject: string;
  html: string;
  text: string;
  headers: Record<string, string>;
  /** `extras` plus Herald's ids, for the provider's webhooks to hand back. */
  metadata: Record<string, string>;
}

/** A stored template's parts (src/templates/email-template-store.ts). */
export interface TemplateParts {
  subject: string;
  body: string;
  plaintextBody: string | null;
  preheader: string | null;
}

/** The message with a stored template's parts filled in where the message gives none. */
export function withTemplate(message: EmailMessage, template: TemplateParts): EmailMessage {
  return {
    ...message,
    subject: message.subject ?? template.subject,
    body: message.body ?? template.body,
    plaintext_body: message.plaintext_body ?? template.plaintextBody ?? undefined,
    preheader: message.preheader ?? template.preheader ?? undefined,
  };
}

/** `Display Name <address>` (or a bare address) split; null when there is no address. */
export function parseSender(raw: string): { email: string; name: string | null } | null {
  const framed = /^\s*(.*?)\s*<\s*([^\s<>@]+@[^\s<>@]+)\s*>\s*$/.exec(raw);
  if (framed)
    return { email: framed[2]!, name: framed[1] ? framed[1].replace(/^"|"$/g, '') : null };
  const bare = raw.trim();
  return /^[^\s<>@]+@[^\s<>@]+$/.test(bare) ? { email: bare, name: null } : null;
}

function escapeHtml(s: string): string {
  return s
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;');
}

/** The preheader as a hidden span, first inside `<body>` (or first in a fragment). */
export function withPreheader(html: string, preheader: string): string {
  if (preheader === '') return html;
  const span =
    '<span style="display:none!important;visibility:hidden;mso-hide:all;font-size:1px;' +
    'line-height:1px;max-height:0;max-width:0;opacity:0;overflow:hidden">' +
    `${escapeHtml(preheader)}</span>`;
  const body = /<body\b[^>]*>/i.exec(html);
  if (!body) return span + html;
  const at = body.index + body[0].length;
  return html.slice(0, at) + span + html.slice(at);
}

/** A plain-text version of an HTML body, for a message that gives no `plaintext_body`. */
export function plaintextOf(html: string): string {
  return html
    .replace(/<(script|style|head)\b[\s\S]*?<\/\1>/gi, '')
    .replace(/<br\s*\/?>/gi, '\n')
    .replace(/<\/(p|div|h[1-6]|li|tr)>/gi, '\n')
    .replace(/<[^>]+>/g, '')
    .replace(/&nbsp;/g, ' ')
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&quot;/g, '"')
    .replace(/&#39;/g, "'")
    .replace(/&amp;/g, '&')
    .replace(/[ \t]+/g, ' ')
    .replace(/ *\n */g, '\n')
    .replace(/\n{3,}/g, '\n\n')
    .trim();
}

/**
 * The email for one recipient from the rendered templates; a result instead when it cannot be
 * built (no sender address).
 */
export function buildEmail(input: {
  message: EmailMessage;
  rendered: Record<string, string>;
  to: string;
  defaultFrom: string | null;
  /** `sendRef`: the send's ledger key hashed (header-safe), for providers and their webhooks. */
  ids: { dispatchId: string; sendRef: string; campaignId: string | null };
}): OutgoingEmail | ChannelResult {
  const { message, rendered } = input;
  const fromText = (rendered.from ?? '').trim() || input.defaultFrom || '';
  const from = parseSender(fromText);
  if (!from) {
    return { result: 'failed', status: null, reason: `from is not an email address: ${fromText}` };
  }
  const html = withPreheader(rendered.body ?? '', rendered.preheader ?? '');
  const metadata: Record<string, string> = {
    ...message.extras,
    herald_dispatch_id: input.ids.dispatchId,
    herald_send_key: input.ids.sendRef,
  };
  if (input.ids.campaignId !== null) metadata.herald_campaign_id = input.ids.campaignId;
  return {
    to: input.to,
    from,
    replyTo:
      message.reply_to === undefined || message.reply_to === 'NO_REPLY_TO'
        ? null
        : message.reply_to,
    bcc: message.bcc ?? null,
    subject: rendered.subject ?? '',
    html,
    text: rendered.plaintext_body ?? plaintextOf(rendered.body ?? ''),
    headers: { ...message.headers, 'X-Herald-Send-Key': input.ids.sendRef },
    metadata,
  };
}
