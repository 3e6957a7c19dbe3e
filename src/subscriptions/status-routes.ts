import { z } from 'zod';
import { toE164 } from '../channels/sms/phone';
import type { Ctx } from '../http/context';
import { badRequest } from '../http/errors';
import { defineRoute } from '../http/route';
import type { ProfileBindings } from '../users/locate';
import { pickForWrite } from '../users/locate';
import { groupStatesByExternalId, groupStatesOf, profilesWith, setGroupState } from './apply';
import { getGroup, type SubscriptionGroup } from './group-store';

/**
 * Braze's subscription-group endpoints (contract data §2.10): set a group's state for up to 50
 * users by external id, email or phone (v1 and the batched v2), read it back per user, and list
 * a user's groups.
 */

const TAG = 'Subscription groups';
const MAX_IDS = 50;
const BOTH = 'Either an email address or a phone number should be provided, but not both.';

/** A string or up to 50 of them. */
function oneOrMany(name: string) {
  return z
    .union([z.string(), z.array(z.string({ error: `${name} must hold strings` }))], {
      error: `${name} must be a string or an array of strings`,
    })
    .transform((v) => (Array.isArray(v) ? v : [v]))
    .refine((v) => v.length <= MAX_IDS, `${name} may hold at most ${MAX_IDS} values`)
    .refine(
      (v) => v.every((s) => s.length > 0 && s.length <= 255),
      `${name} values must be 1–255 characters`,
    );
}

const GroupId = z
  .string({ error: 'subscription_group_id is required' })
  .min(1, 'subscription_group_id must not be empty')
  .max(128);
const State = z.enum(['subscribed', 'unsubscribed'], {
  error: 'subscription_state must be subscribed or unsubscribed',
});

export const StatusSetBody = z.object({
  subscription_group_id: GroupId,
  subscription_state: State,
  external_id: oneOrMany('external_id').optional(),
  email: oneOrMany('email').optional(),
  phone: oneOrMany('phone').optional(),
});

export const StatusSetV2Body = z.object({
  subscription_groups: z
    .array(
      z.object({
        subscription_group_id: GroupId,
        subscription_state: State,
        external_ids: oneOrMany('external_ids').optional(),
        emails: oneOrMany('emails').optional(),
        phones: oneOrMany('phones').optional(),
        use_double_opt_in_logic: z
          .boolean({ error: 'use_double_opt_in_logic must be a boolean' })
          .optional(),
      }),
      { error: 'subscription_groups must be an array' },
    )
    .min(1, 'subscription_groups must not be empty')
    .max(25, 'subscription_groups may hold at most 25 groups'),
});

interface SetRequest {
  groupId: string;
  state: 'subscribed' | 'unsubscribed';
  externalIds: string[];
  emails: string[];
  phones: string[];
}

/** Check one group's request against the group it names; answers the phones in E.164. */
async function checked(c: Ctx, r: SetRequest, where: string): Promise<SetRequest> {
  if (r.emails.length > 0 && r.phones.length > 0) throw badRequest(BOTH);
  if (r.externalIds.length + r.emails.length + r.phones.length === 0) {
    throw badRequest(`${where}external_id, email or phone is required`);
  }
  const group: SubscriptionGroup | null = await getGroup(
    c.env.DB,
    c.get('caller').workspace.id,
    r.groupId,
  );
  if (!group)
    throw badRequest(
      `${where}subscription_group_id ${r.groupId} is not a subscription group of this workspace`,
    );
  if (group.settings.archived)
    throw badRequest(`${where}subscription group ${r.groupId} is archived`);
  if (group.channel === 'email' && r.phones.length > 0) {
    throw badRequest(`${where}phone cannot be used with an email subscription group`);
  }
  if (group.channel === 'sms' && r.emails.length > 0) {
    throw badRequest(`${where}email cannot be used with an SMS subscription group`);
  }
  const phones = r.phones.map((p) => {
    const e164 = toE164(p);
    if (!e164) throw badRequest(`${where}phone ${p} is not an E.164 phone number`);
    return e164;
  });
  return { ...r, phones };
}

