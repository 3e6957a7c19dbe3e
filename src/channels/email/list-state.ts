import { profileStub } from '../../lib/stubs';
import type { EngagementResult } from '../../profiles/engagement';
import { recordTracked } from '../../tracking/record';
import type { TrackedMessage } from '../../tracking/token';
import { putAddressState, removeAddressStates } from './address-store';

/**
 * A recipient's email subscription changed through a message (an unsubscribe link, a one-click
 * List-Unsubscribe POST, a provider's unsubscribe event): `email_subscribe` set on the profile
 * as /users/track would, an `unsubscribe` (or `subscribe`) engagement recorded, and the address
 * kept in (or taken off) the unsubscribe list `/email/unsubscribes` reads.
 */

export type EmailState = 'unsubscribed' | 'subscribed' | 'opted_in';

export async function applyEmailState(
  env: { DB: D1Database; USER_PROFILE: Env['USER_PROFILE'] },
  tracked: TrackedMessage,
  input: {
    state: EmailState;
    eventId: string;
    at: number;
    /** The address, when the caller knows it (a webhook); else read from the profile. */
    address?: string | null;
    detail?: Record<string, string | boolean>;
  },
): Promise<EngagementResult | { status: 'gone' }> {
  const unsubscribe = input.state === 'unsubscribed';
  const answer = await recordTracked(env, tracked, {
    event: unsubscribe ? 'unsubscribe' : 'subscribe',
    eventId: input.eventId,
    at: input.at,
    ...(input.detail ? { detail: input.detail } : {}),
    profileUpdate: { standard: { email_subscribe: input.state } },
  });
  if (answer.status !== 'recorded') return answer;
  const address = input.address ?? (await addressOf(env, tracked));
  if (address) {
    if (unsubscribe) {
      await putAddressState(env.DB, {
        workspaceId: tracked.workspaceId,
        address,
        kind: 'unsubscribe',
        reason: typeof input.detail?.source === 'string' ? input.detail.source : null,
        profileId: tracked.profileId,
        at: input.at,
      });
    } else {
      await removeAddressStates(env.DB, {
        workspaceId: tracked.workspaceId,
        kind: 'unsubscribe',
        addresses: [address],
      });
    }
  }
  return answer;
}

/** The profile's current email address, or null (merged away, deleted, none). */
async function addressOf(
  env: { USER_PROFILE: Env['USER_PROFILE'] },
  tracked: TrackedMessage,
): Promise<string | null> {
  const answer = await profileStub(
    env.USER_PROFILE,
    tracked.workspaceId,
    tracked.profileId,
  ).recipient({
    workspaceId: tracked.workspaceId,
    profileId: tracked.profileId,
    addressedBy: null,
    now: Date.now(),
  });
  if (answer.status !== 'ok') return null;
  const email = answer.recipient.standard.email;
  return typeof email === 'string' && email !== '' ? email : null;
}
