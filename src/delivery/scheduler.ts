import { advanceSchedule, listDueScheduledCampaigns, noteCampaignSent } from '../campaigns/store';
import { log } from '../lib/log';
import { campaignAudience, dispatchIdFor, startCampaignDispatch } from './campaign-dispatch';

/**
 * Scheduled campaigns (contract §3.2): the minute job starts every occurrence that is due. Each
 * occurrence has one dispatch whose id is derived from the campaign and the due time, written
 * before the schedule moves on, so a crash between the two repeats the start (the dispatch and
 * its first page are found again) and never skips an occurrence. Local-time occurrences start at
 * the beginning of their day in UTC+13; each profile then waits for its own local time.
 */
export async function startDueCampaigns(
  env: { DB: D1Database; DELIVERY_QUEUE: Queue },
  now: number,
): Promise<number> {
  const due = await listDueScheduledCampaigns(env.DB, now);
  let started = 0;
  for (const { campaign, occurrence } of due) {
    const id = await dispatchIdFor(campaign.id, [`scheduled:${occurrence.dueAt}`]);
    await startCampaignDispatch(env, {
      campaign,
      source: 'campaign.scheduled',
      id,
      // Braze generates a send id for broadcasts of a campaign: one per occurrence.
      sendId: id,
      audience: await campaignAudience(env.DB, campaign, null),
      recipients: null,
      occurrence,
      now,
    });
    const advanced = await advanceSchedule(env.DB, {
      workspaceId: campaign.workspaceId,
      campaignId: campaign.id,
      dueAt: occurrence.dueAt,
    });
    if (advanced.type === 'claimed') {
      await noteCampaignSent(env.DB, {
        workspaceId: campaign.workspaceId,
        campaignId: campaign.id,
        at: now,
      });
      started++;
      log('info', 'scheduled campaign started', {
        campaign_id: campaign.id,
        dispatch_id: id,
        due_at: new Date(occurrence.dueAt).toISOString(),
        local_time: occurrence.inLocalTime,
        next: advanced.next ? new Date(advanced.next.dueAt).toISOString() : null,
      });
    }
  }
  return started;
}
