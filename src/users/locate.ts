import type { Identifier } from '../ingestion/types';
import { directoryKey, profileStub } from '../lib/stubs';
import { applyDirectoryOps, forget, resolveIdentifiers } from '../profiles/directory';
import type { Miss } from '../profiles/rpc';

/** The bindings profile look-ups need. */
export interface ProfileBindings {
  profiles: Env['USER_PROFILE'];
  directory: Env['IDENTITY_INDEX'];
}

export interface Candidate {
  profileId: string;
  identified: boolean;
  updatedAt: number;
}

export type Prioritization =
  | 'identified'
  | 'unidentified'
  | 'most_recently_updated'
  | 'least_recently_updated';

/** Every live profile an identifier names (several for a shared email or phone). */
export async function findCandidates(
  b: ProfileBindings,
  workspaceId: string,
  id: Identifier,
  now: number,
): Promise<Candidate[]> {
  const ids = (await resolveIdentifiers(b.directory, workspaceId, [id])).get(id) ?? [];
  return describeCandidates(b, { workspaceId, id, ids, now });
}

/** Which of these profiles are live, identified, and when each was last updated. */
async function describeCandidates(
  b: ProfileBindings,
  input: { workspaceId: string; id: Identifier; ids: string[]; now: number },
): Promise<Candidate[]> {
  const { workspaceId, id, now } = input;
  const described = await Promise.all(
    input.ids.map(async (profileId) => {
      const r = await profileStub(b.profiles, workspaceId, profileId).describe({
        workspaceId,
        profileId,
        addressedBy: id,
        now,
      });
      return r.status === 'ok'
        ? { profileId, identified: r.identity.externalId !== null, updatedAt: r.updatedAt }
        : null;
    }),
  );
  return described.filter((c): c is Candidate => c !== null);
}

/**
 * Braze's rule for a write addressed by email or phone (contract §2.1): the most recently updated
 * profile with an external_id, else the most recently updated profile.
 */
export function pickForWrite(candidates: Candidate[]): string | null {
  const newest = (list: Candidate[]) =>
    list.reduce<Candidate | null>(
      (a, c) => (a === null || c.updatedAt > a.updatedAt ? c : a),
      null,
    );
  return (newest(candidates.filter((c) => c.identified)) ?? newest(candidates))?.profileId ?? null;
}

/**
 * Apply a `prioritization` array (contract §2.8): filters in order; exactly one profile must
 * remain, otherwise the answer is 'ambiguous' (nothing is done) or 'none'.
 */
export function pickByPrioritization(
  candidates: Candidate[],
  prioritization: readonly Prioritization[],
): Candidate | 'ambiguous' | 'none' {
  let list = candidates;
  for (const p of prioritization) {
    if (p === 'identified') list = list.filter((c) => c.identified);
    else if (p === 'unidentified') list = list.filter((c) => !c.identified);
    else if (list.length > 1) {
      const best =
        p === 'most_recently_updated'
          ? Math.max(...list.map((c) => c.updatedAt))
          : Math.min(...list.map((c) => c.updatedAt));
      list = list.filter((c) => c.updatedAt === best);
    }
  }
  if (list.length === 0) return 'none';
  return list.length === 1 ? list[0]! : 'ambiguous';
}

/** The one profile an identifier addresses for a write, or null. */
export async function locate(
  b: ProfileBindings,
  workspaceId: string,
  id: Identifier,
  now: number,
): Promise<string | null> {
  const ids = (await resolveIdentifiers(b.directory, workspaceId, [id])).get(id) ?? [];
  // Only a shared email or phone needs the candidates described to choose among them.
  if (ids.length <= 1) return ids[0] ?? null;
  return pickForWrite(await describeCandidates(b, { workspaceId, id, ids, now }));
}

/**
 * React to a profile's "not me" answer: forget the cached entry, and for a deleted profile drop
 * its directory entry so the identifier can be reused. Returns the profile to try next, if the
 * answer names one (a merge tombstone reached through its braze_id).
 */
export async function handleMiss(
  b: ProfileBindings,
  input: { workspaceId: string; id: Identifier; profileId: string; miss: Miss },
): Promise<string | null> {
  forget(input.workspaceId, input.id);
  const key = directoryKey(input.id);
  if (
    input.miss.status === 'deleted' &&
    key &&
    (key.kind === 'external_id' || key.kind === 'user_alias')
  ) {
    await applyDirectoryOps(b.directory, input.workspaceId, [
      { op: 'release', kind: key.kind, value: key.value, profileId: input.profileId },
    ]);
  }
  if (input.miss.status === 'merged' && input.id.kind === 'braze_id') return input.miss.into;
  return null;
}

/**
 * Run a profile call for the profile an identifier names, re-resolving when the directory was
 * stale. Answers `not_found` when no live profile answers to the identifier.
 */
export async function withProfile<T extends { status: string }>(
  b: ProfileBindings,
  input: { workspaceId: string; id: Identifier; now: number },
  call: (profileId: string) => Promise<T | Miss>,
): Promise<T | { status: 'not_found' }> {
  let next: string | null = null;
  for (let attempt = 0; attempt < 3; attempt++) {
    const profileId = next ?? (await locate(b, input.workspaceId, input.id, input.now));
    if (!profileId) return { status: 'not_found' };
    const answer = await call(profileId);
    if (!isMiss(answer)) return answer;
    if (answer.status === 'not_found') return { status: 'not_found' };
    next = await handleMiss(b, { ...input, profileId, miss: answer });
  }
  return { status: 'not_found' };
}

/** True for the answers that mean "not this profile". */
export function isMiss(answer: { status: string }): answer is Miss {
  return (
    answer.status === 'not_found' ||
    answer.status === 'not_owner' ||
    answer.status === 'merged' ||
    answer.status === 'deleted'
  );
}
