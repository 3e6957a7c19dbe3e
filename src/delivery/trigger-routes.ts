import { z } from 'zod';
import { getCampaign } from '../campaigns/store';
import { ApiError, badRequest } from '../http/errors';
import { enforceRateLimit } from '../http/guard';
import { defineRoute } from '../http/route';
import { UserAlias } from '../http/schemas';
import { ingestTrack } from '../ingestion/ingest';
import { validateTrackRequest } from '../ingestion/validate-track';
import { parseSegmentFilter, type SegmentFilter } from '../segments/filters';
import { segmentableOf } from '../workspaces/settings';
import { campaignAudience, startCampaignDispatch } from './campaign-dispatch';
import type { QueuedRecipient } from './queue';

/** `POST /campaigns/trigger/send` (contract §3.10.1, §3.10.8): an API-triggered campaign. */

const MAX_RECIPIENTS = 50;
/** Braze's cap on `trigger_properties` (contract §3.10.1). */
const MAX_TRIGGER_PROPERTIES_BYTES = 50 * 1024;

const JsonObject = z.record(z.string(), z.json());

const Recipient = z
  .strictObject({
    external_user_id: z.string({ error: 'external_user_id must be a string' }).min(1).optional(),
    user_alias: UserAlias.optional(),
    braze_id: z.string({ error: 'braze_id must be a string' }).min(1).optional(),
    email: z.string({ error: 'email must be a string' }).min(1).optional(),
    prioritization: z.array(z.string()).optional(),
    trigger_properties: JsonObject.optional(),
    send_to_existing_only: z
      .boolean({ error: 'send_to_existing_only must be a boolean' })
      .optional(),
    attributes: z.record(z.string(), z.unknown()).optional(),
  })
  .superRefine((r, ctx) => {
    const ids = ['external_user_id', 'user_alias', 'braze_id', 'email'].filter(
      (k) => r[k as keyof typeof r] !== undefined,
    );
    if (ids.length !== 1) {
      ctx.addIssue({
        code: 'custom',
        message:
          'each recipient needs exactly one of external_user_id, user_alias, braze_id or email',
      });
    }
    if (r.send_to_existing_only === false && r.user_alias !== undefined) {
      ctx.addIssue({
        code: 'custom',
        message: 'send_to_existing_only: false cannot be used with user_alias',
      });
    }
    if (r.send_to_existing_only === false && r.attributes === undefined) {
      ctx.addIssue({
        code: 'custom',
        message: 'send_to_existing_only: false needs an attributes object',
      });
    }
  });
type Recipient = z.infer<typeof Recipient>;

const SendId = z
  .string({ error: 'send_id must be a string' })
  .min(1, 'send_id cannot be blank')
  .max(64, 'send_id must be at most 64 characters')
  .regex(/^[\x20-\x7e]+$/, 'send_id must be ASCII');

export const TriggerSendBody = z.object({
  campaign_id: z
    .string({ error: 'campaign_id must be a string' })
    .min(1, 'campaign_id is required'),
  send_id: SendId.optional(),
  trigger_properties: JsonObject.optional(),
  broadcast: z.boolean({ error: 'broadcast must be a boolean' }).optional(),
  audience: z
    .record(z.string(), z.unknown(), { error: 'audience must be a Connected Audience object' })
    .optional(),
  recipients: z
    .array(Recipient)
    .max(MAX_RECIPIENTS, `recipients may list at most ${MAX_RECIPIENTS} users`)
    .optional(),
  attachments: z
    .array(z.strictObject({ file_name: z.string(), url: z.url() }))
    .optional()
    .meta({
      description: 'Email attachments; accepted for compatibility, email is not delivered yet.',
    }),
});

function byteLength(value: unknown): number {
  return new TextEncoder().encode(JSON.stringify(value)).byteLength;
}

function identifierOf(r: Recipient): QueuedRecipient['id'] {
  if (r.external_user_id !== undefined) return { kind: 'external_id', value: r.external_user_id };
  if (r.user_alias !== undefined) {
    return { kind: 'user_alias', label: r.user_alias.alias_label, name: r.user_alias.alias_name };
  }
  if (r.braze_id !== undefined) return { kind: 'braze_id', value: r.braze_id };
  return { kind: 'email', value: r.email ?? '' };
}

function identityKey(id: NonNullable<QueuedRecipient['id']>): string {
  return id.kind === 'user_alias' ? `alias\n${id.label}\n${id.name}` : `${id.kind}\n${id.value}`;
}

