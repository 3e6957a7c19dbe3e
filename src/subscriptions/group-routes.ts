import { z } from 'zod';
import { MessagingServiceSid } from '../channels/sms/account-routes';
import { SenderId } from '../channels/sms/sender-id';
import type { Ctx } from '../http/context';
import { ApiError, badRequest } from '../http/errors';
import { defineRoute } from '../http/route';
import {
  type GroupSettings,
  getGroup,
  insertGroup,
  listGroups,
  type SubscriptionGroup,
  updateGroup,
} from './group-store';

/**
 * Herald's management API for subscription groups (Braze manages them in its dashboard): create,
 * list, read, update, archive and unarchive. SMS groups own sending numbers and/or a Twilio
 * messaging service — no two live groups of a workspace share one, so an inbound STOP names
 * exactly one group — and may replace the default keyword auto-replies.
 */

const TAG = 'Subscription groups';
const BASE = '/herald/subscription_groups';
/** Braze's limit per workspace. */
const MAX_GROUPS = 450;

const Reply = z
  .string({ error: 'a reply must be a string' })
  .min(1, 'a reply must not be empty')
  .max(300, 'a reply may be at most 300 characters');

const SmsFields = {
  numbers: z
    .array(SenderId, { error: 'numbers must be an array of sending numbers' })
    .max(50, 'a group may own at most 50 numbers')
    .optional(),
  messaging_service_sid: MessagingServiceSid.nullable().optional(),
  replies: z
    .strictObject({ opt_in: Reply.optional(), opt_out: Reply.optional(), help: Reply.optional() })
    .optional(),
};

const Name = z
  .string({ error: 'name must be a string' })
  .trim()
  .min(1, 'name must not be empty')
  .max(255);

export const CreateGroupBody = z.strictObject({
  subscription_group_id: z
    .string({ error: 'subscription_group_id must be a string' })
    .regex(/^[A-Za-z0-9_.:-]{1,128}$/, 'subscription_group_id must be 1–128 of A-Z a-z 0-9 _ . : -')
    .optional(),
  name: Name,
  channel: z.enum(['email', 'sms'], { error: 'channel must be email or sms' }),
  ...SmsFields,
});

export const UpdateGroupBody = z.strictObject({ name: Name.optional(), ...SmsFields });

const GroupView = z.object({
  subscription_group_id: z.string(),
  name: z.string(),
  channel: z.enum(['email', 'sms']),
  numbers: z.array(z.string()).optional(),
  messaging_service_sid: z.string().nullable().optional(),
  replies: z.record(z.string(), z.string()).optional(),
  archived: z.boolean(),
  created_at: z.string(),
  updated_at: z.string(),
});

function viewOf(g: SubscriptionGroup) {
  return {
    subscription_group_id: g.groupId,
    name: g.name,
    channel: g.channel,
    ...(g.channel === 'sms'
      ? {
          numbers: g.settings.numbers,
          messaging_service_sid: g.settings.messaging_service_sid,
          replies: g.settings.replies,
        }
      : {}),
    archived: g.settings.archived,
    created_at: new Date(g.createdAt).toISOString(),
    updated_at: new Date(g.updatedAt).toISOString(),
  };
}

type SmsInput = {
  numbers?: string[];
  messaging_service_sid?: string | null;
  replies?: GroupSettings['replies'];
};

/** Apply SMS fields to settings, refusing them on email groups and numbers another group owns. */
async function withSmsFields(
  c: Ctx,
  group: SubscriptionGroup,
  input: SmsInput,
): Promise<GroupSettings> {
  const given =
    input.numbers !== undefined ||
    input.messaging_service_sid !== undefined ||
    input.replies !== undefined;
  if (group.channel === 'email') {
    if (given)
      throw badRequest('numbers, messaging_service_sid and replies are for SMS groups only');
    return group.settings;
  }
  const settings: GroupSettings = {
    ...group.settings,
    ...(input.numbers !== undefined ? { numbers: [...new Set(input.numbers)] } : {}),
    ...(input.messaging_service_sid !== undefined
      ? { messaging_service_sid: input.messaging_service_sid }
      : {}),
    ...(input.replies !== undefined ? { replies: input.replies } : {}),
  };
  if (!settings.archived) await checkOwnership(c, group.groupId, settings);
  return settings;
}

async function checkOwnership(c: Ctx, groupId: string, settings: GroupSettings): Promise<void> {
  const others = (await listGroups(c.env.DB, c.get('caller').workspace.id)).filter(
    (g) => g.groupId !== groupId && g.channel === 'sms' && !g.settings.archived,
  );
  for (const n of settings.numbers) {
    const owner = others.find((g) => g.settings.numbers.includes(n));
    if (owner) throw badRequest(`${n} already belongs to subscription group ${owner.groupId}`);
  }
  const sid = settings.messaging_service_sid;
  const owner = sid ? others.find((g) => g.settings.messaging_service_sid === sid) : undefined;
  if (owner) throw badRequest(`${sid} already belongs to subscription group ${owner.groupId}`);
}

