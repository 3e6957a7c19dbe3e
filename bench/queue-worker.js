/**
 * The raw queue ceiling for the delivery benchmark (bench/lib/delivery.mjs): the fetch handler
 * enqueues `n` messages shaped like Herald's deliver messages (100 recipients each) in batches of
 * 40, and the consumer only reports how many it received to the bench's local sink. It runs on
 * the same workerd, with the same consumer settings as `herald-delivery` in wrangler.toml, so
 * what it measures is the runtime's queue, not Herald.
 *
 * With `webhooks=1` the consumer instead POSTs one small webhook per recipient to the sink, 16 at
 * a time per message like Herald's consumer, with no profile work: the bare pipeline's ceiling.
 */

/** Herald's audience-page deliver messages (src/delivery/queue.ts EXPAND_RECIPIENTS_PER_MESSAGE). */
const RECIPIENTS_PER_MESSAGE = 100;
/** Messages per `sendBatch`: 40 of ~4 KB stay under its 256 KB per call. */
const SEND_BATCH = 40;
/** Herald's per-message concurrency (src/delivery/consumer.ts CONCURRENCY). */
const CONCURRENCY = 16;

/** A deliver message of Herald's size: 100 profile ids of Herald's shape. */
function message(i, webhooks) {
  return {
    webhooks,
    v: 1,
    type: 'deliver',
    workspace_id: 'bench',
    dispatch_id: '0123456789abcdef0123456789abcdef',
    channel: 'webhook',
    attempt: 1,
    recipients: Array.from({ length: RECIPIENTS_PER_MESSAGE }, (_, k) => ({
      profile_id: `6742c0de${(i * RECIPIENTS_PER_MESSAGE + k).toString(16).padStart(16, '0')}`,
    })),
  };
}

/** One webhook per recipient of a message, CONCURRENCY at a time. */
async function callEach(sinkUrl, m) {
  const recipients = m.body.recipients;
  let next = 0;
  const worker = async () => {
    while (next < recipients.length) {
      const r = recipients[next++];
      const res = await fetch(`${sinkUrl}/hook`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ user: r.profile_id }),
      });
      await res.body?.cancel();
    }
  };
  await Promise.all(Array.from({ length: CONCURRENCY }, worker));
  m.ack();
}

export default {
  async fetch(request, env) {
    const url = new URL(request.url);
    if (request.method !== 'POST' || url.pathname !== '/send') {
      return new Response('not found', { status: 404 });
    }
    const n = Number(url.searchParams.get('n') ?? '0');
    const webhooks = url.searchParams.get('webhooks') === '1';
    for (let i = 0; i < n; i += SEND_BATCH) {
      const size = Math.min(SEND_BATCH, n - i);
      await env.QUEUE.sendBatch(
        Array.from({ length: size }, (_, k) => ({ body: message(i + k, webhooks) })),
      );
    }
    return Response.json({ sent: n });
  },

  async queue(batch, env) {
    if (batch.messages[0]?.body.webhooks) {
      await Promise.all(batch.messages.map((m) => callEach(env.SINK_URL, m)));
      return;
    }
    let recipients = 0;
    for (const m of batch.messages) {
      recipients += m.body.recipients.length;
      m.ack();
    }
    // One report per batch: a tenth of a request per message, against Herald's 100 webhooks.
    const res = await fetch(`${env.SINK_URL}/count`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ messages: batch.messages.length, recipients }),
    });
    await res.body?.cancel();
  },
};
