import type { Channel } from '../delivery/channels';
import type { Json, StandardFields, SubscriptionGroupInput } from '../ingestion/types';
import type { EngagementEvent } from './engagement-events';
import type { ProfileStore } from './profile-store';
import { LEDGER_RETENTION_MS } from './sends';
import { applyAttributesObject } from './track';

/**
 * What happens to a message after it was sent — opened, clicked, delivered, bounced, reported as
 * spam, unsubscribed, shown, dismissed — recorded in the recipient's profile. Every channel's
 * tracking path ends here: the email pixel and link redirects, provider webhooks (email, SMS),
 * push provider answers and SDK reports. One call is atomic: the engagement, its change record
 * and any subscription change it causes commit together, once per event id.
 */

export interface EngagementInput {
  event: EngagementEvent;
  /**
   * Unique per real-world occurrence (a provider's event id, a tracking hit's id): an id seen
   * before records nothing, so a webhook delivered twice counts once.
   */
  eventId: string;
  /** When it happened, epoch ms (a provider's timestamp when it gives one). */
  at: number;
  /** The message, as the send's tracking token names it (a feature flag: its SDK impressions). */
  message: {
    channel: Channel | 'feature_flag';
    dispatchId: string;
    sendId: string | null;
    campaignId: string | null;
    variantId: string | null;
  };
  /** Click: where the link went. */
  url?: string;
  /** Channel specifics for the change record (bounce type, provider, device, button id). */
  detail?: Record<string, Json>;
  /** Why, for failures and bounces (the provider's words). */
  reason?: string;
  /**
   * What the event changes on the profile, applied exactly as `/users/track` would (change
   * records, index updates): an unsubscribe sets `email_subscribe`, STOP a subscription group.
   */
  profileUpdate?: {
    standard?: StandardFields;
    subscriptionGroups?: SubscriptionGroupInput[];
  };
}

export type EngagementResult =
  | { status: 'recorded'; unique: boolean }
  /** This event id was recorded before: nothing changed. */
  | { status: 'duplicate' };

/** Events that set the campaign's first-opened time (segments: "opened or clicked"). */
const OPENS: ReadonlySet<EngagementEvent> = new Set(['open', 'impression']);

export function recordEngagement(
  store: ProfileStore,
  input: EngagementInput,
  now: number,
): EngagementResult {
  return store.transact(() => {
    const fresh = store.sql.exec(
      'INSERT OR IGNORE INTO engagement_seen (id, at) VALUES (?, ?)',
      `e:${input.eventId}`,
      now,
    ).rowsWritten;
    if (fresh === 0) return { status: 'duplicate' };
    const m = input.message;
    // Unique per campaign (or, without one, per dispatch) and event kind, for "unique opens" and
    // the like. These markers are few (campaigns × kinds) and kept past ledger pruning.
    const scope = m.campaignId ?? `dispatch:${m.dispatchId}`;
    const unique =
      store.sql.exec(
        'INSERT OR IGNORE INTO engagement_seen (id, at) VALUES (?, ?)',
        `u:${m.channel}:${scope}:${input.event}`,
        now,
      ).rowsWritten > 0;
    if (m.campaignId !== null && (OPENS.has(input.event) || input.event === 'click')) {
      const column = input.event === 'click' ? 'clicked_at' : 'opened_at';
      store.sql.exec(
        `INSERT INTO message_engagement (campaign_id, ${column}) VALUES (?, ?)
         ON CONFLICT (campaign_id) DO UPDATE SET ${column} = COALESCE(${column}, excluded.${column})`,
        m.campaignId,
        input.at,
      );
    }
    store.emit({
      type: 'message.event',
      time: input.at,
      event: input.event,
      channel: m.channel,
      dispatch_id: m.dispatchId,
      send_id: m.sendId,
      campaign_id: m.campaignId,
      variant_id: m.variantId,
      reason: input.reason ?? null,
      status: null,
      message_extras: {},
      unique,
      ...(input.url !== undefined ? { url: input.url } : {}),
      ...(input.detail !== undefined ? { detail: input.detail } : {}),
    });
    const update = input.profileUpdate;
    if (update && (update.standard || update.subscriptionGroups)) {
      applyAttributesObject(
        store,
        {
          index: 0,
          identifier: { kind: 'braze_id', value: store.live.profileId },
          updateExistingOnly: true,
          pushTokenImport: false,
          standard: update.standard ?? {},
          pushTokens: [],
          subscriptionGroups: update.subscriptionGroups ?? [],
          custom: [],
        },
        { arrayMaxLength: 0 },
        now,
      );
    }
    store.sql.exec(
      `DELETE FROM engagement_seen WHERE at < ? AND id LIKE 'e:%'`,
      now - LEDGER_RETENTION_MS,
    );
    store.touch(now);
    return { status: 'recorded', unique };
  });
}
