import { and, eq } from 'drizzle-orm';
import { drizzle } from 'drizzle-orm/d1';
import { channelProviders } from '../db/channels';

/** The email providers Herald calls, with the API each one answers on by default. */
export const EMAIL_PROVIDERS = {
  sendgrid: 'https://api.sendgrid.com',
  postmark: 'https://api.postmarkapp.com',
} as const;
export type EmailProvider = keyof typeof EMAIL_PROVIDERS;

/** A workspace's email provider account, secret included: for senders only. */
export interface EmailProviderConfig {
  provider: EmailProvider;
  apiKey: string;
  baseUrl: string;
  fromAddress: string | null;
  updatedAt: number;
}

const CHANNEL = 'email';

/** The workspace's email provider, or null when none is configured. */
export async function getEmailProvider(
  db: D1Database,
  workspaceId: string,
): Promise<EmailProviderConfig | null> {
  const row = await drizzle(db)
    .select()
    .from(channelProviders)
    .where(
      and(eq(channelProviders.workspaceId, workspaceId), eq(channelProviders.channel, CHANNEL)),
    )
    .get();
  if (!row || !Object.hasOwn(EMAIL_PROVIDERS, row.provider)) return null;
  return {
    provider: row.provider as EmailProvider,
    apiKey: row.apiKey,
    baseUrl: row.baseUrl,
    fromAddress: row.fromAddress,
    updatedAt: row.updatedAt,
  };
}

/** Create or replace the workspace's email provider; `created` is false when one was replaced. */
export async function putEmailProvider(
  db: D1Database,
  input: { workspaceId: string; config: Omit<EmailProviderConfig, 'updatedAt'>; now: number },
): Promise<{ created: boolean }> {
  const existed = (await getEmailProvider(db, input.workspaceId)) !== null;
  const { provider, apiKey, baseUrl, fromAddress } = input.config;
  await drizzle(db)
    .insert(channelProviders)
    .values({
      workspaceId: input.workspaceId,
      channel: CHANNEL,
      provider,
      apiKey,
      baseUrl,
      fromAddress,
      createdAt: input.now,
      updatedAt: input.now,
    })
    .onConflictDoUpdate({
      target: [channelProviders.workspaceId, channelProviders.channel],
      set: { provider, apiKey, baseUrl, fromAddress, updatedAt: input.now },
    })
    .run();
  return { created: !existed };
}

/** Remove the workspace's email provider; false when there was none. */
export async function deleteEmailProvider(db: D1Database, workspaceId: string): Promise<boolean> {
  const res = await drizzle(db)
    .delete(channelProviders)
    .where(
      and(eq(channelProviders.workspaceId, workspaceId), eq(channelProviders.channel, CHANNEL)),
    )
    .run();
  return res.meta.changes > 0;
}