async function apply(c: Ctx, requests: SetRequest[]): Promise<void> {
  const workspace = c.get('caller').workspace;
  const now = Date.now();
  // Sequential: two groups naming the same new email must not both create a profile for it.
  for (const r of requests) {
    await setGroupState(c.env, {
      workspace,
      groupId: r.groupId,
      state: r.state,
      externalIds: r.externalIds,
      emails: r.emails,
      phones: r.phones,
      now,
    });
  }
}

const Success = z.object({ message: z.string() });

export const statusSetRoute = defineRoute({
  method: 'post',
  path: '/subscription/status/set',
  tag: TAG,
  summary: "Set users' state in a subscription group",
  description:
    'Up to 50 external ids, and up to 50 emails (email group) or phones (SMS group, E.164), not ' +
    'both. Every profile sharing an email or phone is updated; an email or phone no profile has ' +
    'gets a new profile; unknown external ids are skipped.',
  auth: {
    type: 'api_key',
    permission: 'subscription.status.set',
    bucket: 'subscription_status_set',
  },
  body: StatusSetBody,
  success: { status: 201, description: 'Applied', schema: Success },
  handler: async (c, { body }) => {
    const request = await checked(
      c,
      {
        groupId: body.subscription_group_id,
        state: body.subscription_state,
        externalIds: body.external_id ?? [],
        emails: body.email ?? [],
        phones: body.phone ?? [],
      },
      '',
    );
    await apply(c, [request]);
    return c.json({ message: 'success' }, 201);
  },
});

export const statusSetV2Route = defineRoute({
  method: 'post',
  path: '/v2/subscription/status/set',
  tag: TAG,
  summary: "Set users' states in several subscription groups",
  description:
    'Each entry as `/subscription/status/set` takes it; the request is checked whole before any ' +
    'state changes. `use_double_opt_in_logic` is accepted; Herald has no double opt-in flow yet, ' +
    'so users are subscribed at once.',
  auth: {
    type: 'api_key',
    permission: 'subscription.status.set',
    bucket: 'subscription_status_set',
  },
  body: StatusSetV2Body,
  success: { status: 201, description: 'Applied', schema: Success },
  handler: async (c, { body }) => {
    const requests: SetRequest[] = [];
    for (const [i, g] of body.subscription_groups.entries()) {
      requests.push(
        await checked(
          c,
          {
            groupId: g.subscription_group_id,
            state: g.subscription_state,
            externalIds: g.external_ids ?? [],
            emails: g.emails ?? [],
            phones: g.phones ?? [],
          },
          `subscription_groups.${i}: `,
        ),
      );
    }
    await apply(c, requests);
    return c.json({ message: 'success' }, 201);
  },
});

const Label = { subscribed: 'Subscribed', unsubscribed: 'Unsubscribed' } as const;

function bindings(c: Ctx): ProfileBindings {
  return { profiles: c.env.USER_PROFILE, directory: c.env.IDENTITY_INDEX };
}

/** The states of the profile an email or phone addresses (Braze's write rule picks one). */
async function statesBySharedId(
  c: Ctx,
  kind: 'email' | 'phone',
  value: string,
  now: number,
): Promise<Record<string, string> | null> {
  const workspaceId = c.get('caller').workspace.id;
  const profileId = pickForWrite(
    await profilesWith(bindings(c), { workspaceId, kind, value, now }),
  );
  if (profileId === null) return null;
  return groupStatesOf(bindings(c), { workspaceId, profileId, addressedBy: null, now });
}

