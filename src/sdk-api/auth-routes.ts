import { and, eq } from 'drizzle-orm';
import { drizzle } from 'drizzle-orm/d1';
import { z } from 'zod';
import { apps } from '../db/schema';
import { DEFAULT_MAX_BODY_BYTES, readJsonBody } from '../http/body';
import { ApiError, badRequest } from '../http/errors';
import { describeIssues } from '../http/mount';
import { defineRoute } from '../http/route';
import { getWorkspace } from '../workspaces/store';
import {
  MAX_KEYS,
  readSdkAuth,
  type SdkAuthConfig,
  type SdkAuthKey,
  updateSdkAuth,
} from './auth-store';
import { importPublicKey } from './jwt';

/**
 * Managing SDK authentication (Braze's `/app_group/sdk_authentication/*`): an app's public keys,
 * which one is primary, and (operator API) whether the app requires signed user tokens.
 */

const TAG = 'SDK authentication';

const AppId = z
  .string({ error: 'app_id must be a string' })
  .min(1, 'app_id must not be empty')
  .max(128);
const KeyId = z
  .string({ error: 'key_id must be a string' })
  .min(1, 'key_id must not be empty')
  .max(64);

const KeyRef = z.strictObject({ app_id: AppId, key_id: KeyId });

const KeyOut = z.object({
  id: z.string(),
  rsa_public_key: z.string(),
  description: z.string(),
  is_primary: z.boolean(),
});
const KeysAnswer = z.object({ keys: z.array(KeyOut) });

function keysOut(config: SdkAuthConfig) {
  return config.keys.map((k: SdkAuthKey) => ({
    id: k.id,
    rsa_public_key: k.public_key,
    description: k.description,
    is_primary: k.is_primary,
  }));
}

/** 400 unless the app belongs to the caller's workspace. */
async function mustOwnApp(db: D1Database, workspaceId: string, appId: string): Promise<void> {
  const row = await drizzle(db)
    .select({ id: apps.id })
    .from(apps)
    .where(and(eq(apps.id, appId), eq(apps.workspaceId, workspaceId)))
    .get();
  if (!row) throw badRequest('Invalid app_id');
}

function settled<T>(answer: T | { error: string }): T {
  if (answer && typeof answer === 'object' && 'error' in answer) throw badRequest(answer.error);
  return answer as T;
}

export const createSdkAuthKeyRoute = defineRoute({
  method: 'post',
  path: '/app_group/sdk_authentication/create',
  tag: TAG,
  summary: 'Register a public key that verifies SDK authentication tokens for an app',
  description:
    'An SPKI PEM (`-----BEGIN PUBLIC KEY-----`): RSA of 2048 bits or more (RS256 tokens) or ' +
    'EC P-256 (ES256). At most 3 keys per app; the first key becomes primary. Every key of the ' +
    'app verifies tokens, so a new key can be rolled out before the old one is deleted.',
  auth: { type: 'api_key', permission: 'sdk_authentication.create', bucket: 'default' },
  body: z.strictObject({
    app_id: AppId,
    rsa_public_key_str: z
      .string({ error: 'rsa_public_key_str must be a string' })
      .min(1, 'rsa_public_key_str must not be empty')
      .max(8_192, 'rsa_public_key_str must be at most 8192 characters'),
    description: z.string({ error: 'description must be a string' }).max(255),
    make_primary: z.boolean({ error: 'make_primary must be a boolean' }).optional(),
  }),
  success: { status: 201, description: 'The new key id', schema: z.object({ id: z.string() }) },
  handler: async (c, { body }) => {
    const workspaceId = c.get('caller').workspace.id;
    await mustOwnApp(c.env.DB, workspaceId, body.app_id);
    const imported = await importPublicKey(body.rsa_public_key_str);
    if (!imported) {
      throw badRequest(
        'rsa_public_key_str must be a PEM public key: RSA of 2048 bits or more, or EC P-256',
      );
    }
    const now = Date.now();
    const id = crypto.randomUUID();
    settled(
      await updateSdkAuth(c.env.DB, { workspaceId, appId: body.app_id, now }, (config) => {
        if (config.keys.length >= MAX_KEYS) {
          return { error: `An app has at most ${MAX_KEYS} SDK authentication keys` };
        }
        const primary = body.make_primary === true || config.keys.length === 0;
        const keys = config.keys.map((k) => (primary ? { ...k, is_primary: false } : k));
        keys.push({
          id,
          public_key: body.rsa_public_key_str.trim(),
          alg: imported.alg,
          description: body.description,
          is_primary: primary,
          created_at: now,
        });
        return { ...config, keys };
      }),
    );
    return c.json({ id }, 201);
  },
});

