import { storedForms, toE164 } from '../channels/sms/phone';
import { ingestTrack } from '../ingestion/ingest';
import type { AttributesInput, Identifier } from '../ingestion/types';
import { profileStub } from '../lib/stubs';
import {
  type Candidate,
  findCandidates,
  isMiss,
  type ProfileBindings,
  withProfile,
} from '../users/locate';
import { segmentableOf } from '../workspaces/settings';
import type { Workspace } from '../workspaces/store';

/**
 * Subscription-group states as the `/subscription/*` endpoints read and write them (contract
 * data §2.10). Writes go through the `/users/track` path, so change records, the segment index
 * and Currents see them exactly as they see `subscription_groups` in a track request.
 */

export type GroupState = 'subscribed' | 'unsubscribed';

/** Every live profile holding an email, or a phone in any of the forms it may be stored in. */
export async function profilesWith(
  b: ProfileBindings,
  input: { workspaceId: string; kind: 'email' | 'phone'; value: string; now: number },
): Promise<Candidate[]> {
  const values =
    input.kind === 'phone' ? storedForms(toE164(input.value) ?? input.value) : [input.value];
  if (input.kind === 'phone' && !values.includes(input.value)) values.push(input.value);
  const found = await Promise.all(
    values.map((value) =>
      findCandidates(b, input.workspaceId, { kind: input.kind, value }, input.now),
    ),
  );
  const byId = new Map(found.flat().map((c) => [c.profileId, c]));
  return [...byId.values()];
}

/**
 * Set one group's state for users named by external id (existing users only) and for every
 * profile sharing an email or phone; an email or phone no profile has yet gets a new profile
 * holding it, as Braze does.
 */
export async function setGroupState(
  env: Pick<Env, 'USER_PROFILE' | 'IDENTITY_INDEX' | 'CHANGES_QUEUE'>,
  input: {
    workspace: Workspace;
    groupId: string;
    state: GroupState;
    externalIds: string[];
    emails: string[];
    phones: string[];
    now: number;
  },
): Promise<void> {
  const b: ProfileBindings = { profiles: env.USER_PROFILE, directory: env.IDENTITY_INDEX };
  const workspaceId = input.workspace.id;
  const targets: {
    identifier: Identifier;
    create: boolean;
    standard: AttributesInput['standard'];
  }[] = input.externalIds.map((value) => ({
    identifier: { kind: 'external_id', value },
    create: false,
    standard: {},
  }));
  const shared = [
    ...input.emails.map((value) => ({ kind: 'email' as const, value })),
    ...input.phones.map((value) => ({ kind: 'phone' as const, value })),
  ];
  const seen = new Set<string>();
  for (const s of shared) {
    const ids = (await profilesWith(b, { workspaceId, ...s, now: input.now })).map(
      (c) => c.profileId,
    );
    for (const id of ids) {
      if (seen.has(id)) continue;
      seen.add(id);
      targets.push({ identifier: { kind: 'braze_id', value: id }, create: false, standard: {} });
    }
    if (ids.length === 0) {
      targets.push({
        identifier: s,
        create: true,
        standard: s.kind === 'email' ? { email: s.value } : { phone: s.value },
      });
    }
  }
  const attributes: AttributesInput[] = targets.map((t, index) => ({
    index,
    identifier: t.identifier,
    updateExistingOnly: !t.create,
    pushTokenImport: false,
    standard: t.standard,
    pushTokens: [],
    subscriptionGroups: [{ subscription_group_id: input.groupId, subscription_state: input.state }],
    custom: [],
  }));
  if (attributes.length === 0) return;
  await ingestTrack(b, {
    workspaceId,
    attributes,
    events: [],
    purchases: [],
    settings: {
      arrayMaxLength: input.workspace.settings.array_max_length,
      segmentable: segmentableOf(input.workspace.settings),
    },
    now: input.now,
    delivery: { queue: env.CHANGES_QUEUE },
  });
}

/** One profile's group states (only groups whose state was ever set). */
export async function groupStatesOf(
  b: ProfileBindings,
  input: { workspaceId: string; profileId: string; addressedBy: Identifier | null; now: number },
): Promise<Record<string, string> | null> {
  const answer = await profileStub(b.profiles, input.workspaceId, input.profileId).recipient({
    workspaceId: input.workspaceId,
    profileId: input.profileId,
    addressedBy: input.addressedBy,
    now: input.now,
  });
  return isMiss(answer) ? null : answer.recipient.subscriptionGroups;
}

/** The group states of the user an external id names, or null when there is none. */
export async function groupStatesByExternalId(
  b: ProfileBindings,
  input: { workspaceId: string; externalId: string; now: number },
): Promise<Record<string, string> | null> {
  const id: Identifier = { kind: 'external_id', value: input.externalId };
  const answer = await withProfile(
    b,
    { workspaceId: input.workspaceId, id, now: input.now },
    (profileId) =>
      profileStub(b.profiles, input.workspaceId, profileId).recipient({
        workspaceId: input.workspaceId,
        profileId,
        addressedBy: id,
        now: input.now,
      }),
  );
  return answer.status === 'ok' && 'recipient' in answer
    ? answer.recipient.subscriptionGroups
    : null;
}
