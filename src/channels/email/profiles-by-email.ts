import { ingestTrack } from '../../ingestion/ingest';
import type { StandardFields } from '../../ingestion/types';
import { findCandidates } from '../../users/locate';
import { segmentableOf } from '../../workspaces/settings';
import type { Workspace } from '../../workspaces/store';

/**
 * Set standard fields on every profile that has one of these email addresses, as /users/track
 * would (change records, segment index). Braze's email endpoints change all profiles sharing an
 * address. Answers the address → first profile id found, for the address lists.
 */
export async function updateProfilesByEmail(
  env: Pick<Env, 'USER_PROFILE' | 'IDENTITY_INDEX' | 'CHANGES_QUEUE'>,
  input: { workspace: Workspace; emails: string[]; standard: StandardFields; now: number },
): Promise<Map<string, string | null>> {
  const b = { profiles: env.USER_PROFILE, directory: env.IDENTITY_INDEX };
  const found = new Map<string, string | null>();
  const profileIds = new Set<string>();
  for (const email of input.emails) {
    const forms = [...new Set([email, email.trim().toLowerCase()])];
    const ids = (
      await Promise.all(
        forms.map((value) =>
          findCandidates(b, input.workspace.id, { kind: 'email', value }, input.now),
        ),
      )
    )
      .flat()
      .map((c) => c.profileId);
    found.set(email, ids[0] ?? null);
    for (const id of ids) profileIds.add(id);
  }
  if (profileIds.size === 0) return found;
  await ingestTrack(b, {
    workspaceId: input.workspace.id,
    attributes: [...profileIds].map((value, index) => ({
      index,
      identifier: { kind: 'braze_id', value },
      updateExistingOnly: true,
      pushTokenImport: false,
      standard: input.standard,
      pushTokens: [],
      subscriptionGroups: [],
      custom: [],
    })),
    events: [],
    purchases: [],
    settings: {
      arrayMaxLength: input.workspace.settings.array_max_length,
      segmentable: segmentableOf(input.workspace.settings),
    },
    now: input.now,
    delivery: { queue: env.CHANGES_QUEUE },
  });
  return found;
}
