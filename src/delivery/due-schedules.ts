import { z } from 'zod';
import { ApiError } from '../http/errors';
import { log } from '../lib/log';
import { getWorkspace } from '../workspaces/store';
import { planSchedule } from './schedule-object';
import { MessagesScheduleRequest, overridesCaps } from './schedule-routes';
import {
  type ApiSchedule,
  listDueSchedules,
  scheduleDispatchId,
  settleSchedule,
} from './schedule-store';
import { planMessagesSend, startMessagesSend } from './send-routes';
import {
  INACTIVE_NOTICE,
  planTriggerSend,
  startTriggerSend,
  type TriggerBindings,
  TriggerSendBody,
} from './trigger-routes';

type Outcome = { status: 'sent' | 'skipped' | 'failed'; reason: string | null };

/**
 * Scheduled API messages (contract §3.10.2, §3.10.5): the minute job starts every schedule that
 * is due, through the same code as the immediate endpoint (`planMessagesSend` /
 * `startMessagesSend`, `planTriggerSend` / `startTriggerSend`), so audience, recipients,
 * trigger properties and delivery controls are those `/messages/send` and
 * `/campaigns/trigger/send` would apply. Its dispatch id is derived from the schedule and
 * written before the schedule is settled: a crash between the two repeats the start, which finds
 * the dispatch again, and never skips a schedule. Answers how many schedules were sent.
 */
export async function startDueSchedules(env: TriggerBindings, now: number): Promise<number> {
  let sent = 0;
  for (const s of await listDueSchedules(env.DB, now)) {
    const outcome = await startSchedule(env, s, now).catch((err: unknown): Outcome => {
      // What the endpoint would refuse now (an archived segment, a deleted campaign) fails the
      // schedule for good; anything else is retried with the job.
      if (err instanceof ApiError || err instanceof z.ZodError) {
        return { status: 'failed', reason: err.message };
      }
      throw err;
    });
    const settled = await settleSchedule(env.DB, { id: s.id, dueAt: s.dueAt!, ...outcome, now });
    if (settled && outcome.status === 'sent') sent++;
    log(outcome.status === 'failed' ? 'warn' : 'info', 'scheduled API message started', {
      schedule_id: s.id,
      kind: s.kind,
      status: outcome.status,
      reason: outcome.reason,
      settled,
    });
  }
  return sent;
}

async function startSchedule(env: TriggerBindings, s: ApiSchedule, now: number): Promise<Outcome> {
  const workspace = await getWorkspace(env.DB, s.workspaceId);
  if (!workspace) return { status: 'failed', reason: 'the workspace no longer exists' };
  const timing = planSchedule(s.schedule, {
    now,
    companyTimeZone: workspace.settings.company_time_zone,
  });
  if (!timing.ok) return { status: 'failed', reason: timing.error };
  const start = {
    id: await scheduleDispatchId(s.id),
    occurrence: timing.occurrence,
    now,
  };
  if (s.kind === 'messages') {
    const body = MessagesScheduleRequest.parse(s.request);
    const plan = await planMessagesSend(env.DB, workspace.id, body);
    await startMessagesSend(env, {
      ...start,
      once: true,
      workspaceId: workspace.id,
      source: 'messages.schedule',
      body,
      plan,
      overrideCaps: overridesCaps(body),
    });
    return { status: 'sent', reason: null };
  }
  const body = TriggerSendBody.parse(s.request);
  const plan = await planTriggerSend(env.DB, workspace.id, body);
  const started = await startTriggerSend(env, {
    ...start,
    workspace,
    body,
    plan,
    source: 'campaigns.trigger.schedule',
  });
  return started.type === 'inactive'
    ? { status: 'skipped', reason: INACTIVE_NOTICE }
    : { status: 'sent', reason: null };
}