export const statusGetRoute = defineRoute({
  method: 'get',
  path: '/subscription/status/get',
  tag: TAG,
  summary: "Users' states in one subscription group",
  description:
    'By `external_id` (up to 50; when given, the only look-up), or by `email` or `phone`, not ' +
    'both. Each value maps to `Subscribed`, `Unsubscribed` or `Unknown`.',
  auth: { type: 'api_key', permission: 'subscription.status.get', bucket: 'default' },
  query: z.object({
    subscription_group_id: GroupId,
    external_id: oneOrMany('external_id').optional(),
    email: oneOrMany('email').optional(),
    phone: oneOrMany('phone').optional(),
  }),
  success: {
    status: 200,
    description: 'The states',
    schema: z.object({ status: z.record(z.string(), z.string()), message: z.string() }),
  },
  handler: async (c, { query }) => {
    const workspaceId = c.get('caller').workspace.id;
    const now = Date.now();
    const groupId = query.subscription_group_id;
    const status: Record<string, string> = {};
    const label = (states: Record<string, string> | null) => {
      const s = states?.[groupId];
      return s === 'subscribed' || s === 'unsubscribed' ? Label[s] : 'Unknown';
    };
    if (query.external_id) {
      await Promise.all(
        query.external_id.map(async (externalId) => {
          status[externalId] = label(
            await groupStatesByExternalId(bindings(c), { workspaceId, externalId, now }),
          );
        }),
      );
    } else {
      if (query.email && query.phone) throw badRequest(BOTH);
      const kind = query.email ? 'email' : 'phone';
      const values = query.email ?? query.phone;
      if (!values) throw badRequest('external_id, email or phone is required');
      await Promise.all(
        values.map(async (v) => {
          status[v] = label(await statesBySharedId(c, kind, v, now));
        }),
      );
    }
    return c.json({ status, message: 'success' });
  },
});

export const userStatusRoute = defineRoute({
  method: 'get',
  path: '/subscription/user/status',
  tag: TAG,
  summary: "The subscription groups a user's state was ever set in",
  description:
    'By `external_id` (up to 50), `email` or `phone`; `limit` (default and most 100) and ' +
    '`offset` page the list. With more than one user, each entry also names its `external_id`.',
  auth: { type: 'api_key', permission: 'subscription.groups.get', bucket: 'default' },
  query: z.object({
    external_id: oneOrMany('external_id').optional(),
    email: oneOrMany('email').optional(),
    phone: oneOrMany('phone').optional(),
    limit: z.coerce
      .number({ error: 'limit must be a number' })
      .int('limit must be an integer')
      .min(1, 'limit must be at least 1')
      .max(100, 'limit may be at most 100')
      .default(100),
    offset: z.coerce
      .number({ error: 'offset must be a number' })
      .int('offset must be an integer')
      .min(0, 'offset must not be negative')
      .default(0),
  }),
  success: {
    status: 200,
    description: "The user's groups",
    schema: z.object({
      success: z.boolean(),
      subscription_groups: z.array(
        z.object({ subscription_group_id: z.string(), subscription_status: z.string() }),
      ),
    }),
  },
  handler: async (c, { query }) => {
    const workspaceId = c.get('caller').workspace.id;
    const now = Date.now();
    const entries: {
      subscription_group_id: string;
      subscription_status: string;
      external_id?: string;
    }[] = [];
    if (query.external_id) {
      const many = query.external_id.length > 1;
      const states = await Promise.all(
        query.external_id.map((externalId) =>
          groupStatesByExternalId(bindings(c), { workspaceId, externalId, now }),
        ),
      );
      states.forEach((s, i) => {
        for (const [groupId, state] of Object.entries(s ?? {}).sort()) {
          entries.push({
            subscription_group_id: groupId,
            subscription_status: state,
            ...(many ? { external_id: query.external_id![i] } : {}),
          });
        }
      });
    } else {
      if (query.email && query.phone) throw badRequest(BOTH);
      const kind = query.email ? 'email' : 'phone';
      const value = (query.email ?? query.phone)?.[0];
      if (value === undefined) throw badRequest('external_id, email or phone is required');
      const s = await statesBySharedId(c, kind, value, now);
      for (const [groupId, state] of Object.entries(s ?? {}).sort()) {
        entries.push({ subscription_group_id: groupId, subscription_status: state });
      }
    }
    return c.json({
      success: true,
      subscription_groups: entries.slice(query.offset, query.offset + query.limit),
    });
  },
});
