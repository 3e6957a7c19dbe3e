import { and, eq } from 'drizzle-orm';
import { drizzle } from 'drizzle-orm/d1';
import { z } from 'zod';
import { channelProviderExtras } from '../../db/channels';

/**
 * Each workspace's push credentials, one row per push service in `channel_provider_extras`
 * (`push:web`, `push:fcm`, `push:apns`). `settings` is what the operator API shows; `secrets`
 * (private keys) is read by the senders only and never answered.
 */

export const WebPushSettings = z.object({ vapid_public_key: z.string(), subject: z.string() });
export const WebPushSecrets = z.object({ vapid_private_key: z.string() });
export const FcmSettings = z.object({
  project_id: z.string(),
  client_email: z.string(),
  token_uri: z.string(),
  base_url: z.string(),
});
export const FcmSecrets = z.object({ private_key: z.string() });
export const ApnsSettings = z.object({
  key_id: z.string(),
  team_id: z.string(),
  topic: z.string(),
  base_url: z.string(),
});
export const ApnsSecrets = z.object({ private_key: z.string() });

const SCHEMAS = {
  'push:web': { settings: WebPushSettings, secrets: WebPushSecrets },
  'push:fcm': { settings: FcmSettings, secrets: FcmSecrets },
  'push:apns': { settings: ApnsSettings, secrets: ApnsSecrets },
} as const;

export type PushService = keyof typeof SCHEMAS;

/** A push service's stored configuration, secrets included: for senders only. */
export type PushConfig<S extends PushService> = {
  settings: z.infer<(typeof SCHEMAS)[S]['settings']>;
  secrets: z.infer<(typeof SCHEMAS)[S]['secrets']>;
  updatedAt: number;
};

function where(workspaceId: string, service: PushService) {
  return and(
    eq(channelProviderExtras.workspaceId, workspaceId),
    eq(channelProviderExtras.channel, service),
  );
}

/** The workspace's configuration of one push service, or null when none (or it is unreadable). */
export async function getPushConfig<S extends PushService>(
  db: D1Database,
  workspaceId: string,
  service: S,
): Promise<PushConfig<S> | null> {
  const row = await drizzle(db)
    .select()
    .from(channelProviderExtras)
    .where(where(workspaceId, service))
    .get();
  if (!row) return null;
  // D1 is a trust boundary: a row another version wrote may not have this shape.
  const settings = SCHEMAS[service].settings.safeParse(JSON.parse(row.settings));
  const secrets = SCHEMAS[service].secrets.safeParse(JSON.parse(row.secrets));
  if (!settings.success || !secrets.success) return null;
  return {
    settings: settings.data,
    secrets: secrets.data,
    updatedAt: row.updatedAt,
  } as PushConfig<S>;
}

/** Create or replace one push service's configuration; `created` false when one was replaced. */
export async function putPushConfig<S extends PushService>(
  db: D1Database,
  input: {
    workspaceId: string;
    service: S;
    config: Omit<PushConfig<S>, 'updatedAt'>;
    now: number;
  },
): Promise<{ created: boolean }> {
  const d = drizzle(db);
  const existed = await d
    .select({ at: channelProviderExtras.updatedAt })
    .from(channelProviderExtras)
    .where(where(input.workspaceId, input.service))
    .get();
  const settings = JSON.stringify(input.config.settings);
  const secrets = JSON.stringify(input.config.secrets);
  await d
    .insert(channelProviderExtras)
    .values({
      workspaceId: input.workspaceId,
      channel: input.service,
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

/** Remove one push service's configuration; false when there was none. */
export async function deletePushConfig(
  db: D1Database,
  workspaceId: string,
  service: PushService,
): Promise<boolean> {
  const res = await drizzle(db)
    .delete(channelProviderExtras)
    .where(where(workspaceId, service))
    .run();
  return res.meta.changes > 0;
}

export type WebPushConfig = PushConfig<'push:web'>;
export type FcmConfig = PushConfig<'push:fcm'>;
export type ApnsConfig = PushConfig<'push:apns'>;
