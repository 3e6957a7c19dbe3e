import type { Channel } from '../delivery/channels';
import type { Recipient } from '../personalization/scope';
import type { MessageSummary } from '../segments/summary';
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

export type SendState = 'claimed' | 'retry_wait' | 'sent' | 'aborted' | 'failed';

export interface SendClaim {
  /** dispatch_id + profile + variant + channel (src/delivery/keys.ts). */
  key: string;
  dispatchId: string;
  sendId: string | null;
  campaignId: string | null;
  variantId: string | null;
  channel: Channel;
  /** 1 for the first try; each channel retry claims again with the next number. */
  attempt: number;
}

export type ClaimResult =
  | { status: 'claimed'; recipient: Recipient }
  /** Already finished (or a newer attempt owns it): send nothing. */
  | { status: 'done'; state: SendState }
  /** Another consumer holds a live claim: try again after the lease. */
  | { status: 'in_flight'; retryAfterMs: number }
  /** The user is not in the dispatch's audience at send time. */
  | { status: 'not_in_audience' };

export interface SendOutcome {
  key: string;
  attempt: number;
  result: 'sent' | 'aborted' | 'failed' | 'retry';
  /** Why it aborted or failed (abort_message's reason, the HTTP status, …). */
  reason?: string;
  /** The channel's answer, e.g. the webhook's HTTP status; null when nothing answered. */
  status?: number | null;
  messageExtras?: Record<string, string>;
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
};

/** Claim a send for this profile; atomic with respect to every other call on the profile. */
export function claimSend(store: ProfileStore, claim: SendClaim, now: number): ClaimResult {
  return store.transact(() => {
    const row = store.sql
      .exec<Pick<LedgerRow, 'state' | 'attempt' | 'claimed_at'>>(
        'SELECT state, attempt, claimed_at FROM sends WHERE key = ?',
        claim.key,
      )
      .toArray()[0];
    if (row) {
      const final = row.state === 'sent' || row.state === 'aborted' || row.state === 'failed';
      if (final) return { status: 'done', state: row.state };
      if (row.state === 'claimed' && row.attempt >= claim.attempt) {
        const leftMs = row.claimed_at + CLAIM_LEASE_MS - now;
        if (leftMs > 0) return { status: 'in_flight', retryAfterMs: leftMs };
        // The claimer died mid-send: this attempt takes over (at least once, never lost).
      } else if (row.state === 'retry_wait' && row.attempt >= claim.attempt) {
        return { status: 'done', state: row.state };
      }
    }
    store.sql.exec(
      `INSERT INTO sends (key, dispatch_id, send_id, campaign_id, variant_id, channel, state,
         attempt, claimed_at, updated_at)
       VALUES (?, ?, ?, ?, ?, ?, 'claimed', ?, ?, ?)
       ON CONFLICT (key) DO UPDATE SET state = 'claimed', attempt = excluded.attempt,
         claimed_at = excluded.claimed_at, updated_at = excluded.updated_at`,
      claim.key,
      claim.dispatchId,
      claim.sendId,
      claim.campaignId,
      claim.variantId,
      claim.channel,
      claim.attempt,
      now,
      now,
    );
    pruneLedger(store, now);
    return { status: 'claimed', recipient: buildRecipient(store) };
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
    if (!row || row.state !== 'claimed' || row.attempt !== outcome.attempt) return false;
    const state: SendState = outcome.result === 'retry' ? 'retry_wait' : outcome.result;
    store.sql.exec(
      'UPDATE sends SET state = ?, updated_at = ? WHERE key = ?',
      state,
      now,
      outcome.key,
    );
    if (outcome.result === 'retry') return true;
    if (outcome.result === 'sent') recordReceived(store, row, now);
    store.emit({
      type: 'message.event',
      time: now,
      event:
        outcome.result === 'sent' ? 'send' : outcome.result === 'aborted' ? 'abort' : 'failure',
      channel: row.channel,
      dispatch_id: row.dispatch_id,
      send_id: row.send_id,
      campaign_id: row.campaign_id,
      variant_id: row.variant_id,
      reason: outcome.reason ?? null,
      status: outcome.status ?? null,
      message_extras: outcome.messageExtras ?? {},
    });
    store.touch(now);
    return true;
  });
}

/** A send counts as received (Braze: webhooks are received when sent). */
function recordReceived(store: ProfileStore, row: LedgerRow, now: number): void {
  store.sql.exec(
    `INSERT INTO channel_received (channel, last_at) VALUES (?, ?)
     ON CONFLICT (channel) DO UPDATE SET last_at = MAX(last_at, excluded.last_at)`,
    row.channel,
    now,
  );
  if (row.campaign_id === null) return;
  store.sql.exec(
    `INSERT INTO message_engagement (campaign_id, received_at, last_received_at, received_count,
       variant_id)
     VALUES (?, ?, ?, 1, ?)
     ON CONFLICT (campaign_id) DO UPDATE SET
       received_at = COALESCE(received_at, excluded.received_at),
       last_received_at = MAX(COALESCE(last_received_at, 0), excluded.last_received_at),
       received_count = received_count + 1,
       variant_id = COALESCE(excluded.variant_id, variant_id)`,
    row.campaign_id,
    now,
    now,
    row.variant_id,
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
