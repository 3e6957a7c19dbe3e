import { pruneAnalytics } from '../analytics/rollup-handler';
import { runSeriesExport } from '../analytics/series-export';
import { pruneSendStats } from '../campaigns/send-stats';
import { pruneClaims } from '../delivery/batch-ledger';
import { startDueSchedules } from '../delivery/due-schedules';
import { startDueCampaigns } from '../delivery/scheduler';
import { log } from '../lib/log';
import { LEDGER_RETENTION_MS } from '../profiles/sends';
import { runExportSlice } from '../segments/export-job';
import { runMemberPass, syncAllMemberStates } from '../segments/member-passes';
import { recordSegmentSizes } from '../segments/sizes';
import { JobMessage } from './messages';

/** The bindings jobs use. */
export interface JobBindings {
  DB: D1Database;
  EXPORTS: R2Bucket;
  USER_PROFILE: Env['USER_PROFILE'];
  JOBS_QUEUE: Queue;
  DELIVERY_QUEUE: Queue;
  /** Scheduled API-triggered sends write their recipients' attributes as they start. */
  IDENTITY_INDEX: Env['IDENTITY_INDEX'];
  CHANGES_QUEUE: Queue;
}

/** Run job messages one by one: invalid ones are dropped with a log line, failures retried. */
export async function consumeJobs(batch: MessageBatch<unknown>, env: JobBindings): Promise<void> {
  for (const message of batch.messages) {
    const parsed = JobMessage.safeParse(message.body);
    if (!parsed.success) {
      log('error', 'invalid job message dropped', { message_id: message.id });
      message.ack();
      continue;
    }
    const job = parsed.data;
    try {
      if (job.type === 'campaigns_due') {
        const started = await startDueCampaigns(env, job.at);
        const scheduled = await startDueSchedules(env, job.at);
        if (started + scheduled > 0) {
          log('info', 'scheduled sends started', { campaigns: started, api_schedules: scheduled });
        }
      } else if (job.type === 'send_stats_prune') {
        log('info', 'send statistics pruned', { rows: await pruneSendStats(env.DB, job.at) });
        // The daily job also drops batched-send claims the profiles' ledgers have forgotten.
        await pruneClaims(env.DB, job.at - LEDGER_RETENTION_MS);
      } else if (job.type === 'analytics_prune') {
        log('info', 'analytics rows pruned', { rows: await pruneAnalytics(env.DB, job.at) });
      } else if (job.type === 'analytics_export') {
        await runSeriesExport(env, { workspaceId: job.workspace_id, exportId: job.export_id });
      } else if (job.type === 'segment_members_sync') {
        const r = await syncAllMemberStates(env, { workspaceId: job.workspace_id, now: job.at });
        if (r.started + r.purged > 0) log('info', 'segment membership passes', r);
      } else if (job.type === 'segment_members_pass') {
        const outcome = await runMemberPass(env, {
          workspaceId: job.workspace_id,
          segmentId: job.segment_id,
          passId: job.pass_id,
        });
        log('debug', 'segment membership pass', { segment_id: job.segment_id, outcome });
      } else if (job.type === 'segment_export') {
        await runExportSlice(env, {
          workspaceId: job.workspace_id,
          exportId: job.export_id,
        });
      } else {
        const recorded = await recordSegmentSizes(env.DB, {
          workspaceId: job.workspace_id,
          at: job.at,
        });
        log('info', 'segment sizes recorded', { recorded });
      }
      message.ack();
    } catch (err) {
      log('warn', 'job failed; retrying', {
        type: job.type,
        attempts: message.attempts,
        error: String(err),
      });
      message.retry({ delaySeconds: Math.min(300, 2 ** message.attempts) });
    }
  }
}

/**
 * What the minute cron enqueues: the scheduled campaigns and API schedules due now and the
 * segment membership sync (new, changed and clock-reading segments' passes), every minute, the segment size snapshot at the top of every hour, and the pruning of per-send
 * statistics and of analytics rows at midnight UTC.
 */
export function dueJobs(scheduledTime: number): JobMessage[] {
  const jobs: JobMessage[] = [
    { type: 'campaigns_due', at: scheduledTime },
    { type: 'segment_members_sync', at: scheduledTime },
  ];
  const t = new Date(scheduledTime);
  if (t.getUTCMinutes() === 0) {
    jobs.push({ type: 'segment_sizes', at: scheduledTime });
    if (t.getUTCHours() === 0) {
      jobs.push({ type: 'send_stats_prune', at: scheduledTime });
      jobs.push({ type: 'analytics_prune', at: scheduledTime });
    }
  }
  return jobs;
}
