import { describe, expect, it } from 'vitest';
import {
  DeliveryMessage,
  EXPAND_RECIPIENTS_PER_MESSAGE,
  MAX_RECIPIENTS_PER_MESSAGE,
} from '../../../src/delivery/queue';

const deliver = (n: number) => ({
  v: 1,
  type: 'deliver',
  workspace_id: 'ws',
  dispatch_id: 'd',
  channel: 'webhook',
  attempt: 1,
  recipients: Array.from({ length: n }, (_, i) => ({ profile_id: `p${i}` })),
});

const record = (n: number) => ({
  v: 1,
  type: 'record',
  workspace_id: 'ws',
  dispatch_id: 'd',
  channel: 'webhook',
  sends: Array.from({ length: n }, (_, i) => ({
    profile_id: `p${i}`,
    result: 'sent',
    attempt: 1,
    at: 1,
  })),
});

describe('delivery queue messages', () => {
  it('carry an audience page message of 100 recipients, and its 100 finished sends', () => {
    expect(EXPAND_RECIPIENTS_PER_MESSAGE).toBe(100);
    expect(DeliveryMessage.safeParse(deliver(EXPAND_RECIPIENTS_PER_MESSAGE)).success).toBe(true);
    expect(DeliveryMessage.safeParse(record(EXPAND_RECIPIENTS_PER_MESSAGE)).success).toBe(true);
  });

  it('refuse more recipients than a message may carry', () => {
    expect(DeliveryMessage.safeParse(deliver(MAX_RECIPIENTS_PER_MESSAGE + 1)).success).toBe(false);
    expect(DeliveryMessage.safeParse(record(MAX_RECIPIENTS_PER_MESSAGE + 1)).success).toBe(false);
  });

  it('stay far below the queue message limit of 128 KB with 100 profile ids', () => {
    const ids = deliver(MAX_RECIPIENTS_PER_MESSAGE);
    ids.recipients = ids.recipients.map(() => ({ profile_id: 'f'.repeat(40) }));
    expect(JSON.stringify(ids).length).toBeLessThan(16_000);
  });
});
