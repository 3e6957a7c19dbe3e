import type { ApplySettings } from '../profiles/track';
import type { AttributesInput, EventInput, Identifier, PurchaseInput, SessionInput } from './types';

/**
 * One shard of a workspace's ingestion log (SQLite in an IngestShard object): `/users/track` and
 * SDK shares accepted but not yet applied to their profiles. A row is one append: a request's share
 * for this shard, or several requests' shares that reached the shard together (group commit,
 * src/ingestion/group-commit.ts); inside it, one entry per identifier key. A key always hashes to the same shard, so the drain applies a key's entries in the order
 * they were accepted. Nothing leaves the log before its profile confirmed it.
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

/** One identifier's share of a request, as the accept path hands it over. */
export interface LogAppend {
  key: string;
  body: LogEntryBody;
}

/** An entry as the drain sees it: its row's position and acceptance time. */
export interface LogEntry extends LogEntryBody {
  seq: number;
  key: string;
  acceptedAt: number;
}

export interface LogStatus {
  workspaceId: string | null;
  /** Rows and objects waiting (including entries waiting for a retry). */
  pendingEntries: number;
  pendingObjects: number;
  /** When the oldest waiting row was accepted, or null. */
  oldestAcceptedAt: number | null;
  /** Identifier keys whose last attempt failed and that wait for a retry. */
  retrying: number;
  acceptedObjects: number;
  appliedObjects: number;
  /** Objects their profile refused (e.g. an array operation on a non-array attribute). */
  rejectedObjects: number;
  /** Objects dropped because no profile exists and `_update_existing_only` forbade creating one. */
  skippedObjects: number;
  deadEntries: number;
  /** Appends stored since the shard began: one per group of requests (src/ingestion/group-commit.ts). */
  appends: number;
  lastError: string | null;
}

/** After this many failed attempts a key's entries move to the dead letters instead of blocking it. */
export const MAX_ATTEMPTS = 8;

type Counter = 'applied_objects' | 'rejected_objects' | 'skipped_objects';

export function objectsOf(b: LogEntryBody): number {
  return b.attributes.length + b.events.length + b.purchases.length + (b.sessions?.length ?? 0);
}

type RawRow = { seq: number; body: string; objects: number; accepted_at: number };

/** What a drain round did with the entries it took, per identifier key. */
export interface RoundOutcome {
  /** Keys whose entries (of the rows taken) their profile confirmed. */
  done: string[];
  /** Keys whose call failed, with the error. */
  failed: Map<string, string>;
  counts: { applied: number; rejected: number; skipped: number };
}

export class IngestLogStore {
  private pendingObjects: number;
  private workspace: string | null;

