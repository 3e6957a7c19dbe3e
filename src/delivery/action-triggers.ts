import { type Campaign, campaignsVersion, listActiveCampaigns } from '../campaigns/store';
import { matchesTrigger, type TriggerEvent } from '../campaigns/triggers';
import type { ChangeHandler } from '../changes/consumer';
import type { ChangeBatch, ChangeRecord } from '../changes/records';
import { log } from '../lib/log';
import { parseTime } from '../segments/time';
import {
  campaignAudience,
  campaignControls,
  campaignMessages,
  dispatchIdFor,
  enqueueDispatch,
} from './campaign-dispatch';
import { createDispatchOnce, type DispatchControls, dispatchChannels } from './dispatch-store';
import type { QueuedRecipient } from './queue';

/**
 * Action-based campaigns (contract §3.3): a change-record handler that matches each profile's
 * custom events, purchases and segment entries against the workspace's active action-based
 * campaigns and hands the triggered users to the delivery queue. One dispatch per campaign and
 * queue message; each send is unique by its trigger record, so a redelivered change message
 * never sends twice. Delays, exception events, quiet hours and the audience are decided by the
 * user's profile when the send is claimed.
 */

/** Isolate cache of each workspace's action-based campaigns, checked against a version. */
const CACHE_MS = 5_000;
const cache = new Map<string, { checkedAt: number; version: string; campaigns: Campaign[] }>();

async function actionCampaigns(db: D1Database, workspaceId: string, now: number) {
  const hit = cache.get(workspaceId);
  if (hit && now - hit.checkedAt < CACHE_MS) return hit.campaigns;
  const version = await campaignsVersion(db, workspaceId);
  if (hit && hit.version === version) {
    hit.checkedAt = now;
    return hit.campaigns;
  }
  const campaigns = await listActiveCampaigns(db, workspaceId, 'action_based');
  cache.set(workspaceId, { checkedAt: now, version, campaigns });
  return campaigns;
}

/** What a change record means to triggers; null for records that trigger nothing. */
export function triggerEventOf(record: ChangeRecord): TriggerEvent | null {
  switch (record.type) {
    case 'event.custom':
      return { type: 'custom_event', name: record.name, properties: record.properties as never };
    case 'event.purchase':
      return {
        type: 'purchase',
        productId: record.product_id,
        properties: record.properties as never,
      };
    case 'segment.entered':
      return { type: 'segment_entry', segmentId: record.segment_id };
    default:
      return null;
  }
}

/** Liquid's `event_properties` for a trigger: the event's properties (purchases add theirs). */
function eventProperties(record: ChangeRecord): Record<string, unknown> | undefined {
  if (record.type === 'event.custom') return record.properties;
  if (record.type === 'event.purchase') {
    return {
      ...record.properties,
      product_id: record.product_id,
      price: record.price,
      currency: record.currency,
      quantity: record.quantity,
    };
  }
  return undefined;
}

/** Whether a campaign takes triggers at `time`. */
function open(c: Campaign, time: number): boolean {
  if (c.delivery.type !== 'action_based') return false;
  const start = c.delivery.start_at ? parseTime(c.delivery.start_at) : c.launchedAt;
  const end = c.delivery.end_at ? parseTime(c.delivery.end_at) : null;
  return (start === null || time >= start) && (end === null || time <= end);
}

export function actionTriggerHandler(env: {
  DB: D1Database;
  DELIVERY_QUEUE: Queue;
}): ChangeHandler {
  return async (batches: ChangeBatch[]) => {
    const now = Date.now();
    const byWorkspace = new Map<string, ChangeBatch[]>();
    for (const b of batches) {
      const list = byWorkspace.get(b.workspace_id) ?? [];
      list.push(b);
      byWorkspace.set(b.workspace_id, list);
    }
    for (const [workspaceId, list] of byWorkspace) {
      const campaigns = await actionCampaigns(env.DB, workspaceId, now);
      if (campaigns.length === 0) continue;
      const triggered = new Map<string, QueuedRecipient[]>();
      for (const b of list) {
        for (const record of b.records) {
          const event = triggerEventOf(record);
          if (!event) continue;
          for (const c of campaigns) {
            if (c.delivery.type !== 'action_based' || !open(c, record.time)) continue;
            if (!c.delivery.triggers.some((t) => matchesTrigger(t, event))) continue;
            const recipients = triggered.get(c.id) ?? [];
            const props = eventProperties(record);
            recipients.push({
              profile_id: b.profile_id,
              triggered_at: record.time,
              trigger_id: record.id,
              ...(props ? { event_properties: props as never } : {}),
            });
            triggered.set(c.id, recipients);
          }
        }
      }
      for (const [campaignId, recipients] of triggered) {
        const c = campaigns.find((x) => x.id === campaignId)!;
        await dispatchTriggered(env, c, recipients, now);
      }
    }
  };
}

async function dispatchTriggered(
  env: { DB: D1Database; DELIVERY_QUEUE: Queue },
  c: Campaign,
  recipients: QueuedRecipient[],
  now: number,
): Promise<void> {
  if (c.delivery.type !== 'action_based') return;
  // The same triggers make the same dispatch: a redelivered message finds it and re-queues it,
  // and the profiles' ledgers (unique per trigger) drop what was already sent.
  const id = await dispatchIdFor(c.id, recipients.map((r) => r.trigger_id ?? '').sort());
  const messages = campaignMessages(c);
  const controls: DispatchControls = {
    ...campaignControls(c),
    trigger: {
      delay: c.delivery.delay,
      exception_events: c.delivery.exception_events,
      time_zone: c.delivery.time_zone,
      end_at: c.delivery.end_at ? parseTime(c.delivery.end_at) : null,
    },
  };
  await createDispatchOnce(env.DB, {
    id,
    workspaceId: c.workspaceId,
    source: 'campaign.action',
    campaignId: c.id,
    sendId: null,
    messages,
    context: { campaign: { api_id: c.id, name: c.name } },
    controls,
    audience: await campaignAudience(env.DB, c, null),
    status: 'enqueued',
    now,
  });
  await enqueueDispatch(env, {
    workspaceId: c.workspaceId,
    dispatchId: id,
    channels: dispatchChannels(messages),
    recipients,
  });
  log('debug', 'action-based campaign triggered', {
    campaign_id: c.id,
    dispatch_id: id,
    recipients: recipients.length,
  });
}
