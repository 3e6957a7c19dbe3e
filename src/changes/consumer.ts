import { log } from '../lib/log';
import { type ChangeBatch, ChangeMessage } from './records';

/**
 * A layer that reacts to change records (segment index, triggers, Currents). Handlers must be
 * idempotent: delivery is at least once, and records carry `id` and per-profile `seq`.
 */
/** Handlers get all batches of one queue message (one or more profiles) at once. */
export type ChangeHandler = (batches: ChangeBatch[]) => Promise<void>;

/**
 * Consume one queue batch: validate each message, hand valid batches to every handler, retry a
 * message whose handlers fail (with backoff), and drop, with a log line, a message that can never
 * be valid.
 */
export async function consumeChanges(
  batch: MessageBatch<unknown>,
  handlers: readonly ChangeHandler[],
): Promise<{ processed: number; invalid: number; retried: number }> {
  const stats = { processed: 0, invalid: 0, retried: 0 };
  // Messages are independent (handlers are idempotent per profile), so they run concurrently.
  await Promise.all(
    batch.messages.map(async (message) => {
      const parsed = ChangeMessage.safeParse(message.body);
      if (!parsed.success) {
        stats.invalid++;
        log('error', 'invalid change message dropped', {
          queue: batch.queue,
          message_id: message.id,
          issues: parsed.error.issues.slice(0, 3).map((i) => `${i.path.join('.')}: ${i.message}`),
        });
        message.ack();
        return;
      }
      try {
        for (const handler of handlers) await handler(parsed.data.batches);
        stats.processed++;
        message.ack();
      } catch (err) {
        stats.retried++;
        log('warn', 'change handler failed; retrying', {
          message_id: message.id,
          attempts: message.attempts,
          error: String(err),
        });
        message.retry({ delaySeconds: Math.min(300, 2 ** message.attempts) });
      }
    }),
  );
  return stats;
}
