import { DurableObject } from 'cloudflare:workers';
import { BufferStore, type BufferTarget } from '../src/currents/buffer-store';
import { getConnector } from '../src/currents/connectors';
import type { CurrentsEvent } from '../src/currents/events';
import { FLUSH_INTERVAL_MS, FLUSH_THRESHOLD, flushBuffer } from '../src/currents/flush';
import { recordFlush } from '../src/currents/stats';
import { log } from '../src/lib/log';
import { getWorkspace } from '../src/workspaces/store';

/**
 * One shard of a Currents connector's buffer (SQLite-backed): the change consumer appends
 * events, and the object's alarm flushes them 5 minutes after the oldest arrived, or at once when
 * 15,000 wait. The alarm is the only timer; a failed flush re-arms it for the retry.
 */
export class CurrentsBuffer extends DurableObject<Env> {
  private store!: BufferStore;

  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    ctx.blockConcurrencyWhile(async () => {
      this.store = new BufferStore(ctx.storage.sql, (fn) => ctx.storage.transactionSync(fn));
    });
  }

  /** Store events durably (the caller acks its queue message only after this answered). */
  async append(input: { target: BufferTarget; events: CurrentsEvent[] }) {
    const now = Date.now();
    const answer = this.store.append(input.target, input.events, now);
    const due =
      answer.fresh >= FLUSH_THRESHOLD
        ? now
        : answer.oldestFresh === null
          ? null
          : answer.oldestFresh + FLUSH_INTERVAL_MS;
    const current = await this.ctx.storage.getAlarm();
    if (due !== null && (current === null || due < current)) await this.ctx.storage.setAlarm(due);
    return answer;
  }

  /** Waiting and retrying events, for the status API. */
  async status() {
    return { ...this.store.status(), nextFlushAt: await this.ctx.storage.getAlarm() };
  }

  /** Flush what is due at `now` (the alarm's work; tests call it with a later clock). */
  async flush(input: { now?: number } = {}) {
    const target = this.store.target;
    if (!target) return null;
    const now = input.now ?? Date.now();
    const connector = await getConnector(this.env.DB, target.workspaceId, target.connectorId);
    const workspace = connector ? await getWorkspace(this.env.DB, target.workspaceId) : null;
    const report = await flushBuffer({
      store: this.store,
      target,
      connector,
      exports: this.env.EXPORTS,
      allowlist: workspace?.settings.connected_content_allowlist ?? [],
      now,
      retryBaseMs: Number(this.env.HERALD_RETRY_BASE_SECONDS ?? '30') * 1000,
      fetch: (req, init) => fetch(req, init),
    });
    if (connector && (report.eventsSent || report.failures || report.deadLetters.length)) {
      await recordFlush(this.env.DB, {
        workspaceId: target.workspaceId,
        connectorId: target.connectorId,
        now,
        outcome: report,
      });
    }
    if (report.nextFlushAt === null) await this.ctx.storage.deleteAlarm();
    else await this.ctx.storage.setAlarm(Math.max(report.nextFlushAt, Date.now()));
    return report;
  }

  override async alarm() {
    try {
      await this.flush();
    } catch (err) {
      // D1 unreachable, say: the events are still here; try again in a minute.
      log('warn', 'currents flush failed', { error: String(err) });
      await this.ctx.storage.setAlarm(Date.now() + 60_000);
    }
  }
}
