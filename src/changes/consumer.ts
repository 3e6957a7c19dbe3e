import { log } from '../lib/log';
import { type ChangeBatch, ChangeMessage } from './records';

/**
 * A layer that reacts to change records (segment index, triggers, Currents). Handlers must be
 * idempotent: delivery is at least once, and records carry `id` and per-profile `seq`.
 */
/** Handlers get all batches of one queue message (one or more profiles) at once. */
export type ChangeHandler = (batches: ChangeBatch[]) => Promise<void>;

/**
 * Consume one queue batch: validate each message, hand all valid batches of the queue batch to
 * every handler at once (so the segment index reads every profile of the batch in parallel and
 * writes them in one D1 batch), and ack them together. When a handler fails, every valid message
 * is retried with backoff (handlers are idempotent, so records they already applied are applied
 * again harmlessly). A message that can never be valid is dropped with a log line.
 */
export async function consumeChanges(
  batch: MessageBatch<unknown>,
  handlers: readonly ChangeHandler[],
): Promise<{ processed: number; invalid: number; retried: number }> {
  const stats = { processed: 0, invalid: 0, retried: 0 };
  const valid: { message: Message<unknown>; batches: ChangeBatch[] }[] = [];
  for (const message of batch.messages) {
    const parsed = ChangeMessage.safeParse(message.body);
    if (!parsed.success) {
      stats.invalid++;
      log('error', 'invalid change message dropped', {
        queue: batch.queue,
        message_id: message.id,
        issues: parsed.error.issues.slice(0, 3).map((i) => `${i.path.join('.')}: ${i.message}`),
      });
      message.ack();
      continue;
    }
    valid.push({ message, batches: parsed.data.batches });
  }
  if (valid.length === 0) return stats;
  const all = valid.flatMap((v) => v.batches);
  try {
    for (const handler of handlers) await handler(all);
    for (const v of valid) v.message.ack();
    stats.processed = valid.length;
  } catch (err) {
    for (const v of valid) {
      v.message.retry({ delaySeconds: Math.min(300, 2 ** v.message.attempts) });
    }
    stats.retried = valid.length;
    log('warn', 'change handler failed; retrying the batch', {
      messages: valid.length,
      attempts: Math.max(...valid.map((v) => v.message.attempts)),
      error: String(err),
    });
  }
  return stats;
}
