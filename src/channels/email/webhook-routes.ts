import { z } from 'zod';
import type { Ctx } from '../../http/context';
import { ApiError, badRequest } from '../../http/errors';
import { defineRoute } from '../../http/route';
import { getWorkspace } from '../../workspaces/store';
import { verifySendgridSignature } from './sendgrid-signature';
import { applyProviderEvents } from './webhook-apply';
import {
  deleteWebhookSecrets,
  getWebhookSecrets,
  putWebhookSecrets,
  webhookSettings,
} from './webhook-config';
import { type ProviderEvent, postmarkEvent, sendgridEvent } from './webhook-events';

/**
 * Provider event webhooks, one URL per workspace and provider. SendGrid's are verified by their
 * ECDSA signature, Postmark's (which are not signed) by HTTP basic auth credentials the operator
 * configures and puts in the webhook URL. Anything unverified answers 401 and records nothing;
 * a body that is not the provider's JSON answers 400.
 */

const TAG = 'Email webhooks';
/** SendGrid batches events into posts of up to a few MB. */
const MAX_BODY = 5 * 1024 * 1024;
/** Signed timestamps older than this are refused (replays). */
const MAX_SKEW_MS = 10 * 60_000;

const Tally = z.object({
  message: z.string(),
  applied: z.number(),
  duplicates: z.number(),
  untracked: z.number(),
  failed: z.number(),
});

async function rawBody(c: Ctx): Promise<Uint8Array> {
  if (Number(c.req.header('content-length') ?? '0') > MAX_BODY) {
    throw badRequest('Request body too large');
  }
  const buf = new Uint8Array(await c.req.raw.arrayBuffer());
  if (buf.byteLength > MAX_BODY) throw badRequest('Request body too large');
  return buf;
}

function parseJson(body: Uint8Array): unknown {
  try {
    return JSON.parse(new TextDecoder().decode(body));
  } catch {
    throw badRequest('Invalid JSON in request body');
  }
}

function unauthorized(): ApiError {
  return new ApiError(401, 'Webhook signature or credentials not valid');
}

/** Constant-time string comparison. */
function same(a: string, b: string): boolean {
  const x = new TextEncoder().encode(a);
  const y = new TextEncoder().encode(b);
  let diff = x.length ^ y.length;
  for (let i = 0; i < Math.max(x.length, y.length); i++) diff |= (x[i] ?? 0) ^ (y[i] ?? 0);
  return diff === 0;
}

export const sendgridWebhookRoute = defineRoute({
  method: 'post',
  path: '/webhooks/email/sendgrid/{workspace_id}',
  tag: TAG,
  summary: 'SendGrid Event Webhook (signed)',
  description:
    'Verifies `X-Twilio-Email-Event-Webhook-Signature` over the timestamp and the raw body with ' +
    "the workspace's verification key, then maps delivered, bounce, dropped, deferred, " +
    'spamreport, unsubscribe, open and click events to engagement. Per-event failures are ' +
    'counted, never failing the batch.',
  auth: { type: 'none' },
  rawBody: true,
  success: { status: 200, description: 'Applied', schema: Tally },
  handler: async (c) => {
    const workspaceId = c.req.param('workspace_id') ?? '';
    const body = await rawBody(c);
    const signature = c.req.header('x-twilio-email-event-webhook-signature');
    const timestamp = c.req.header('x-twilio-email-event-webhook-timestamp');
    if (!signature || !timestamp) throw unauthorized();
    const secrets = await getWebhookSecrets(c.env.DB, workspaceId);
    if (!secrets.sendgrid_public_key) throw unauthorized();
    const stamp = Number(timestamp) * 1_000;
    if (!Number.isFinite(stamp) || Math.abs(Date.now() - stamp) > MAX_SKEW_MS) {
      throw unauthorized();
    }
    const ok = await verifySendgridSignature({
      publicKey: secrets.sendgrid_public_key,
      signature,
      timestamp,
      body,
    });
    if (!ok) throw unauthorized();
    const json = parseJson(body);
    if (!Array.isArray(json)) throw badRequest('The body must be an array of events');
    const now = Date.now();
    const events = json
      .map((e) => sendgridEvent(e, now))
      .filter((e): e is ProviderEvent => e !== null);
    const tally = await applyProviderEvents(c.env, workspaceId, events);
    return c.json({ message: 'success', ...tally });
  },
});

