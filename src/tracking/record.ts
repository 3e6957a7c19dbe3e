import { profileStub } from '../lib/stubs';
import type { EngagementInput, EngagementResult } from '../profiles/engagement';
import type { TrackedMessage } from './token';

/**
 * Record engagement for the user a verified tracking token names. A profile merged into another
 * since the send is followed (once per hop, at most a few); a deleted profile records nothing.
 */
export async function recordTracked(
  env: { USER_PROFILE: Env['USER_PROFILE'] },
  tracked: TrackedMessage,
  engagement: Omit<EngagementInput, 'message'>,
): Promise<EngagementResult | { status: 'gone' }> {
  const message = {
    channel: tracked.channel,
    dispatchId: tracked.dispatchId,
    sendId: tracked.sendId,
    campaignId: tracked.campaignId,
    variantId: tracked.variantId,
  };
  let profileId = tracked.profileId;
  for (let hop = 0; hop < 4; hop++) {
    const answer = await profileStub(
      env.USER_PROFILE,
      tracked.workspaceId,
      profileId,
    ).recordEngagement({
      workspaceId: tracked.workspaceId,
      profileId,
      addressedBy: null,
      now: Date.now(),
      engagement: { ...engagement, message },
    });
    if (answer.status === 'merged') {
      profileId = answer.into;
      continue;
    }
    if (answer.status === 'recorded' || answer.status === 'duplicate') return answer;
    return { status: 'gone' };
  }
  return { status: 'gone' };
}
