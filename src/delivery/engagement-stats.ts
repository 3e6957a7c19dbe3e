import { recordCampaignStats, type StatEntry } from '../campaigns/stats';
import type { ChangeHandler } from '../changes/consumer';

/**
 * Campaign statistics that profiles decide after the send (contract §3.7): conversions per
 * conversion event (`conversions`, `conversions1`…`conversions3`) and revenue inside the primary
 * conversion window. Counted from the profiles' `message.event` change records, on the day the
 * user converted, one D1 batch per change message. Like Braze's statistics these are counts, not
 * a ledger: a change message the queue delivers twice counts twice.
 */
export function engagementStatsHandler(env: { DB: D1Database }): ChangeHandler {
  return async (batches) => {
    const sums = new Map<string, StatEntry>();
    for (const b of batches) {
      for (const r of b.records) {
        if (r.type !== 'message.event' || r.campaign_id === null) continue;
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
        const day = new Date(r.time).toISOString().slice(0, 10);
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
