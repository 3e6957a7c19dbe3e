/**
 * The Currents benchmark (issue "Export", Speed): on a fresh Herald, a storage connector (Avro,
 * deflate, custom events only) and 15,000 custom events sent through /users/track in requests of
 * 75. Measures events/s from the first request to the flushed file (record creation, queue,
 * buffer, Avro encoding, R2 write) and the time from the last /users/track response until the
 * 15,000-event threshold has written the file (the connector's status says events_sent).
 */

export const CURRENTS_ID = 'currents';
const EVENTS = 15_000;
const PER_REQUEST = 75;
const USERS = 1_000;
const CONCURRENCY = 8;

function api(target) {
  return async (method, path, body) => {
    const res = await fetch(`${target.url}${path}`, {
      method,
      headers: { authorization: `Bearer ${target.apiKey}`, 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
      signal: AbortSignal.timeout(120_000),
    });
    const text = await res.text();
    if (res.status >= 300)
      throw new Error(`${method} ${path} -> ${res.status} ${text.slice(0, 500)}`);
    return JSON.parse(text);
  };
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

export async function runCurrentsSuite({ start, say }) {
  const target = await start({});
  try {
    const call = api(target);
    const { connector } = await call('POST', '/herald/currents/connectors', {
      name: 'bench',
      type: 'storage',
      storage: { codec: 'deflate' },
      event_types: ['users.behaviors.CustomEvent'],
    });
    const requests = EVENTS / PER_REQUEST;
    say(`bench: currents: ${EVENTS} custom events in ${requests} /users/track requests`);
    const t0 = performance.now();
    let next = 0;
    await Promise.all(
      Array.from({ length: CONCURRENCY }, async () => {
        while (next < requests) {
          const r = next++;
          await call('POST', '/users/track', {
            events: Array.from({ length: PER_REQUEST }, (_, k) => ({
              external_id: `cur-${(r * PER_REQUEST + k) % USERS}`,
              name: 'played',
              time: '2026-11-20T10:00:00Z',
              properties: { level: k },
            })),
          });
        }
      }),
    );
    const tTracked = performance.now();
    let status;
    for (;;) {
      status = await call('GET', `/herald/currents/connectors/${connector.id}/status`);
      if (status.events_sent >= EVENTS || performance.now() - tTracked > 240_000) break;
      await sleep(100);
    }
    const tFlushed = performance.now();
    if (status.events_sent < EVENTS) {
      throw new Error(`only ${status.events_sent} of ${EVENTS} events flushed in 240 s`);
    }
    const out = {
      events: EVENTS,
      files: status.batches_sent,
      trackSeconds: (tTracked - t0) / 1000,
      trackToFileSeconds: (tFlushed - tTracked) / 1000,
      eventsPerSec: EVENTS / ((tFlushed - t0) / 1000),
    };
    say(
      `bench:   -> ${Math.round(out.eventsPerSec)} events/s end to end; /users/track took ` +
        `${out.trackSeconds.toFixed(2)} s; last response -> file in R2: ` +
        `${out.trackToFileSeconds.toFixed(2)} s (${out.files} file(s))`,
    );
    return out;
  } finally {
    await target.mf.dispose();
  }
}
