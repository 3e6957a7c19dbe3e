import { z } from 'zod';
import { ApiError } from '../../http/errors';
import { defineRoute } from '../../http/route';
import { getWorkspace } from '../../workspaces/store';
import { deleteSmsAccount, getSmsAccount, putSmsAccount, TWILIO_API } from './account-store';
import { SenderId } from './sender-id';

/**
 * A workspace's Twilio account, managed with the operator token like the email provider: no
 * answer ever carries the auth token. The answer names the URL to give Twilio for inbound
 * messages; status callbacks are sent with every message and need no setup.
 */

const TAG = 'Operator';
const PATH = '/operator/workspaces/{workspace_id}/channels/sms';

async function workspaceOf(db: D1Database, id: string | undefined): Promise<string> {
  const ws = await getWorkspace(db, id ?? '');
  if (!ws) throw new ApiError(404, `Workspace ${id} not found`);
  return ws.id;
}

const AccountView = z.object({
  provider: z.literal('twilio'),
  account_sid: z.string(),
  base_url: z.string(),
  from_number: z.string().nullable(),
  messaging_service_sid: z.string().nullable(),
  inbound_url: z.string(),
  message: z.string(),
});

export const MessagingServiceSid = z
  .string({ error: 'messaging_service_sid must be a string' })
  .regex(/^MG[0-9a-fA-F]{32}$/, 'messaging_service_sid must be MG followed by 32 hex digits');

export const SmsAccountBody = z.strictObject({
  provider: z.literal('twilio', { error: 'provider must be twilio' }).optional(),
  account_sid: z
    .string({ error: 'account_sid must be a string' })
    .regex(/^AC[0-9a-fA-F]{32}$/, 'account_sid must be AC followed by 32 hex digits'),
  auth_token: z
    .string({ error: 'auth_token must be a string' })
    .min(1, 'auth_token must not be empty')
    .max(256),
  base_url: z
    .string({ error: 'base_url must be a string' })
    .max(2_048)
    .refine((s) => /^https?:\/\/[^\s/]+(\/\S*)?$/i.test(s), 'base_url must be an http(s) URL')
    .optional(),
  from_number: SenderId.optional(),
  messaging_service_sid: MessagingServiceSid.optional(),
});
export type SmsAccountBody = z.infer<typeof SmsAccountBody>;

/** Where Twilio posts inbound messages for this workspace. */
export function inboundUrl(publicUrl: string, workspaceId: string): string {
  return `${publicUrl.replace(/\/+$/, '')}/sms/twilio/inbound/${encodeURIComponent(workspaceId)}`;
}

export const putSmsAccountRoute = defineRoute({
  method: 'put',
  path: PATH,
  tag: TAG,
  summary: "Set the workspace's SMS provider (Twilio)",
  description:
    '`base_url` defaults to https://api.twilio.com. The auth token is stored and never returned; ' +
    'it signs nothing Herald sends but verifies every callback Twilio makes. Point the sending ' +
    "numbers' (or messaging service's) inbound webhook at `inbound_url`.",
  auth: { type: 'operator' },
  body: SmsAccountBody,
  success: {
    status: 201,
    description: 'Stored (201 created, 200 replaced)',
    schema: AccountView.extend({ created: z.boolean() }),
  },
  handler: async (c, { body }) => {
    const workspaceId = await workspaceOf(c.env.DB, c.req.param('workspace_id'));
    const baseUrl = (body.base_url ?? TWILIO_API).replace(/\/+$/, '');
    const { created } = await putSmsAccount(c.env.DB, {
      workspaceId,
      account: {
        accountSid: body.account_sid,
        authToken: body.auth_token,
        baseUrl,
        fromNumber: body.from_number ?? null,
        messagingServiceSid: body.messaging_service_sid ?? null,
      },
      now: Date.now(),
    });
    return c.json(
      {
        provider: 'twilio' as const,
        account_sid: body.account_sid,
        base_url: baseUrl,
        from_number: body.from_number ?? null,
        messaging_service_sid: body.messaging_service_sid ?? null,
        inbound_url: inboundUrl(c.env.HERALD_PUBLIC_URL, workspaceId),
        created,
        message: 'success',
      },
      created ? 201 : 200,
    );
  },
});

export const getSmsAccountRoute = defineRoute({
  method: 'get',
  path: PATH,
  tag: TAG,
  summary: "The workspace's SMS provider (never its auth token)",
  auth: { type: 'operator' },
  success: { status: 200, description: 'The account', schema: AccountView },
  handler: async (c) => {
    const workspaceId = await workspaceOf(c.env.DB, c.req.param('workspace_id'));
    const account = await getSmsAccount(c.env.DB, workspaceId);
    if (!account) throw new ApiError(404, 'No SMS provider is configured');
    return c.json({
      provider: account.provider,
      account_sid: account.accountSid,
      base_url: account.baseUrl,
      from_number: account.fromNumber,
      messaging_service_sid: account.messagingServiceSid,
      inbound_url: inboundUrl(c.env.HERALD_PUBLIC_URL, workspaceId),
      message: 'success',
    });
  },
});

export const deleteSmsAccountRoute = defineRoute({
  method: 'delete',
  path: PATH,
  tag: TAG,
  summary: "Remove the workspace's SMS provider",
  auth: { type: 'operator' },
  success: { status: 200, description: 'Removed', schema: z.object({ message: z.string() }) },
  handler: async (c) => {
    const workspaceId = await workspaceOf(c.env.DB, c.req.param('workspace_id'));
    if (!(await deleteSmsAccount(c.env.DB, workspaceId))) {
      throw new ApiError(404, 'No SMS provider is configured');
    }
    return c.json({ message: 'success' });
  },
});
