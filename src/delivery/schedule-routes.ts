import { z } from 'zod';
import { badRequest } from '../http/errors';
import { defineRoute } from '../http/route';
import { ScheduleObject } from './schedule-object';
import {
  deleteSchedule,
  mustGetPending,
  replaceSchedule,
  ScheduleCreated,
  ScheduleId,
  Success,
  saveSchedule,
} from './schedule-route-helpers';
import { Messages, MessagesSendBody, planMessagesSend } from './send-routes';
import { checkRecipientAttributes, planTriggerSend, TriggerSendBody } from './trigger-routes';

/**
 * Scheduled API messages: `POST /messages/schedule/create|update|delete` (contract §3.10.5), a
 * `/messages/send` request, and `POST /campaigns/trigger/schedule/create|update|delete`
 * (§3.10.2), a `/campaigns/trigger/send` request, each kept until its `schedule`. Checked when
 * scheduled, and started by the minute job (src/delivery/due-schedules.ts) exactly as the
 * immediate endpoint starts one; whether a campaign is active is decided then.
 */

const TAG = 'Messaging';

/** What a scheduled message stores: `/messages/send`'s body, with Braze's other override name. */
export const MessagesScheduleRequest = MessagesSendBody.extend({
  override_messaging_limits: z
    .boolean({ error: 'override_messaging_limits must be a boolean' })
    .optional(),
});
export type MessagesScheduleRequest = z.infer<typeof MessagesScheduleRequest>;

/** Either name skips the workspace's frequency caps (contract §3.5.2 accepts both). */
export function overridesCaps(r: MessagesScheduleRequest): boolean {
  return r.override_frequency_capping ?? r.override_messaging_limits ?? false;
}

export const messagesScheduleCreateRoute = defineRoute({
  method: 'post',
  path: '/messages/schedule/create',
  tag: TAG,
  summary: 'Schedule messages for listed users, a segment or a Connected Audience',
  description:
    'The body of `/messages/send` (`override_messaging_limits` and `override_frequency_capping` ' +
    'both skip frequency caps) plus `schedule`: `time` alone sends to everyone at that instant; ' +
    "`in_local_time` at that wall-clock time in each user's zone; `at_optimal_time` on that " +
    'date at 17:00 local time (Herald has no engagement model yet). Checked now, started by the ' +
    'minute job; `dispatch_id` names the dispatch it will start.',
  auth: { type: 'api_key', permission: 'messages.schedule.create', bucket: 'default' },
  body: MessagesScheduleRequest.extend({ schedule: ScheduleObject }),
  maxBodyBytes: 1_048_576,
  success: { status: 201, description: 'Scheduled', schema: ScheduleCreated },
  handler: async (c, { body }) => {
    const { schedule, ...request } = body;
    await planMessagesSend(c.env.DB, c.get('caller').workspace.id, request);
    return saveSchedule(c, {
      kind: 'messages',
      campaignId: request.campaign_id ?? null,
      request,
      schedule,
    });
  },
});

export const messagesScheduleUpdateRoute = defineRoute({
  method: 'post',
  path: '/messages/schedule/update',
  tag: TAG,
  summary: 'Replace the schedule or the messages of a scheduled message',
  description:
    'At least one of `schedule` (which replaces the whole schedule object) and `messages`. ' +
    'A schedule that has started answers 400; changes made as it starts are best effort.',
  auth: { type: 'api_key', permission: 'messages.schedule.update', bucket: 'default' },
  body: z.object({
    schedule_id: ScheduleId,
    schedule: ScheduleObject.optional(),
    messages: Messages.optional(),
  }),
  maxBodyBytes: 1_048_576,
  success: { status: 200, description: 'Updated', schema: Success },
  handler: async (c, { body }) => {
    if (body.schedule === undefined && body.messages === undefined) {
      throw badRequest('Give schedule or messages to update');
    }
    const target = { kind: 'messages' as const, id: body.schedule_id };
    const current = await mustGetPending(c, target);
    const request = MessagesScheduleRequest.parse(current.request);
    if (body.messages !== undefined) request.messages = body.messages;
    await planMessagesSend(c.env.DB, c.get('caller').workspace.id, request);
    return replaceSchedule(c, target, { request, schedule: body.schedule ?? current.schedule });
  },
});

