import { log } from '../../lib/log';
import { recordTracked } from '../../tracking/record';
import { verifyToken } from '../../tracking/token';
import { putAddressState } from './address-store';
import { applyEmailState } from './list-state';
import type { ProviderEvent } from './webhook-events';

/**
 * Apply verified provider events to the workspace: engagement in the profile the send's token
 * names, hard bounces and spam reports in the address lists. Each event stands alone: one that
 * fails is counted and logged, and the rest of the batch still applies.
 */

export interface ApplyTally {
  applied: number;
  duplicates: number;
  /** No valid token for this workspace (not a Herald send, or forged): only address lists. */
  untracked: number;
  failed: number;
}

type Bindings = { DB: D1Database; USER_PROFILE: Env['USER_PROFILE'] };

async function applyOne(env: Bindings, workspaceId: string, e: ProviderEvent, tally: ApplyTally) {
  const tracked = e.token ? await verifyToken(env.DB, e.token) : null;
  const mine = tracked !== null && tracked.workspaceId === workspaceId;
  const profileId = mine ? tracked.profileId : null;
  if (e.address && (e.hard || e.event === 'spam')) {
    await putAddressState(env.DB, {
      workspaceId,
      address: e.address,
      kind: e.hard ? 'hard_bounce' : 'spam',
      reason: e.reason ?? null,
      profileId,
      at: e.at,
    });
  }
  if (!mine) {
    tally.untracked++;
    return;
  }
  let answer: { status: string };
  if (e.event === 'unsubscribe' || e.event === 'spam') {
    // A spam report unsubscribes the user and marks the address (contract messaging §5.1).
    answer =
      e.event === 'spam'
        ? await recordTracked(env, tracked, {
            event: 'spam',
            eventId: e.eventId,
            at: e.at,
            detail: e.detail,
            profileUpdate: {
              standard: {
                email_subscribe: 'unsubscribed',
                marked_email_as_spam_at: new Date(e.at).toISOString(),
              },
            },
          })
        : await applyEmailState(env, tracked, {
            state: 'unsubscribed',
            eventId: e.eventId,
            at: e.at,
            address: e.address,
            detail: { source: String(e.detail.esp ?? 'provider') },
          });
    if (e.event === 'spam' && answer.status === 'recorded' && e.address) {
      await putAddressState(env.DB, {
        workspaceId,
        address: e.address,
        kind: 'unsubscribe',
        reason: 'spam',
        profileId,
        at: e.at,
      });
    }
  } else {
    answer = await recordTracked(env, tracked, {
      event: e.event,
      eventId: e.eventId,
      at: e.at,
      detail: e.detail,
      ...(e.url ? { url: e.url } : {}),
      ...(e.reason ? { reason: e.reason } : {}),
    });
  }
  if (answer.status === 'duplicate') tally.duplicates++;
  else tally.applied++;
}

/** Apply a batch of one workspace's provider events. */
export async function applyProviderEvents(
  env: Bindings,
  workspaceId: string,
  events: ProviderEvent[],
): Promise<ApplyTally> {
  const tally: ApplyTally = { applied: 0, duplicates: 0, untracked: 0, failed: 0 };
  for (const e of events) {
    try {
      await applyOne(env, workspaceId, e, tally);
    } catch (err) {
      tally.failed++;
      log('warn', 'email provider event not applied', {
        workspace_id: workspaceId,
        event: e.event,
        error: String(err),
      });
    }
  }
  return tally;
}
