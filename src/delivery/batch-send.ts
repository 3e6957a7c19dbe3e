import { log } from '../lib/log';
import type { Recipient } from '../personalization/scope';
import { sendKey } from '../profiles/sends';
import type { Workspace } from '../workspaces/store';
import { type BatchState, claimMembers, finishBatch } from './batch-ledger';
import type { Channel } from './channels';
import {
  type ChannelOutcome,
  controlsFor,
  countStat,
  retryBase,
  retryDelaySeconds,
  type SendContext,
  sendOne,
  statStatements,
} from './consumer';
import {
  addDeadLetter,
  type Dispatch,
  type DispatchLedger,
  dispatchChannels,
} from './dispatch-store';
import {
  audienceCondition,
  GROUP_READERS,
  recipientFromIndex,
  UNINDEXED_STANDARD,
} from './index-recipients';
import {
  type DeliverMessage,
  type QueuedRecipient,
  RECIPIENTS_PER_MESSAGE,
  type SendDone,
} from './queue';

/**
 * The batched send path. A deliver message's recipients (100 from an audience page) cost one D1
 * read (their profile index rows, filtered by the dispatch's audience: the re-check and the data
 * Liquid renders from), one D1 claim statement (`delivery_claims`, exactly once per dispatch,
 * profile and channel), the channel calls, one queue call of `record` messages (50 sends each)
 * and one D1 batch of outcomes. No profile object is
 * called while sending: each user's own record of the send (ledger row, received engagement,
 * `message.event`) is written back afterwards by the `record` message (write-back.ts).
 *
 * Dispatches that need a profile's private state at send time keep the per-profile path; see
 * `ledgerChoice`.
 */

/** Recipients rendered and sent at once within one deliver message. */
const CONCURRENCY = 16;

/**
 * Which ledger a dispatch should use, decided once from the dispatch and its workspace. The
 * batched path serves webhook-only sends with one variant to profiles named by the index, when
 * no control needs the profile's history or clock: no control group or variant assignment, no
 * re-eligibility, frequency caps off (or none defined), no quiet hours, local time, trigger delay
 * or exception events, and templates that read only indexed attributes.
 */
export function ledgerChoice(
  dispatch: Dispatch,
  workspace: Workspace,
  m: DeliverMessage,
): DispatchLedger {
  const channels = dispatchChannels(dispatch.messages);
  if (channels.length !== 1 || channels[0] !== 'webhook') return 'profile';
  const { messages, controls: c } = dispatch;
  if (messages.variants.length !== 1) return 'profile';
  if (messages.control && dispatch.campaignId !== null) return 'profile';
  if (
    c.reeligible_after_seconds !== undefined ||
    c.quiet_hours ||
    c.trigger ||
    c.local_time ||
    c.transactional
  ) {
    return 'profile';
  }
  const first = m.recipients[0]!;
  if ((controlsFor(dispatch, workspace, 'webhook', first).frequencyCaps ?? []).length > 0) {
    return 'profile';
  }
  if (m.recipients.some((r) => r.profile_id === undefined || r.trigger_id !== undefined)) {
    return 'profile';
  }
  const template = JSON.stringify(messages.variants[0]!.messages.webhook ?? {});
  if (UNINDEXED_STANDARD.some((name) => template.includes(name))) return 'profile';
  return 'batch';
}

type Finished = Exclude<BatchState, 'claimed'>;

