import { z } from 'zod';
import { deleteExtras, getExtras, putExtras } from '../extras-store';

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

/** The workspace's configuration of one push service, or null when none (or it is unreadable). */
export async function getPushConfig<S extends PushService>(
  db: D1Database,
  workspaceId: string,
  service: S,
): Promise<PushConfig<S> | null> {
  const row = await getExtras(db, workspaceId, service);
  if (!row) return null;
  // D1 is a trust boundary: a row another version wrote may not have this shape.
  const settings = SCHEMAS[service].settings.safeParse(row.settings);
  const secrets = SCHEMAS[service].secrets.safeParse(row.secrets);
  if (!settings.success || !secrets.success) return null;
  return {
    settings: settings.data,
    secrets: secrets.data,
    updatedAt: row.updatedAt,
  } as PushConfig<S>;
}

/** Create or replace one push service's configuration; `created` false when one was replaced. */
export function putPushConfig<S extends PushService>(
  db: D1Database,
  input: {
    workspaceId: string;
    service: S;
    config: Omit<PushConfig<S>, 'updatedAt'>;
    now: number;
  },
): Promise<{ created: boolean }> {
  return putExtras(db, {
    workspaceId: input.workspaceId,
    channel: input.service,
    settings: input.config.settings,
    secrets: input.config.secrets,
    now: input.now,
  });
}

/** Remove one push service's configuration; false when there was none. */
export function deletePushConfig(
  db: D1Database,
  workspaceId: string,
  service: PushService,
): Promise<boolean> {
  return deleteExtras(db, workspaceId, service);
}

export type WebPushConfig = PushConfig<'push:web'>;
export type FcmConfig = PushConfig<'push:fcm'>;
export type ApnsConfig = PushConfig<'push:apns'>;
