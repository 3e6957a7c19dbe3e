import { z } from 'zod';
import { ApiError } from '../../http/errors';
import { type AnyRoute, defineRoute } from '../../http/route';
import { getWorkspace } from '../../workspaces/store';
import {
  deletePushConfig,
  getPushConfig,
  type PushConfig,
  type PushService,
  putPushConfig,
} from './config-store';
import { importPemKey } from './jwt';
import { importVapidKey } from './web-push-crypto';

/**
 * A workspace's push credentials, one route set per channel, managed with the operator token
 * like the email provider: answers show the public settings, never a private key.
 *
 *   PUT|GET|DELETE /operator/workspaces/{id}/channels/web_push      VAPID key pair + subject
 *   PUT|GET|DELETE /operator/workspaces/{id}/channels/android_push  FCM service account
 *   PUT|GET|DELETE /operator/workspaces/{id}/channels/apple_push    APNs .p8 token key
 */

const TAG = 'Operator';

/** Google's endpoints, the defaults a service-account file names. */
export const FCM_TOKEN_URI = 'https://oauth2.googleapis.com/token';
export const FCM_BASE_URL = 'https://fcm.googleapis.com';
export const APNS_BASE_URLS = {
  production: 'https://api.push.apple.com',
  sandbox: 'https://api.sandbox.push.apple.com',
} as const;

const HttpUrl = (name: string) =>
  z
    .string({ error: `${name} must be a string` })
    .max(2_048)
    .refine((s) => /^https?:\/\/[^\s/]+(\/\S*)?$/i.test(s), `${name} must be an http(s) URL`);

const trim = (url: string) => url.replace(/\/+$/, '');

export const WebPushConfigBody = z.strictObject({
  vapid_public_key: z
    .string({ error: 'vapid_public_key must be a string' })
    .min(1, 'vapid_public_key must not be empty')
    .max(200),
  vapid_private_key: z
    .string({ error: 'vapid_private_key must be a string' })
    .min(1, 'vapid_private_key must not be empty')
    .max(200),
  subject: z
    .string({ error: 'subject must be a string' })
    .max(1_024)
    .regex(/^(mailto:\S+@\S+|https:\/\/\S+)$/i, 'subject must be a mailto: or https: URL'),
});

const ServiceAccount = z.looseObject({
  project_id: z
    .string({ error: 'service_account.project_id must be a string' })
    .regex(/^[a-z0-9-]{1,100}$/i, 'service_account.project_id must be a project id'),
  client_email: z
    .string({ error: 'service_account.client_email must be a string' })
    .regex(/^[^\s@]+@[^\s@]+$/, 'service_account.client_email must be an email address'),
  private_key: z
    .string({ error: 'service_account.private_key must be a string' })
    .min(1)
    .max(10_000),
  token_uri: HttpUrl('service_account.token_uri').optional(),
});

export const FcmConfigBody = z.strictObject({
  service_account: ServiceAccount,
  base_url: HttpUrl('base_url').optional(),
});

export const ApnsConfigBody = z.strictObject({
  key_id: z
    .string({ error: 'key_id must be a string' })
    .regex(/^[A-Z0-9]{10}$/, 'key_id must be the 10-character key id'),
  team_id: z
    .string({ error: 'team_id must be a string' })
    .regex(/^[A-Z0-9]{10}$/, 'team_id must be the 10-character team id'),
  topic: z.string({ error: 'topic must be a string' }).min(1, 'topic must not be empty').max(255),
  private_key: z
    .string({ error: 'private_key must be a string' })
    .min(1, 'private_key must not be empty')
    .max(10_000),
  environment: z
    .enum(['production', 'sandbox'], { error: 'environment must be production or sandbox' })
    .optional(),
  base_url: HttpUrl('base_url').optional(),
});

async function workspaceOf(db: D1Database, id: string | undefined): Promise<string> {
  const ws = await getWorkspace(db, id ?? '');
  if (!ws) throw new ApiError(404, `Workspace ${id} not found`);
  return ws.id;
}

interface Channel<S extends PushService, B extends z.ZodType> {
  name: 'web_push' | 'android_push' | 'apple_push';
  service: S;
  label: string;
  body: B;
  view: z.ZodObject;
  /** The stored configuration for a valid body; throws ApiError(400) when a key does not import. */
  toConfig: (body: z.infer<B>) => Promise<Omit<PushConfig<S>, 'updatedAt'>>;
  show: (settings: PushConfig<S>['settings']) => Record<string, unknown>;
}

const WEB = {
  name: 'web_push',
  service: 'push:web',
  label: 'Web Push VAPID keys',
  body: WebPushConfigBody,
  view: z.object({ vapid_public_key: z.string(), subject: z.string(), message: z.string() }),
  toConfig: async (body) => {
    const key = await importVapidKey({
      publicKey: body.vapid_public_key,
      privateKey: body.vapid_private_key,
    });
    if (!key) {
      throw new ApiError(
        400,
        'vapid keys must be a P-256 key pair: public 65 bytes, private 32 bytes, base64url',
      );
    }
    return {
      settings: { vapid_public_key: body.vapid_public_key, subject: body.subject },
      secrets: { vapid_private_key: body.vapid_private_key },
    };
  },
  show: (s) => ({ vapid_public_key: s.vapid_public_key, subject: s.subject }),
} satisfies Channel<'push:web', typeof WebPushConfigBody>;

