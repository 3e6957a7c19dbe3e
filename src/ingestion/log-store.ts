import type { ApplySettings } from '../profiles/track';
import type { AttributesInput, EventInput, Identifier, PurchaseInput, SessionInput } from './types';

/**
 * One shard of a workspace's ingestion log (SQLite in an IngestShard object): `/users/track` and
 * SDK shares accepted but not yet applied to their profiles. An entry is one request's objects for
 * one identifier; entries of one identifier key always land in the same shard, so the drain applies
 * them in the order they were accepted. Nothing leaves the log before its profile confirmed it.
 */

/** What one entry carries to its profile. */
export interface LogEntryBody {
  identifier: Identifier;
  attributes: AttributesInput[];
  events: EventInput[];
  purchases: PurchaseInput[];
  sessions?: SessionInput[];
  settings: ApplySettings;
}

export interface LogEntry extends LogEntryBody {
  seq: number;
  key: string;
  acceptedAt: number;
  attempts: number;
}

export interface LogAppend {
  key: string;
  body: LogEntryBody;
}

export interface LogStatus {
  workspaceId: string | null;
  /** Entries and objects waiting (including those being retried). */
  pendingEntries: number;
  pendingObjects: number;
  /** When the oldest waiting entry was accepted, or null. */
  oldestAcceptedAt: number | null;
  /** Entries that failed at least once and wait for a retry. */
  retrying: number;
  acceptedObjects: number;
  appliedObjects: number;
  /** Objects their profile refused (e.g. an array operation on a non-array attribute). */
  rejectedObjects: number;
  /** Objects dropped because no profile exists and `_update_existing_only` forbade creating one. */
  skippedObjects: number;
  deadEntries: number;
  lastError: string | null;
}

/** After this many failed attempts an entry moves to the dead letters instead of blocking its key. */
export const MAX_ATTEMPTS = 8;

const COUNTERS = [
  'accepted_objects',
  'applied_objects',
  'rejected_objects',
  'skipped_objects',
] as const;
type Counter = (typeof COUNTERS)[number];

function objectsOf(b: LogEntryBody): number {
  return b.attributes.length + b.events.length + b.purchases.length + (b.sessions?.length ?? 0);
}

export class IngestLogStore {
  private pendingObjects: number;

  constructor(
    readonly sql: SqlStorage,
    private readonly transact: <T>(fn: () => T) => T,
  ) {
    sql.exec(`
      CREATE TABLE IF NOT EXISTS entries (
        seq INTEGER PRIMARY KEY AUTOINCREMENT,
        key TEXT NOT NULL,
        body TEXT NOT NULL,
        objects INTEGER NOT NULL,
        accepted_at INTEGER NOT NULL,
        attempts INTEGER NOT NULL DEFAULT 0,
        last_error TEXT,
        retry_at INTEGER NOT NULL DEFAULT 0
      );
      CREATE INDEX IF NOT EXISTS entries_retry ON entries (retry_at) WHERE retry_at > 0;
      CREATE TABLE IF NOT EXISTS dead (
        seq INTEGER PRIMARY KEY,
        key TEXT NOT NULL,
        body TEXT NOT NULL,
        objects INTEGER NOT NULL,
        accepted_at INTEGER NOT NULL,
        attempts INTEGER NOT NULL,
        error TEXT NOT NULL,
        dead_at INTEGER NOT NULL
      );
      CREATE TABLE IF NOT EXISTS meta (k TEXT PRIMARY KEY, v TEXT NOT NULL);
    `);
    this.pendingObjects =
      sql.exec<{ n: number }>('SELECT coalesce(sum(objects), 0) AS n FROM entries').one().n ?? 0;
  }

  get workspaceId(): string | null {
    return this.meta('workspace_id');
  }

  /** Objects waiting, kept in memory (the accept path reads it on every call). */
  get depth(): number {
    return this.pendingObjects;
  }

  private meta(k: string): string | null {
    return (
      this.sql.exec<{ v: string }>('SELECT v FROM meta WHERE k = ?', k).toArray()[0]?.v ?? null
    );
  }

  private bump(counter: Counter, by: number): void {
    if (by === 0) return;
    this.sql.exec(
      `INSERT INTO meta (k, v) VALUES (?, ?)
       ON CONFLICT(k) DO UPDATE SET v = CAST(v AS INTEGER) + CAST(excluded.v AS INTEGER)`,
      counter,
      String(by),
    );
  }

  /** Store a request's entries for this shard in one transaction; answers the objects waiting. */
  append(workspaceId: string, items: LogAppend[], now: number): number {
    let objects = 0;
    this.transact(() => {
      if (this.workspaceId === null) {
        this.sql.exec('INSERT INTO meta (k, v) VALUES (?, ?)', 'workspace_id', workspaceId);
      }
      for (const item of items) {
        const n = objectsOf(item.body);
        objects += n;
        this.sql.exec(
          'INSERT INTO entries (key, body, objects, accepted_at) VALUES (?, ?, ?, ?)',
          item.key,
          JSON.stringify(item.body),
          n,
          now,
        );
      }
      this.bump('accepted_objects', objects);
    });
    this.pendingObjects += objects;
    return this.pendingObjects;
  }

