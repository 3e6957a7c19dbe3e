import { and, eq, gte, lte, sql } from 'drizzle-orm';
import { drizzle } from 'drizzle-orm/d1';
import { campaignStats } from '../db/campaigns';
import type { Channel } from './messages';
import type { Campaign } from './store';

/**
 * Daily campaign statistics (contract §3.9, `/campaigns/data_series`). The delivery pipeline adds
 * to counters with `recordCampaignStat`; the series reads them back with every day and every
 * variation present, zeros where nothing was counted.
 */

/** Braze's name of each channel in campaign exports. */
export const BRAZE_CHANNEL: Record<Channel, string> = {
  webhook: 'webhook',
  email: 'email',
  sms: 'sms',
  apple_push: 'ios_push',
  android_push: 'android_push',
  web_push: 'web_push',
  content_card: 'content_cards',
};

const PUSH = ['sent', 'direct_opens', 'total_opens', 'bounces', 'body_clicks'] as const;

/** The per-variation counters of each channel, in Braze's order. */
export const CHANNEL_STAT_FIELDS = {
  webhook: ['sent', 'errors'],
  email: [
    'sent',
    'opens',
    'unique_opens',
    'clicks',
    'unique_clicks',
    'unsubscribes',
    'bounces',
    'delivered',
    'reported_spam',
  ],
  sms: [
    'sent',
    'sent_to_carrier',
    'delivered',
    'rejected',
    'delivery_failed',
    'clicks',
    'opt_out',
    'help',
  ],
  apple_push: PUSH,
  android_push: PUSH,
  web_push: PUSH,
  content_card: [
    'sent',
    'total_clicks',
    'total_dismissals',
    'total_impressions',
    'unique_clicks',
    'unique_dismissals',
    'unique_impressions',
  ],
} as const satisfies Record<Channel, readonly string[]>;

/** Campaign-wide counters of a day. */
export const CAMPAIGN_STAT_FIELDS = [
  'conversions',
  'conversions1',
  'conversions2',
  'conversions3',
  'conversions_by_send_time',
  'conversions1_by_send_time',
  'conversions2_by_send_time',
  'conversions3_by_send_time',
  'unique_recipients',
  'revenue',
] as const;
export type CampaignStatField = (typeof CAMPAIGN_STAT_FIELDS)[number];

/** A channel's counter; `enrolled` counts users placed in the control group. */
export type ChannelStatField<C extends Channel> =
  | (typeof CHANNEL_STAT_FIELDS)[C][number]
  | 'enrolled';

/** Which counter to add to. */
export type StatTarget =
  | { channel: null; field: CampaignStatField; variant?: undefined }
  | {
      [C in Channel]: {
        channel: C;
        field: ChannelStatField<C>;
        /** The `message_variation_id` (or the control group's). */
        variant?: string;
      };
    }[Channel];

export type StatEntry = StatTarget & {
  workspaceId: string;
  campaignId: string;
  /** `YYYY-MM-DD` (UTC), or an epoch-ms time on that day. */
  day: string | number;
  delta: number;
};

const dayOf = (day: string | number) =>
  typeof day === 'number' ? new Date(day).toISOString().slice(0, 10) : day;

function upsert(db: D1Database, e: StatEntry) {
  return drizzle(db)
    .insert(campaignStats)
    .values({
      workspaceId: e.workspaceId,
      campaignId: e.campaignId,
      day: dayOf(e.day),
      channel: e.channel ?? '',
      variant: e.variant ?? '',
      field: e.field,
      value: e.delta,
    })
    .onConflictDoUpdate({
      target: [
        campaignStats.workspaceId,
        campaignStats.campaignId,
        campaignStats.day,
        campaignStats.channel,
        campaignStats.variant,
        campaignStats.field,
      ],
      set: { value: sql`${campaignStats.value} + ${e.delta}` },
    });
}

/** Add `delta` to one daily campaign counter. */
export async function recordCampaignStat(db: D1Database, entry: StatEntry): Promise<void> {
  await upsert(db, entry).run();
}

/** Add to several counters in one D1 round trip. */
export async function recordCampaignStats(db: D1Database, entries: StatEntry[]): Promise<void> {
  const [first, ...rest] = entries.map((e) => upsert(db, e));
  if (first) await drizzle(db).batch([first, ...rest]);
}

const DAY_MS = 86_400_000;

type Counters = Record<string, number>;

/** One day of `/campaigns/data_series`. */
export interface SeriesDay {
  time: string;
  messages: Record<string, Record<string, string | number>[]>;
  [field: string]: unknown;
}

/**
 * The campaign's daily statistics for `length` days ending on the day of `endingAt`, oldest
 * first, with every current variation of every channel present.
 */
export async function campaignDataSeries(
  db: D1Database,
  input: { campaign: Campaign; endingAt: number; length: number },
): Promise<SeriesDay[]> {
  const { campaign } = input;
  const last = dayOf(input.endingAt);
  const first = dayOf(input.endingAt - (input.length - 1) * DAY_MS);
  const rows = await drizzle(db)
    .select()
    .from(campaignStats)
    .where(
      and(
        eq(campaignStats.workspaceId, campaign.workspaceId),
        eq(campaignStats.campaignId, campaign.id),
        gte(campaignStats.day, first),
        lte(campaignStats.day, last),
      ),
    )
    .all();
  const counters = new Map<string, Counters>();
  for (const r of rows) {
    const key = `${r.day}|${r.channel}|${r.variant}`;
    const c = counters.get(key) ?? {};
    c[r.field] = (c[r.field] ?? 0) + r.value;
    counters.set(key, c);
  }
  const read = (day: string, channel: string, variant: string, field: string) =>
    counters.get(`${day}|${channel}|${variant}`)?.[field] ?? 0;

  const days: SeriesDay[] = [];
  for (let i = input.length - 1; i >= 0; i--) {
    const day = dayOf(input.endingAt - i * DAY_MS);
    const out: SeriesDay = { time: day, messages: {} };
    for (const f of CAMPAIGN_STAT_FIELDS) out[f] = read(day, '', '', f);
    for (const channel of campaign.channels) {
      const entries: Record<string, string | number>[] = campaign.variants.map((v) => {
        const id = v.messages[channel]?.message_variation_id ?? v.id;
        const e: Record<string, string | number> = { variation_name: v.name, variation_api_id: id };
        for (const f of CHANNEL_STAT_FIELDS[channel]) e[f] = read(day, channel, id, f);
        return e;
      });
      if (campaign.controlPercentage > 0) {
        const id = campaign.controlVariationId;
        entries.push({
          variation_name: 'Control',
          variation_api_id: id,
          enrolled: read(day, channel, id, 'enrolled'),
        });
      }
      out.messages[BRAZE_CHANNEL[channel]] = entries;
    }
    days.push(out);
  }
  return days;
}