/** Deliver one message's recipients on the batched path. */
export async function deliverBatched(
  ctx: SendContext,
  m: DeliverMessage,
  now: number,
): Promise<void> {
  const { env, dispatch } = ctx;
  const byProfile = new Map<string, QueuedRecipient>();
  for (const r of m.recipients) {
    if (r.profile_id !== undefined) byProfile.set(r.profile_id, r);
    else {
      log('warn', 'batched dispatch recipient without a profile id dropped', {
        dispatch_id: dispatch.id,
      });
      ctx.tally.skipped++;
    }
  }
  const template = JSON.stringify(dispatch.messages.variants[0]!.messages[ctx.channel] ?? {});
  const claim = await claimMembers(env.DB, {
    workspaceId: dispatch.workspaceId,
    dispatchId: dispatch.id,
    channel: ctx.channel,
    attempt: ctx.attempt,
    profileIds: [...byProfile.keys()],
    audience: await audienceCondition(env.DB, {
      workspaceId: dispatch.workspaceId,
      audience: dispatch.audience,
      now,
    }),
    withGroups: GROUP_READERS.some((name) => template.includes(name)),
    now,
  });
  const members = new Map(claim.rows.map((row) => [row.profile_id, recipientFromIndex(row)]));
  // Not in the audience now, deleted, or never indexed (no claim row was made), or settled
  // before: not sent, as the profile path skips them.
  ctx.tally.skipped += byProfile.size - claim.claimed.length - claim.inFlight.length;
  if (claim.inFlight.length > 0) {
    const wait = Math.max(...claim.inFlight.map((f) => f.retryAfterMs));
    await env.DELIVERY_QUEUE.send(
      { ...m, recipients: claim.inFlight.map((f) => byProfile.get(f.profileId)!) },
      { delaySeconds: Math.ceil(wait / 1_000) },
    );
    ctx.tally.retried += claim.inFlight.length;
  }
  if (claim.claimed.length === 0) return;
  const variant = dispatch.messages.variants[0]!;
  const message = variant.messages[ctx.channel] as { message_variation_id?: string } | undefined;
  const variation = message?.message_variation_id ?? variant.id ?? undefined;
  const done: SendDone[] = [];
  const states = new Map<Finished, string[]>();
  const settle = (profileId: string, state: Finished) => {
    const list = states.get(state);
    if (list) list.push(profileId);
    else states.set(state, [profileId]);
  };
  let next = 0;
  const worker = async () => {
    while (next < claim.claimed.length) {
      const profileId = claim.claimed[next++]!;
      const r = byProfile.get(profileId)!;
      const outcome = await sendBatchedOne(ctx, {
        message,
        r,
        recipient: members.get(profileId)!,
        profileId,
        variantId: variant.id,
        now,
      });
      const state = await afterSend(ctx, { outcome, r, profileId });
      settle(profileId, state);
      if (state === 'retry_wait') {
        ctx.tally.retried++;
        continue;
      }
      ctx.tally[state]++;
      done.push({
        profile_id: profileId,
        result: state,
        attempt: ctx.attempt,
        at: Date.now(),
        ...(outcome.reason !== undefined ? { reason: outcome.reason } : {}),
        ...(outcome.status !== undefined ? { status: outcome.status } : {}),
        ...(outcome.messageExtras ? { extras: outcome.messageExtras } : {}),
        ...(outcome.detail ? { detail: outcome.detail } : {}),
      });
    }
  };
  await Promise.all(Array.from({ length: Math.min(CONCURRENCY, claim.claimed.length) }, worker));
  const sent = states.get('sent')?.length ?? 0;
  countStat(ctx, 'sent', variation, sent);
  countStat(ctx, 'unique_recipients', undefined, sent);
  countStat(ctx, 'errors', variation, states.get('failed')?.length ?? 0);
  // The write-back is queued before the claims are finished: a final state in D1 means its
  // record is on its way, so a redelivered message never has to rebuild one.
  if (done.length > 0) {
    // At most 50 sends per record message, as when deliver messages held 50: a send's extras
    // and details are per recipient, and the queue takes 128 KB per message.
    const delaySeconds = writeBackDelay(env.HERALD_WRITE_BACK_DELAY_SECONDS);
    const records = [];
    for (let i = 0; i < done.length; i += RECIPIENTS_PER_MESSAGE) {
      records.push({
        body: {
          v: 1 as const,
          type: 'record' as const,
          workspace_id: dispatch.workspaceId,
          dispatch_id: dispatch.id,
          channel: ctx.channel,
          sends: done.slice(i, i + RECIPIENTS_PER_MESSAGE),
        },
        delaySeconds,
      });
    }
    await env.SEND_RECORDS_QUEUE.sendBatch(records);
  }
  const finish = {
    dispatchId: dispatch.id,
    channel: ctx.channel,
    attempt: ctx.attempt,
    now: Date.now(),
    states,
  };
  try {
    await finishBatch(env.DB, { ...finish, also: statStatements(ctx, now) });
  } catch (err) {
    // Statistics are best effort; the final states are what stop a second send.
    log('warn', 'campaign statistics not recorded', { error: String(err) });
    await withRetries(() => finishBatch(env.DB, finish));
  }
}

