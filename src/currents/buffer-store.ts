import type { FlatRecord } from './avro';
import type { EventType } from './catalog';
import type { CurrentsEvent } from './events';

/**
 * The SQLite storage of one Currents buffer (workers/currents-buffer.ts): events wait here from
 * the moment the change consumer hands them over until a file or a POST holding them succeeded.
 * Rows are deleted only after that success; the ids of sent events are kept for a day, so a
 * redelivered change record is not exported twice.
 */

/** Which connector shard this buffer is. */
export interface BufferTarget {
  workspaceId: string;
  connectorId: string;
  shard: number;
}

export interface BufferedRow {
  seq: number;
  id: string;
  type: EventType;
  queuedAt: number;
  flat: FlatRecord;
  attempts: number;
  firstFailedAt: number | null;
  /** Send alone (a batch answered 400 or 413 is split into single events). */
  single: boolean;
}

/** How long sent ids are remembered against redelivery. */
const SENT_IDS_MS = 86_400_000;

const STEPS: string[][] = [
  [
    'CREATE TABLE meta (k TEXT PRIMARY KEY, v TEXT NOT NULL)',
    `CREATE TABLE events (
      seq INTEGER PRIMARY KEY AUTOINCREMENT,
      id TEXT NOT NULL UNIQUE,
      type TEXT NOT NULL,
      queued_at INTEGER NOT NULL,
      body TEXT NOT NULL,
      attempts INTEGER NOT NULL DEFAULT 0,
      first_failed_at INTEGER,
      next_at INTEGER NOT NULL DEFAULT 0,
      single INTEGER NOT NULL DEFAULT 0
    )`,
    'CREATE INDEX events_type ON events (type, seq)',
    'CREATE INDEX events_due ON events (next_at, seq)',
    'CREATE TABLE sent (id TEXT PRIMARY KEY, at INTEGER NOT NULL)',
    'CREATE INDEX sent_at ON sent (at)',
  ],
];

interface Row {
  seq: number;
  id: string;
  type: string;
  queued_at: number;
  body: string;
  attempts: number;
  first_failed_at: number | null;
  single: number;
  [k: string]: SqlStorageValue;
}

function toRow(r: Row): BufferedRow {
  return {
    seq: r.seq,
    id: r.id,
    type: r.type as EventType,
    queuedAt: r.queued_at,
    flat: JSON.parse(r.body) as FlatRecord,
    attempts: r.attempts,
    firstFailedAt: r.first_failed_at,
    single: r.single === 1,
  };
}

export class BufferStore {
  constructor(
    readonly sql: SqlStorage,
    private readonly transact: <T>(fn: () => T) => T,
  ) {
    const version = this.hasMeta() ? Number(this.meta('schema') ?? 0) : 0;
    for (let i = version; i < STEPS.length; i++) {
      for (const ddl of STEPS[i]!) sql.exec(ddl);
      this.setMeta('schema', String(i + 1));
    }
  }

  private hasMeta(): boolean {
    return (
      this.sql.exec("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'meta'").toArray()
        .length > 0
    );
  }

  private meta(k: string): string | null {
    const row = this.sql.exec<{ v: string }>('SELECT v FROM meta WHERE k = ?', k).toArray()[0];
    return row?.v ?? null;
  }

  private setMeta(k: string, v: string): void {
    this.sql.exec('INSERT OR REPLACE INTO meta (k, v) VALUES (?, ?)', k, v);
  }

  /** The connector shard this buffer serves (known from the first append). */
  get target(): BufferTarget | null {
    const raw = this.meta('target');
    return raw ? (JSON.parse(raw) as BufferTarget) : null;
  }

  /**
   * Store events not seen before, in one transaction. Answers how many were new and how many
   * fresh (never attempted) events now wait.
   */
  append(target: BufferTarget, events: CurrentsEvent[], now: number) {
    return this.transact(() => {
      if (!this.meta('target')) this.setMeta('target', JSON.stringify(target));
      let stored = 0;
      for (const e of events) {
        const seen =
          this.sql
            .exec(
              'SELECT 1 FROM events WHERE id = ? UNION ALL SELECT 1 FROM sent WHERE id = ?',
              e.id,
              e.id,
            )
            .toArray().length > 0;
        if (seen) continue;
        this.sql.exec(
          'INSERT INTO events (id, type, queued_at, body) VALUES (?, ?, ?, ?)',
          e.id,
          e.type,
          now,
          JSON.stringify(e.flat),
        );
        stored++;
      }
      return { stored, duplicates: events.length - stored, ...this.freshStats() };
    });
  }

