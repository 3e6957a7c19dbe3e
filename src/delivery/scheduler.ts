import { advanceSchedule, listDueScheduledCampaigns, noteCampaignSent } from '../campaigns/store';
import { log } from '../lib/log';
import { dispatchIdFor } from './action-triggers';
import {
  campaignAudience,
  campaignControls,
  campaignMessages,
  enqueueDispatch,
} from './campaign-dispatch';
import { createDispatchOnce, dispatchChannels, getDispatch } from './dispatch-store';

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
    const messages = campaignMessages(campaign);
    await createDispatchOnce(env.DB, {
      id,
      workspaceId: campaign.workspaceId,
      source: 'campaign.scheduled',
      campaignId: campaign.id,
      // Braze generates a send id for broadcasts of a campaign: one per occurrence.
      sendId: id,
      messages,
      context: { campaign: { api_id: campaign.id, name: campaign.name } },
      controls: campaignControls(campaign, occurrence),
      audience: await campaignAudience(env.DB, campaign, null),
      status: 'expanding',
      now,
    });
    const dispatch = await getDispatch(env.DB, campaign.workspaceId, id, { fresh: true });
    // Only a dispatch that has not paged yet gets its first page (again, after a crash).
    if (dispatch?.status === 'expanding' && dispatch.cursor === null) {
      await enqueueDispatch(env, {
        workspaceId: campaign.workspaceId,
        dispatchId: id,
        channels: dispatchChannels(messages),
        recipients: null,
      });
    }
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
