import { DurableObject } from 'cloudflare:workers';
import {
  applyEntries,
  DRAIN_CONCURRENCY,
  DRAIN_ROUND_OBJECTS,
  type DrainReport,
} from '../src/ingestion/drain';
import { IngestLogStore } from '../src/ingestion/log-store';
import { log } from '../src/lib/log';

/** How long one alarm drains before handing over to the next (so one alarm never runs long). */
const ALARM_BUDGET_MS = 10_000;

/**
 * One shard of a workspace's ingestion log (SQLite-backed). `/users/track` and SDK batches append
 * here and answer 201 once the entries are stored; the object's alarm applies them to their
 * profiles at once and keeps going while any wait. See src/ingestion/log-store.ts and
 * docs/architecture.md ("Ingestion").
 */
export class IngestShard extends DurableObject<Env> {
  private store!: IngestLogStore;
  private alarmAt: number | null = null;
  private draining: Promise<void> | null = null;

  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    ctx.blockConcurrencyWhile(async () => {
      this.store = new IngestLogStore(ctx.storage.sql, (fn) => ctx.storage.transactionSync(fn));
      this.alarmAt = await ctx.storage.getAlarm();
    });
  }

  private get shardName(): string {
    return this.ctx.id.name ?? this.ctx.id.toString();
  }

  /**
   * Store a request's share durably (`entries`: the JSON of its LogAppend list); answers how many
   * objects now wait in this shard.
   */
  async append(input: { workspaceId: string; entries: string; objects: number; now: number }) {
    const depth = this.store.append(input.workspaceId, input.entries, input.objects, input.now);
    await this.wake(Date.now() + this.delayMs);
    return { depth };
  }

  /** Start applying now, whatever the coalescing window says (POST /herald/ingestion/flush). */
  async wakeNow() {
    if (this.store.depth > 0) await this.wake(Date.now());
    return { pending: this.store.depth };
  }

  /**
   * HERALD_INGEST_DELAY_MS: how long the first waiting entry may wait before the drain starts. A
   * longer window lets a busy user's objects coalesce into fewer profile writes; 0 applies at once.
   */
  private get delayMs(): number {
    const ms = Number(this.env.HERALD_INGEST_DELAY_MS ?? '0');
    return Number.isFinite(ms) && ms > 0 ? ms : 0;
  }

  /** Apply every waiting entry of one identifier key now (before an identify or merge). */
  async flushKey(input: { key: string }): Promise<DrainReport> {
    const now = Date.now();
    const entries = this.store.take({ maxObjects: Number.MAX_SAFE_INTEGER, now, key: input.key });
    return applyEntries(this.bindings(), { ...this.round(now), entries });
  }

  /** Waiting, applied and dead-lettered counts for the status API. */
  status() {
    return { ...this.store.status(), nextDrainAt: this.alarmAt };
  }

  deadLetters(input: { limit: number }) {
    return this.store.deadLetters(input.limit);
  }

  /** Drain until empty or the budget is spent (the alarm's work; tests call it directly). */
  async drain(input: { budgetMs?: number } = {}): Promise<DrainReport> {
    const started = Date.now();
    const total: DrainReport = {
      entries: 0,
      applied: 0,
      rejected: 0,
      skipped: 0,
      failedEntries: 0,
      dead: 0,
    };
    const budget = input.budgetMs ?? ALARM_BUDGET_MS;
    while (Date.now() - started < budget) {
      const now = Date.now();
      const entries = this.store.take({ maxObjects: DRAIN_ROUND_OBJECTS, now });
      if (entries.length === 0) break;
      const report = await applyEntries(this.bindings(), { ...this.round(now), entries });
      for (const k of Object.keys(total) as (keyof DrainReport)[]) total[k] += report[k];
    }
    return total;
  }

  override async alarm(): Promise<void> {
    this.alarmAt = null;
    if (this.draining) return;
    this.draining = (async () => {
      try {
        const report = await this.drain();
        if (report.entries > 0) log('debug', 'ingestion drained', { ...report });
      } catch (err) {
        log('warn', 'ingestion drain failed', { error: String(err) });
      }
    })();
    try {
      await this.draining;
    } finally {
      this.draining = null;
    }
    // Carry on at once while entries are due; failed ones back off (1 s, 2 s, 4 s … 60 s).
    const next = this.store.nextDue(Date.now());
    if (next !== null) await this.wake(next);
  }

  private round(now: number) {
    // Tests set HERALD_RETRY_BASE_SECONDS to 0: retries then follow at once.
    const retryBaseMs = String(this.env.HERALD_RETRY_BASE_SECONDS) === '0' ? 0 : 1000;
    const concurrency = Number(this.env.HERALD_INGEST_CONCURRENCY ?? DRAIN_CONCURRENCY);
    return {
      store: this.store,
      shard: this.shardName,
      now,
      retryBaseMs,
      concurrency:
        Number.isInteger(concurrency) && concurrency > 0 ? concurrency : DRAIN_CONCURRENCY,
    };
  }

  /** Make sure an alarm is due by `at`. */
  private async wake(at: number): Promise<void> {
    if (this.alarmAt !== null && this.alarmAt <= at) return;
    if (this.draining && at <= Date.now()) {
      // The running drain picks new entries up itself; the alarm after it re-checks.
      return;
    }
    this.alarmAt = at;
    await this.ctx.storage.setAlarm(at);
  }

  private bindings() {
    return {
      profiles: this.env.USER_PROFILE,
      directory: this.env.IDENTITY_INDEX,
      changes: this.env.CHANGES_QUEUE,
    };
  }
}
