import { profileStub } from '../lib/stubs';
import { applyDirectoryOps } from '../profiles/directory';
import { aliasKey } from '../profiles/profile-store';
import { isMiss, type ProfileBindings } from './locate';

/**
 * Merge one profile into another (contract §2.8): the kept profile absorbs the merged one's data
 * (idempotent), aliases that moved are repointed in the directory, and the merged profile becomes
 * a tombstone that releases its remaining identifiers. Safe to retry after a crash at any step.
 */
export async function mergeProfiles(
  b: ProfileBindings,
  input: { workspaceId: string; sourceId: string; targetId: string; now: number },
): Promise<'merged' | 'not_found'> {
  const { workspaceId, sourceId, targetId, now } = input;
  if (sourceId === targetId) return 'merged';
  const source = profileStub(b.profiles, workspaceId, sourceId);
  const target = profileStub(b.profiles, workspaceId, targetId);
  const base = { workspaceId, addressedBy: null, now };
  const begin = await source.beginMerge({ ...base, profileId: sourceId });
  if (begin.status === 'merged' && begin.into === targetId) return 'merged';
  if (isMiss(begin)) return 'not_found';
  const absorbed = await target.absorb({ ...base, profileId: targetId, snapshot: begin.snapshot });
  if (isMiss(absorbed)) return 'not_found';
  await applyDirectoryOps(
    b.directory,
    workspaceId,
    absorbed.aliases.map((a) => ({
      op: 'repoint' as const,
      kind: 'user_alias' as const,
      value: aliasKey(a.label, a.name),
      profileId: sourceId,
      to: targetId,
    })),
  );
  await source.finishMerge({
    ...base,
    profileId: sourceId,
    into: targetId,
    keepAliases: absorbed.aliases,
  });
  return 'merged';
}