export const postmarkWebhookRoute = defineRoute({
  method: 'post',
  path: '/webhooks/email/postmark/{workspace_id}',
  tag: TAG,
  summary: 'Postmark webhooks (HTTP basic auth)',
  description:
    'Postmark does not sign webhooks: set a user name and password with the operator API and ' +
    'put them in the webhook URL (`https://user:pass@…`). Maps Delivery, Bounce (hard vs soft by ' +
    '`Type`), SpamComplaint, Open, Click and manual SubscriptionChange records.',
  auth: { type: 'none' },
  rawBody: true,
  success: { status: 200, description: 'Applied', schema: Tally },
  handler: async (c) => {
    const workspaceId = c.req.param('workspace_id') ?? '';
    const body = await rawBody(c);
    const secrets = await getWebhookSecrets(c.env.DB, workspaceId);
    if (!secrets.postmark_username || !secrets.postmark_password) throw unauthorized();
    const given = /^Basic\s+(\S+)$/i.exec(c.req.header('authorization') ?? '')?.[1];
    let credentials = '';
    try {
      credentials = given ? atob(given) : '';
    } catch {
      credentials = '';
    }
    if (!same(credentials, `${secrets.postmark_username}:${secrets.postmark_password}`)) {
      throw unauthorized();
    }
    const json = parseJson(body);
    if (typeof json !== 'object' || json === null || Array.isArray(json)) {
      throw badRequest('The body must be a Postmark webhook record');
    }
    const event = postmarkEvent(json as Record<string, unknown>, Date.now());
    const tally = await applyProviderEvents(c.env, workspaceId, event ? [event] : []);
    return c.json({ message: 'success', ...tally });
  },
});

const CONFIG_PATH = '/operator/workspaces/{workspace_id}/channels/email/webhooks';

const WebhookConfigBody = z
  .strictObject({
    sendgrid_verification_key: z
      .string({ error: 'sendgrid_verification_key must be a string' })
      .min(40, 'sendgrid_verification_key must be the base64 public key SendGrid shows')
      .max(1_000)
      .optional(),
    postmark_basic_auth: z
      .strictObject({
        username: z.string({ error: 'username must be a string' }).min(1).max(200),
        password: z
          .string({ error: 'password must be a string' })
          .min(12, 'password must be at least 12 characters')
          .max(200),
      })
      .optional(),
  })
  .refine((b) => b.sendgrid_verification_key !== undefined || b.postmark_basic_auth !== undefined, {
    message: 'Give sendgrid_verification_key, postmark_basic_auth or both',
  });

const ConfigView = z.object({
  sendgrid_verification_key_set: z.boolean(),
  postmark_basic_auth_username: z.string().nullable(),
  message: z.string(),
});

async function workspaceOf(c: Ctx): Promise<string> {
  const id = c.req.param('workspace_id') ?? '';
  const ws = await getWorkspace(c.env.DB, id);
  if (!ws) throw new ApiError(404, `Workspace ${id} not found`);
  return ws.id;
}

export const putWebhookConfigRoute = defineRoute({
  method: 'put',
  path: CONFIG_PATH,
  tag: 'Operator',
  summary: "Set how the workspace's email provider webhooks are verified",
  description:
    "Replaces both settings: SendGrid's Event Webhook verification key and Postmark's basic " +
    'auth credentials. Never answered back (the Postmark user name is).',
  auth: { type: 'operator' },
  body: WebhookConfigBody,
  success: { status: 201, description: 'Stored (201 created, 200 replaced)', schema: ConfigView },
  handler: async (c, { body }) => {
    const workspaceId = await workspaceOf(c);
    const secrets = {
      ...(body.sendgrid_verification_key
        ? { sendgrid_public_key: body.sendgrid_verification_key }
        : {}),
      ...(body.postmark_basic_auth
        ? {
            postmark_username: body.postmark_basic_auth.username,
            postmark_password: body.postmark_basic_auth.password,
          }
        : {}),
    };
    const { created } = await putWebhookSecrets(c.env.DB, {
      workspaceId,
      secrets,
      now: Date.now(),
    });
    return c.json({ ...webhookSettings(secrets), message: 'success' }, created ? 201 : 200);
  },
});

export const getWebhookConfigRoute = defineRoute({
  method: 'get',
  path: CONFIG_PATH,
  tag: 'Operator',
  summary: 'Which email webhook verifications are set (never the secrets)',
  auth: { type: 'operator' },
  success: { status: 200, description: 'Settings', schema: ConfigView },
  handler: async (c) => {
    const workspaceId = await workspaceOf(c);
    const secrets = await getWebhookSecrets(c.env.DB, workspaceId);
    return c.json({ ...webhookSettings(secrets), message: 'success' });
  },
});

export const deleteWebhookConfigRoute = defineRoute({
  method: 'delete',
  path: CONFIG_PATH,
  tag: 'Operator',
  summary: 'Remove the email webhook verifications (every webhook is then refused)',
  auth: { type: 'operator' },
  success: { status: 200, description: 'Removed', schema: z.object({ message: z.string() }) },
  handler: async (c) => {
    const workspaceId = await workspaceOf(c);
    if (!(await deleteWebhookSecrets(c.env.DB, workspaceId))) {
      throw new ApiError(404, 'No email webhook verification is configured');
    }
    return c.json({ message: 'success' });
  },
});
