import type { ChangeBatch } from './records';

/** Queues accept at most 100 messages and 256 KB per sendBatch call. */
const MAX_MESSAGES = 100;
const MAX_BATCH_BYTES = 240 * 1024;

/** Send change batches to the queue, split to respect the Queues batch limits. */
export async function sendChangeBatches(
  queue: Queue<ChangeBatch>,
  batches: ChangeBatch[],
): Promise<void> {
  let chunk: MessageSendRequest<ChangeBatch>[] = [];
  let bytes = 0;
  for (const body of batches) {
    const size = JSON.stringify(body).length;
    if (chunk.length > 0 && (chunk.length >= MAX_MESSAGES || bytes + size > MAX_BATCH_BYTES)) {
      await queue.sendBatch(chunk);
      chunk = [];
      bytes = 0;
    }
    chunk.push({ body, contentType: 'json' });
    bytes += size;
  }
  if (chunk.length > 0) await queue.sendBatch(chunk);
}
