import { and, eq } from 'drizzle-orm';
import { drizzle } from 'drizzle-orm/d1';
import { z } from 'zod';
import { channelProviderExtras, channelProviders } from '../../db/channels';
import type { TwilioAccount } from './twilio';

/**
 * A workspace's Twilio account: `channel_providers` (channel `sms`) holds the auth token as its
 * secret key, the API base URL and the default sender; `channel_provider_extras` holds the
 * account SID and default messaging service, which the operator API may show.
 */

export const TWILIO_API = 'https://api.twilio.com';
const CHANNEL = 'sms';

const Settings = z.object({
  account_sid: z.string(),
  messaging_service_sid: z.string().nullable().default(null),
});

/** The account with its secret, for senders and webhook verification only. */
export interface SmsAccount extends TwilioAccount {
  provider: 'twilio';
  /** Sender used when the subscription group names none: a number or alphanumeric id. */
  fromNumber: string | null;
  messagingServiceSid: string | null;
}

/** The workspace's Twilio account, or null when none is set. */
export async function getSmsAccount(
  db: D1Database,
  workspaceId: string,
): Promise<SmsAccount | null> {
  const where = (t: typeof channelProviders | typeof channelProviderExtras) =>
    and(eq(t.workspaceId, workspaceId), eq(t.channel, CHANNEL));
  const [row, extra] = await Promise.all([
    drizzle(db).select().from(channelProviders).where(where(channelProviders)).get(),
    drizzle(db).select().from(channelProviderExtras).where(where(channelProviderExtras)).get(),
  ]);
  if (row?.provider !== 'twilio' || !extra) return null;
  // D1 JSON is a trust boundary like any other.
  const settings = Settings.safeParse(JSON.parse(extra.settings));
  if (!settings.success) return null;
  return {
    provider: 'twilio',
    accountSid: settings.data.account_sid,
    authToken: row.apiKey,
    baseUrl: row.baseUrl,
    fromNumber: row.fromAddress,
    messagingServiceSid: settings.data.messaging_service_sid,
  };
}

/** Create or replace the workspace's Twilio account; `created` is false when one was replaced. */
export async function putSmsAccount(
  db: D1Database,
  input: { workspaceId: string; account: Omit<SmsAccount, 'provider'>; now: number },
): Promise<{ created: boolean }> {
  const existed = (await getSmsAccount(db, input.workspaceId)) !== null;
  const a = input.account;
  const settings = JSON.stringify({
    account_sid: a.accountSid,
    messaging_service_sid: a.messagingServiceSid,
  });
  const d = drizzle(db);
  await d.batch([
    d
      .insert(channelProviders)
      .values({
        workspaceId: input.workspaceId,
        channel: CHANNEL,
        provider: 'twilio',
        apiKey: a.authToken,
        baseUrl: a.baseUrl,
        fromAddress: a.fromNumber,
        createdAt: input.now,
        updatedAt: input.now,
      })
      .onConflictDoUpdate({
        target: [channelProviders.workspaceId, channelProviders.channel],
        set: {
          provider: 'twilio',
          apiKey: a.authToken,
          baseUrl: a.baseUrl,
          fromAddress: a.fromNumber,
          updatedAt: input.now,
        },
      }),
    d
      .insert(channelProviderExtras)
      .values({ workspaceId: input.workspaceId, channel: CHANNEL, settings, updatedAt: input.now })
      .onConflictDoUpdate({
        target: [channelProviderExtras.workspaceId, channelProviderExtras.channel],
        set: { settings, updatedAt: input.now },
      }),
  ]);
  return { created: !existed };
}

/** Remove the workspace's Twilio account; false when there was none. */
export async function deleteSmsAccount(db: D1Database, workspaceId: string): Promise<boolean> {
  const d = drizzle(db);
  const [res] = await d.batch([
    d
      .delete(channelProviders)
      .where(
        and(eq(channelProviders.workspaceId, workspaceId), eq(channelProviders.channel, CHANNEL)),
      ),
    d
      .delete(channelProviderExtras)
      .where(
        and(
          eq(channelProviderExtras.workspaceId, workspaceId),
          eq(channelProviderExtras.channel, CHANNEL),
        ),
      ),
  ]);
  return res.meta.changes > 0;
}
