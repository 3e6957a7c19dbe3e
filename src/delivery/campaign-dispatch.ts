import type { Occurrence } from '../campaigns/schedule';
import type { Campaign } from '../campaigns/store';
import { sha256Hex } from '../lib/hash';
import type { SegmentFilter } from '../segments/filters';
import { getSegment } from '../segments/store';
import {
  createDispatch,
  createDispatchOnce,
  type DispatchControls,
  type DispatchMessages,
  dispatchChannels,
  getDispatch,
} from './dispatch-store';
import {
  type DeliverMessage,
  type DeliveryMessage,
  type QueuedRecipient,
  RECIPIENTS_PER_MESSAGE,
} from './queue';

/**
 * Turning a campaign send (API-triggered, scheduled, action-based) into a dispatch: its variants
 * and control group, its delivery controls, its audience; then handing it to the queue, as a
 * list of recipients or as an audience to page.
 */

/**
 * The dispatch id of an API request that names a `send_id`: derived from the workspace, the
 * endpoint, the request body and the UTC day, so a client that repeats an identical request
 * (a retry after a timeout, say) gets the same dispatch and every user still gets one message.
 * Different bodies under the same `send_id` are different sends, as Braze lets send ids be reused.
 */
export async function requestDispatchId(
  workspaceId: string,
  endpoint: string,
  body: unknown,
  now: number,
): Promise<string> {
  const day = new Date(now).toISOString().slice(0, 10);
  return dispatchIdFor(workspaceId, [endpoint, day, canonical(body)]);
}

/**
 * A dispatch id derived from what starts it (a scheduled occurrence, a batch of triggers, a
 * request): 32 hex characters, like Braze's, the same whenever the same thing starts it again.
 */
export async function dispatchIdFor(scope: string, parts: string[]): Promise<string> {
  return (await sha256Hex(`${scope}\n${parts.join('\n')}`)).slice(0, 32);
}

/** JSON with object keys sorted, so key order does not make two requests differ. */
function canonical(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonical).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonical(v)}`).join(',')}}`;
  }
  return JSON.stringify(value);
}

/** A new dispatch id: 32 hex characters, like Braze's. */
export function newDispatchId(): string {
  return crypto.randomUUID().replaceAll('-', '');
}

/** What a campaign's variants send (channels Herald does not deliver yet are never queued). */
export function campaignMessages(c: Campaign): DispatchMessages {
  return {
    variants: c.variants.map((v) => ({
      id: v.id,
      percentage: v.percentage,
      messages: v.messages,
    })),
    control: {
      percentage: c.controlPercentage,
      variation_id: c.controlVariationId,
      respects_global_control: c.controls.global_control_group,
    },
  };
}

/** The campaign's delivery controls (contract §3.5), as a dispatch stores them. */
export function campaignControls(c: Campaign, occurrence?: Occurrence): DispatchControls {
  const capped = c.controls.frequency_capping;
  return {
    override_frequency_capping: !capped,
    counts_toward_caps: capped ? true : (c.controls.counts_toward_frequency_cap ?? false),
    reeligible_after_seconds: c.controls.reeligibility_seconds,
    quiet_hours: c.controls.quiet_hours,
    recipient_subscription_state: c.controls.subscription_state,
    tags: c.tags,
    rate_limit_per_minute: c.controls.rate_limit_per_minute,
    ...(c.conversionEvents.length > 0 ? { conversions: c.conversionEvents } : {}),
    ...localTimeControl(occurrence),
  };
}

/** A local-time send's control: each profile waits for `date time` in its own zone. */
export function localTimeControl(o: Occurrence | undefined): Pick<DispatchControls, 'local_time'> {
  if (!o?.inLocalTime) return {};
  return {
    local_time: {
      date: o.date,
      time: o.time,
      time_zone: o.timeZone,
      due_at: o.dueAt,
      ...(o.optimal ? { optimal: true } : {}),
    },
  };
}

/**
 * The campaign's audience, narrowed by an extra filter (an API call's `audience`). Its segments
 * are resolved to their definitions as they are now, so the dispatch pages and re-checks the
 * segments as the campaign names them, whatever older versions caches elsewhere still hold.
 * A segment that no longer exists (or is archived) matches nobody.
 */
export async function campaignAudience(
  db: D1Database,
  c: Campaign,
  extra: SegmentFilter | null,
): Promise<SegmentFilter | null> {
  const parts: SegmentFilter[] = [];
  for (const id of c.audience.segment_ids) {
    const segment = await getSegment(db, c.workspaceId, id);
    parts.push(
      segment && !segment.archived
        ? segment.filter
        : { segment_membership: { segment_id: id, comparison: 'is' } },
    );
  }
  if (c.audience.filter) parts.push(c.audience.filter);
  if (extra !== null) parts.push(extra);
  if (parts.length === 0) return null;
  return parts.length === 1 ? parts[0]! : { AND: parts };
}

