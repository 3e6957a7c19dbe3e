/**
 * Group commit of ingestion-log appends inside one isolate. Requests that reach the same log
 * shard while an append to it is in flight wait together and go in the next append, as one call
 * and one stored row, instead of one call each: a database's group commit, with the shard object
 * as the log. Every request still answers only once its own objects are stored.
 *
 * How the isolate's requests cooperate. workerd runs each request in its own I/O context: one
 * context may not use another's I/O, and a promise one request resolves for another continues in
 * the resolver's context under some compatibility flags (the vitest pool sets
 * `no_handle_cross_request_promise_resolution`). So no request ever waits on a promise another
 * settles: each waits on its own timer and looks at shared state, and does its I/O itself.
 * - A lane per shard: at most one append in flight, and a queue of batches waiting for it.
 * - A request finding the lane free sends its own entries at once (an idle isolate adds no delay).
 * - Otherwise it joins the last waiting batch, or starts one and leads it: the leader polls until
 *   the lane is free and its batch is first, then sends the batch from its own context and
 *   records the outcome, which the batch's followers read on their next poll (POLL_MS).
 * - A leader's work runs under `waitUntil`, so a client that hangs up does not strand its batch;
 *   a batch left first in a free lane for ORPHAN_MS is failed whole (nothing of it was sent).
 * - Waits end after `waitMs` (then a 503: a follower's objects may still land, as after any
 *   timeout); a lane whose append has not settled for `stallMs` is bypassed.
 *
 * Pure: send, waitUntil and sleep are the caller's.
 */

/** What an append answers (the shard's depth after it, for back-pressure). */
export interface AppendResult {
  depth: number;
}

/** Sends one append: the entries as a JSON array text, and how many objects they hold. */
export type SendAppend = (entries: string, objects: number) => Promise<AppendResult>;

/** A batch stops taking requests at this many objects or this many bytes of entries. */
export const BATCH_MAX_OBJECTS = 10_000;
export const BATCH_MAX_BYTES = 2 * 1024 * 1024;
/** How often a waiting request looks whether its turn came or its batch was stored. */
export const POLL_MS = 1;
/** A waiting request gives up after this long. */
export const LANE_WAIT_MS = 30_000;
/** A lane whose append has not settled for this long is bypassed. */
export const LANE_STALL_MS = 10_000;
/** A batch first in a free lane this long has lost its leader. */
export const ORPHAN_MS = 1_000;

type Outcome = { ok: true; result: AppendResult } | { ok: false; error: unknown };

interface Batch {
  /** Each request's entries: a JSON array text without its brackets. */
  pieces: string[];
  objects: number;
  bytes: number;
  outcome: Outcome | null;
}

interface Lane {
  busy: boolean;
  /** When the lane last changed hands: the append in flight started, or the lane came free. */
  since: number;
  waiting: Batch[];
}

const timerSleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

export class GroupCommit {
  private readonly lanes = new Map<string, Lane>();
  private readonly onTimeout: () => unknown;
  private readonly waitMs: number;
  private readonly stallMs: number;
  private readonly sleep: (ms: number) => Promise<unknown>;

  /**
   * `sleep` waits on the calling request's own timer (workerd: `scheduler.wait`, cheaper than the
   * Node-compatible setTimeout); the defaults suit tests.
   */
  constructor(
    opts: {
      onTimeout?: () => unknown;
      waitMs?: number;
      stallMs?: number;
      sleep?: (ms: number) => Promise<unknown>;
    } = {},
  ) {
    this.onTimeout = opts.onTimeout ?? (() => new Error('Timed out waiting for the ingestion log'));
    this.waitMs = opts.waitMs ?? LANE_WAIT_MS;
    this.stallMs = opts.stallMs ?? LANE_STALL_MS;
    this.sleep = opts.sleep ?? timerSleep;
  }

  /**
   * Append `entries` (a JSON array text of one request's entries for this lane's shard) and
   * resolve once stored, possibly together with other requests' entries.
   */
  async append(
    laneKey: string,
    entries: string,
    objects: number,
    send: SendAppend,
    waitUntil: (p: Promise<unknown>) => void,
  ): Promise<AppendResult> {
    let lane = this.lanes.get(laneKey);
    if (!lane) {
      lane = { busy: false, since: 0, waiting: [] };
      this.lanes.set(laneKey, lane);
    }
    const piece = entries.slice(1, -1);
    const now = Date.now();
    if (!lane.busy && lane.waiting.length === 0) {
      return this.run(lane, { pieces: [piece], objects, bytes: piece.length, outcome: null }, send);
    }
    if (lane.busy && now - lane.since > this.stallMs) return send(entries, objects);
    const last = lane.waiting.at(-1);
    if (
      last &&
      last.objects + objects <= BATCH_MAX_OBJECTS &&
      last.bytes + piece.length <= BATCH_MAX_BYTES
    ) {
      last.pieces.push(piece);
      last.objects += objects;
      last.bytes += piece.length;
      return this.follow(last, now + this.waitMs);
    }
    const batch: Batch = { pieces: [piece], objects, bytes: piece.length, outcome: null };
    lane.waiting.push(batch);
    const led = this.lead(lane, batch, send, now + this.waitMs);
    waitUntil(led.catch(() => {}));
    return led;
  }

  /** Lanes with an append in flight or batches waiting (for tests). */
  get activeLanes(): number {
    let n = 0;
    for (const lane of this.lanes.values()) if (lane.busy || lane.waiting.length > 0) n++;
    return n;
  }

  /** Wait until `batch` is first in a free lane, then send it. */
  private async lead(lane: Lane, batch: Batch, send: SendAppend, deadline: number) {
    for (;;) {
      if (batch.outcome) return settled(batch.outcome);
      const now = Date.now();
      if (!lane.busy) {
        const first = lane.waiting[0];
        if (first === batch) {
          lane.waiting.shift();
          return this.run(lane, batch, send);
        }
        if (first && now - lane.since > ORPHAN_MS) this.fail(lane, first, this.onTimeout());
      }
      if (now > deadline) this.fail(lane, batch, this.onTimeout());
      else await this.sleep(POLL_MS);
    }
  }

  /** Wait for the batch's leader to record the outcome. */
  private async follow(batch: Batch, deadline: number): Promise<AppendResult> {
    while (!batch.outcome) {
      if (Date.now() > deadline) throw this.onTimeout();
      await this.sleep(POLL_MS);
    }
    return settled(batch.outcome);
  }

  private async run(lane: Lane, batch: Batch, send: SendAppend): Promise<AppendResult> {
    lane.busy = true;
    lane.since = Date.now();
    try {
      const result = await send(`[${batch.pieces.join(',')}]`, batch.objects);
      batch.outcome = { ok: true, result };
      return result;
    } catch (error) {
      batch.outcome = { ok: false, error };
      throw error;
    } finally {
      lane.busy = false;
      lane.since = Date.now();
    }
  }

  /** Take a batch that was never sent out of the lane, failing everyone in it. */
  private fail(lane: Lane, batch: Batch, error: unknown): void {
    const i = lane.waiting.indexOf(batch);
    if (i >= 0) lane.waiting.splice(i, 1);
    batch.outcome ??= { ok: false, error };
    if (!lane.busy) lane.since = Date.now();
  }
}

function settled(outcome: Outcome): AppendResult {
  if (outcome.ok) return outcome.result;
  throw outcome.error;
}
