import type { ConversionEvent } from '../campaigns/model';
import type { Channel } from '../delivery/channels';
import type { Json } from '../ingestion/types';
import type { ProfileStore } from './profile-store';
import { emitEvent, recordReceived, sendKey } from './sends';

/**
 * The profile's own record of sends the batched delivery path made (src/delivery/batch-send.ts),
 * written back after the fact: the ledger row (so frequency caps, re-eligibility and
 * `lastSent` see the send), the campaign's received engagement and the `message.event` change
 * record, exactly as `completeSend` writes them for the per-profile path. Keyed by the same
 * ledger key, so a write-back repeated by the queue changes nothing the second time.
 */
export interface SendRecord {
  dispatchId: string;
  sendId: string | null;
  campaignId: string | null;
  variantId: string | null;
  channel: Channel;
  attempt: number;
  result: 'sent' | 'aborted' | 'failed';
  /** When the channel answered (epoch ms): the send's time in the ledger and the engagement. */
  at: number;
  reason?: string;
  status?: number | null;
  messageExtras?: Record<string, string>;
  detail?: Record<string, Json>;
  tags?: string[];
  countsTowardCaps?: boolean;
  conversions?: ConversionEvent[];
}

/** Apply write-backs; answers how many were new (the rest were recorded already). */
export function recordSends(store: ProfileStore, records: SendRecord[], now: number): number {
  return store.transact(() => {
    let added = 0;
    for (const r of records) {
      const key = sendKey({
        dispatchId: r.dispatchId,
        profileId: store.live.profileId,
        variantId: r.variantId,
        channel: r.channel,
      });
      const known = store.sql.exec('SELECT 1 FROM sends WHERE key = ?', key).toArray().length > 0;
      if (known) continue;
      const conversions =
        r.conversions && r.conversions.length > 0 ? JSON.stringify(r.conversions) : null;
      store.sql.exec(
        `INSERT INTO sends (key, dispatch_id, send_id, campaign_id, variant_id, channel, state,
           attempt, claimed_at, updated_at, tags, counts, reason, conversions)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
        key,
        r.dispatchId,
        r.sendId,
        r.campaignId,
        r.variantId,
        r.channel,
        r.result,
        r.attempt,
        r.at,
        r.at,
        JSON.stringify(r.tags ?? []),
        r.countsTowardCaps === false ? 0 : 1,
        r.reason ?? null,
        conversions,
      );
      if (r.result === 'sent') {
        recordReceived(
          store,
          {
            channel: r.channel,
            campaign_id: r.campaignId,
            variant_id: r.variantId,
            conversions,
            send_id: r.sendId,
          },
          r.at,
        );
      }
      emitEvent(
        store,
        r,
        r.result === 'sent' ? 'send' : r.result === 'aborted' ? 'abort' : 'failure',
        r.reason ?? null,
        r.status ?? null,
        r.messageExtras ?? {},
        r.at,
        r.detail,
      );
      added++;
    }
    if (added > 0) store.touch(now);
    return added;
  });
}
