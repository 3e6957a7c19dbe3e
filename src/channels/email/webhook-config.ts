import { z } from 'zod';
import { deleteExtras, getExtras, putExtras } from '../extras-store';

/**
 * How a workspace's email provider webhooks prove themselves (D1 `channel_provider_extras`,
 * channel `email:webhook`): SendGrid's Event Webhook verification key (ECDSA P-256 public key),
 * Postmark's HTTP basic auth credentials. Secrets are read by the webhook routes only; the
 * operator API answers whether each is set and the Postmark user name, never the password.
 */

const CHANNEL = 'email:webhook';

export const WebhookSecrets = z.object({
  sendgrid_public_key: z.string().optional(),
  postmark_username: z.string().optional(),
  postmark_password: z.string().optional(),
});
export type WebhookSecrets = z.infer<typeof WebhookSecrets>;

/** The workspace's webhook secrets; empty when none are set (every webhook is then refused). */
export async function getWebhookSecrets(
  db: D1Database,
  workspaceId: string,
): Promise<WebhookSecrets> {
  const row = await getExtras(db, workspaceId, CHANNEL);
  const parsed = WebhookSecrets.safeParse(row?.secrets);
  return parsed.success ? parsed.data : {};
}

/** Replace the workspace's webhook secrets; `created` is false when some were replaced. */
export function putWebhookSecrets(
  db: D1Database,
  input: { workspaceId: string; secrets: WebhookSecrets; now: number },
): Promise<{ created: boolean }> {
  return putExtras(db, {
    workspaceId: input.workspaceId,
    channel: CHANNEL,
    settings: webhookSettings(input.secrets),
    secrets: input.secrets,
    now: input.now,
  });
}

/** Remove the workspace's webhook secrets; false when there were none. */
export function deleteWebhookSecrets(db: D1Database, workspaceId: string): Promise<boolean> {
  return deleteExtras(db, workspaceId, CHANNEL);
}

/** What the operator API shows of the secrets. */
export function webhookSettings(s: WebhookSecrets) {
  return {
    sendgrid_verification_key_set: s.sendgrid_public_key !== undefined,
    postmark_basic_auth_username: s.postmark_username ?? null,
  };
}
