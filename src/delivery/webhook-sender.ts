import type { ChannelSender } from './channel';
import type { WebhookMessage } from './channels';
import { MAX_ATTEMPTS } from './queue';
import { callWebhook } from './webhook';

/**
 * The webhook channel behind the common channel interface: `url`, every header value and `body`
 * are templates; the call follows Braze's webhook rules (src/delivery/webhook.ts).
 */
export const webhookSender: ChannelSender<WebhookMessage> = {
  channel: 'webhook',
  maxAttempts: MAX_ATTEMPTS,

  templates(message) {
    const fields: Record<string, string> = { url: message.url };
    if (message.body !== undefined) fields.body = message.body;
    for (const [name, value] of Object.entries(message.request_headers ?? {})) {
      fields[`header ${name}`] = value;
    }
    return fields;
  },

  async send(input, env) {
    const own = input.message.request_headers ?? {};
    let headers: Record<string, string> = {};
    // Plain header values render as themselves: then the message's own record is the call's,
    // and the memo knows it by identity.
    let stableHeaders = input.message.request_headers !== undefined;
    for (const name of Object.keys(own)) {
      const value = input.rendered[`header ${name}`] ?? '';
      headers[name] = value;
      if (value !== own[name]) stableHeaders = false;
    }
    if (stableHeaders) headers = own;
    const call = await callWebhook(
      {
        url: (input.rendered.url ?? '').trim(),
        method: input.message.request_method,
        headers,
        stableHeaders,
        body: input.rendered.body ?? null,
      },
      {
        workspaceId: input.workspace.id,
        allowlist: input.workspace.settings.connected_content_allowlist,
        breaker: env.breaker,
        fetch: env.fetch,
        now: env.now,
        ...(env.webhookMemo ? { memo: env.webhookMemo } : {}),
      },
    );
    if (call.outcome === 'delivered') return { result: 'sent', status: call.status };
    if (call.outcome === 'retry') {
      return {
        result: 'retry',
        status: call.status,
        reason: call.reason,
        retryAfterMs: call.retryAfterMs,
      };
    }
    return { result: 'failed', status: call.status, reason: call.reason };
  },
};
