import { recordCardInteraction } from '../channels/cards/feed';
import { recordInAppInteraction } from '../channels/in-app/display';
import { cachedFlags } from '../flags/store';
import type { Json } from '../ingestion/types';
import { profileStub } from '../lib/stubs';
import type { CardEventResult } from '../profiles/cards';
import type { InAppEventResult } from '../profiles/in-app';
import type { Addressed, Miss } from '../profiles/rpc';
import { withProfile } from '../users/locate';
import { identifierOf, type SdkUser } from './batch';
import type { Interaction } from './interactions';

/**
 * Apply what a device reported about cards, in-app messages and flags to the user's profile, as
 * engagement (statistics, segments' message-engagement filters, `message.event` change records,
 * Currents). Answers null when recorded (or recorded before), else the item's error.
 */
export async function applyInteraction(
  env: Pick<Env, 'DB' | 'USER_PROFILE' | 'IDENTITY_INDEX'>,
  input: {
    workspaceId: string;
    appId: string;
    user: SdkUser;
    interaction: Interaction;
    /** Known to the SDK, passed to Currents. */
    device: { sdkVersion?: string; deviceId?: string };
    now: number;
  },
): Promise<string | null> {
  const { workspaceId, interaction: it } = input;
  if (it.kind === 'flag') {
    const flags = await cachedFlags(env.DB, workspaceId, input.now);
    if (!flags.some((f) => f.id === it.flagId)) return 'flag_id: no such feature flag';
  }
  // Named as Currents names them: the card, in-app message and flag events read these.
  const reporter: Record<string, Json> = { app_id: input.appId };
  if (input.device.sdkVersion) reporter.sdk_version = input.device.sdkVersion;
  if (input.device.deviceId) reporter.device_id = input.device.deviceId;
  const id = identifierOf(input.user);
  const b = { profiles: env.USER_PROFILE, directory: env.IDENTITY_INDEX };
  type Answer = Miss | CardEventResult | InAppEventResult;
  const answer = await withProfile(
    b,
    { workspaceId, id, now: input.now },
    (profileId): Promise<Answer> => {
      const req: Addressed = { workspaceId, profileId, addressedBy: id, now: input.now };
      switch (it.kind) {
        case 'card':
          return recordCardInteraction(env, {
            ...req,
            cardId: it.cardId,
            event: it.event,
            eventId: it.eventId,
            detail: reporter,
          });
        case 'iam':
          return recordInAppInteraction(env, {
            ...req,
            id: it.messageId,
            event: it.event,
            eventId: it.eventId,
            detail: reporter,
            ...(it.buttonIndex !== undefined ? { buttonIndex: it.buttonIndex } : {}),
          });
        case 'flag': {
          return profileStub(env.USER_PROFILE, workspaceId, profileId).recordEngagement({
            ...req,
            engagement: {
              event: 'impression',
              eventId: it.eventId,
              at: it.at,
              message: {
                channel: 'feature_flag',
                dispatchId: `flag:${it.flagId}`,
                sendId: null,
                campaignId: null,
                variantId: null,
              },
              detail: { ...reporter, feature_flag_id_name: it.flagId },
            },
          });
        }
      }
    },
  );
  switch (answer.status) {
    case 'not_found':
      return 'user: no such user (send a batch with the user first)';
    case 'card_not_found':
      return 'card_id: no such card';
    case 'not_dismissible':
      return 'card_id: pinned cards cannot be dismissed';
    case 'message_not_found':
      return 'message_id: no such in-app message';
    default:
      return null;
  }
}
