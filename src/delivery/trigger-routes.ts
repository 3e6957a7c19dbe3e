import { z } from 'zod';
import type { Occurrence } from '../campaigns/schedule';
import { type Campaign, getCampaign } from '../campaigns/store';
import { ApiError, badRequest } from '../http/errors';
import { enforceRateLimit } from '../http/guard';
import { defineRoute } from '../http/route';
import { SendId, UserAlias } from '../http/schemas';
import { ingestTrack } from '../ingestion/ingest';
import type { AttributesInput } from '../ingestion/types';
import { validateTrackRequest } from '../ingestion/validate-track';
import { parseSegmentFilter, type SegmentFilter } from '../segments/filters';
import { segmentableOf } from '../workspaces/settings';
import type { Workspace } from '../workspaces/store';
import { campaignAudience, requestDispatchId, startCampaignDispatch } from './campaign-dispatch';
import type { QueuedRecipient } from './queue';

/** `POST /campaigns/trigger/send` (contract §3.10.1, §3.10.8): an API-triggered campaign. */

const MAX_RECIPIENTS = 50;
/** Braze's cap on `trigger_properties` (contract §3.10.1). */
const MAX_TRIGGER_PROPERTIES_BYTES = 50 * 1024;

export const JsonObject = z.record(z.string(), z.json());

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

export type TriggerSendBody = z.infer<typeof TriggerSendBody>;

/** Braze's 400 for `trigger_properties` over 50 KB (contract §3.10.1). */
export function checkTriggerProperties(props: Record<string, unknown> | undefined): void {
  const bytes = props ? new TextEncoder().encode(JSON.stringify(props)).byteLength : 0;
  if (bytes > MAX_TRIGGER_PROPERTIES_BYTES)
    throw badRequest('trigger_properties must be at most 50 KB');
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
    const plan = await planTriggerSend(c.env.DB, workspace.id, body);
    if (body.broadcast === true || plan.extra !== null) {
      await enforceRateLimit(c, 'messaging_broadcast');
    }
    const now = Date.now();
    const started = await startTriggerSend(c.env, {
      workspace,
      body,
      plan,
      source: 'campaigns.trigger.send',
      // A repeated identical request with a send_id is the same send (a client retry).
      ...(body.send_id
        ? { id: await requestDispatchId(workspace.id, 'campaigns.trigger.send', body, now) }
        : {}),
      now,
    });
    if (started.type === 'inactive') {
      return c.json({ message: 'success', notice: INACTIVE_NOTICE }, 201);
    }
    return c.json(
      {
        dispatch_id: started.dispatchId,
        ...(body.send_id ? { send_id: body.send_id } : {}),
        message: 'success',
      },
      201,
    );
  },
});

/** What a campaign that is not active answers (Braze's behaviour for paused Canvases). */
export const INACTIVE_NOTICE = 'The campaign is not active: nothing was sent';

/** A `/campaigns/trigger/send` request checked: its API-triggered campaign and extra audience. */
export interface TriggerSendPlan {
  campaign: Campaign;
  /** The request's `audience`, ANDed with the campaign's. */
  extra: SegmentFilter | null;
}

/**
 * Check a `/campaigns/trigger/send` body beyond its shape (recipients or broadcast, trigger
 * property sizes, the audience, an API-triggered campaign of the workspace); throws the Braze
 * error. Scheduled triggers run it when they are created and again when they start.
 */