const FCM = {
  name: 'android_push',
  service: 'push:fcm',
  label: 'FCM service account',
  body: FcmConfigBody,
  view: z.object({
    project_id: z.string(),
    client_email: z.string(),
    token_uri: z.string(),
    base_url: z.string(),
    message: z.string(),
  }),
  toConfig: async (body) => {
    if (!(await importPemKey(body.service_account.private_key, 'RS256'))) {
      throw new ApiError(400, 'service_account.private_key must be a PEM PKCS#8 RSA private key');
    }
    return {
      settings: {
        project_id: body.service_account.project_id,
        client_email: body.service_account.client_email,
        token_uri: body.service_account.token_uri ?? FCM_TOKEN_URI,
        base_url: trim(body.base_url ?? FCM_BASE_URL),
      },
      secrets: { private_key: body.service_account.private_key },
    };
  },
  show: (s) => ({ ...s }),
} satisfies Channel<'push:fcm', typeof FcmConfigBody>;

const APNS = {
  name: 'apple_push',
  service: 'push:apns',
  label: 'APNs token key',
  body: ApnsConfigBody,
  view: z.object({
    key_id: z.string(),
    team_id: z.string(),
    topic: z.string(),
    base_url: z.string(),
    message: z.string(),
  }),
  toConfig: async (body) => {
    if (!(await importPemKey(body.private_key, 'ES256'))) {
      throw new ApiError(400, 'private_key must be the .p8 key (PEM PKCS#8, P-256)');
    }
    return {
      settings: {
        key_id: body.key_id,
        team_id: body.team_id,
        topic: body.topic,
        base_url: trim(body.base_url ?? APNS_BASE_URLS[body.environment ?? 'production']),
      },
      secrets: { private_key: body.private_key },
    };
  },
  show: (s) => ({ ...s }),
} satisfies Channel<'push:apns', typeof ApnsConfigBody>;

function routesFor<S extends PushService, B extends z.ZodType>(ch: Channel<S, B>): AnyRoute[] {
  const path = `/operator/workspaces/{workspace_id}/channels/${ch.name}`;
  const missing = `No ${ch.name} configuration is set`;
  return [
    defineRoute({
      method: 'put',
      path,
      tag: TAG,
      summary: `Set the workspace's ${ch.label} (${ch.name})`,
      description: 'The private key is stored and never returned; sends read it at once.',
      auth: { type: 'operator' },
      body: ch.body,
      success: {
        status: 201,
        description: 'Stored (201 created, 200 replaced)',
        schema: ch.view.extend({ created: z.boolean() }),
      },
      handler: async (c, { body }) => {
        const workspaceId = await workspaceOf(c.env.DB, c.req.param('workspace_id'));
        const config = await ch.toConfig(body);
        const { created } = await putPushConfig(c.env.DB, {
          workspaceId,
          service: ch.service,
          config,
          now: Date.now(),
        });
        return c.json(
          { ...ch.show(config.settings), created, message: 'success' },
          created ? 201 : 200,
        );
      },
    }),
    defineRoute({
      method: 'get',
      path,
      tag: TAG,
      summary: `The workspace's ${ch.label} (never the private key)`,
      auth: { type: 'operator' },
      success: { status: 200, description: 'The configuration', schema: ch.view },
      handler: async (c) => {
        const workspaceId = await workspaceOf(c.env.DB, c.req.param('workspace_id'));
        const config = await getPushConfig(c.env.DB, workspaceId, ch.service);
        if (!config) throw new ApiError(404, missing);
        return c.json({ ...ch.show(config.settings), message: 'success' });
      },
    }),
    defineRoute({
      method: 'delete',
      path,
      tag: TAG,
      summary: `Remove the workspace's ${ch.label}`,
      auth: { type: 'operator' },
      success: { status: 200, description: 'Removed', schema: z.object({ message: z.string() }) },
      handler: async (c) => {
        const workspaceId = await workspaceOf(c.env.DB, c.req.param('workspace_id'));
        if (!(await deletePushConfig(c.env.DB, workspaceId, ch.service))) {
          throw new ApiError(404, missing);
        }
        return c.json({ message: 'success' });
      },
    }),
  ];
}

/** The push configuration routes, web, Android and Apple. */
export const PUSH_CONFIG_ROUTES: readonly AnyRoute[] = [
  ...routesFor(WEB as Channel<'push:web', typeof WebPushConfigBody>),
  ...routesFor(FCM as Channel<'push:fcm', typeof FcmConfigBody>),
  ...routesFor(APNS as Channel<'push:apns', typeof ApnsConfigBody>),
];
