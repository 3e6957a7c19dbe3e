import { z } from 'zod';

/** Messages on JOBS_QUEUE: each names one bounded slice of a long job. */
export const JobMessage = z.discriminatedUnion('type', [
  z.object({ type: z.literal('segment_export'), workspace_id: z.string(), export_id: z.string() }),
  /** Record today's size of every tracked segment (all workspaces, or one). */
  z.object({
    type: z.literal('segment_sizes'),
    workspace_id: z.string().optional(),
    at: z.number(),
  }),
  /**
   * Start, refresh or resume materialised segment membership passes and purge dropped segments'
   * rows (all workspaces, or one): src/segments/member-passes.ts.
   */
  z.object({
    type: z.literal('segment_members_sync'),
    workspace_id: z.string().optional(),
    at: z.number(),
  }),
  /** Run slices of one membership pass (it re-enqueues itself until the pass is done). */
  z.object({
    type: z.literal('segment_members_pass'),
    workspace_id: z.string(),
    segment_id: z.string(),
    pass_id: z.string(),
  }),
  /** Start the scheduled campaign occurrences and API schedules due at `at` (every minute). */
  z.object({ type: z.literal('campaigns_due'), at: z.number() }),
  /** Drop per-send statistics past their 14 days (daily). */
  z.object({ type: z.literal('send_stats_prune'), at: z.number() }),
  /** Drop analytics rows no series reaches any more (daily, src/analytics/rollup-handler.ts). */
  z.object({ type: z.literal('analytics_prune'), at: z.number() }),
  /** Write one analytics series as a CSV file (src/analytics/series-export.ts). */
  z.object({
    type: z.literal('analytics_export'),
    workspace_id: z.string(),
    export_id: z.string(),
  }),
]);
export type JobMessage = z.infer<typeof JobMessage>;
