import {
  type AssignmentPlan,
  assignVariant,
  type PreviousAssignment,
} from '../campaigns/assignment';
import type { ConversionEvent } from '../campaigns/model';
import type { Channel } from '../delivery/channels';
import type { Json } from '../ingestion/types';
import type { Recipient } from '../personalization/scope';
import type { MessageSummary } from '../segments/summary';
import {
  checkEligibility,
  type GlobalControlGroup,
  inGlobalControlGroup,
  type SendControls,
} from './eligibility';
import type { ProfileStore } from './profile-store';
import { buildRecipient } from './recipient';

/**
 * The profile's send ledger: the delivery consumer claims a send here before it renders and
 * calls the channel, and reports the outcome afterwards. The claim key is
 * dispatch + user + variant + channel, so a redelivered queue message, a retried batch or a
 * duplicate API call finds the key taken and sends nothing. Outcomes feed the profile's message
 * engagement (the "received campaign X" filters, re-eligibility) and become change records.
 */

/**
 * How long a claim blocks a second claimer. Longer than one channel call can take (a webhook's
 * 90 s timeout plus Connected Content retries), so only a consumer that died mid-send loses it.
 */
export const CLAIM_LEASE_MS = 180_000;

/** Sends are remembered this long for de-duplication, then pruned. */
export const LEDGER_RETENTION_MS = 30 * 86_400_000;

export type SendState =
  | 'claimed'
  | 'retry_wait'
  | 'sent'
  | 'aborted'
  | 'failed'
  /** Not sent: a delivery control (re-eligibility, frequency cap, quiet hours, subscription). */
  | 'skipped'
  /** Held back: the user is in the campaign's control group. */
  | 'control';

const FINAL: ReadonlySet<SendState> = new Set(['sent', 'aborted', 'failed', 'skipped', 'control']);

export interface SendClaim {
  dispatchId: string;
  /**
   * What the send is unique by, when not the dispatch: an action-based send is one per trigger
   * event, so a redelivered change record never sends twice even in a new dispatch.
   */
  dedupeId?: string;
  sendId: string | null;
  campaignId: string | null;
  /** The variant when the sender fixed it (an API send's `message_variation_id`). */
  variantId: string | null;
  channel: Channel;
  /** 1 for the first try; each channel retry claims again with the next number. */
  attempt: number;
  /** Delivery controls checked on the first claim (src/profiles/eligibility.ts). */
  controls?: SendControls;
  /**
   * A campaign send: the profile assigns the variant or control group itself, because the rules
   * depend on its history with the campaign (contract §3.5.1, §3.6).
   */
  /** The campaign's conversion events, kept with the engagement once sent. */
  conversions?: ConversionEvent[];
  assignment?: {
    plan: AssignmentPlan;
    controlVariationId: string;
    /** The workspace's Global Control Group, when this campaign withholds it. */
    globalControl: GlobalControlGroup | null;
  };
}

/** The ledger key: one send per dispatch, user, variant and channel. */
export function sendKey(input: {
  dispatchId: string;
  profileId: string;
  variantId: string | null;
  channel: string;
}): string {
  return [input.dispatchId, input.profileId, input.variantId ?? '', input.channel].join('\n');
}

export type ClaimResult =
  | { status: 'claimed'; recipient: Recipient; key: string; variantId: string | null }
  /**
   * Already finished (or a newer attempt owns it): send nothing. `decided`: this claim made the
   * decision (a control group hold, a control saying no), as opposed to finding an old one.
   */
  | { status: 'done'; state: SendState; decided?: boolean; reason?: string }
  /** Another consumer holds a live claim: try again after the lease. */
  | { status: 'in_flight'; retryAfterMs: number }
  /** The user is not in the dispatch's audience at send time. */
  | { status: 'not_in_audience' }
  /** Quiet hours with "send when they end": claim again at `untilMs`. */
  | { status: 'deferred'; untilMs: number };

