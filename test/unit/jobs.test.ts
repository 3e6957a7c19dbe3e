import { describe, expect, it } from 'vitest';
import { dueJobs } from '../../src/jobs/consumer';

describe('the minute cron', () => {
  it('enqueues the segment size snapshot at the top of the hour', () => {
    const at = Date.parse('2026-11-23T14:00:00Z');
    expect(dueJobs(at)).toEqual([{ type: 'segment_sizes', at }]);
  });

  it('enqueues nothing in the other minutes', () => {
    expect(dueJobs(Date.parse('2026-11-23T14:01:00Z'))).toEqual([]);
    expect(dueJobs(Date.parse('2026-11-23T14:59:00Z'))).toEqual([]);
  });
});
