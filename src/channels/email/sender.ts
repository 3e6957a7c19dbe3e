import { EmailMessage } from '../../campaigns/messages';
import type { ChannelSender } from '../../delivery/channel';
import { MAX_ATTEMPTS } from '../../delivery/queue';
import { sha256Hex } from '../../lib/hash';
import { getEmailTemplate } from '../../templates/email-template-store';
import { signToken } from '../../tracking/token';
import { postToProvider } from '../provider-http';
import { getEmailProvider } from '../provider-store';
import { hardBounceOf } from './address-store';
import { buildEmail, withTemplate } from './content';
import { postmarkRequest, postmarkResult } from './postmark';
import { sendgridRequest, sendgridResult } from './sendgrid';
import { emailLinks, listUnsubscribeHeaders, trackHtml, unsubscribeUrl } from './tracking';

/**
 * The email channel (contract §3.11.4, §5.1) through the workspace's provider (SendGrid or
 * Postmark, set with `PUT /operator/workspaces/{id}/channels/email`). The consumer has already
 * checked `email_subscribe`; this sends to the profile's `email`.
 */

const PROVIDERS = {
  sendgrid: { request: sendgridRequest, result: sendgridResult },
  postmark: { request: postmarkRequest, result: postmarkResult },
};

export const emailSender: ChannelSender<EmailMessage> = {
  channel: 'email',
  maxAttempts: MAX_ATTEMPTS,

  async prepare(raw, env) {
    // D1 is a trust boundary: the dispatch stores the object as it was accepted.
    const parsed = EmailMessage.safeParse(raw);
    if (!parsed.success) return { failed: 'the email message object is invalid' };
    const message = parsed.data;
    if (message.email_template_id === undefined) return { message };
    const template = await getEmailTemplate(env.DB, env.workspaceId, message.email_template_id);
    if (!template) return { failed: `email template ${message.email_template_id} does not exist` };
    return { message: withTemplate(message, template) };
  },

  async messageLinks(input) {
    const token = await signToken(input.DB, input.tracking);
    return emailLinks({ publicUrl: input.publicUrl, token, workspaceName: input.workspace.name });
  },

  templates(message) {
    const fields: Record<string, string> = { from: message.from };
    for (const key of ['subject', 'body', 'plaintext_body', 'preheader'] as const) {
      const value = message[key];
      if (value !== undefined) fields[key] = value;
    }
    return fields;
  },

  async send(input, env) {
    const to = input.recipient.standard.email;
    if (typeof to !== 'string' || to.trim() === '') {
      return { result: 'aborted', reason: 'the user has no email address' };
    }
    const bounced = await hardBounceOf(env.DB, input.workspace.id, to);
    if (bounced) {
      return {
        result: 'aborted',
        reason: `the address hard bounced${bounced.reason ? `: ${bounced.reason}` : ''}`,
      };
    }
    const config = await getEmailProvider(env.DB, input.workspace.id);
    if (!config)
      return { result: 'failed', status: null, reason: 'no email provider is configured' };
    const email = buildEmail({
      message: input.message,
      rendered: input.rendered,
      to: to.trim(),
      defaultFrom: config.fromAddress,
      ids: {
        dispatchId: input.dispatchId,
        sendRef: await sha256Hex(input.sendKey),
        campaignId: input.campaignId,
      },
    });
    if ('result' in email) return email;
    const token = await signToken(env.DB, input.tracking);
    const std = input.recipient.standard;
    if (email.html.trim() !== '') {
      email.html = await trackHtml(env.DB, {
        html: email.html,
        token,
        workspaceId: input.workspace.id,
        publicUrl: input.publicUrl,
        opens: std.email_open_tracking_disabled !== true,
        clicks: std.email_click_tracking_disabled !== true,
      });
    }
    // The provider's webhooks hand the token back (src/channels/email/webhooks.ts).
    email.metadata.herald_token = token;
    // Braze adds one-click unsubscribe to campaign email, not to API-only or transactional sends.
    if (input.campaignId !== null && input.transactional !== true) {
      Object.assign(email.headers, listUnsubscribeHeaders(unsubscribeUrl(input.publicUrl, token)));
    }
    const provider = PROVIDERS[config.provider];
    const answer = await postToProvider(
      env.fetch,
      provider.request(email, config),
      'email provider',
    );
    if ('unreachable' in answer) {
      return { result: 'retry', status: null, reason: answer.unreachable, retryAfterMs: null };
    }
    return provider.result(answer, env.now());
  },
};