/**
 * Write the dispatch and queue its first messages: deliver messages for listed recipients, or
 * the first expand page for an audience. Answers the dispatch id.
 */
export async function startCampaignDispatch(
  env: { DB: D1Database; DELIVERY_QUEUE: Queue },
  input: {
    campaign: Campaign;
    source:
      | 'campaigns.trigger.send'
      | 'campaigns.trigger.schedule'
      | 'campaign.scheduled'
      | 'campaign.action'
      | 'transactional';
    /** A dispatch id derived from what starts it (see `launchDispatch`); default: a new one. */
    id?: string;
    sendId: string | null;
    audience: SegmentFilter | null;
    /** Listed recipients; null: everyone in `audience`. */
    recipients: QueuedRecipient[] | null;
    occurrence?: Occurrence;
    /** Properties every recipient's render sees (a recipient's own replace them). */
    triggerProperties?: Record<string, unknown> | null;
    /**
     * A transactional send (contract §3.10.7): every user is eligible, unsubscribed ones too,
     * with no re-eligibility, frequency capping, control groups or conversions.
     */
    transactional?: { externalSendId: string | null };
    now: number;
  },
): Promise<string> {
  const c = input.campaign;
  const id = input.id ?? newDispatchId();
  await launchDispatch(env, {
    id,
    once: input.id !== undefined,
    workspaceId: c.workspaceId,
    source: input.source,
    campaignId: c.id,
    sendId: input.sendId,
    messages: input.transactional
      ? { variants: campaignMessages(c).variants }
      : campaignMessages(c),
    context: {
      campaign: { api_id: c.id, name: c.name },
      ...(input.triggerProperties
        ? { api_trigger_properties: input.triggerProperties as Record<string, never> }
        : {}),
    },
    controls: input.transactional
      ? {
          override_frequency_capping: true,
          counts_toward_caps: false,
          recipient_subscription_state: 'all',
          tags: c.tags,
          transactional: { external_send_id: input.transactional.externalSendId },
        }
      : campaignControls(c, input.occurrence),
    audience: input.audience,
    recipients: input.recipients,
    now: input.now,
  });
  return id;
}

/**
 * Write a dispatch and queue its first messages. With `once` (an id derived from what starts
 * the dispatch, repeated after a crash) a dispatch already written is kept, and its audience's
 * first page is queued again only while nothing has paged yet; listed recipients are queued
 * again, and their profiles' ledgers drop what was already sent.
 */
export async function launchDispatch(
  env: { DB: D1Database; DELIVERY_QUEUE: Queue },
  input: Omit<Parameters<typeof createDispatch>[1], 'status'> & {
    once: boolean;
    /** Listed recipients; null: everyone in `audience`. */
    recipients: QueuedRecipient[] | null;
  },
): Promise<void> {
  const { once, recipients, ...row } = input;
  const status = recipients === null ? 'expanding' : 'enqueued';
  if (!once) {
    await createDispatch(env.DB, { ...row, status });
  } else {
    await createDispatchOnce(env.DB, { ...row, status });
    if (recipients === null) {
      const stored = await getDispatch(env.DB, row.workspaceId, row.id, { fresh: true });
      if (stored?.status !== 'expanding' || stored.cursor !== null) return;
    }
  }
  await enqueueDispatch(env, {
    workspaceId: row.workspaceId,
    dispatchId: row.id,
    channels: dispatchChannels(row.messages),
    recipients,
  });
}

/** Queue a new dispatch's first messages. */
export async function enqueueDispatch(
  env: { DELIVERY_QUEUE: Queue },
  input: {
    workspaceId: string;
    dispatchId: string;
    channels: DeliverMessage['channel'][];
    recipients: QueuedRecipient[] | null;
  },
): Promise<void> {
  const first: DeliveryMessage[] = [];
  if (input.recipients === null) {
    first.push({
      v: 1,
      type: 'expand',
      workspace_id: input.workspaceId,
      dispatch_id: input.dispatchId,
      after: null,
    });
  } else {
    for (let i = 0; i < input.recipients.length; i += RECIPIENTS_PER_MESSAGE) {
      for (const channel of input.channels) {
        first.push({
          v: 1,
          type: 'deliver',
          workspace_id: input.workspaceId,
          dispatch_id: input.dispatchId,
          channel,
          attempt: 1,
          recipients: input.recipients.slice(i, i + RECIPIENTS_PER_MESSAGE),
        });
      }
    }
  }
  for (let i = 0; i < first.length; i += 100) {
    await env.DELIVERY_QUEUE.sendBatch(first.slice(i, i + 100).map((body) => ({ body })));
  }
}
