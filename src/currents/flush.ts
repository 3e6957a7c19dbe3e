import { checkAddress } from '../personalization/address-guard';
import { encodeContainer } from './avro';
import type { BufferedRow, BufferStore, BufferTarget } from './buffer-store';
import { eventSpec } from './catalog';
import type { Connector } from './connectors';
import { httpVerdict, nestedEvent, SIGNATURE_HEADER, signatureHeader } from './http-shape';
import { objectKey } from './keys';
import type { DeadLetter, FlushOutcome } from './stats';

/**
 * One flush of a Currents buffer: everything due goes to the connector's destination, and rows
 * are deleted only once their file is in R2 or their POST was accepted. A failed write leaves
 * the rows in place, due again after a backoff; an interrupted flush rewrites the same object
 * key (same first offset, same hour), so nothing is lost and no file is duplicated.
 */

/** A batch is written every 5 minutes, or as soon as this many events wait (contract §4.2). */
export const FLUSH_INTERVAL_MS = 5 * 60_000;
export const FLUSH_THRESHOLD = 15_000;
/** Events per Avro file: one threshold's worth. A bigger backlog becomes several files. */
const FILE_MAX = 15_000;
/** Files or POSTs per flush: keeps one alarm well inside a Worker's subrequest limit. */
const WRITES_PER_FLUSH = 40;
/** Storage retries wait at most this long: R2 is Herald's own, so they never give up. */
const STORAGE_MAX_BACKOFF_MS = 300_000;

export interface FlushDeps {
  store: BufferStore;
  target: BufferTarget;
  /** Null when the connector was deleted: the buffer is emptied. */
  connector: Connector | null;
  exports: R2Bucket;
  /** Hosts the workspace allows although private (connected_content_allowlist). */
  allowlist: readonly string[];
  now: number;
  /** HERALD_RETRY_BASE_SECONDS in ms (0 in tests: retries are due at once). */
  retryBaseMs: number;
  fetch: typeof fetch;
  random?: () => number;
}

export interface FlushReport extends FlushOutcome {
  /** When the buffer wants its next flush, or null when it is empty. */
  nextFlushAt: number | null;
  /** True when the flush stopped at WRITES_PER_FLUSH with more due. */
  more: boolean;
}

function emptyOutcome(): FlushOutcome {
  return { eventsSent: 0, batchesSent: 0, failures: 0, deadLetters: [], lastError: null };
}

/** Flush what is due, then say when to flush next. */
export async function flushBuffer(deps: FlushDeps): Promise<FlushReport> {
  const { store, connector, now } = deps;
  store.prune(now, { dropAll: connector === null });
  const outcome = emptyOutcome();
  let more = false;
  if (connector?.enabled) {
    more =
      connector.kind === 'storage'
        ? await flushStorage(deps, connector, outcome)
        : await flushHttp(deps, connector, outcome);
  }
  let next = more ? now : nextFlushAt(store, now);
  // A paused connector keeps its events; look again in 5 minutes.
  if (connector && !connector.enabled && next !== null) next = now + FLUSH_INTERVAL_MS;
  return { ...outcome, nextFlushAt: next, more };
}

/** When the buffer is next due: at once past the threshold, else 5 minutes after its oldest. */
export function nextFlushAt(store: BufferStore, now: number): number | null {
  const { fresh, oldestFresh } = store.freshStats();
  const retry = store.nextRetryAt();
  const freshAt =
    fresh >= FLUSH_THRESHOLD ? now : oldestFresh === null ? null : oldestFresh + FLUSH_INTERVAL_MS;
  if (freshAt === null) return retry;
  return retry === null ? freshAt : Math.min(freshAt, retry);
}

async function flushStorage(
  deps: FlushDeps,
  connector: Connector,
  outcome: FlushOutcome,
): Promise<boolean> {
  const { store, now } = deps;
  const storage = connector.config.storage ?? { prefix: 'currents', codec: 'null' as const };
  let writes = 0;
  for (const type of store.dueTypes(now)) {
    for (;;) {
      if (writes >= WRITES_PER_FLUSH) return true;
      const rows = store.due({ now, limit: FILE_MAX, type });
      if (rows.length === 0) break;
      const first = rows[0]!;
      const key = objectKey({
        prefix: storage.prefix,
        connectorId: connector.id,
        eventType: type,
        queuedAt: first.queuedAt,
        partition: deps.target.shard,
        offset: first.seq,
      });
      writes++;
      try {
        const body = await encodeContainer({
          spec: eventSpec(type),
          records: rows.map((r) => r.flat),
          codec: storage.codec,
        });
        await deps.exports.put(key, body, {
          httpMetadata: { contentType: 'application/avro' },
          customMetadata: { events: String(rows.length), event_type: type },
        });
      } catch (err) {
        const backoff = Math.min(STORAGE_MAX_BACKOFF_MS, deps.retryBaseMs * 2 ** first.attempts);
        store.failed(rows, { now, nextAt: now + backoff });
        outcome.failures++;
        outcome.lastError = `R2 write of ${key} failed: ${String(err)}`.slice(0, 500);
        break;
      }
      store.sent(rows, now);
      outcome.eventsSent += rows.length;
      outcome.batchesSent++;
      if (rows.length < FILE_MAX) break;
    }
  }
  return false;
}