  /** Fresh (never attempted) events: how many, and when the oldest was queued. */
  freshStats(): { fresh: number; oldestFresh: number | null } {
    const row = this.sql
      .exec<{ n: number; oldest: number | null }>(
        'SELECT COUNT(*) AS n, MIN(queued_at) AS oldest FROM events WHERE attempts = 0',
      )
      .one();
    return { fresh: row.n, oldestFresh: row.oldest };
  }

  /** Events waiting, retrying, the oldest queue time and the next retry. */
  status(): {
    waiting: number;
    retrying: number;
    oldestQueuedAt: number | null;
    nextRetryAt: number | null;
  } {
    const row = this.sql
      .exec<{ n: number; r: number; oldest: number | null; next: number | null }>(
        `SELECT COUNT(*) AS n, SUM(attempts > 0) AS r, MIN(queued_at) AS oldest,
                MIN(CASE WHEN attempts > 0 THEN next_at END) AS next FROM events`,
      )
      .one();
    return {
      waiting: row.n,
      retrying: row.r ?? 0,
      oldestQueuedAt: row.oldest,
      nextRetryAt: row.next,
    };
  }

  /** Event types with events due at `now`. */
  dueTypes(now: number): EventType[] {
    return this.sql
      .exec<{ type: string }>('SELECT DISTINCT type FROM events WHERE next_at <= ?', now)
      .toArray()
      .map((r) => r.type as EventType);
  }

  /** Up to `limit` due events, oldest first, optionally of one type. */
  due(input: { now: number; limit: number; type?: EventType }): BufferedRow[] {
    const rows = input.type
      ? this.sql.exec<Row>(
          'SELECT * FROM events WHERE type = ? AND next_at <= ? ORDER BY seq LIMIT ?',
          input.type,
          input.now,
          input.limit,
        )
      : this.sql.exec<Row>(
          'SELECT * FROM events WHERE next_at <= ? ORDER BY seq LIMIT ?',
          input.now,
          input.limit,
        );
    return rows.toArray().map(toRow);
  }

  /** Events written or accepted: delete them, remember their ids. */
  sent(rows: BufferedRow[], now: number): void {
    this.transact(() => {
      for (const r of rows) {
        this.sql.exec('DELETE FROM events WHERE seq = ?', r.seq);
        this.sql.exec('INSERT OR REPLACE INTO sent (id, at) VALUES (?, ?)', r.id, now);
      }
    });
  }

  /** Events given up on (moved to the dead-letter store): delete them, remember their ids. */
  dropped(rows: BufferedRow[], now: number): void {
    this.sent(rows, now);
  }

  /** A failed attempt: the events stay, due again at `nextAt`. */
  failed(rows: BufferedRow[], input: { now: number; nextAt: number; single?: boolean }): void {
    this.transact(() => {
      for (const r of rows) {
        this.sql.exec(
          `UPDATE events SET attempts = attempts + 1, next_at = ?,
             first_failed_at = COALESCE(first_failed_at, ?), single = MAX(single, ?) WHERE seq = ?`,
          input.nextAt,
          input.now,
          input.single ? 1 : 0,
          r.seq,
        );
      }
    });
  }

  /** Forget sent ids older than a day; drop every event (the connector was deleted). */
  prune(now: number, input: { dropAll?: boolean } = {}): void {
    this.sql.exec('DELETE FROM sent WHERE at < ?', now - SENT_IDS_MS);
    if (input.dropAll) this.sql.exec('DELETE FROM events');
  }

  /** The earliest retry time among events that failed, or null. */
  nextRetryAt(): number | null {
    return this.sql
      .exec<{ next: number | null }>('SELECT MIN(next_at) AS next FROM events WHERE attempts > 0')
      .one().next;
  }
}

/** The RPC surface of workers/currents-buffer.ts, as callers see it. */
export interface CurrentsBufferApi {
  append(input: { target: BufferTarget; events: CurrentsEvent[] }): Promise<{
    stored: number;
    duplicates: number;
    fresh: number;
    oldestFresh: number | null;
  }>;
  status(): Promise<ReturnType<BufferStore['status']> & { nextFlushAt: number | null }>;
  flush(input?: { now?: number }): Promise<unknown>;
}