async function existing(c: Ctx): Promise<SubscriptionGroup> {
  const id = c.req.param('subscription_group_id') ?? '';
  const group = await getGroup(c.env.DB, c.get('caller').workspace.id, id);
  if (!group) throw new ApiError(404, `Subscription group ${id} not found`);
  return group;
}

const Answer = z.object({ subscription_group: GroupView, message: z.string() });

export const createGroupRoute = defineRoute({
  method: 'post',
  path: BASE,
  tag: TAG,
  summary: 'Create a subscription group (email or SMS)',
  description:
    'An id is generated unless `subscription_group_id` is given. At most 450 per workspace.',
  auth: { type: 'api_key', permission: 'herald.subscription_groups.write', bucket: 'default' },
  body: CreateGroupBody,
  success: { status: 201, description: 'Created', schema: Answer },
  handler: async (c, { body }) => {
    const workspaceId = c.get('caller').workspace.id;
    if ((await listGroups(c.env.DB, workspaceId)).length >= MAX_GROUPS) {
      throw badRequest(`A workspace may have at most ${MAX_GROUPS} subscription groups`);
    }
    const now = Date.now();
    const draft: SubscriptionGroup = {
      groupId: body.subscription_group_id ?? crypto.randomUUID(),
      channel: body.channel,
      name: body.name,
      settings: { numbers: [], messaging_service_sid: null, replies: {}, archived: false },
      createdAt: now,
      updatedAt: now,
    };
    const group = { ...draft, settings: await withSmsFields(c, draft, body) };
    if (!(await insertGroup(c.env.DB, { workspaceId, group }))) {
      throw badRequest(`Subscription group ${group.groupId} already exists`);
    }
    return c.json({ subscription_group: viewOf(group), message: 'success' }, 201);
  },
});

export const listGroupsRoute = defineRoute({
  method: 'get',
  path: BASE,
  tag: TAG,
  summary: "List the workspace's subscription groups",
  auth: { type: 'api_key', permission: 'herald.subscription_groups.read', bucket: 'default' },
  query: z.object({
    channel: z.enum(['email', 'sms'], { error: 'channel must be email or sms' }).optional(),
    include_archived: z
      .enum(['true', 'false'], { error: 'include_archived must be true or false' })
      .optional(),
  }),
  success: {
    status: 200,
    description: 'The groups',
    schema: z.object({ subscription_groups: z.array(GroupView), message: z.string() }),
  },
  handler: async (c, { query }) => {
    const groups = (await listGroups(c.env.DB, c.get('caller').workspace.id)).filter(
      (g) =>
        (query.channel === undefined || g.channel === query.channel) &&
        (query.include_archived === 'true' || !g.settings.archived),
    );
    return c.json({ subscription_groups: groups.map(viewOf), message: 'success' });
  },
});

export const getGroupRoute = defineRoute({
  method: 'get',
  path: `${BASE}/{subscription_group_id}`,
  tag: TAG,
  summary: 'One subscription group',
  auth: { type: 'api_key', permission: 'herald.subscription_groups.read', bucket: 'default' },
  success: { status: 200, description: 'The group', schema: Answer },
  handler: async (c) =>
    c.json({ subscription_group: viewOf(await existing(c)), message: 'success' }),
});

export const updateGroupRoute = defineRoute({
  method: 'put',
  path: `${BASE}/{subscription_group_id}`,
  tag: TAG,
  summary: "Change a group's name, numbers, messaging service or auto-replies",
  description: 'Fields left out keep their value; the channel never changes.',
  auth: { type: 'api_key', permission: 'herald.subscription_groups.write', bucket: 'default' },
  body: UpdateGroupBody,
  success: { status: 200, description: 'Updated', schema: Answer },
  handler: async (c, { body }) => {
    const current = await existing(c);
    const group: SubscriptionGroup = {
      ...current,
      name: body.name ?? current.name,
      settings: await withSmsFields(c, current, body),
      updatedAt: Date.now(),
    };
    await updateGroup(c.env.DB, { workspaceId: c.get('caller').workspace.id, group });
    return c.json({ subscription_group: viewOf(group), message: 'success' });
  },
});

function archiveRoute(archived: boolean) {
  return defineRoute({
    method: 'post',
    path: `${BASE}/{subscription_group_id}/${archived ? 'archive' : 'unarchive'}`,
    tag: TAG,
    summary: archived
      ? 'Archive a subscription group: it sends nothing and takes no inbound keywords'
      : 'Unarchive a subscription group (its numbers must still be free)',
    auth: { type: 'api_key', permission: 'herald.subscription_groups.write', bucket: 'default' },
    success: { status: 200, description: 'Done', schema: Answer },
    handler: async (c) => {
      const current = await existing(c);
      const settings = { ...current.settings, archived };
      if (!archived && current.channel === 'sms')
        await checkOwnership(c, current.groupId, settings);
      const group = { ...current, settings, updatedAt: Date.now() };
      await updateGroup(c.env.DB, { workspaceId: c.get('caller').workspace.id, group });
      return c.json({ subscription_group: viewOf(group), message: 'success' });
    },
  });
}

export const archiveGroupRoute = archiveRoute(true);
export const unarchiveGroupRoute = archiveRoute(false);
