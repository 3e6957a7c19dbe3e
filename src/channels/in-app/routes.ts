import { z } from 'zod';
import { ApiError } from '../../http/errors';
import { defineRoute } from '../../http/route';
import type { InAppView } from '../../profiles/in-app';
import { oneUser, onUser, UserTarget } from '../user-target';
import { eligibleInAppMessages, recordInAppInteraction, renderInAppMessage } from './display';

/**
 * Admin routes over a user's in-app messages (contract §5.5): the eligible set the SDK will
 * download at session start, a templated message rendered at display, and interactions.
 */

const TAG = 'In-app messages';
const iso = (ms: number) => new Date(ms).toISOString();

function messageOut(m: InAppView) {
  const { created_at, expires_at, ...rest } = m;
  return { ...rest, created_at: iso(created_at), expires_at: iso(expires_at) };
}

const MessageId = z.string({ error: 'message_id must be a string' }).min(1).max(64);

export const listInAppMessagesRoute = defineRoute({
  method: 'get',
  path: '/herald/users/in_app_messages',
  tag: TAG,
  summary: 'The in-app messages a user is eligible for, with their triggers',
  description:
    'Not expired, not shown yet, from active campaigns; highest priority first, then newest. ' +
    'Templated messages carry `message: null`: render them with /herald/users/in_app_messages/render.',
  auth: { type: 'api_key', permission: 'herald.delivery.read', bucket: 'default' },
  query: z.object(UserTarget).refine(oneUser.check, { message: oneUser.message }),
  success: {
    status: 200,
    description: 'Eligible messages',
    schema: z.object({ message: z.string(), in_app_messages: z.array(z.unknown()) }),
  },
  handler: async (c, { query }) => {
    const workspaceId = c.get('caller').workspace.id;
    const answer = await onUser(c.env, { workspaceId, target: query }, (req) =>
      eligibleInAppMessages(c.env, req),
    );
    return c.json({ message: 'success', in_app_messages: answer.messages.map(messageOut) });
  },
});

export const renderInAppMessageRoute = defineRoute({
  method: 'post',
  path: '/herald/users/in_app_messages/render',
  tag: TAG,
  summary: 'Render an in-app message for display',
  description:
    'Templated messages are rendered now, for the user as they are now, with the triggering ' +
    "event's properties as `event_properties`. An `abort_message` or a rendered slideup over " +
    '140 characters answers `in_app_message: null` with the reason: the SDK shows nothing.',
  auth: { type: 'api_key', permission: 'herald.templates.render', bucket: 'default' },
  body: z
    .object({
      ...UserTarget,
      message_id: MessageId,
      event_properties: z
        .record(z.string(), z.json(), { error: 'event_properties must be an object' })
        .optional(),
    })
    .refine(oneUser.check, { message: oneUser.message }),
  success: {
    status: 200,
    description: 'The message to display, or why none',
    schema: z.object({
      message: z.string(),
      in_app_message: z.unknown().nullable(),
      aborted: z.string().optional(),
    }),
  },
  handler: async (c, { body }) => {
    const workspaceId = c.get('caller').workspace.id;
    const answer = await onUser(c.env, { workspaceId, target: body }, (req) =>
      renderInAppMessage(c.env, {
        ...req,
        id: body.message_id,
        ...(body.event_properties ? { eventProperties: body.event_properties } : {}),
      }),
    );
    if (answer.status === 'message_not_found') throw new ApiError(404, 'In-app message not found');
    if (answer.status === 'aborted') {
      return c.json({ message: 'success', in_app_message: null, aborted: answer.reason });
    }
    return c.json({ message: 'success', in_app_message: answer.message });
  },
});

export const inAppEventRoute = defineRoute({
  method: 'post',
  path: '/herald/users/in_app_messages/events',
  tag: TAG,
  summary: 'Record an in-app message impression or click',
  description:
    'An impression makes the message "received" and no longer eligible. A click may name the ' +
    'button (`button_index` 0 or 1: first/second button clicks). Counted in campaign statistics ' +
    'and Currents; each `event_id` counts once, by default once per message, kind and button.',
  auth: { type: 'api_key', permission: 'users.track', bucket: 'users_track' },
  body: z
    .object({
      ...UserTarget,
      message_id: MessageId,
      event: z.enum(['impression', 'click'], { error: 'event must be impression or click' }),
      button_index: z
        .number({ error: 'button_index must be 0 or 1' })
        .int('button_index must be 0 or 1')
        .min(0, 'button_index must be 0 or 1')
        .max(1, 'button_index must be 0 or 1')
        .optional(),
      event_id: z.string({ error: 'event_id must be a string' }).min(1).max(128).optional(),
    })
    .refine(oneUser.check, { message: oneUser.message }),
  success: {
    status: 201,
    description: 'Recorded, or already recorded',
    schema: z.object({ message: z.string(), recorded: z.boolean() }),
  },
  handler: async (c, { body }) => {
    const workspaceId = c.get('caller').workspace.id;
    const answer = await onUser(c.env, { workspaceId, target: body }, (req) =>
      recordInAppInteraction(c.env, {
        ...req,
        id: body.message_id,
        event: body.event,
        ...(body.button_index !== undefined ? { buttonIndex: body.button_index } : {}),
        ...(body.event_id ? { eventId: body.event_id } : {}),
      }),
    );
    if (answer.status === 'message_not_found') throw new ApiError(404, 'In-app message not found');
    return c.json({ message: 'success', recorded: answer.status === 'recorded' }, 201);
  },
});
