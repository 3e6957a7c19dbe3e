import { z } from 'zod';
import { getCampaign } from '../campaigns/store';
import { badRequest } from '../http/errors';
import { defineRoute } from '../http/route';
import { UserAlias } from '../http/schemas';
import { checkRecipientAttributes, checkTriggerProperties, JsonObject } from './trigger-routes';

/**
 * `POST /transactional/v1/campaigns/{campaign_id}/send` (contract §3.10.7): one email to one
 * user. Herald has no email channel yet, so after the request and the campaign have passed
 * Braze's checks it answers 400 saying so, rather than accepting a send that could not happen.
 * With nothing sent, there is nothing yet for `external_send_id` to deduplicate.
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

/** Herald's answer once a transactional request is valid: the channel is the missing piece. */
export const EMAIL_UNAVAILABLE =
  'Email delivery is not available in Herald yet: transactional emails cannot be sent';

export const transactionalSendRoute = defineRoute({
  method: 'post',
  path: '/transactional/v1/campaigns/{campaign_id}/send',
  tag: 'Messaging',
  summary: 'Send a transactional email to one user (not available: no email channel yet)',
  description:
    'Validated as Braze validates it: one recipient by `external_user_id` or `user_alias`, ' +
    'Base64-compatible `external_send_id`, `trigger_properties` up to 50 KB, recipient ' +
    '`attributes` as `/users/track` takes them, and an API-triggered email campaign of the ' +
    'workspace that is not archived. Herald has no email channel yet, so a valid request ' +
    'answers 400 naming that; nothing is written or sent.',
  auth: { type: 'api_key', permission: 'transactional.send', bucket: 'default' },
  body: TransactionalSendBody,
  success: {
    status: 201,
    description: 'Accepted for delivery (once email exists)',
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
    throw badRequest(EMAIL_UNAVAILABLE);
  },
});
