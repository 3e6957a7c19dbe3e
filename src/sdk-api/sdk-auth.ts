import type { Ctx } from '../http/context';
import { ApiError } from '../http/errors';
import { sdkAuthState } from './auth-store';
import { verifyJwt } from './jwt';

/**
 * SDK authentication on the `/sdk/v1` endpoints (docs/sdk-protocol.md): when an app requires it,
 * a request naming an identified user (an `external_id`) must carry `Authorization: Bearer <JWT>`
 * signed with one of the app's keys, whose `sub` is that external id. Anonymous users need no
 * token. Refusals are 401 in Braze's envelope, so the SDK asks the app for a fresh token and
 * retries with nothing lost.
 */

/**
 * The external id the request's token vouches for, or null when the app does not require
 * authentication or the request names no identified user. Throws 401 for a missing or bad token.
 */
export async function authenticatedUser(
  c: Ctx,
  input: { workspaceId: string; appId: string; namesExternalId: boolean },
): Promise<string | null> {
  if (!input.namesExternalId) return null;
  const now = Date.now();
  const state = await sdkAuthState(c.env.DB, { ...input, now });
  if (!state.required) return null;
  const header = c.req.header('authorization') ?? '';
  const m = header.match(/^Bearer\s+(\S+)$/i);
  if (!m?.[1])
    throw new ApiError(401, 'SDK authentication required: send Authorization: Bearer <token>');
  if (m[1].length > 8_192) throw new ApiError(401, 'Invalid SDK authentication token: malformed');
  const check = await verifyJwt(m[1], state.keys, now);
  if (!check.ok) throw new ApiError(401, `Invalid SDK authentication token: ${check.reason}`);
  return check.sub;
}

/** Refuse (401) a request for one identified user whose token names someone else. */
export async function requireUserToken(
  c: Ctx,
  input: { workspaceId: string; appId: string; externalId: string | null },
): Promise<void> {
  const sub = await authenticatedUser(c, { ...input, namesExternalId: input.externalId !== null });
  if (sub !== null && sub !== input.externalId) {
    throw new ApiError(401, 'Invalid SDK authentication token: issued for another user');
  }
}