  /**
   * The oldest entries due at `now`, up to `maxObjects` objects (at least one entry), in accepted
   * order. A key with an entry waiting for its retry is skipped whole, so its later entries never
   * overtake it. With `key`, that key's entries, retrying or not.
   */
  take(opts: { maxObjects: number; now: number; key?: string }): LogEntry[] {
    const rows = (
      opts.key === undefined
        ? this.sql.exec<RawEntry>(
            `SELECT seq, key, body, objects, accepted_at, attempts FROM entries
             WHERE key NOT IN (SELECT key FROM entries WHERE retry_at > ?1)
             ORDER BY seq LIMIT 1000`,
            opts.now,
          )
        : this.sql.exec<RawEntry>(
            'SELECT seq, key, body, objects, accepted_at, attempts FROM entries WHERE key = ? ORDER BY seq',
            opts.key,
          )
    ).toArray();
    const out: LogEntry[] = [];
    let objects = 0;
    for (const r of rows) {
      if (out.length > 0 && objects + r.objects > opts.maxObjects) break;
      objects += r.objects;
      const body = JSON.parse(r.body) as LogEntryBody;
      out.push({
        ...body,
        seq: r.seq,
        key: r.key,
        acceptedAt: r.accepted_at,
        attempts: r.attempts,
      });
    }
    return out;
  }

  /** The profile confirmed these entries: remove them and count what happened. */
  done(seqs: number[], counts: { applied: number; rejected: number; skipped: number }): void {
    if (seqs.length === 0) return;
    this.transact(() => {
      let removed = 0;
      for (const seq of seqs) {
        const row = this.sql
          .exec<{ objects: number }>('DELETE FROM entries WHERE seq = ? RETURNING objects', seq)
          .toArray()[0];
        removed += row?.objects ?? 0;
      }
      this.pendingObjects = Math.max(0, this.pendingObjects - removed);
      this.bump('applied_objects', counts.applied);
      this.bump('rejected_objects', counts.rejected);
      this.bump('skipped_objects', counts.skipped);
    });
  }

  /**
   * These entries failed: count the attempt, and move those out of attempts to the dead letters
   * (so one poisoned entry cannot hold its key back forever). Answers how many died.
   */
  failed(seqs: number[], error: string, now: number, retryBaseMs: number): number {
    let died = 0;
    this.transact(() => {
      for (const seq of seqs) {
        const row = this.sql
          .exec<RawEntry>(
            `UPDATE entries SET attempts = attempts + 1, last_error = ?,
               retry_at = ? + min(60000, ? * (1 << attempts))
             WHERE seq = ?
             RETURNING seq, key, body, objects, accepted_at, attempts`,
            error,
            now,
            retryBaseMs,
            seq,
          )
          .toArray()[0];
        if (!row || row.attempts < MAX_ATTEMPTS) continue;
        this.sql.exec(
          `INSERT INTO dead (seq, key, body, objects, accepted_at, attempts, error, dead_at)
           VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
          row.seq,
          row.key,
          row.body,
          row.objects,
          row.accepted_at,
          row.attempts,
          error,
          now,
        );
        this.sql.exec('DELETE FROM entries WHERE seq = ?', seq);
        this.pendingObjects = Math.max(0, this.pendingObjects - row.objects);
        died++;
      }
      this.sql.exec(
        `INSERT INTO meta (k, v) VALUES ('last_error', ?) ON CONFLICT(k) DO UPDATE SET v = excluded.v`,
        error,
      );
    });
    return died;
  }

  /** When the drain should run next: `now` if an entry is due, the earliest retry, or null. */
  nextDue(now: number): number | null {
    const due = this.sql
      .exec(
        `SELECT 1 FROM entries WHERE key NOT IN (SELECT key FROM entries WHERE retry_at > ?)
         LIMIT 1`,
        now,
      )
      .toArray();
    if (due.length > 0) return now;
    return (
      this.sql
        .exec<{ at: number | null }>(
          'SELECT min(retry_at) AS at FROM entries WHERE retry_at > ?',
          now,
        )
        .one().at ?? null
    );
  }

  status(): LogStatus {
    const pending = this.sql
      .exec<{ entries: number; objects: number | null; oldest: number | null; retrying: number }>(
        `SELECT count(*) AS entries, sum(objects) AS objects, min(accepted_at) AS oldest,
                sum(attempts > 0) AS retrying FROM entries`,
      )
      .one();
    const counter = (k: Counter) => Number(this.meta(k) ?? '0');
    return {
      workspaceId: this.workspaceId,
      pendingEntries: pending.entries,
      pendingObjects: pending.objects ?? 0,
      oldestAcceptedAt: pending.oldest,
      retrying: pending.retrying ?? 0,
      acceptedObjects: counter('accepted_objects'),
      appliedObjects: counter('applied_objects'),
      rejectedObjects: counter('rejected_objects'),
      skippedObjects: counter('skipped_objects'),
      deadEntries: this.sql.exec<{ n: number }>('SELECT count(*) AS n FROM dead').one().n,
      lastError: this.meta('last_error'),
    };
  }

  /** Dead-lettered entries, newest first. */
  deadLetters(limit: number): {
    seq: number;
    key: string;
    objects: number;
    acceptedAt: number;
    attempts: number;
    error: string;
    deadAt: number;
  }[] {
    return this.sql
      .exec<{
        seq: number;
        key: string;
        objects: number;
        accepted_at: number;
        attempts: number;
        error: string;
        dead_at: number;
      }>(
        'SELECT seq, key, objects, accepted_at, attempts, error, dead_at FROM dead ORDER BY seq DESC LIMIT ?',
        limit,
      )
      .toArray()
      .map((r) => ({
        seq: r.seq,
        key: r.key,
        objects: r.objects,
        acceptedAt: r.accepted_at,
        attempts: r.attempts,
        error: r.error,
        deadAt: r.dead_at,
      }));
  }
}

type RawEntry = {
  seq: number;
  key: string;
  body: string;
  objects: number;
  accepted_at: number;
  attempts: number;
};
