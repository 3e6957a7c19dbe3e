import type { CurrentsBufferApi } from '../currents/buffer-store';
import type { Identifier } from '../ingestion/types';
import type { DirectoryApi } from '../profiles/directory-store';
import type { ProfileApi } from '../profiles/rpc';
import { fnv1a32 } from './hash';

/**
 * The one place Durable Object names are made. Changing a name scheme or INDEX_SHARDS moves data
 * out of reach, so both are fixed once deployed.
 */

/** Shards of the identifier directory per workspace. */
export const INDEX_SHARDS = 32;

/** The profile object of one user. */
export function profileStub(
  ns: Env['USER_PROFILE'],
  workspaceId: string,
  profileId: string,
): ProfileApi {
  // The generated RPC stub types wrap every answer in Disposable intersections; callers get the
  // plain shapes the object actually returns.
  return ns.get(ns.idFromName(`profile:${workspaceId}:${profileId}`)) as unknown as ProfileApi;
}

/** The directory key of an identifier (unique across kinds). */
export function directoryKey(
  id: Identifier,
): { kind: Exclude<Identifier['kind'], 'braze_id'>; value: string } | null {
  switch (id.kind) {
    case 'braze_id':
      return null;
    case 'user_alias':
      return { kind: 'user_alias', value: `${id.label}\u0000${id.name}` };
    default:
      return { kind: id.kind, value: id.value };
  }
}

/** Which directory shard holds (kind, value). */
export function shardOf(kind: string, value: string): number {
  return fnv1a32(`${kind}:${value}`) % INDEX_SHARDS;
}

/** One shard of a workspace's identifier directory. */
export function directoryStub(
  ns: Env['IDENTITY_INDEX'],
  workspaceId: string,
  shard: number,
): DirectoryApi {
  return ns.get(ns.idFromName(`directory:${workspaceId}:${shard}`)) as unknown as DirectoryApi;
}

/** The counter of one rate-limit bucket of a workspace. */
export function rateLimiterStub(ns: Env['RATE_LIMITER'], workspaceId: string, bucket: string) {
  return ns.get(ns.idFromName(`ratelimit:${workspaceId}:${bucket}`));
}

/** One shard of a Currents connector's event buffer. */
export function currentsBufferStub(
  ns: Env['CURRENTS_BUFFER'],
  target: { workspaceId: string; connectorId: string; shard: number },
): CurrentsBufferApi {
  const name = `currents:${target.workspaceId}:${target.connectorId}:${target.shard}`;
  return ns.get(ns.idFromName(name)) as unknown as CurrentsBufferApi;
}

/**
 * Shards of the ingestion log per workspace. An identifier always hashes to the same shard, which
 * keeps a user's queued objects in order; each request touches at most this many objects.
 */
export const INGEST_SHARDS = 8;

/** Ingestion-log object ids by name: idFromName hashes, and every accepted request needs one. */
const ingestIds = new Map<string, DurableObjectId>();

/** One shard of a workspace's ingestion log. */
export function ingestShardStub(ns: Env['INGEST_SHARD'], workspaceId: string, shard: number) {
  const name = `ingest:${workspaceId}:${shard}`;
  let id = ingestIds.get(name);
  if (!id) {
    if (ingestIds.size >= 10_000) ingestIds.clear();
    id = ns.idFromName(name);
    ingestIds.set(name, id);
  }
  return ns.get(id);
}
