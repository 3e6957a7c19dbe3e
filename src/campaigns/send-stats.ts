import { and, eq, gte, lt, lte } from 'drizzle-orm';
import { drizzle } from 'drizzle-orm/d1';
import { sendStats } from '../db/schema';
import { buildSeries, dayOf, type SeriesDay, seriesDates } from './stats';
import type { Campaign } from './store';

/**
 * Per-send statistics (contract §3.9, `/sends/data_series`): the campaign counters of an API
 * send, kept again under its `send_id` in the same D1 batch (`recordCampaignStats`), for 14 days.
 */

/** Braze keeps send analytics this many days after the send. */
export const SEND_STATS_DAYS = 14;
const DAY_MS = 86_400_000;

/** The first day still kept at `now`. */
function firstKeptDay(now: number): string {
  return dayOf(now - (SEND_STATS_DAYS - 1) * DAY_MS);
}

/**
 * A send's daily statistics for `length` days ending on the day of `endingAt`, oldest first, in
 * the campaign's shape; days more than 14 days before `now` read as zeros.
 */
export async function sendDataSeries(
  db: D1Database,
  input: { campaign: Campaign; sendId: string; endingAt: number; length: number; now: number },
): Promise<SeriesDay[]> {
  const { campaign } = input;
  const dates = seriesDates(input.endingAt, input.length);
  const kept = firstKeptDay(input.now);
  const rows = await drizzle(db)
    .select()
    .from(sendStats)
    .where(
      and(
        eq(sendStats.workspaceId, campaign.workspaceId),
        eq(sendStats.campaignId, campaign.id),
        eq(sendStats.sendId, input.sendId),
        gte(sendStats.day, dates[0]!),
        gte(sendStats.day, kept),
        lte(sendStats.day, dates[dates.length - 1]!),
      ),
    )
    .all();
  return buildSeries({
    campaign,
    dates,
    rows,
    // A webhook is delivered when it answered 2xx; one that failed for good is undelivered.
    extra: (channel, own): Record<string, number> =>
      channel === 'webhook'
        ? { delivered: own.sent ?? 0, undelivered: own.errors ?? 0, delivery_failed: 0 }
        : {},
  });
}

/** Drop per-send statistics older than 14 days (the daily job). */
export async function pruneSendStats(db: D1Database, now: number): Promise<number> {
  const res = await drizzle(db)
    .delete(sendStats)
    .where(lt(sendStats.day, firstKeptDay(now)))
    .run();
  return res.meta.changes;
}
