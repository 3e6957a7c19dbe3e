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
