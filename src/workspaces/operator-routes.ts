import { z } from 'zod';
import { clearAuthCache } from '../auth/api-keys';
import { isPermission, type KeyPermission, type Permission } from '../auth/permissions';
import { ApiError } from '../http/errors';
import { defineRoute } from '../http/route';
import { isValidCidr } from '../lib/cidr';
import { WorkspaceSettings } from './settings';
import {
  createApiKey,
  createApp,
  getWorkspace,
  listApiKeys,
  listApps,
  revokeApiKey,
  upsertWorkspace,
} from './store';

/**
 * The operator API: bootstrap workspaces, REST API keys and SDK apps over HTTP with the
 * HERALD_OPERATOR_TOKEN. Not part of Braze's API; Braze does this in its dashboard.
 */

const WorkspaceId = z
  .string()
  .regex(/^[A-Za-z0-9_-]{1,64}$/, 'workspace ids are 1-64 letters, digits, _ or -');

const WorkspaceOut = z.object({
  id: z.string(),
  name: z.string(),
  settings: WorkspaceSettings,
  created_at: z.number(),
});

async function mustGetWorkspace(db: D1Database, id: string) {
  const ws = await getWorkspace(db, id);
  if (!ws) throw new ApiError(404, `Workspace ${id} not found`);
  return ws;
}

export const upsertWorkspaceRoute = defineRoute({
  method: 'put',
  path: '/operator/workspaces/{workspace_id}',
  tag: 'Operator',
  summary: 'Create a workspace, or update its name and settings (idempotent)',
  auth: { type: 'operator' },
  body: z.object({
    name: z.string().min(1).max(200),
    settings: WorkspaceSettings.partial().optional(),
  }),
  success: {
    status: 200,
    description: 'The workspace',
    schema: WorkspaceOut.extend({ created: z.boolean() }),
  },
  handler: async (c, { body }) => {
    const id = WorkspaceId.safeParse(c.req.param('workspace_id'));
    if (!id.success) throw new ApiError(400, id.error.issues[0]!.message);
    const result = await upsertWorkspace(c.env.DB, {
      id: id.data,
      name: body.name,
      settings: body.settings,
    });
    if (result.type === 'invalid') throw new ApiError(400, result.error);
    const { workspace, created } = result;
    clearAuthCache();
    return c.json(
      {
        id: workspace.id,
        name: workspace.name,
        settings: workspace.settings,
        created_at: workspace.createdAt,
        created,
      },
      created ? 201 : 200,
    );
  },
});

export const getWorkspaceRoute = defineRoute({
  method: 'get',
  path: '/operator/workspaces/{workspace_id}',
  tag: 'Operator',
  summary: 'Read a workspace with its keys (without secrets) and apps',
  auth: { type: 'operator' },
  success: { status: 200, description: 'The workspace', schema: WorkspaceOut },
  handler: async (c) => {
    const ws = await mustGetWorkspace(c.env.DB, c.req.param('workspace_id') ?? '');
    const [keys, apps] = await Promise.all([
      listApiKeys(c.env.DB, ws.id),
      listApps(c.env.DB, ws.id),
    ]);
    return c.json({
      id: ws.id,
      name: ws.name,
      settings: ws.settings,
      created_at: ws.createdAt,
      api_keys: keys.map((k) => ({
        id: k.id,
        name: k.name,
        permissions: k.permissions,
        ip_allowlist: k.ipAllowlist,
        created_at: k.createdAt,
        last_seen_at: k.lastSeenAt,
      })),
      apps: apps.map((a) => ({
        app_id: a.id,
        name: a.name,
        platform: a.platform,
        created_at: a.createdAt,
      })),
    });
  },
});

