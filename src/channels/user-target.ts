import { z } from 'zod';
import { ApiError } from '../http/errors';
import type { Identifier } from '../ingestion/types';
import type { Addressed, Miss } from '../profiles/rpc';
import { withProfile } from '../users/locate';

/**
 * How the admin routes for a user's Content Cards and in-app messages name the user: exactly one
 * of `external_id` or `braze_id` (the SDK endpoints will name the user by their own session).
 */
export const UserTarget = {
  external_id: z.string({ error: 'external_id must be a string' }).min(1).max(987).optional(),
  braze_id: z.string({ error: 'braze_id must be a string' }).min(1).max(128).optional(),
};
export const oneUser = {
  check: (q: { external_id?: string; braze_id?: string }) =>
    (q.external_id === undefined) !== (q.braze_id === undefined),
  message: 'Give exactly one of external_id or braze_id',
};

/** Run `call` on the user's profile; 404 `User not found` when there is none. */
export async function onUser<T extends { status: string }>(
  env: { USER_PROFILE: Env['USER_PROFILE']; IDENTITY_INDEX: Env['IDENTITY_INDEX'] },
  input: { workspaceId: string; target: { external_id?: string; braze_id?: string } },
  call: (req: Addressed) => Promise<T | Miss>,
): Promise<Exclude<T, Miss>> {
  const id: Identifier = input.target.external_id
    ? { kind: 'external_id', value: input.target.external_id }
    : { kind: 'braze_id', value: input.target.braze_id ?? '' };
  const now = Date.now();
  const answer = await withProfile(
    { profiles: env.USER_PROFILE, directory: env.IDENTITY_INDEX },
    { workspaceId: input.workspaceId, id, now },
    (profileId) =>
      call({
        workspaceId: input.workspaceId,
        profileId,
        addressedBy: id.kind === 'braze_id' ? null : id,
        now,
      }),
  );
  if (answer.status === 'not_found') throw new ApiError(404, 'User not found');
  return answer as Exclude<T, Miss>;
}
