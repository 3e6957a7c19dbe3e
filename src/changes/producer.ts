import type { ChangeBatch, ChangeMessage } from './records';

/** Queues accept at most 100 messages and 256 KB per sendBatch call, 128 KB per message. */
const MAX_MESSAGES = 100;
const MAX_CALL_BYTES = 240 * 1024;
const MAX_MESSAGE_BYTES = 100 * 1024;

/** Pack change batches into as few messages as the size limits allow. */
export function packMessages(batches: ChangeBatch[]): { body: ChangeMessage; bytes: number }[] {
  const out: { body: ChangeMessage; bytes: number }[] = [];
  let current: ChangeBatch[] = [];
  let bytes = 0;
  for (const b of batches) {
    const size = JSON.stringify(b).length;
    if (current.length > 0 && bytes + size > MAX_MESSAGE_BYTES) {
      out.push({ body: { v: 1, batches: current }, bytes });
      current = [];
      bytes = 0;
    }
    current.push(b);
    bytes += size;
  }
  if (current.length > 0) out.push({ body: { v: 1, batches: current }, bytes });
  return out;
}

/** Send change batches to the queue in as few messages and calls as the limits allow. */
export async function sendChanges(
  queue: Queue<ChangeMessage>,
  batches: ChangeBatch[],
): Promise<void> {
  let call: MessageSendRequest<ChangeMessage>[] = [];
  let bytes = 0;
  for (const m of packMessages(batches)) {
    if (call.length > 0 && (call.length >= MAX_MESSAGES || bytes + m.bytes > MAX_CALL_BYTES)) {
      await queue.sendBatch(call);
      call = [];
      bytes = 0;
    }
    call.push({ body: m.body, contentType: 'json' });
    bytes += m.bytes;
  }
  if (call.length > 0) await queue.sendBatch(call);
}
