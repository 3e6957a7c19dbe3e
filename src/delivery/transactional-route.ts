import { z } from 'zod';
import { getCampaign } from '../campaigns/store';
import { badRequest } from '../http/errors';
import { defineRoute } from '../http/route';
import { UserAlias } from '../http/schemas';
import { requestDispatchId, startCampaignDispatch } from './campaign-dispatch';
import {
  checkRecipientAttributes,
  checkTriggerProperties,
  JsonObject,
  writeAttributes,
} from './trigger-routes';

/**
 * `POST /transactional/v1/campaigns/{campaign_id}/send` (contract §3.10.7): one email to one
 * user of an API-triggered email campaign. Every user is eligible, unsubscribed ones too, with
 * no re-eligibility, frequency capping, control groups or conversions. `external_send_id` is an
 * idempotency key for the UTC day: repeating it answers the same dispatch and sends nothing new.
 * Outcomes are POSTed to the workspace's `transactional_postback_url`.
 */

const Recipient = z
  .strictObject({
    user_alias: UserAlias.optional(),
    external_user_id: z.string({ error: 'external_user_id must be a string' }).min(1).optional(),
    attributes: z
      .record(z.string(), z.unknown(), { error: 'attributes must be an object' })
      .optional(),
  })
  .refine((r) => (r.user_alias === undefined) !== (r.external_user_id === undefined), {
    message: 'recipient needs exactly one of external_user_id or user_alias',
  });

export const TransactionalSendBody = z.object({
  external_send_id: z
    .string({ error: 'external_send_id must be a string' })
    .regex(/^[a-zA-Z0-9-_+/=]+$/, 'external_send_id must be Base64-compatible ([a-zA-Z0-9-_+/=])')
    .optional(),
  trigger_properties: JsonObject.optional(),
  recipient: Recipient,
});

export const transactionalSendRoute = defineRoute({
  method: 'post',
  path: '/transactional/v1/campaigns/{campaign_id}/send',
  tag: 'Messaging',
  summary: 'Send a transactional email to one user',
  description:
    'Validated as Braze validates it: one recipient by `external_user_id` or `user_alias`, ' +
    'Base64-compatible `external_send_id`, `trigger_properties` up to 50 KB, recipient ' +
    '`attributes` as `/users/track` takes them (written before the send; an unknown external ' +
    'id is created), and an active API-triggered email campaign of the workspace. Unsubscribed ' +
    'users receive it; no frequency capping or re-eligibility. A repeated `external_send_id` ' +
    '(same UTC day) answers the same `dispatch_id` and sends nothing new. Outcomes are POSTed ' +
    "to the workspace's `transactional_postback_url`.",
  auth: { type: 'api_key', permission: 'transactional.send', bucket: 'default' },
  body: TransactionalSendBody,
  success: {
    status: 201,
    description: 'Accepted for delivery',
    schema: z.object({
      dispatch_id: z.string(),
      status: z.string(),
      metadata: z.record(z.string(), z.unknown()),
    }),
  },
  handler: async (c, { body }) => {
    const workspace = c.get('caller').workspace;
    checkTriggerProperties(body.trigger_properties);
    if (body.recipient.attributes !== undefined) {
      // An unknown external id with attributes would be created, as at Braze.
      checkRecipientAttributes(
        workspace,
        [{ ...body.recipient, send_to_existing_only: false }],
        Date.now(),
      );
    }
    const campaign = await getCampaign(c.env.DB, workspace.id, c.req.param('campaign_id') ?? '');
    if (!campaign) throw badRequest('Campaign does not exist');
    if (campaign.delivery.type !== 'api_triggered' || campaign.channels.join() !== 'email') {
      throw badRequest(
        'The campaign is not a transactional campaign. Only transactional campaigns may use this endpoint',
      );
    }
    if (campaign.archived) {
      throw badRequest(
        'The campaign is archived. Unarchive the campaign in order for trigger requests to take effect.',
      );
    }
    if (campaign.status !== 'active') {
      throw badRequest(
        'The campaign is paused. Resume the campaign in order for trigger requests to take effect.',
      );
    }
    const now = Date.now();
    const r = body.recipient;
    if (r.attributes !== undefined) {
      await writeAttributes(
        c.env,
        workspace,
        [{ ...r, send_to_existing_only: r.user_alias !== undefined }],
        now,
      );
    }
    const externalSendId = body.external_send_id ?? null;
    const dispatchId = await startCampaignDispatch(c.env, {
      campaign,
      source: 'transactional',
      // The same external_send_id the same day is the same send (Braze keeps it 24 hours).
      ...(externalSendId !== null
        ? {
            id: await requestDispatchId(
              workspace.id,
              `transactional:${campaign.id}`,
              externalSendId,
              now,
            ),
          }
        : {}),
      sendId: null,
      audience: null,
      recipients: [
        {
          id:
            r.external_user_id !== undefined
              ? { kind: 'external_id', value: r.external_user_id }
              : {
                  kind: 'user_alias',
                  label: r.user_alias!.alias_label,
                  name: r.user_alias!.alias_name,
                },
          ...(body.trigger_properties ? { trigger_properties: body.trigger_properties } : {}),
        },
      ],
      transactional: { externalSendId },
      now,
    });
    return c.json(
      {
        dispatch_id: dispatchId,
        status: 'queued',
        metadata: {
          ...(externalSendId !== null ? { external_send_id: externalSendId } : {}),
          campaign_api_id: campaign.id,
        },
      },
      201,
    );
  },
});
