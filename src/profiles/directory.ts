import type { Identifier } from '../ingestion/types';
import { directoryKey, directoryStub, shardOf } from '../lib/stubs';
import type { DirectoryEntry, DirectoryKind, DirectoryOp } from './directory-store';

/**
 * The Worker's view of the identifier directory, with an isolate cache for unique identifiers.
 * A cached entry can go stale (merge, delete, rename); the profile object detects that
 * (`not_owner`, `merged`, `deleted`) and the caller calls `forget` and resolves again.
 */
const CACHE_MAX = 100_000;
const cache = new Map<string, string>();

function cacheKey(workspaceId: string, kind: string, value: string): string {
  return `${workspaceId}\u0001${kind}\u0001${value}`;
}

/** Drop a cached resolution. */
export function forget(workspaceId: string, id: Identifier): void {
  const key = directoryKey(id);
  if (key) cache.delete(cacheKey(workspaceId, key.kind, key.value));
}

function remember(workspaceId: string, kind: string, value: string, profileId: string): void {
  if (cache.size >= CACHE_MAX) cache.clear();
  cache.set(cacheKey(workspaceId, kind, value), profileId);
}

/**
 * Resolve identifiers to profile ids: one id for unique kinds, all candidates for email/phone,
 * and the id itself for braze_id. Look-ups are grouped into one call per directory shard.
 */
export async function resolveIdentifiers(
  ns: Env['IDENTITY_INDEX'],
  workspaceId: string,
  ids: Identifier[],
): Promise<Map<Identifier, string[]>> {
  const out = new Map<Identifier, string[]>();
  const byShard = new Map<number, { id: Identifier; kind: DirectoryKind; value: string }[]>();
  for (const id of ids) {
    const key = directoryKey(id);
    if (!key) {
      out.set(id, [id.kind === 'braze_id' ? id.value : '']);
      continue;
    }
    const cached = cache.get(cacheKey(workspaceId, key.kind, key.value));
    if (cached) {
      out.set(id, [cached]);
      continue;
    }
    const shard = shardOf(key.kind, key.value);
    const list = byShard.get(shard) ?? [];
    list.push({ id, ...key });
    byShard.set(shard, list);
  }
  await Promise.all(
    [...byShard].map(async ([shard, items]) => {
      const found: Record<string, DirectoryEntry[]> = await directoryStub(
        ns,
        workspaceId,
        shard,
      ).lookup(items.map(({ kind, value }) => ({ kind, value })));
      for (const item of items) {
        const entries = found[`${item.kind}:${item.value}`] ?? [];
        const ids = entries.map((e) => e.profileId);
        if ((item.kind === 'external_id' || item.kind === 'user_alias') && ids[0]) {
          remember(workspaceId, item.kind, item.value, ids[0]);
        }
        out.set(item.id, ids);
      }
    }),
  );
  return out;
}

/**
 * Claim a unique identifier for a new profile; answers the profile that owns it now (the
 * existing owner when there is one, so this doubles as a look-up for writes that may create).
 */
export async function claimIdentifier(
  ns: Env['IDENTITY_INDEX'],
  input: { workspaceId: string; id: Identifier; profileId: string },
): Promise<string> {
  const key = directoryKey(input.id);
  if (!key || (key.kind !== 'external_id' && key.kind !== 'user_alias')) return input.profileId;
  const cached = cache.get(cacheKey(input.workspaceId, key.kind, key.value));
  if (cached) return cached;
  const stub = directoryStub(ns, input.workspaceId, shardOf(key.kind, key.value));
  const result = await stub.claim({ kind: key.kind, value: key.value, profileId: input.profileId });
  remember(input.workspaceId, key.kind, key.value, result.profileId);
  return result.profileId;
}

/** Apply directory updates, grouped into one call per shard. */
export async function applyDirectoryOps(
  ns: Env['IDENTITY_INDEX'],
  workspaceId: string,
  ops: DirectoryOp[],
): Promise<void> {
  const byShard = new Map<number, DirectoryOp[]>();
  for (const op of ops) {
    const shard = shardOf(op.kind, op.value);
    const list = byShard.get(shard) ?? [];
    list.push(op);
    byShard.set(shard, list);
    if (op.op !== 'link') cache.delete(cacheKey(workspaceId, op.kind, op.value));
  }
  await Promise.all(
    [...byShard].map(([shard, list]) => directoryStub(ns, workspaceId, shard).apply(list)),
  );
}
