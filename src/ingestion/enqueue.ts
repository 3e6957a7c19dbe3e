import { ApiError } from '../http/errors';
import { fnv1a32 } from '../lib/hash';
import { INGEST_SHARDS, ingestShardStub } from '../lib/stubs';
import { GroupCommit } from './group-commit';
import { groupByIdentifier, identifierKey, type TrackObjects } from './ingest';
import type { LogAppend } from './log-store';
import type { Identifier } from './types';

/**
 * The accept path of queued ingestion: a request's objects, grouped by identifier, are stored in
 * the log shards their identifiers hash to (one call per shard touched, in parallel), and the
 * request answers once every shard has them. See workers/ingest-shard.ts.
 */

/**
 * Objects one shard may hold before new requests for it are refused with 429: the drain is far
 * behind (profiles unreachable, or a burst beyond what this deployment applies), and waiting
 * objects would otherwise grow without bound. A request is refused whole, before any shard
 * stores anything, so nothing is ever half-accepted.
 */
export const SHARD_BACKLOG_LIMIT = 200_000;
/** How long a full shard is refused without asking it again. */
const FULL_RECHECK_MS = 1_000;

/** Shards this isolate saw over the limit, until when it refuses them unasked. */
const full = new Map<string, number>();

/** This isolate's appends, grouped per shard while one is in flight (src/ingestion/group-commit.ts). */
const appends = new GroupCommit({
  sleep: (ms) => scheduler.wait(ms),
  onTimeout: () =>
    new ApiError(503, 'Service unavailable', [
      'Timed out storing the objects in the ingestion log; they may have been stored. Retry.',
    ]),
});

export function shardForKey(key: string): number {
  return fnv1a32(key) % INGEST_SHARDS;
}

/** The shard an identifier's objects queue in (also where to flush it before identify). */
export function shardOf(id: Identifier): { shard: number; key: string } {
  const key = identifierKey(id);
  return { shard: shardForKey(key), key };
}

/**
 * Store a request's objects in the ingestion log; throws 429 when a target shard is full.
 * `waitUntil` is the request's (ExecutionContext.waitUntil): a request that leads a group append
 * for others finishes it even if its own client hangs up.
 */
export async function enqueueTrack(
  ns: Env['INGEST_SHARD'],
  input: TrackObjects,
  waitUntil: (p: Promise<unknown>) => void,
): Promise<{ shards: number; objects: number }> {
  const byShard = new Map<number, { items: LogAppend[]; objects: number }>();
  let objects = 0;
  for (const g of groupByIdentifier(input)) {
    const key = identifierKey(g.identifier);
    const shard = shardForKey(key);
    const body = {
      identifier: g.identifier,
      attributes: g.attributes,
      events: g.events,
      purchases: g.purchases,
      ...(g.sessions.length > 0 ? { sessions: g.sessions } : {}),
      settings: input.settings,
    };
    const n = g.attributes.length + g.events.length + g.purchases.length + g.sessions.length;
    objects += n;
    const share = byShard.get(shard);
    if (share) {
      share.items.push({ key, body });
      share.objects += n;
    } else byShard.set(shard, { items: [{ key, body }], objects: n });
  }
  const now = Date.now();
  for (const shard of byShard.keys()) {
    const until = full.get(`${input.workspaceId}:${shard}`);
    if (until !== undefined && until > now) {
      throw new ApiError(429, 'API rate limit exceeded', [
        'Ingestion is behind: this workspace has more queued objects than it can hold. Retry shortly.',
      ]);
    }
  }
  await Promise.all(
    [...byShard].map(async ([shard, share]) => {
      const name = `${input.workspaceId}:${shard}`;
      // One string per shard: cheaper to send than the objects, and stored as it is.
      const { depth } = await appends.append(
        name,
        JSON.stringify(share.items),
        share.objects,
        (entries, objects) =>
          ingestShardStub(ns, input.workspaceId, shard).append({
            workspaceId: input.workspaceId,
            entries,
            objects,
            now: input.now,
          }),
        waitUntil,
      );
      if (depth > SHARD_BACKLOG_LIMIT) full.set(name, Date.now() + FULL_RECHECK_MS);
      else full.delete(name);
    }),
  );
  return { shards: byShard.size, objects };
}

/** Apply every queued entry of these identifiers now (before an identify, merge or delete). */
export async function flushIdentifiers(
  ns: Env['INGEST_SHARD'],
  workspaceId: string,
  ids: Identifier[],
): Promise<void> {
  const seen = new Set<string>();
  await Promise.all(
    ids.map((id) => {
      const { shard, key } = shardOf(id);
      if (seen.has(key)) return null;
      seen.add(key);
      return ingestShardStub(ns, workspaceId, shard).flushKey({ key });
    }),
  );
}