export const messagesScheduleDeleteRoute = defineRoute({
  method: 'post',
  path: '/messages/schedule/delete',
  tag: TAG,
  summary: 'Cancel a scheduled message before it starts',
  description:
    'A schedule that has started answers 400; a delete made as it starts is best effort.',
  auth: { type: 'api_key', permission: 'messages.schedule.delete', bucket: 'default' },
  body: z.object({ schedule_id: ScheduleId }),
  success: { status: 200, description: 'Deleted', schema: Success },
  handler: (c, { body }) => deleteSchedule(c, { kind: 'messages', id: body.schedule_id }),
});

const CampaignId = z
  .string({ error: 'campaign_id must be a string' })
  .min(1, 'campaign_id is required');

export const triggerScheduleCreateRoute = defineRoute({
  method: 'post',
  path: '/campaigns/trigger/schedule/create',
  tag: TAG,
  summary: 'Schedule an API-triggered campaign for listed users or its audience',
  description:
    'The body of `/campaigns/trigger/send` plus `schedule` (see `/messages/schedule/create`). ' +
    "Checked now; recipients' `attributes` are written when it starts, just before the send. " +
    'A campaign that is not active by then sends nothing.',
  auth: { type: 'api_key', permission: 'campaigns.trigger.schedule.create', bucket: 'default' },
  body: TriggerSendBody.extend({ schedule: ScheduleObject }),
  maxBodyBytes: 4 * 1_048_576,
  success: { status: 201, description: 'Scheduled', schema: ScheduleCreated },
  handler: async (c, { body }) => {
    const workspace = c.get('caller').workspace;
    const { schedule, ...request } = body;
    const plan = await planTriggerSend(c.env.DB, workspace.id, request);
    const recipients = request.recipients ?? [];
    if (recipients.some((r) => r.attributes !== undefined)) {
      checkRecipientAttributes(workspace, recipients, Date.now());
    }
    return saveSchedule(c, { kind: 'campaign', campaignId: plan.campaign.id, request, schedule });
  },
});

export const triggerScheduleUpdateRoute = defineRoute({
  method: 'post',
  path: '/campaigns/trigger/schedule/update',
  tag: TAG,
  summary: 'Replace the schedule of a scheduled API-triggered campaign',
  description:
    'The new `schedule` replaces the old one whole (dropping `in_local_time` sends in UTC ' +
    'again). A schedule that has started answers 400; changes made as it starts are best effort.',
  auth: { type: 'api_key', permission: 'campaigns.trigger.schedule.update', bucket: 'default' },
  body: z.object({ campaign_id: CampaignId, schedule_id: ScheduleId, schedule: ScheduleObject }),
  success: { status: 200, description: 'Updated', schema: Success },
  handler: async (c, { body }) => {
    const target = {
      kind: 'campaign' as const,
      id: body.schedule_id,
      campaignId: body.campaign_id,
    };
    const current = await mustGetPending(c, target);
    return replaceSchedule(c, target, { request: current.request, schedule: body.schedule });
  },
});

export const triggerScheduleDeleteRoute = defineRoute({
  method: 'post',
  path: '/campaigns/trigger/schedule/delete',
  tag: TAG,
  summary: 'Cancel a scheduled API-triggered campaign before it starts',
  description:
    'A schedule that has started answers 400; a delete made as it starts is best effort.',
  auth: { type: 'api_key', permission: 'campaigns.trigger.schedule.delete', bucket: 'default' },
  body: z.object({ campaign_id: CampaignId, schedule_id: ScheduleId }),
  success: { status: 200, description: 'Deleted', schema: Success },
  handler: (c, { body }) =>
    deleteSchedule(c, { kind: 'campaign', id: body.schedule_id, campaignId: body.campaign_id }),
});