export interface SendOutcome {
  key: string;
  attempt: number;
  result: 'sent' | 'aborted' | 'failed' | 'retry';
  /** Why it aborted or failed (abort_message's reason, the HTTP status, …). */
  reason?: string;
  /** The channel's answer, e.g. the webhook's HTTP status; null when nothing answered. */
  status?: number | null;
  messageExtras?: Record<string, string>;
  /** Channel specifics for the change record (SMS: segments and encoding, the provider's id). */
  detail?: Record<string, Json>;
}

type LedgerRow = {
  state: SendState;
  attempt: number;
  claimed_at: number;
  dispatch_id: string;
  send_id: string | null;
  campaign_id: string | null;
  variant_id: string | null;
  channel: string;
  conversions: string | null;
};

/** Claim a send for this profile; atomic with respect to every other call on the profile. */
export function claimSend(store: ProfileStore, input: SendClaim, now: number): ClaimResult {
  return store.transact(() => {
    const placed = place(store, input);
    const claim = { ...input, variantId: placed.variantId };
    const key = sendKey({
      dispatchId: claim.dedupeId ?? claim.dispatchId,
      profileId: store.live.profileId,
      variantId: claim.variantId,
      channel: claim.channel,
    });
    const row = store.sql
      .exec<Pick<LedgerRow, 'state' | 'attempt' | 'claimed_at'>>(
        'SELECT state, attempt, claimed_at FROM sends WHERE key = ?',
        key,
      )
      .toArray()[0];
    if (row) {
      if (FINAL.has(row.state)) return { status: 'done', state: row.state };
      if (row.state === 'claimed' && row.attempt >= claim.attempt) {
        const leftMs = row.claimed_at + CLAIM_LEASE_MS - now;
        if (leftMs > 0) return { status: 'in_flight', retryAfterMs: leftMs };
        // The claimer died mid-send: this attempt takes over (at least once, never lost).
      } else if (row.state === 'retry_wait' && row.attempt >= claim.attempt) {
        return { status: 'done', state: row.state };
      }
    }
    if (!row) {
      // First claim: the controls decide once; retries of a claimed send do not re-decide.
      if (placed.kind === 'global_control') {
        writeRow(store, key, claim, 'skipped', now, 'global_control_group');
        return { status: 'done', state: 'skipped', decided: true, reason: 'global_control_group' };
      }
      if (placed.kind === 'control') {
        holdInControl(store, key, claim, now);
        return { status: 'done', state: 'control', decided: true };
      }
      const verdict = claim.controls
        ? checkEligibility(store, {
            controls: claim.controls,
            campaignId: claim.campaignId,
            channel: claim.channel,
            now,
          })
        : ({ ok: true } as const);
      if (!verdict.ok) {
        if (verdict.reason === 'deferred') return { status: 'deferred', untilMs: verdict.untilMs };
        skip(store, key, claim, verdict.reason, now);
        return { status: 'done', state: 'skipped', decided: true, reason: verdict.reason };
      }
    }
    writeRow(store, key, claim, 'claimed', now, null);
    pruneLedger(store, now);
    return { status: 'claimed', recipient: buildRecipient(store), key, variantId: claim.variantId };
  });
}

/**
 * Record how a claimed send ended. Only the claim's own attempt may finish it, so a late answer
 * from a consumer that lost its lease changes nothing. Returns false when it was not applied.
 */
export function completeSend(store: ProfileStore, outcome: SendOutcome, now: number): boolean {
  return store.transact(() => {
    const row = store.sql
      .exec<LedgerRow>('SELECT * FROM sends WHERE key = ?', outcome.key)
      .toArray()[0];
    if (row?.state !== 'claimed' || row.attempt !== outcome.attempt) return false;
    const state: SendState = outcome.result === 'retry' ? 'retry_wait' : outcome.result;
    store.sql.exec(
      'UPDATE sends SET state = ?, updated_at = ?, reason = ? WHERE key = ?',
      state,
      now,
      outcome.reason ?? null,
      outcome.key,
    );
    if (outcome.result === 'retry') return true;
    if (outcome.result === 'sent') recordReceived(store, row, now);
    emitEvent(
      store,
      {
        channel: row.channel as Channel,
        dispatchId: row.dispatch_id,
        sendId: row.send_id,
        campaignId: row.campaign_id,
        variantId: row.variant_id,
      },
      outcome.result === 'sent' ? 'send' : outcome.result === 'aborted' ? 'abort' : 'failure',
      outcome.reason ?? null,
      outcome.status ?? null,
      outcome.messageExtras ?? {},
      now,
      outcome.detail,
    );
    store.touch(now);
    return true;
  });
}

