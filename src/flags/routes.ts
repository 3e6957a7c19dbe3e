import { z } from 'zod';
import { oneUser, UserTarget } from '../channels/user-target';
import type { Ctx } from '../http/context';
import { ApiError, badRequest } from '../http/errors';
import { defineRoute } from '../http/route';
import type { Identifier } from '../ingestion/types';
import { sha256Hex } from '../lib/hash';
import { profileStub } from '../lib/stubs';
import { getSegment } from '../segments/store';
import { withProfile } from '../users/locate';
import type { EvaluatedFlag } from './evaluate';
import { FlagInput, MAX_ACTIVE_FLAGS } from './model';
import {
  cachedFlags,
  type Flag,
  type FlagWrite,
  getFlag,
  listFlags,
  saveFlag,
  setFlagArchived,
} from './store';

/**
 * Feature flag management for the admin site (messaging spec §7, docs/feature-flags.md), and a
 * user's flags as the SDK will receive them.
 */

const TAG = 'Feature flags';
const READ = {
  type: 'api_key',
  permission: 'herald.feature_flags.read',
  bucket: 'default',
} as const;
const WRITE = {
  type: 'api_key',
  permission: 'herald.feature_flags.write',
  bucket: 'default',
} as const;

const iso = (ms: number) => new Date(ms).toISOString();

function flagOut(f: Flag) {
  return {
    id: f.id,
    name: f.name,
    description: f.description,
    properties: f.properties,
    rules: f.rules.map((r) => ({ segment_id: r.segmentId, rollout_percentage: r.rollout })),
    everyone_else: { enabled: f.everyoneElse.enabled, rollout_percentage: f.everyoneElse.rollout },
    archived: f.archived,
    created_at: iso(f.createdAt),
    updated_at: iso(f.updatedAt),
  };
}

const FlagOut = z
  .object({ message: z.string(), id: z.string(), name: z.string(), archived: z.boolean() })
  .passthrough();

function saved(result: FlagWrite, id: string): Flag {
  switch (result.type) {
    case 'saved':
      return result.flag;
    case 'exists':
      throw badRequest(`Feature flag ${id} already exists`);
    case 'not_found':
      throw new ApiError(404, `Feature flag ${id} not found`);
    case 'archived':
      throw badRequest(`Feature flag ${id} is archived: unarchive it first`);
    case 'too_many_active':
      throw badRequest(`A workspace can have at most ${MAX_ACTIVE_FLAGS} active feature flags`);
  }
}

/** Rules must name segments of this workspace. */
async function checkSegments(c: Ctx, flag: FlagInput): Promise<void> {
  const workspaceId = c.get('caller').workspace.id;
  for (const [i, rule] of flag.rules.entries()) {
    const segment = await getSegment(c.env.DB, workspaceId, rule.segment_id);
    if (!segment) throw badRequest(`rules.${i}.segment_id: segment ${rule.segment_id} not found`);
  }
}

const flagId = (c: Ctx) => c.req.param('flag_id') ?? '';

export const createFlagRoute = defineRoute({
  method: 'post',
  path: '/herald/feature_flags',
  tag: TAG,
  summary: 'Create a feature flag',
  description:
    'Typed properties (string, number, boolean, image, timestamp, jsonobject; ≤ 10 KB in all), ' +
    'rollout rules evaluated top-down (a segment and a percentage each) and "Everyone Else". ' +
    `At most ${MAX_ACTIVE_FLAGS} active flags per workspace.`,
  auth: WRITE,
  body: FlagInput,
  success: { status: 201, description: 'The new flag', schema: FlagOut },
  handler: async (c, { body }) => {
    await checkSegments(c, body);
    const result = await saveFlag(c.env.DB, {
      workspaceId: c.get('caller').workspace.id,
      flag: body,
      replace: false,
      now: Date.now(),
    });
    return c.json({ message: 'success', ...flagOut(saved(result, body.id)) }, 201);
  },
});

export const updateFlagRoute = defineRoute({
  method: 'put',
  path: '/herald/feature_flags/{flag_id}',
  tag: TAG,
  summary: 'Replace a feature flag',
  description: 'The id is immutable: the body must name the flag of the path.',
  auth: WRITE,
  body: FlagInput,
  success: { status: 200, description: 'The flag', schema: FlagOut },
  handler: async (c, { body }) => {
    const id = flagId(c);
    if (body.id !== id) throw badRequest('id: a feature flag id cannot change');
    await checkSegments(c, body);
    const result = await saveFlag(c.env.DB, {
      workspaceId: c.get('caller').workspace.id,
      flag: body,
      replace: true,
      now: Date.now(),
    });
    return c.json({ message: 'success', ...flagOut(saved(result, id)) });
  },
});

