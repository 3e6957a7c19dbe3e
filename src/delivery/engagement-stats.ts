import { CHANNEL_STAT_FIELDS, recordCampaignStats, type StatEntry } from '../campaigns/stats';
import type { ChangeHandler } from '../changes/consumer';
import type { ChangeRecord } from '../changes/records';
import type { EngagementEvent } from '../profiles/engagement-events';
import type { Channel } from './channels';

/**
 * Campaign statistics that profiles decide after the send (contract §3.7, §3.9): conversions per
 * conversion event (`conversions`, `conversions1`…`conversions3`), revenue inside the primary
 * conversion window, and each channel's engagement counters (opens, clicks, bounces, deliveries,
 * impressions…) per variation. Counted from the profiles' `message.event` change records, on the
 * day it happened, one D1 batch per change message. Like Braze's statistics these are counts,
 * not a ledger: a change message the queue delivers twice counts twice.
 */

/** Per channel, the counters an engagement event adds to: [total, unique-only]. */
const ENGAGEMENT_FIELDS: Partial<
  Record<Channel, Partial<Record<EngagementEvent, readonly [string | null, string | null]>>>
> = {
  email: {
    open: ['opens', 'unique_opens'],
    click: ['clicks', 'unique_clicks'],
    unsubscribe: ['unsubscribes', null],
    bounce: ['bounces', null],
    delivery: ['delivered', null],
    spam: ['reported_spam', null],
  },
  sms: {
    delivery: ['delivered', null],
    rejection: ['rejected', null],
    delivery_failure: ['delivery_failed', null],
    click: ['clicks', null],
    unsubscribe: ['opt_out', null],
    carrier_send: ['sent_to_carrier', null],
    help: ['help', null],
  },
  content_card: {
    impression: ['total_impressions', 'unique_impressions'],
    click: ['total_clicks', 'unique_clicks'],
    dismiss: ['total_dismissals', 'unique_dismissals'],
  },
  in_app_message: {
    impression: ['impressions', null],
    click: ['clicks', null],
  },
};
/** In-app message button clicks also count per button (`detail.button_index` 0 or 1). */
const IN_APP_BUTTON_FIELDS = ['first_button_clicks', 'second_button_clicks'] as const;
const PUSH_FIELDS = {
  open: ['total_opens', 'direct_opens'],
  click: ['body_clicks', null],
  bounce: ['bounces', null],
} as const;
for (const c of ['apple_push', 'android_push', 'web_push'] as const)
  ENGAGEMENT_FIELDS[c] = PUSH_FIELDS;

type MessageEvent = Extract<ChangeRecord, { type: 'message.event' }>;

/** The counters one engagement record adds to, by field name. */
export function engagementFields(r: MessageEvent): string[] {
  const fields = ENGAGEMENT_FIELDS[r.channel as Channel]?.[r.event as EngagementEvent];
  if (!fields) return [];
  const known: readonly string[] = CHANNEL_STAT_FIELDS[r.channel as Channel] ?? [];
  const out: string[] = [];
  if (fields[0] !== null && known.includes(fields[0])) out.push(fields[0]);
  if (fields[1] !== null && r.unique === true && known.includes(fields[1])) out.push(fields[1]);
  const button =
    r.channel === 'in_app_message' && r.event === 'click' ? r.detail?.button_index : null;
  if (typeof button === 'number' && IN_APP_BUTTON_FIELDS[button]) {
    out.push(IN_APP_BUTTON_FIELDS[button]);
  }
  return out;
}

export function engagementStatsHandler(env: { DB: D1Database }): ChangeHandler {
  return async (batches) => {
    const sums = new Map<string, StatEntry>();
    for (const b of batches) {
      for (const r of b.records) {
        if (r.type !== 'message.event' || r.campaign_id === null) continue;
        const day = new Date(r.time).toISOString().slice(0, 10);
        for (const field of engagementFields(r)) {
          const key = `${b.workspace_id}\n${r.campaign_id}\n${day}\n${r.channel}\n${r.variant_id ?? ''}\n${field}`;
          const entry = sums.get(key);
          if (entry) entry.delta += 1;
          else {
            sums.set(key, {
              workspaceId: b.workspace_id,
              campaignId: r.campaign_id,
              day,
              channel: r.channel,
              field,
              ...(r.variant_id !== null ? { variant: r.variant_id } : {}),
              delta: 1,
            } as StatEntry);
          }
        }
        let field: 'conversions' | 'conversions1' | 'conversions2' | 'conversions3' | 'revenue';
        let delta: number;
        if (r.event === 'conversion' && r.conversion !== undefined) {
          field = r.conversion === 0 ? 'conversions' : (`conversions${r.conversion}` as never);
          delta = 1;
        } else if (r.event === 'revenue' && r.revenue !== undefined) {
          field = 'revenue';
          delta = r.revenue;
        } else {
          continue;
        }
        const key = `${b.workspace_id}\n${r.campaign_id}\n${day}\n${field}`;
        const entry = sums.get(key);
        if (entry) entry.delta += delta;
        else {
          sums.set(key, {
            workspaceId: b.workspace_id,
            campaignId: r.campaign_id,
            day,
            channel: null,
            field,
            delta,
          });
        }
      }
    }
    if (sums.size > 0) await recordCampaignStats(env.DB, [...sums.values()]);
  };
}