/** Where this user goes for the send: a variant, the campaign's control group, or the GCG. */
function place(
  store: ProfileStore,
  claim: SendClaim,
): { kind: 'variant' | 'control' | 'global_control'; variantId: string | null } {
  const a = claim.assignment;
  if (!a || claim.campaignId === null) return { kind: 'variant', variantId: claim.variantId };
  const row = store.sql
    .exec<{ in_control: number; received_count: number; variant_id: string | null }>(
      'SELECT in_control, received_count, variant_id FROM message_engagement WHERE campaign_id = ?',
      claim.campaignId,
    )
    .toArray()[0];
  const previous: PreviousAssignment =
    row?.in_control === 1 && row.received_count === 0
      ? { type: 'control' }
      : row && row.received_count > 0
        ? { type: 'received', variantId: row.variant_id ?? '' }
        : null;
  const assigned = assignVariant(a.plan, {
    profileId: store.live.profileId,
    inGlobalControlGroup:
      a.globalControl !== null && inGlobalControlGroup(store.live.randomBucket, a.globalControl),
    previous,
  });
  if (assigned.type === 'variant') return { kind: 'variant', variantId: assigned.variantId };
  if (assigned.type === 'control') return { kind: 'control', variantId: a.controlVariationId };
  return { kind: 'global_control', variantId: null };
}

function writeRow(
  store: ProfileStore,
  key: string,
  claim: SendClaim,
  state: SendState,
  now: number,
  reason: string | null,
): void {
  store.sql.exec(
    `INSERT INTO sends (key, dispatch_id, send_id, campaign_id, variant_id, channel, state,
       attempt, claimed_at, updated_at, tags, counts, reason, conversions)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
     ON CONFLICT (key) DO UPDATE SET state = excluded.state, attempt = excluded.attempt,
       claimed_at = excluded.claimed_at, updated_at = excluded.updated_at,
       reason = excluded.reason`,
    key,
    claim.dispatchId,
    claim.sendId,
    claim.campaignId,
    claim.variantId,
    claim.channel,
    state,
    claim.attempt,
    now,
    now,
    JSON.stringify(claim.controls?.tags ?? []),
    claim.controls?.countsTowardCaps === false ? 0 : 1,
    reason,
    claim.conversions && claim.conversions.length > 0 ? JSON.stringify(claim.conversions) : null,
  );
}

function inControl(store: ProfileStore, campaignId: string): boolean {
  return (
    store.sql
      .exec('SELECT 1 FROM message_engagement WHERE campaign_id = ? AND in_control = 1', campaignId)
      .toArray().length > 0
  );
}

/** Control users never receive; the enrollment is recorded once (Braze's EnrollInControl). */
function holdInControl(store: ProfileStore, key: string, claim: SendClaim, now: number): void {
  const campaignId = claim.campaignId ?? '';
  const fresh = !inControl(store, campaignId);
  writeRow(store, key, claim, 'control', now, null);
  store.sql.exec(
    `INSERT INTO message_engagement (campaign_id, in_control, variant_id) VALUES (?, 1, ?)
     ON CONFLICT (campaign_id) DO UPDATE SET in_control = 1`,
    campaignId,
    claim.variantId,
  );
  if (fresh) emitEvent(store, claim, 'control', null, null, {}, now);
  store.touch(now);
}

/** A control said no: remembered, so a redelivery does not decide again. */
function skip(
  store: ProfileStore,
  key: string,
  claim: SendClaim,
  reason: string,
  now: number,
): void {
  writeRow(store, key, claim, 'skipped', now, reason);
  // Braze emits FrequencyCap and Abort events; a user who is simply not (re-)eligible or not
  // subscribed gets nothing, as in Braze's audience filtering.
  if (reason === 'frequency_capped') {
    emitEvent(store, claim, 'frequency_cap', reason, null, {}, now);
  }
  if (reason === 'quiet_hours') emitEvent(store, claim, 'abort', reason, null, {}, now);
  store.touch(now);
}

