import { z } from 'zod';
import { ApiError } from '../http/errors';
import { defineRoute } from '../http/route';
import { getWorkspace } from '../workspaces/store';
import {
  deleteEmailProvider,
  EMAIL_PROVIDERS,
  type EmailProvider,
  getEmailProvider,
  putEmailProvider,
} from './provider-store';

/**
 * A workspace's email provider account, managed with the operator token like Connected Content
 * credentials: a REST key cannot read or replace it, and no answer ever carries the API key.
 */

const TAG = 'Operator';
const PATH = '/operator/workspaces/{workspace_id}/channels/email';

async function workspaceOf(db: D1Database, id: string | undefined): Promise<string> {
  const ws = await getWorkspace(db, id ?? '');
  if (!ws) throw new ApiError(404, `Workspace ${id} not found`);
  return ws.id;
}

const ProviderView = z.object({
  provider: z.enum(['sendgrid', 'postmark']),
  base_url: z.string(),
  from_address: z.string().nullable(),
  message: z.string(),
});

export const EmailProviderBody = z.strictObject({
  provider: z.enum(['sendgrid', 'postmark'], { error: 'provider must be sendgrid or postmark' }),
  api_key: z
    .string({ error: 'api_key must be a string' })
    .min(1, 'api_key must not be empty')
    .max(1_000),
  base_url: z
    .string({ error: 'base_url must be a string' })
    .max(2_048)
    .refine((s) => /^https?:\/\/[^\s/]+(\/\S*)?$/i.test(s), 'base_url must be an http(s) URL')
    .optional(),
  from_address: z
    .string({ error: 'from_address must be a string' })
    .max(1_024)
    .regex(/^[^<>]*<[^\s<>@]+@[^\s<>@]+>$/, 'from_address must be "Display Name <email@address>"')
    .optional(),
});
export type EmailProviderBody = z.infer<typeof EmailProviderBody>;

export const putEmailProviderRoute = defineRoute({
  method: 'put',
  path: PATH,
  tag: TAG,
  summary: "Set the workspace's email provider (SendGrid or Postmark)",
  description:
    "`base_url` defaults to the provider's API. The API key is stored and never returned; " +
    'sends read the new account at once.',
  auth: { type: 'operator' },
  body: EmailProviderBody,
  success: {
    status: 201,
    description: 'Stored (201 created, 200 replaced)',
    schema: ProviderView.extend({ created: z.boolean() }),
  },
  handler: async (c, { body }) => {
    const workspaceId = await workspaceOf(c.env.DB, c.req.param('workspace_id'));
    const baseUrl = (body.base_url ?? EMAIL_PROVIDERS[body.provider as EmailProvider]).replace(
      /\/+$/,
      '',
    );
    const { created } = await putEmailProvider(c.env.DB, {
      workspaceId,
      config: {
        provider: body.provider,
        apiKey: body.api_key,
        baseUrl,
        fromAddress: body.from_address ?? null,
      },
      now: Date.now(),
    });
    return c.json(
      {
        provider: body.provider,
        base_url: baseUrl,
        from_address: body.from_address ?? null,
        created,
        message: 'success',
      },
      created ? 201 : 200,
    );
  },
});

export const getEmailProviderRoute = defineRoute({
  method: 'get',
  path: PATH,
  tag: TAG,
  summary: "The workspace's email provider (never its API key)",
  auth: { type: 'operator' },
  success: { status: 200, description: 'The provider', schema: ProviderView },
  handler: async (c) => {
    const workspaceId = await workspaceOf(c.env.DB, c.req.param('workspace_id'));
    const config = await getEmailProvider(c.env.DB, workspaceId);
    if (!config) throw new ApiError(404, 'No email provider is configured');
    return c.json({
      provider: config.provider,
      base_url: config.baseUrl,
      from_address: config.fromAddress,
      message: 'success',
    });
  },
});

export const deleteEmailProviderRoute = defineRoute({
  method: 'delete',
  path: PATH,
  tag: TAG,
  summary: "Remove the workspace's email provider",
  auth: { type: 'operator' },
  success: { status: 200, description: 'Removed', schema: z.object({ message: z.string() }) },
  handler: async (c) => {
    const workspaceId = await workspaceOf(c.env.DB, c.req.param('workspace_id'));
    if (!(await deleteEmailProvider(c.env.DB, workspaceId))) {
      throw new ApiError(404, 'No email provider is configured');
    }
    return c.json({ message: 'success' });
  },
});