async function post(
  deps: FlushDeps,
  connector: Connector,
  rows: BufferedRow[],
): Promise<{ status: number | null; error: string | null }> {
  const http = connector.config.http;
  if (!http) return { status: null, error: 'no HTTP destination configured' };
  const checked = checkAddress(http.url, deps.allowlist);
  if (!checked.ok) return { status: null, error: checked.reason };
  const body = JSON.stringify({ events: rows.map((r) => nestedEvent(r.type, r.flat)) });
  const headers: Record<string, string> = {
    'Content-Type': 'application/json',
    'Braze-Currents-Version': '1',
  };
  if (connector.secrets.bearer_token) {
    headers.Authorization = `Bearer ${connector.secrets.bearer_token}`;
  }
  if (connector.secrets.signing_secret) {
    headers[SIGNATURE_HEADER] = await signatureHeader({
      secret: connector.secrets.signing_secret,
      body,
      now: deps.now,
    });
  }
  try {
    const res = await deps.fetch(checked.url, {
      method: 'POST',
      headers,
      body,
      signal: AbortSignal.timeout(30_000),
    });
    const text = res.ok ? '' : (await res.text()).slice(0, 300);
    if (res.ok) await res.body?.cancel();
    return { status: res.status, error: res.ok ? null : `HTTP ${res.status} ${text}`.trim() };
  } catch (err) {
    return { status: null, error: String(err).slice(0, 300) };
  }
}

function deadLetter(
  r: BufferedRow,
  input: { reason: string; status: number | null; now: number },
): DeadLetter {
  return {
    eventId: r.id,
    eventType: r.type,
    event: nestedEvent(r.type, r.flat),
    reason: input.reason,
    status: input.status,
    attempts: r.attempts + 1,
    failedAt: input.now,
  };
}

async function flushHttp(
  deps: FlushDeps,
  connector: Connector,
  outcome: FlushOutcome,
): Promise<boolean> {
  const { store, now } = deps;
  const size = connector.config.http?.batch_size ?? 100;
  const random = deps.random ?? Math.random;
  for (let writes = 0; ; writes++) {
    const due = store.due({ now, limit: size });
    if (due.length === 0) return false;
    if (writes >= WRITES_PER_FLUSH) return true;
    // Events split out of a refused batch go alone; the rest in batches of `size`.
    const rows = due[0]!.single ? [due[0]!] : due.filter((r) => !r.single).slice(0, size);
    const answer = await post(deps, connector, rows);
    const attempts = Math.max(...rows.map((r) => r.attempts));
    const verdict = httpVerdict({
      status: answer.status,
      attempts,
      baseMs: deps.retryBaseMs,
      random: random(),
    });
    if (verdict.type === 'done') {
      store.sent(rows, now);
      outcome.eventsSent += rows.length;
      outcome.batchesSent++;
      continue;
    }
    outcome.failures++;
    outcome.lastError = answer.error;
    if (verdict.type === 'split') {
      if (rows.length === 1) {
        const reason = answer.error ?? `HTTP ${answer.status}`;
        outcome.deadLetters.push(deadLetter(rows[0]!, { reason, status: answer.status, now }));
        store.dropped(rows, now);
      } else {
        store.failed(rows, { now, nextAt: now, single: true });
      }
      continue;
    }
    const expired = rows.filter((r) => now - (r.firstFailedAt ?? now) >= verdict.windowMs);
    const reason = `${answer.error ?? 'no answer'} (retried for ${Math.round(verdict.windowMs / 3_600_000)} h)`;
    for (const r of expired) {
      outcome.deadLetters.push(deadLetter(r, { reason, status: answer.status, now }));
    }
    store.dropped(expired, now);
    const keep = rows.filter((r) => !expired.includes(r));
    store.failed(keep, { now, nextAt: now + verdict.delayMs });
    // The destination is failing: the rest waits for the next flush rather than failing too.
    return false;
  }
}