export const createKeyRoute = defineRoute({
  method: 'post',
  path: '/operator/workspaces/{workspace_id}/api_keys',
  tag: 'Operator',
  summary: 'Create a REST API key with chosen permissions; the secret is shown once',
  description:
    'Permissions are Braze permission strings, or ["*"] for all of them. `key` pins the secret ' +
    '(for scripts and the demo workspace); sending the same pinned key again returns the existing ' +
    'key. Keys are stored hashed and are immutable, as in Braze.',
  auth: { type: 'operator' },
  body: z.object({
    name: z.string().min(1).max(200),
    permissions: z.array(z.string()).min(1),
    ip_allowlist: z.array(z.string()).max(100).default([]),
    key: z.string().min(16).max(200).optional(),
  }),
  success: {
    status: 201,
    description: 'The key and its secret',
    schema: z.object({
      id: z.string(),
      key: z.string(),
      name: z.string(),
      permissions: z.array(z.string()),
      ip_allowlist: z.array(z.string()),
      created: z.boolean(),
    }),
  },
  handler: async (c, { body }) => {
    const ws = await mustGetWorkspace(c.env.DB, c.req.param('workspace_id') ?? '');
    const unknown = body.permissions.filter((p) => p !== '*' && !isPermission(p));
    if (unknown.length > 0) throw new ApiError(400, `Unknown permission: ${unknown.join(', ')}`);
    const badIp = body.ip_allowlist.find((e) => !isValidCidr(e));
    if (badIp) throw new ApiError(400, `Invalid IP or CIDR in ip_allowlist: ${badIp}`);
    // '*' is stored as is and resolved when the key is checked, so an all-permissions key also
    // holds permissions added in later releases.
    const permissions: KeyPermission[] = body.permissions.includes('*')
      ? ['*']
      : (body.permissions as Permission[]);
    try {
      const { key, secret, created } = await createApiKey(c.env.DB, {
        workspaceId: ws.id,
        name: body.name,
        permissions,
        ipAllowlist: body.ip_allowlist,
        secret: body.key,
      });
      return c.json(
        {
          id: key.id,
          key: secret,
          name: key.name,
          permissions: key.permissions,
          ip_allowlist: key.ipAllowlist,
          created,
        },
        created ? 201 : 200,
      );
    } catch (err) {
      throw new ApiError(409, (err as Error).message);
    }
  },
});

export const revokeKeyRoute = defineRoute({
  method: 'delete',
  path: '/operator/workspaces/{workspace_id}/api_keys/{key_id}',
  tag: 'Operator',
  summary: 'Revoke a REST API key (takes effect everywhere within 30 seconds)',
  auth: { type: 'operator' },
  success: { status: 200, description: 'Revoked', schema: z.object({ message: z.string() }) },
  handler: async (c) => {
    const ok = await revokeApiKey(c.env.DB, {
      workspaceId: c.req.param('workspace_id') ?? '',
      keyId: c.req.param('key_id') ?? '',
    });
    if (!ok) throw new ApiError(404, 'API key not found');
    clearAuthCache();
    return c.json({ message: 'success' });
  },
});

export const createAppRoute = defineRoute({
  method: 'post',
  path: '/operator/workspaces/{workspace_id}/apps',
  tag: 'Operator',
  summary: 'Create an SDK app; its app_id is the public key SDKs send',
  auth: { type: 'operator' },
  body: z.object({
    name: z.string().min(1).max(200),
    platform: z.enum(['web', 'ios', 'android', 'other']).default('web'),
    app_id: z
      .string()
      .regex(/^[A-Za-z0-9_-]{8,64}$/)
      .optional(),
  }),
  success: {
    status: 201,
    description: 'The app',
    schema: z.object({
      app_id: z.string(),
      name: z.string(),
      platform: z.string(),
      created: z.boolean(),
    }),
  },
  handler: async (c, { body }) => {
    const ws = await mustGetWorkspace(c.env.DB, c.req.param('workspace_id') ?? '');
    try {
      const { app, created } = await createApp(c.env.DB, {
        workspaceId: ws.id,
        name: body.name,
        platform: body.platform,
        id: body.app_id,
      });
      return c.json(
        { app_id: app.id, name: app.name, platform: app.platform, created },
        created ? 201 : 200,
      );
    } catch (err) {
      throw new ApiError(409, (err as Error).message);
    }
  },
});