/** Emit a `message.event` change record for a send of this profile. */
export function emitEvent(
  store: ProfileStore,
  claim: Pick<SendClaim, 'channel' | 'dispatchId' | 'sendId' | 'campaignId' | 'variantId'>,
  event: 'send' | 'abort' | 'failure' | 'frequency_cap' | 'control',
  reason: string | null,
  status: number | null,
  extras: Record<string, string>,
  now: number,
  detail?: Record<string, Json>,
): void {
  store.emit({
    type: 'message.event',
    time: now,
    event,
    channel: claim.channel,
    dispatch_id: claim.dispatchId,
    send_id: claim.sendId,
    campaign_id: claim.campaignId,
    variant_id: claim.variantId,
    reason,
    status,
    message_extras: extras,
    ...(detail !== undefined ? { detail } : {}),
  });
}

/** A send counts as received (Braze: webhooks are received when sent). */
export function recordReceived(
  store: ProfileStore,
  row: Pick<LedgerRow, 'channel' | 'campaign_id' | 'variant_id' | 'conversions' | 'send_id'>,
  now: number,
): void {
  store.sql.exec(
    `INSERT INTO channel_received (channel, last_at) VALUES (?, ?)
     ON CONFLICT (channel) DO UPDATE SET last_at = MAX(last_at, excluded.last_at)`,
    row.channel,
    now,
  );
  if (row.campaign_id === null) return;
  store.sql.exec(
    `INSERT INTO message_engagement (campaign_id, received_at, last_received_at, received_count,
       variant_id, conversions, last_send_id)
     VALUES (?, ?, ?, 1, ?, ?, ?)
     ON CONFLICT (campaign_id) DO UPDATE SET
       received_at = COALESCE(received_at, excluded.received_at),
       last_received_at = MAX(COALESCE(last_received_at, 0), excluded.last_received_at),
       received_count = received_count + 1,
       variant_id = COALESCE(excluded.variant_id, variant_id),
       conversions = COALESCE(excluded.conversions, conversions),
       last_send_id = COALESCE(excluded.last_send_id, last_send_id)`,
    row.campaign_id,
    now,
    now,
    row.variant_id,
    row.conversions,
    row.send_id,
  );
}

function pruneLedger(store: ProfileStore, now: number): void {
  store.sql.exec(
    `DELETE FROM sends WHERE updated_at < ? AND state IN ('sent', 'aborted', 'failed')`,
    now - LEDGER_RETENTION_MS,
  );
}

/** Per campaign: what segmentation's message-engagement filters read. */
export function messageSummaries(store: ProfileStore): Record<string, MessageSummary> {
  const out: Record<string, MessageSummary> = {};
  const rows = store.sql
    .exec<{
      campaign_id: string;
      received_at: number | null;
      opened_at: number | null;
      clicked_at: number | null;
      converted_at: number | null;
      in_control: number;
    }>(
      `SELECT campaign_id, received_at, opened_at, clicked_at, converted_at, in_control
       FROM message_engagement`,
    )
    .toArray();
  for (const r of rows) {
    out[r.campaign_id] = {
      receivedAt: r.received_at,
      openedAt: r.opened_at,
      clickedAt: r.clicked_at,
      convertedAt: r.converted_at,
      inControl: r.in_control === 1,
    };
  }
  return out;
}

/** The ledger rows of one dispatch, for tests and support questions. */
export function sendsOf(
  store: ProfileStore,
  dispatchId: string,
): { key: string; state: SendState; attempt: number; channel: string }[] {
  return store.sql
    .exec<{ key: string; state: SendState; attempt: number; channel: string }>(
      'SELECT key, state, attempt, channel FROM sends WHERE dispatch_id = ? ORDER BY key',
      dispatchId,
    )
    .toArray();
}
