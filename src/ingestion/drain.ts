import type { ChangeMessage } from '../changes/records';
import { log } from '../lib/log';
import type { ProfileBindings } from '../users/locate';
import { deliverChanges, mayCreate, type Settled, settleProfile } from './ingest';
import { type IngestLogStore, type LogEntry, objectsOf, type RoundOutcome } from './log-store';

/**
 * Apply waiting log entries to their profiles: one profile call per identifier key carrying all of
 * that key's entries in accepted order (a busy user's many small requests coalesce into one
 * write), many keys at once. Each call names its source (shard and key) and the entries' positions,
 * so a call repeated after a crash or a lost answer applies nothing twice.
 */

export interface DrainBindings extends ProfileBindings {
  changes: Queue<ChangeMessage>;
}

export interface DrainReport {
  entries: number;
  applied: number;
  rejected: number;
  skipped: number;
  failedEntries: number;
  dead: number;
}

/**
 * Profile calls in flight at once per shard, unless HERALD_INGEST_CONCURRENCY says otherwise.
 * Deployed, a shard mostly waits on profile objects elsewhere, and more in flight means more
 * applied per second; on one local workerd every call shares a core, and more in flight only
 * makes each slower (bench/RESULTS.md: with 16 shards, 2 → 62, 4 → 85, 16 → 28 users/s applied).
 */
export const DRAIN_CONCURRENCY = 8;
/**
 * Objects taken per round. Large on purpose: a shard holds 1/8 of a workspace's users, so a
 * backlog's round finds many objects per user and applies each user's in one profile write.
 */
export const DRAIN_ROUND_OBJECTS = 20_000;

function byKey(entries: LogEntry[]): LogEntry[][] {
  const groups = new Map<string, LogEntry[]>();
  for (const e of entries) {
    const g = groups.get(e.key);
    if (g) g.push(e);
    else groups.set(e.key, [e]);
  }
  return [...groups.values()];
}

async function applyKey(
  b: DrainBindings,
  input: { workspaceId: string; shard: string; entries: LogEntry[] },
): Promise<Settled | null> {
  const { workspaceId, entries } = input;
  const first = entries[0] as LogEntry;
  const id = first.identifier;
  const create = entries.some((e) => mayCreate({ ...e, sessions: e.sessions ?? [] }));
  const settings = entries[entries.length - 1]?.settings ?? first.settings;
  return settleProfile(b, {
    workspaceId,
    id,
    create,
    now: first.acceptedAt,
    write: (profile, profileId) =>
      profile.trackLogged({
        workspaceId,
        profileId,
        addressedBy: id,
        now: first.acceptedAt,
        create,
        settings,
        source: `${input.shard}|${first.key}`,
        parts: entries.map((e) => ({
          seq: e.seq,
          now: e.acceptedAt,
          attributes: e.attributes,
          events: e.events,
          purchases: e.purchases,
          ...(e.sessions && e.sessions.length > 0 ? { sessions: e.sessions } : {}),
        })),
      }),
  });
}

/** Run `fn` over `items`, at most `limit` at a time. */
async function pool<T>(items: T[], limit: number, fn: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const item = items[next++] as T;
      await fn(item);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
}

/** Apply `entries` (taken from `store`) and settle them in the log. */
export async function applyEntries(
  b: DrainBindings,
  input: {
    store: IngestLogStore;
    shard: string;
    entries: LogEntry[];
    now: number;
    retryBaseMs: number;
    concurrency?: number;
  },
): Promise<DrainReport> {
  const { store } = input;
  const workspaceId = store.workspaceId;
  const report: DrainReport = {
    entries: input.entries.length,
    applied: 0,
    rejected: 0,
    skipped: 0,
    failedEntries: 0,
    dead: 0,
  };
  if (!workspaceId || input.entries.length === 0) return report;
  const settled: Settled[] = [];
  const outcome: RoundOutcome = {
    done: [],
    failed: new Map(),
    counts: { applied: 0, rejected: 0, skipped: 0 },
  };
  await pool(byKey(input.entries), input.concurrency ?? DRAIN_CONCURRENCY, async (entries) => {
    const key = (entries[0] as LogEntry).key;
    const objects = entries.reduce((n, e) => n + objectsOf(e), 0);
    try {
      const result = await applyKey(b, {
        workspaceId,
        shard: input.shard,
        entries,
      });
      if (result === null) {
        // No such user and none may be created: Braze drops these silently; so do we, counted.
        outcome.counts.skipped += objects;
      } else {
        settled.push(result);
        const refused = result.outcomes.filter((o) => o.error);
        outcome.counts.rejected += refused.length;
        outcome.counts.applied += objects - refused.length;
        for (const o of refused) {
          log('info', 'queued object refused by its profile', {
            workspace_id: workspaceId,
            array: o.array,
            error: o.error,
          });
        }
      }
      outcome.done.push(key);
    } catch (err) {
      const error = String(err);
      log('warn', 'ingestion entries will be retried', {
        workspace_id: workspaceId,
        entries: entries.length,
        error,
      });
      report.failedEntries += entries.length;
      outcome.failed.set(key, error);
    }
  });
  // One queue call for the round's change records; a failure leaves them to each profile's alarm.
  await deliverChanges({ delivery: { queue: b.changes }, results: settled });
  report.dead = store.settle(input.entries, outcome, input.now, input.retryBaseMs);
  report.applied = outcome.counts.applied;
  report.rejected = outcome.counts.rejected;
  report.skipped = outcome.counts.skipped;
  return report;
}