async function sendBatchedOne(
  ctx: SendContext,
  input: {
    message: unknown;
    r: QueuedRecipient;
    recipient: Recipient;
    profileId: string;
    variantId: string | null;
    now: number;
  },
): Promise<ChannelOutcome> {
  if (!input.message) {
    return { result: 'aborted', reason: `the variant has no ${ctx.channel} message` };
  }
  const key = sendKey({
    dispatchId: ctx.dispatch.id,
    profileId: input.profileId,
    variantId: input.variantId,
    channel: ctx.channel,
  });
  try {
    return await sendOne(
      ctx,
      input.message,
      input.r,
      { status: 'claimed', recipient: input.recipient, key, variantId: input.variantId },
      input.profileId,
      input.now,
    );
  } catch (err) {
    // Rendering or the sender broke for this recipient: retried like a failed call.
    return { result: 'retry', status: null, reason: String(err), retryAfterMs: null };
  }
}

/** A retry is queued or, after the last attempt, the send fails into the dead letters. */
async function afterSend(
  ctx: SendContext,
  input: { outcome: ChannelOutcome; r: QueuedRecipient; profileId: string },
): Promise<Finished> {
  const { outcome, profileId } = input;
  if (outcome.result !== 'retry') return outcome.result;
  const { env, dispatch } = ctx;
  if (ctx.attempt >= ctx.sender.maxAttempts) {
    outcome.reason = `gave up after ${ctx.attempt} attempts: ${outcome.reason ?? ''}`;
    await addDeadLetter(env.DB, {
      id: crypto.randomUUID(),
      workspaceId: dispatch.workspaceId,
      dispatchId: dispatch.id,
      channel: ctx.channel as Channel,
      recipient: { ...input.r, profile_id: profileId },
      reason: outcome.reason,
      status: outcome.status ?? null,
      attempts: ctx.attempt,
      failedAt: Date.now(),
    });
    return 'failed';
  }
  const delay = retryDelaySeconds(retryBase(env), ctx.attempt, outcome.retryAfterMs ?? null);
  await env.DELIVERY_QUEUE.send(
    {
      v: 1,
      type: 'deliver',
      workspace_id: dispatch.workspaceId,
      dispatch_id: dispatch.id,
      channel: ctx.channel,
      attempt: ctx.attempt + 1,
      recipients: [input.r],
    },
    { delaySeconds: delay },
  );
  return 'retry_wait';
}

/** The write-back's delay: the setting, 0 to 43,200 seconds (the queue's longest delay). */
export function writeBackDelay(setting: string | undefined): number {
  const n = Number(setting ?? '60');
  return Number.isFinite(n) ? Math.min(43_200, Math.max(0, Math.round(n))) : 60;
}

async function withRetries(fn: () => Promise<void>): Promise<void> {
  for (let i = 0; ; i++) {
    try {
      return await fn();
    } catch (err) {
      if (i >= 2) throw err;
      await new Promise((resolve) => setTimeout(resolve, 100 * 2 ** i));
    }
  }
}