export const getFlagRoute = defineRoute({
  method: 'get',
  path: '/herald/feature_flags/{flag_id}',
  tag: TAG,
  summary: 'Read a feature flag',
  auth: READ,
  success: { status: 200, description: 'The flag', schema: FlagOut },
  handler: async (c) => {
    const flag = await getFlag(c.env.DB, c.get('caller').workspace.id, flagId(c));
    if (!flag) throw new ApiError(404, `Feature flag ${flagId(c)} not found`);
    return c.json({ message: 'success', ...flagOut(flag) });
  },
});

export const listFlagsRoute = defineRoute({
  method: 'get',
  path: '/herald/feature_flags',
  tag: TAG,
  summary: "The workspace's feature flags, in id order",
  auth: READ,
  query: z.object({
    limit: z.coerce.number().int().min(1).max(500).default(100),
    offset: z.coerce.number().int().min(0).default(0),
  }),
  success: {
    status: 200,
    description: 'Flags',
    schema: z.object({ message: z.string(), feature_flags: z.array(z.unknown()) }),
  },
  handler: async (c, { query }) => {
    const flags = await listFlags(c.env.DB, c.get('caller').workspace.id, query);
    return c.json({ message: 'success', feature_flags: flags.map(flagOut) });
  },
});

function archiveRoute(archived: boolean) {
  return defineRoute({
    method: 'post',
    path: `/herald/feature_flags/{flag_id}/${archived ? 'archive' : 'unarchive'}`,
    tag: TAG,
    summary: archived
      ? 'Archive a feature flag (off for everyone; cannot be edited)'
      : 'Unarchive a feature flag',
    auth: WRITE,
    success: { status: 200, description: 'The flag', schema: FlagOut },
    handler: async (c) => {
      const flag = await setFlagArchived(c.env.DB, {
        workspaceId: c.get('caller').workspace.id,
        id: flagId(c),
        archived,
        now: Date.now(),
      });
      if (!flag) throw new ApiError(404, `Feature flag ${flagId(c)} not found`);
      return c.json({ message: 'success', ...flagOut(flag) });
    },
  });
}
export const archiveFlagRoute = archiveRoute(true);
export const unarchiveFlagRoute = archiveRoute(false);

/** A user's flags now; null when the user does not exist. */
export async function userFlags(
  env: Pick<Env, 'DB' | 'USER_PROFILE' | 'IDENTITY_INDEX'>,
  input: {
    workspace: { id: string; settings: { global_control_group: unknown } };
    id: Identifier;
  },
): Promise<EvaluatedFlag[] | null> {
  const workspaceId = input.workspace.id;
  const now = Date.now();
  const flags = await cachedFlags(env.DB, workspaceId, now);
  const b = { profiles: env.USER_PROFILE, directory: env.IDENTITY_INDEX };
  const answer = await withProfile(b, { workspaceId, id: input.id, now }, (profileId) =>
    profileStub(b.profiles, workspaceId, profileId).featureFlags({
      workspaceId,
      profileId,
      addressedBy: input.id.kind === 'braze_id' ? null : input.id,
      now,
      flags,
      globalControl: input.workspace.settings.global_control_group as never,
    }),
  );
  return answer.status === 'ok' ? answer.flags : null;
}

/** A strong validator of a flag list: an unchanged list answers 304 to a poll. */
export async function flagsEtag(flags: EvaluatedFlag[]): Promise<string> {
  return `"${(await sha256Hex(JSON.stringify(flags))).slice(0, 32)}"`;
}

export const userFlagsRoute = defineRoute({
  method: 'get',
  path: '/herald/users/feature_flags',
  tag: TAG,
  summary: "A user's feature flags right now (eligibility)",
  description:
    'Evaluated from the profile as it is now, as the SDK receives them: per flag `enabled`, ' +
    'the properties when on (empty when off) and the rule that decided. Sends an `ETag`; a ' +
    'request with a matching `If-None-Match` gets 304.',
  auth: READ,
  query: z.object(UserTarget).refine(oneUser.check, { message: oneUser.message }),
  success: {
    status: 200,
    description: 'Flags',
    schema: z.object({ message: z.string(), feature_flags: z.array(z.unknown()) }),
  },
  handler: async (c, { query }) => {
    const id: Identifier = query.external_id
      ? { kind: 'external_id', value: query.external_id }
      : { kind: 'braze_id', value: query.braze_id ?? '' };
    const flags = await userFlags(c.env, { workspace: c.get('caller').workspace, id });
    if (!flags) throw new ApiError(404, 'User not found');
    const etag = await flagsEtag(flags);
    c.header('ETag', etag);
    if (c.req.header('if-none-match') === etag) return c.body(null, 304);
    return c.json({ message: 'success', feature_flags: flags });
  },
});