export async function planTriggerSend(
  db: D1Database,
  workspaceId: string,
  body: TriggerSendBody,
): Promise<TriggerSendPlan> {
  const recipients = body.recipients ?? [];
  if (recipients.length === 0 && body.broadcast !== true) {
    throw badRequest('broadcast must be true when recipients is omitted');
  }
  if (recipients.length > 0 && body.broadcast === true) {
    throw badRequest('broadcast must not be true when recipients are given');
  }
  checkTriggerProperties(body.trigger_properties);
  for (const r of recipients) {
    checkTriggerProperties({ ...body.trigger_properties, ...r.trigger_properties });
  }
  let extra: SegmentFilter | null = null;
  if (body.audience !== undefined) {
    const parsed = parseSegmentFilter(body.audience);
    if (!parsed.ok) throw badRequest(`audience is invalid: ${parsed.error}`);
    extra = parsed.filter;
  }
  const campaign = await getCampaign(db, workspaceId, body.campaign_id);
  if (!campaign) throw badRequest('campaign_id is invalid');
  if (campaign.delivery.type !== 'api_triggered') {
    throw badRequest('campaign_id must name an API-triggered campaign');
  }
  return { campaign, extra };
}

/** What a trigger send writes through: the delivery pipeline and, for attributes, ingestion. */
export interface TriggerBindings {
  DB: D1Database;
  DELIVERY_QUEUE: Queue;
  USER_PROFILE: Env['USER_PROFILE'];
  IDENTITY_INDEX: Env['IDENTITY_INDEX'];
  CHANGES_QUEUE: Queue;
}

/**
 * Start a planned trigger send: nothing for a campaign that is not active; otherwise write the
 * recipients' attributes, then the dispatch (`startCampaignDispatch`).
 */
export async function startTriggerSend(
  env: TriggerBindings,
  input: {
    workspace: Workspace;
    body: TriggerSendBody;
    plan: TriggerSendPlan;
    source: 'campaigns.trigger.send' | 'campaigns.trigger.schedule';
    /** A dispatch id derived from what starts it; default: a new one. */
    id?: string;
    /** A local-time send: each user at its wall-clock time. */
    occurrence?: Occurrence;
    now: number;
  },
): Promise<{ type: 'inactive' } | { type: 'started'; dispatchId: string }> {
  const { body, plan, workspace, now } = input;
  const { campaign } = plan;
  if (campaign.status !== 'active' || campaign.archived) return { type: 'inactive' };
  const recipients = body.recipients ?? [];
  // Attributes are written before the send, so the message sees them (contract §3.10.1).
  const withAttributes = recipients.filter((r) => r.attributes !== undefined);
  if (withAttributes.length > 0) await writeAttributes(env, workspace, withAttributes, now);

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
  const dispatchId = await startCampaignDispatch(env, {
    campaign,
    source: input.source,
    ...(input.id !== undefined ? { id: input.id } : {}),
    sendId: body.send_id ?? null,
    audience: await campaignAudience(env.DB, campaign, plan.extra),
    recipients: listed,
    ...(input.occurrence ? { occurrence: input.occurrence } : {}),
    triggerProperties: body.trigger_properties ?? null,
    now,
  });
  return { type: 'started', dispatchId };
}

/**
 * Recipients' `attributes` checked as `/users/track` checks them; throws the Braze error.
 * Scheduled triggers check them when created and write them when they start.
 */
export function checkRecipientAttributes(
  workspace: Workspace,
  recipients: Recipient[],
  now: number,
): AttributesInput[] {
  const attributes = recipients
    .filter((r) => r.attributes !== undefined)
    .map((r) => ({
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
  return validation.attributes;
}

/** Write recipients' `attributes` through the `/users/track` path, before anything is sent. */
export async function writeAttributes(
  env: TriggerBindings,
  workspace: Workspace,
  recipients: Recipient[],
  now: number,
): Promise<void> {
  await ingestTrack(
    { profiles: env.USER_PROFILE, directory: env.IDENTITY_INDEX },
    {
      workspaceId: workspace.id,
      attributes: checkRecipientAttributes(workspace, recipients, now),
      events: [],
      purchases: [],
      settings: {
        arrayMaxLength: workspace.settings.array_max_length,
        segmentable: segmentableOf(workspace.settings),
      },
      now,
      delivery: { queue: env.CHANGES_QUEUE },
    },
  );
}