export const triggerSendRoute = defineRoute({
  method: 'post',
  path: '/campaigns/trigger/send',
  tag: 'Messaging',
  summary: 'Send an API-triggered campaign to listed users or its audience',
  description:
    'One dispatch for the whole request. Top-level `trigger_properties` apply to every ' +
    "recipient; a recipient's own override conflicting keys. A recipient's `attributes` are " +
    'written before the send (with `send_to_existing_only: false` the user is created). ' +
    "`broadcast: true` sends to the campaign's whole audience, narrowed by `audience`. A " +
    'campaign that is not active answers 201 with a `notice` and sends nothing. Broadcasts ' +
    'also count against the `messaging_broadcast` bucket.',
  auth: { type: 'api_key', permission: 'campaigns.trigger.send', bucket: 'messaging' },
  body: TriggerSendBody,
  maxBodyBytes: 4 * 1_048_576,
  success: {
    status: 201,
    description: 'Accepted for delivery',
    schema: z.object({
      dispatch_id: z.string().optional(),
      send_id: z.string().optional(),
      notice: z.string().optional(),
      message: z.string(),
    }),
  },
  handler: async (c, { body }) => {
    const workspace = c.get('caller').workspace;
    const now = Date.now();
    const recipients = body.recipients ?? [];
    if (recipients.length === 0 && body.broadcast !== true) {
      throw badRequest('broadcast must be true when recipients is omitted');
    }
    if (recipients.length > 0 && body.broadcast === true) {
      throw badRequest('broadcast must not be true when recipients are given');
    }
    if (
      body.trigger_properties &&
      byteLength(body.trigger_properties) > MAX_TRIGGER_PROPERTIES_BYTES
    ) {
      throw badRequest('trigger_properties must be at most 50 KB');
    }
    for (const r of recipients) {
      const merged = { ...body.trigger_properties, ...r.trigger_properties };
      if (byteLength(merged) > MAX_TRIGGER_PROPERTIES_BYTES) {
        throw badRequest('trigger_properties must be at most 50 KB');
      }
    }
    let extra: SegmentFilter | null = null;
    if (body.audience !== undefined) {
      const parsed = parseSegmentFilter(body.audience);
      if (!parsed.ok) throw badRequest(`audience is invalid: ${parsed.error}`);
      extra = parsed.filter;
    }
    const campaign = await getCampaign(c.env.DB, workspace.id, body.campaign_id);
    if (!campaign) throw badRequest('campaign_id is invalid');
    if (campaign.delivery.type !== 'api_triggered') {
      throw badRequest('campaign_id must name an API-triggered campaign');
    }
    if (body.broadcast === true || extra !== null) await enforceRateLimit(c, 'messaging_broadcast');
    if (campaign.status !== 'active' || campaign.archived) {
      return c.json(
        { message: 'success', notice: 'The campaign is not active: nothing was sent' },
        201,
      );
    }
    // Attributes are written before the send, so the message sees them (contract §3.10.1).
    const withAttributes = recipients.filter((r) => r.attributes !== undefined);
    if (withAttributes.length > 0) await writeAttributes(c, withAttributes, now);

    let listed: QueuedRecipient[] | null = null;
    if (recipients.length > 0) {
      const seen = new Set<string>();
      listed = [];
      for (const r of recipients) {
        const id = identifierOf(r)!;
        const key = identityKey(id);
        // Two entries naming the same user get one message; the first entry's properties win.
        if (seen.has(key)) continue;
        seen.add(key);
        const props = { ...body.trigger_properties, ...r.trigger_properties };
        listed.push({
          id,
          ...(Object.keys(props).length > 0 ? { trigger_properties: props } : {}),
        });
      }
    }
    const dispatchId = await startCampaignDispatch(c.env, {
      campaign,
      source: 'campaigns.trigger.send',
      sendId: body.send_id ?? null,
      audience: await campaignAudience(c.env.DB, campaign, extra),
      recipients: listed,
      triggerProperties: body.trigger_properties ?? null,
      now,
    });
    return c.json(
      {
        dispatch_id: dispatchId,
        ...(body.send_id ? { send_id: body.send_id } : {}),
        message: 'success',
      },
      201,
    );
  },
});

/** Write recipients' `attributes` through the `/users/track` path, before anything is sent. */
async function writeAttributes(
  c: Parameters<typeof triggerSendRoute.handler>[0],
  recipients: Recipient[],
  now: number,
): Promise<void> {
  const workspace = c.get('caller').workspace;
  const attributes = recipients.map((r) => ({
    ...r.attributes,
    ...(r.external_user_id !== undefined ? { external_id: r.external_user_id } : {}),
    ...(r.user_alias !== undefined ? { user_alias: r.user_alias } : {}),
    ...(r.braze_id !== undefined ? { braze_id: r.braze_id } : {}),
    ...(r.email !== undefined ? { email: r.email } : {}),
    _update_existing_only: r.send_to_existing_only !== false,
  }));
  const validation = validateTrackRequest(
    { attributes },
    { limits: { capMode: workspace.settings.track_cap_mode }, now },
  );
  if (validation.type === 'fatal') throw new ApiError(validation.status, validation.message);
  if (validation.errors.length > 0) {
    throw badRequest(`recipient attributes are invalid: ${validation.errors[0]!.message}`);
  }
  await ingestTrack(
    { profiles: c.env.USER_PROFILE, directory: c.env.IDENTITY_INDEX },
    {
      workspaceId: workspace.id,
      attributes: validation.attributes,
      events: [],
      purchases: [],
      settings: {
        arrayMaxLength: workspace.settings.array_max_length,
        segmentable: segmentableOf(workspace.settings),
      },
      now,
      delivery: { queue: c.env.CHANGES_QUEUE },
    },
  );
}
