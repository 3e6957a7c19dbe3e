import { sendChanges } from '../changes/producer';
import type { ChangeBatch } from '../changes/records';
import { log } from '../lib/log';
import { profileStub } from '../lib/stubs';
import type { SendRecord } from '../profiles/send-records';
import { markRecorded } from './batch-ledger';
import type { Channel } from './channels';
import { type Dispatch, getDispatch } from './dispatch-store';
import type { DeliveryMessage, SendDone } from './queue';

/**
 * The batched path's deferred write-back: a `record` message carries one deliver message's
 * finished sends, and each user's profile records its own (ledger row, received engagement,
 * `message.event`; src/profiles/send-records.ts). The profiles hand their change records back
 * and this sends them all in one queue call, as /users/track does. Profiles de-duplicate by the
 * ledger key, so a redelivered `record` message records nothing twice; a profile that failed
 * makes the queue retry the message.
 */

type RecordMessage = Extract<DeliveryMessage, { type: 'record' }>;

/** What a profile is told about one send (the dispatch's fields are the same for all). */
export function sendRecord(dispatch: Dispatch, channel: Channel, s: SendDone): SendRecord {
  const c = dispatch.controls;
  const variant = dispatch.messages.variants[0]!;
  return {
    dispatchId: dispatch.id,
    sendId: dispatch.sendId,
    campaignId: dispatch.campaignId,
    variantId: variant.id,
    channel,
    attempt: s.attempt,
    result: s.result,
    at: s.at,
    ...(s.reason !== undefined ? { reason: s.reason } : {}),
    ...(s.status !== undefined ? { status: s.status } : {}),
    ...(s.extras ? { messageExtras: s.extras } : {}),
    ...(s.detail ? { detail: s.detail } : {}),
    tags: c.tags ?? [],
    countsTowardCaps: c.counts_toward_caps ?? c.override_frequency_capping !== true,
    ...(c.conversions ? { conversions: c.conversions } : {}),
  };
}

/** Record a `record` message's sends in their profiles; throws when some must be tried again. */
export async function writeBack(
  env: {
    DB: D1Database;
    USER_PROFILE: Env['USER_PROFILE'];
    CHANGES_QUEUE: Env['CHANGES_QUEUE'];
  },
  m: RecordMessage,
): Promise<void> {
  const dispatch = await getDispatch(env.DB, m.workspace_id, m.dispatch_id);
  if (!dispatch) {
    log('error', 'write-back for an unknown dispatch dropped', { dispatch_id: m.dispatch_id });
    return;
  }
  const byProfile = new Map<string, SendRecord[]>();
  for (const s of m.sends) {
    const list = byProfile.get(s.profile_id) ?? [];
    list.push(sendRecord(dispatch, m.channel, s));
    byProfile.set(s.profile_id, list);
  }
  const now = Date.now();
  const recorded: string[] = [];
  const batches: ChangeBatch[] = [];
  let failed = 0;
  await Promise.all(
    [...byProfile].map(async ([profileId, records]) => {
      try {
        const answer = await profileStub(env.USER_PROFILE, m.workspace_id, profileId).recordSends({
          workspaceId: m.workspace_id,
          profileId,
          addressedBy: null,
          now,
          records,
        });
        // A deleted or merged profile has nothing to record: settled all the same.
        if (answer.status === 'ok' && answer.handoff) batches.push(...answer.handoff.batches);
        recorded.push(profileId);
      } catch (err) {
        failed++;
        log('warn', 'send write-back failed; retried', {
          profile_id: profileId,
          error: String(err),
        });
      }
    }),
  );
  if (batches.length > 0) {
    // On failure each profile's alarm delivers its own records: at least once, never lost.
    await sendChanges(env.CHANGES_QUEUE, batches).catch((err) =>
      log('warn', 'change delivery left to profiles', { error: String(err) }),
    );
  }
  await markRecorded(env.DB, {
    dispatchId: m.dispatch_id,
    channel: m.channel,
    profileIds: recorded,
  });
  if (failed > 0) throw new Error(`${failed} of ${byProfile.size} write-backs failed`);
}