export const listSdkAuthKeysRoute = defineRoute({
  method: 'get',
  path: '/app_group/sdk_authentication/keys',
  tag: TAG,
  summary: "An app's SDK authentication keys",
  auth: { type: 'api_key', permission: 'sdk_authentication.keys', bucket: 'default' },
  query: z.object({ app_id: AppId }),
  success: { status: 200, description: 'The keys', schema: KeysAnswer },
  handler: async (c, { query }) => {
    const workspaceId = c.get('caller').workspace.id;
    await mustOwnApp(c.env.DB, workspaceId, query.app_id);
    return c.json({ keys: keysOut(await readSdkAuth(c.env.DB, workspaceId, query.app_id)) });
  },
});

export const primarySdkAuthKeyRoute = defineRoute({
  method: 'put',
  path: '/app_group/sdk_authentication/primary',
  tag: TAG,
  summary: "Make a key the app's primary SDK authentication key",
  auth: { type: 'api_key', permission: 'sdk_authentication.primary', bucket: 'default' },
  body: KeyRef,
  success: { status: 200, description: 'The keys', schema: KeysAnswer },
  handler: async (c, { body }) => {
    const workspaceId = c.get('caller').workspace.id;
    await mustOwnApp(c.env.DB, workspaceId, body.app_id);
    const config = settled(
      await updateSdkAuth(
        c.env.DB,
        { workspaceId, appId: body.app_id, now: Date.now() },
        (config) => {
          if (!config.keys.some((k) => k.id === body.key_id)) return { error: 'Invalid key_id' };
          return {
            ...config,
            keys: config.keys.map((k) => ({ ...k, is_primary: k.id === body.key_id })),
          };
        },
      ),
    );
    return c.json({ keys: keysOut(config) });
  },
});

export const deleteSdkAuthKeyRoute = defineRoute({
  method: 'delete',
  path: '/app_group/sdk_authentication/delete',
  tag: TAG,
  summary: 'Delete an SDK authentication key (not the primary one)',
  auth: { type: 'api_key', permission: 'sdk_authentication.delete', bucket: 'default' },
  body: KeyRef,
  validateBody: false,
  success: { status: 200, description: 'The remaining keys', schema: KeysAnswer },
  handler: async (c) => {
    // The router reads no body for DELETE; Braze's delete has one.
    const raw = await readJsonBody(c.req.raw, DEFAULT_MAX_BODY_BYTES);
    if (raw === undefined) throw badRequest('A JSON request body is required');
    const parsed = KeyRef.safeParse(raw);
    if (!parsed.success) throw badRequest(describeIssues(parsed.error).message);
    const body = parsed.data;
    const workspaceId = c.get('caller').workspace.id;
    await mustOwnApp(c.env.DB, workspaceId, body.app_id);
    const config = settled(
      await updateSdkAuth(
        c.env.DB,
        { workspaceId, appId: body.app_id, now: Date.now() },
        (config) => {
          const key = config.keys.find((k) => k.id === body.key_id);
          if (!key) return { error: 'Invalid key_id' };
          if (key.is_primary) return { error: 'The primary key cannot be deleted' };
          return { ...config, keys: config.keys.filter((k) => k.id !== body.key_id) };
        },
      ),
    );
    return c.json({ keys: keysOut(config) });
  },
});

export const sdkAuthEnforcementRoute = defineRoute({
  method: 'put',
  path: '/operator/workspaces/{workspace_id}/apps/{app_id}/sdk_authentication',
  tag: 'Operator',
  summary: 'Turn SDK authentication on (`required`) or off (`disabled`) for an app',
  description:
    'With `required`, every /sdk/v1 request naming an identified user must carry a valid ' +
    'token for that user. An app needs at least one key before it can require tokens.',
  auth: { type: 'operator' },
  body: z.strictObject({
    enforcement: z.enum(['disabled', 'required'], {
      error: 'enforcement must be disabled or required',
    }),
  }),
  success: {
    status: 200,
    description: 'The setting and the keys',
    schema: z.object({ enforcement: z.string(), keys: z.array(KeyOut) }),
  },
  handler: async (c, { body }) => {
    const ws = await getWorkspace(c.env.DB, c.req.param('workspace_id') ?? '');
    if (!ws) throw new ApiError(404, 'Workspace not found');
    const appId = c.req.param('app_id') ?? '';
    const owned = await drizzle(c.env.DB)
      .select({ id: apps.id })
      .from(apps)
      .where(and(eq(apps.id, appId), eq(apps.workspaceId, ws.id)))
      .get();
    if (!owned) throw new ApiError(404, 'App not found');
    const config = settled(
      await updateSdkAuth(c.env.DB, { workspaceId: ws.id, appId, now: Date.now() }, (config) => {
        if (body.enforcement === 'required' && config.keys.length === 0) {
          return { error: 'Register a key (/app_group/sdk_authentication/create) first' };
        }
        return { ...config, enforcement: body.enforcement };
      }),
    );
    return c.json({ enforcement: config.enforcement, keys: keysOut(config) });
  },
});
