import { and, eq } from 'drizzle-orm';
import { drizzle } from 'drizzle-orm/d1';
import { z } from 'zod';
import { channelProviderExtras } from '../../db/channels';

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

function where(workspaceId: string) {
  return and(
    eq(channelProviderExtras.workspaceId, workspaceId),
    eq(channelProviderExtras.channel, CHANNEL),
  );
}

/** The workspace's webhook secrets; empty when none are set (every webhook is then refused). */
export async function getWebhookSecrets(
  db: D1Database,
  workspaceId: string,
): Promise<WebhookSecrets> {
  const row = await drizzle(db)
    .select({ secrets: channelProviderExtras.secrets })
    .from(channelProviderExtras)
    .where(where(workspaceId))
    .get();
  if (!row) return {};
  try {
    const parsed = WebhookSecrets.safeParse(JSON.parse(row.secrets));
    return parsed.success ? parsed.data : {};
  } catch {
    return {};
  }
}

/** Replace the workspace's webhook secrets; `created` is false when some were replaced. */
export async function putWebhookSecrets(
  db: D1Database,
  input: { workspaceId: string; secrets: WebhookSecrets; now: number },
): Promise<{ created: boolean }> {
  const existed =
    (await drizzle(db)
      .select({ w: channelProviderExtras.workspaceId })
      .from(channelProviderExtras)
      .where(where(input.workspaceId))
      .get()) !== undefined;
  const secrets = JSON.stringify(input.secrets);
  const settings = JSON.stringify(webhookSettings(input.secrets));
  await drizzle(db)
    .insert(channelProviderExtras)
    .values({
      workspaceId: input.workspaceId,
      channel: CHANNEL,
      settings,
      secrets,
      updatedAt: input.now,
    })
    .onConflictDoUpdate({
      target: [channelProviderExtras.workspaceId, channelProviderExtras.channel],
      set: { settings, secrets, updatedAt: input.now },
    })
    .run();
  return { created: !existed };
}

/** Remove the workspace's webhook secrets; false when there were none. */
export async function deleteWebhookSecrets(db: D1Database, workspaceId: string): Promise<boolean> {
  const res = await drizzle(db).delete(channelProviderExtras).where(where(workspaceId)).run();
  return res.meta.changes > 0;
}

/** What the operator API shows of the secrets. */
export function webhookSettings(s: WebhookSecrets) {
  return {
    sendgrid_verification_key_set: s.sendgrid_public_key !== undefined,
    postmark_basic_auth_username: s.postmark_username ?? null,
  };
}
