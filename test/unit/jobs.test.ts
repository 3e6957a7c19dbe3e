import { describe, expect, it } from 'vitest';
import { dueJobs } from '../../src/jobs/consumer';

describe('the minute cron', () => {
  it('enqueues the scheduled campaigns due and the segment membership sync every minute', () => {
    for (const iso of ['2026-11-23T14:01:00Z', '2026-11-23T14:59:00Z']) {
      const at = Date.parse(iso);
      expect(dueJobs(at)).toEqual([
        { type: 'campaigns_due', at },
        { type: 'segment_members_sync', at },
      ]);
    }
  });

  it('adds the segment size snapshot at the top of the hour', () => {
    const at = Date.parse('2026-11-23T14:00:00Z');
    expect(dueJobs(at)).toEqual([
      { type: 'campaigns_due', at },
      { type: 'segment_members_sync', at },
      { type: 'segment_sizes', at },
    ]);
  });

  it('adds the pruning of per-send statistics and analytics rows at midnight UTC', () => {
    const at = Date.parse('2026-11-24T00:00:00Z');
    expect(dueJobs(at)).toEqual([
      { type: 'campaigns_due', at },
      { type: 'segment_members_sync', at },
      { type: 'segment_sizes', at },
      { type: 'send_stats_prune', at },
      { type: 'analytics_prune', at },
    ]);
  });
});