  constructor(
    readonly sql: SqlStorage,
    private readonly transact: <T>(fn: () => T) => T,
  ) {
    sql.exec(`
      CREATE TABLE IF NOT EXISTS rows (
        seq INTEGER PRIMARY KEY AUTOINCREMENT,
        body TEXT NOT NULL,
        objects INTEGER NOT NULL,
        accepted_at INTEGER NOT NULL
      );
      CREATE TABLE IF NOT EXISTS retries (
        key TEXT PRIMARY KEY,
        attempts INTEGER NOT NULL,
        retry_at INTEGER NOT NULL,
        error TEXT NOT NULL
      );
      CREATE TABLE IF NOT EXISTS dead (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        seq INTEGER NOT NULL,
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
      sql.exec<{ n: number }>('SELECT coalesce(sum(objects), 0) AS n FROM rows').one().n ?? 0;
    this.workspace = this.meta('workspace_id');
  }

  get workspaceId(): string | null {
    return this.workspace;
  }

  /** Objects waiting, kept in memory (the accept path answers it on every call). */
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

  /**
   * Store a request's share for this shard: `entries` is the JSON of its LogAppend list (made
   * once by the caller), `objects` how many objects it holds. Answers the objects waiting.
   */
  append(workspaceId: string, entries: string, objects: number, now: number): number {
    // No explicit transaction: these statements run in one synchronous turn, which the object's
    // storage commits atomically (and a savepoint per request cost a sixth of the accept path).
    if (this.workspace === null) {
      this.sql.exec('INSERT INTO meta (k, v) VALUES (?, ?)', 'workspace_id', workspaceId);
    }
    this.sql.exec(
      'INSERT INTO rows (body, objects, accepted_at) VALUES (?, ?, ?)',
      entries,
      objects,
      now,
    );
    this.workspace ??= workspaceId;
    this.pendingObjects += objects;
    return this.pendingObjects;
  }

  /** Keys waiting for a retry at `now`. */
  private blocked(now: number): Set<string> {
    return new Set(
      this.sql
        .exec<{ key: string }>('SELECT key FROM retries WHERE retry_at > ?', now)
        .toArray()
        .map((r) => r.key),
    );
  }

  /**
   * The oldest rows' entries due at `now`, up to about `maxObjects` objects (at least one row),
   * in accepted order. Entries of a key waiting for its retry are left where they are, so later
   * entries of that key never overtake it. With `key`, only that key's entries, retrying or not.
   */
  take(opts: { maxObjects: number; now: number; key?: string }): LogEntry[] {
    const rows = (
      opts.key === undefined
        ? this.sql.exec<RawRow>(
            'SELECT seq, body, objects, accepted_at FROM rows ORDER BY seq LIMIT 5000',
          )
        : this.sql.exec<RawRow>(
            'SELECT seq, body, objects, accepted_at FROM rows WHERE instr(body, ?) > 0 ORDER BY seq',
            JSON.stringify(opts.key),
          )
    ).toArray();
    const blocked = opts.key === undefined ? this.blocked(opts.now) : new Set<string>();
    const out: LogEntry[] = [];
    let objects = 0;
    for (const r of rows) {
      if (out.length > 0 && objects + r.objects > opts.maxObjects) break;
      objects += r.objects;
      for (const e of JSON.parse(r.body) as LogAppend[]) {
        if (opts.key !== undefined ? e.key !== opts.key : blocked.has(e.key)) continue;
        out.push({ ...e.body, seq: r.seq, key: e.key, acceptedAt: r.accepted_at });
      }
    }
    return out;
  }

  /**
   * Settle a round: remove the entries of the keys done from their rows (a row goes when it is
   * empty), count failures per key, and move a key's entries to the dead letters once it has
   * failed MAX_ATTEMPTS times. Answers how many keys died.
   */
  settle(taken: LogEntry[], outcome: RoundOutcome, now: number, retryBaseMs: number): number {
    const done = new Set(outcome.done);
    let died = 0;
    this.transact(() => {
      const dying = new Map<string, { attempts: number; error: string }>();
      for (const [key, error] of outcome.failed) {
        const row = this.sql
          .exec<{ attempts: number }>(
            `INSERT INTO retries (key, attempts, retry_at, error) VALUES (?1, 1, ?2 + ?3, ?4)
             ON CONFLICT(key) DO UPDATE SET attempts = attempts + 1,
               retry_at = ?2 + min(60000, ?3 * (1 << attempts)), error = ?4
             RETURNING attempts`,
            key,
            now,
            retryBaseMs,
            error,
          )
          .one();
        if (row.attempts >= MAX_ATTEMPTS) dying.set(key, { attempts: row.attempts, error });
      }
      for (const key of done) this.sql.exec('DELETE FROM retries WHERE key = ?', key);
      const seqs = [...new Set(taken.map((e) => e.seq))];
      for (const seq of seqs) {
        const raw = this.sql
          .exec<RawRow>('SELECT seq, body, objects, accepted_at FROM rows WHERE seq = ?', seq)
          .toArray()[0];
        if (!raw) continue;
        const entries = JSON.parse(raw.body) as LogAppend[];
        const keep: LogAppend[] = [];
        for (const e of entries) {
          const dead = dying.get(e.key);
          if (dead) {
            this.sql.exec(
              `INSERT INTO dead (seq, key, body, objects, accepted_at, attempts, error, dead_at)
               VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
              seq,
              e.key,
              JSON.stringify(e.body),
              objectsOf(e.body),
              raw.accepted_at,
              dead.attempts,
              dead.error,
              now,
            );
            died++;
          } else if (!done.has(e.key)) {
            keep.push(e);
          }
        }
        const objects = keep.reduce((n, e) => n + objectsOf(e.body), 0);
        this.pendingObjects = Math.max(0, this.pendingObjects - (raw.objects - objects));
        if (keep.length === 0) this.sql.exec('DELETE FROM rows WHERE seq = ?', seq);
        else if (keep.length < entries.length) {
          this.sql.exec(
            'UPDATE rows SET body = ?, objects = ? WHERE seq = ?',
            JSON.stringify(keep),
            objects,
            seq,
          );
        }
      }
      for (const key of dying.keys()) this.sql.exec('DELETE FROM retries WHERE key = ?', key);
      if (outcome.failed.size > 0) {
        const last = [...outcome.failed.values()].pop() as string;
        this.sql.exec(
          `INSERT INTO meta (k, v) VALUES ('last_error', ?) ON CONFLICT(k) DO UPDATE SET v = excluded.v`,
          last,
        );
      }
      this.bump('applied_objects', outcome.counts.applied);
      this.bump('rejected_objects', outcome.counts.rejected);
      this.bump('skipped_objects', outcome.counts.skipped);
    });
    return died;
  }

  /** When the drain should run next: `now` if anything is due, the earliest retry, or null. */
  nextDue(now: number): number | null {
    if (
      this.pendingObjects === 0 &&
      this.sql.exec('SELECT 1 FROM rows LIMIT 1').toArray().length === 0
    ) {
      return null;
    }
    // take() skips entries of keys waiting for a retry and stops at the first row with a due
    // entry: anything due means now, otherwise the earliest retry.
    if (this.take({ maxObjects: 1, now }).length > 0) return now;
    return (
      this.sql
        .exec<{ at: number | null }>(
          'SELECT min(retry_at) AS at FROM retries WHERE retry_at > ?',
          now,
        )
        .one().at ?? null
    );
  }

  status(): LogStatus {
    const pending = this.sql
      .exec<{ entries: number; objects: number | null; oldest: number | null }>(
        'SELECT count(*) AS entries, sum(objects) AS objects, min(accepted_at) AS oldest FROM rows',
      )
      .one();
    const counter = (k: Counter) => Number(this.meta(k) ?? '0');
    const dead = this.sql
      .exec<{ entries: number; objects: number | null }>(
        'SELECT count(*) AS entries, sum(objects) AS objects FROM dead',
      )
      .one();
    // Every accepted object is waiting, applied, refused, skipped or dead: no counter to bump on
    // the accept path.
    const accepted =
      (pending.objects ?? 0) +
      counter('applied_objects') +
      counter('rejected_objects') +
      counter('skipped_objects') +
      (dead.objects ?? 0);
    return {
      workspaceId: this.workspace,
      pendingEntries: pending.entries,
      pendingObjects: pending.objects ?? 0,
      oldestAcceptedAt: pending.oldest,
      retrying: this.sql.exec<{ n: number }>('SELECT count(*) AS n FROM retries').one().n,
      acceptedObjects: accepted,
      appliedObjects: counter('applied_objects'),
      rejectedObjects: counter('rejected_objects'),
      skippedObjects: counter('skipped_objects'),
      deadEntries: dead.entries,
      // AUTOINCREMENT keeps the highest seq ever given out: every append, at no cost to append.
      appends:
        this.sql
          .exec<{ seq: number }>("SELECT seq FROM sqlite_sequence WHERE name = 'rows'")
          .toArray()[0]?.seq ?? 0,
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
        'SELECT seq, key, objects, accepted_at, attempts, error, dead_at FROM dead ORDER BY id DESC LIMIT ?',
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
