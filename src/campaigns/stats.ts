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
  in_app_message: 'trigger_in_app_message',
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
  in_app_message: ['impressions', 'clicks', 'first_button_clicks', 'second_button_clicks'],
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

/** `YYYY-MM-DD` (UTC) of a day given as such or as a time on it. */
export const dayOf = (day: string | number) =>
  typeof day === 'number' ? new Date(day).toISOString().slice(0, 10) : day;

/** The row a counter's delta is added to, in `campaign_stats` (and `send_stats`). */
export function counterRow(e: StatEntry) {
  return {
    workspaceId: e.workspaceId,
    campaignId: e.campaignId,
    day: dayOf(e.day),
    channel: e.channel ?? '',
    variant: e.variant ?? '',
    field: e.field,
    value: e.delta,
  };
}

function upsert(db: D1Database, e: StatEntry) {
  return drizzle(db)
    .insert(campaignStats)
    .values(counterRow(e))
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

/**
 * Add to several counters in one D1 round trip. With `sendId` (an API send's `send_id`) the
 * same counts are also kept per send for `/sends/data_series`, in the same batch.
 */
export async function recordCampaignStats(
  db: D1Database,
  entries: StatEntry[],
  opts: { sendId?: string | null } = {},
): Promise<void> {
  const statements = campaignStatStatements(db, entries, opts);
  if (statements.length > 0) await db.batch(statements);
}

/** `recordCampaignStats`'s statements, for a caller that runs them in its own D1 batch. */
export function campaignStatStatements(
  db: D1Database,
  entries: StatEntry[],
  opts: { sendId?: string | null } = {},
): D1PreparedStatement[] {
  // Plain SQL: a deliver message writes its counters every time, and building them through the
  // query builder cost more than the rest of the batch's bookkeeping.
  const out: D1PreparedStatement[] = [];
  for (const e of entries) {
    const r = counterRow(e);
    out.push(
      db
        .prepare(CAMPAIGN_STAT_UPSERT)
        .bind(r.workspaceId, r.campaignId, r.day, r.channel, r.variant, r.field, r.value),
    );
    if (opts.sendId) {
      out.push(
        db
          .prepare(SEND_STAT_UPSERT)
          .bind(
            r.workspaceId,
            r.campaignId,
            opts.sendId,
            r.day,
            r.channel,
            r.variant,
            r.field,
            r.value,
          ),
      );
    }
  }
  return out;
}

const CAMPAIGN_STAT_UPSERT = `INSERT INTO campaign_stats
    (workspace_id, campaign_id, day, channel, variant, field, value) VALUES (?, ?, ?, ?, ?, ?, ?)
  ON CONFLICT (workspace_id, campaign_id, day, channel, variant, field)
  DO UPDATE SET value = campaign_stats.value + excluded.value`;

const SEND_STAT_UPSERT = `INSERT INTO send_stats
    (workspace_id, campaign_id, send_id, day, channel, variant, field, value)
    VALUES (?, ?, ?, ?, ?, ?, ?, ?)
  ON CONFLICT (workspace_id, campaign_id, send_id, day, channel, variant, field)
  DO UPDATE SET value = send_stats.value + excluded.value`;

const DAY_MS = 86_400_000;

/** One day of `/campaigns/data_series` (and `/sends/data_series`). */
export interface SeriesDay {
  time: string;
  messages: Record<string, Record<string, string | number>[]>;
  [field: string]: unknown;
}

/** The `YYYY-MM-DD` days of a series of `length` days ending on the day of `endingAt`. */
export function seriesDates(endingAt: number, length: number): string[] {
  return Array.from({ length }, (_, i) => dayOf(endingAt - (length - 1 - i) * DAY_MS));
}

/** A counter as read back: zero where nothing was counted. */
type ReadCounter = (day: string, channel: string, variant: string, field: string) => number;

/** Counter rows, of `campaign_stats` or `send_stats`. */
type CounterRow = { day: string; channel: string; variant: string; field: string; value: number };

function counterReader(rows: CounterRow[]): ReadCounter {
  const counters = new Map<string, Record<string, number>>();
  for (const r of rows) {
    const key = `${r.day}|${r.channel}|${r.variant}`;
    const c = counters.get(key) ?? {};
    c[r.field] = (c[r.field] ?? 0) + r.value;
    counters.set(key, c);
  }
  return (day, channel, variant, field) =>
    counters.get(`${day}|${channel}|${variant}`)?.[field] ?? 0;
}

/** One variation of a channel in a series: a variant's message, or the control group. */
interface SeriesVariation {
  name: string;
  /** Its `message_variation_id`. */
  id: string;
  control: boolean;
}

/** A variation's own counters on its channel (Braze's per-channel fields, contract §3.9). */
function channelCounters(read: ReadCounter, day: string, channel: Channel, id: string) {
  return Object.fromEntries(
    CHANNEL_STAT_FIELDS[channel].map((f) => [f, read(day, channel, id, f)]),
  ) as Record<string, number>;
}

/**
 * A daily series over `dates` from counter rows, with every current variation of every channel
 * present: the campaign-wide counters at the top of each day, and for each variation its
 * channel's counters, extended by `extra`.
 */
export function buildSeries(input: {
  campaign: Campaign;
  dates: string[];
  rows: CounterRow[];
  extra?: (channel: Channel, own: Record<string, number>) => Record<string, number>;
}): SeriesDay[] {
  const { campaign } = input;
  const read = counterReader(input.rows);
  return input.dates.map((day) => {
    const out: SeriesDay = { time: day, messages: {} };
    for (const f of CAMPAIGN_STAT_FIELDS) out[f] = read(day, '', '', f);
    for (const channel of campaign.channels) {
      const variations: SeriesVariation[] = campaign.variants.map((v) => ({
        name: v.name,
        id: v.messages[channel]?.message_variation_id ?? v.id,
        control: false,
      }));
      if (campaign.controlPercentage > 0) {
        variations.push({ name: 'Control', id: campaign.controlVariationId, control: true });
      }
      out.messages[BRAZE_CHANNEL[channel]] = variations.map((v) => {
        const head = { variation_name: v.name, variation_api_id: v.id };
        if (v.control) return { ...head, enrolled: read(day, channel, v.id, 'enrolled') };
        const own = channelCounters(read, day, channel, v.id);
        return { ...head, ...own, ...input.extra?.(channel, own) };
      });
    }
    return out;
  });
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
  const dates = seriesDates(input.endingAt, input.length);
  const rows = await drizzle(db)
    .select()
    .from(campaignStats)
    .where(
      and(
        eq(campaignStats.workspaceId, campaign.workspaceId),
        eq(campaignStats.campaignId, campaign.id),
        gte(campaignStats.day, dates[0]!),
        lte(campaignStats.day, dates[dates.length - 1]!),
      ),
    )
    .all();
  return buildSeries({ campaign, dates, rows });
}
