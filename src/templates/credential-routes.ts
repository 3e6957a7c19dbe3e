import { z } from 'zod';
import { ApiError, badRequest } from '../http/errors';
import { defineRoute } from '../http/route';
import { getWorkspace } from '../workspaces/store';
import { forgetCredential } from './credential-source';
import {
  CREDENTIAL_NAME,
  deleteCredential,
  listCredentials,
  putCredential,
} from './credential-store';
import { isoTime } from './fields';

/**
 * Connected Content credentials (`:basic_auth name`), managed with the operator token: Braze keeps
 * them in its dashboard, and a REST key should not be able to read or replace a secret. No answer
 * ever carries a password.
 */

const TAG = 'Operator';
const BASE = '/operator/workspaces/{workspace_id}/connected_content/credentials';

const CredentialName = z
  .string()
  .regex(CREDENTIAL_NAME, 'credential names are 1-100 letters, digits, _ or -');

async function workspaceOf(db: D1Database, id: string | undefined): Promise<string> {
  const ws = await getWorkspace(db, id ?? '');
  if (!ws) throw new ApiError(404, `Workspace ${id} not found`);
  return ws.id;
}

function nameOf(param: string | undefined): string {
  const name = CredentialName.safeParse(param);
  if (!name.success) throw badRequest(name.error.issues[0]!.message);
  return name.data;
}

export const putCredentialRoute = defineRoute({
  method: 'put',
  path: `${BASE}/{name}`,
  tag: TAG,
  summary: 'Create or replace a Connected Content credential',
  description:
    'Templates use it as `{% connected_content https://… :basic_auth name %}`. Renders see a ' +
    'replacement within 5 seconds. The password is never returned.',
  auth: { type: 'operator' },
  body: z.object({
    username: z.string().min(1).max(1000),
    // Some APIs take the key as the username and an empty password.
    password: z.string().max(1000),
  }),
  success: {
    status: 201,
    description: 'Stored (201 created, 200 replaced)',
    schema: z.object({ name: z.string(), created: z.boolean(), message: z.string() }),
  },
  handler: async (c, { body }) => {
    const workspaceId = await workspaceOf(c.env.DB, c.req.param('workspace_id'));
    const name = nameOf(c.req.param('name'));
    const { created } = await putCredential(c.env.DB, {
      workspaceId,
      name,
      credential: { username: body.username, password: body.password },
      now: Date.now(),
    });
    forgetCredential(workspaceId, name);
    return c.json({ name, created, message: 'success' }, created ? 201 : 200);
  },
});

export const deleteCredentialRoute = defineRoute({
  method: 'delete',
  path: `${BASE}/{name}`,
  tag: TAG,
  summary: 'Delete a Connected Content credential',
  auth: { type: 'operator' },
  success: { status: 200, description: 'Deleted', schema: z.object({ message: z.string() }) },
  handler: async (c) => {
    const workspaceId = await workspaceOf(c.env.DB, c.req.param('workspace_id'));
    const name = nameOf(c.req.param('name'));
    if (!(await deleteCredential(c.env.DB, workspaceId, name))) {
      throw new ApiError(404, `Credential ${name} not found`);
    }
    forgetCredential(workspaceId, name);
    return c.json({ message: 'success' });
  },
});

export const listCredentialsRoute = defineRoute({
  method: 'get',
  path: BASE,
  tag: TAG,
  summary: "List a workspace's Connected Content credential names (never their secrets)",
  auth: { type: 'operator' },
  success: {
    status: 200,
    description: 'Credential names',
    schema: z.object({
      credentials: z.array(z.object({ name: z.string(), created_at: z.string() })),
      message: z.string(),
    }),
  },
  handler: async (c) => {
    const workspaceId = await workspaceOf(c.env.DB, c.req.param('workspace_id'));
    const list = await listCredentials(c.env.DB, workspaceId);
    return c.json({
      credentials: list.map((l) => ({ name: l.name, created_at: isoTime(l.createdAt) })),
      message: 'success',
    });
  },
});
