import { sendChanges } from '../changes/producer';
import type { ChangeBatch, ChangeMessage } from '../changes/records';
import { newBrazeId } from '../lib/ids';
import { log } from '../lib/log';
import { directoryKey, profileStub } from '../lib/stubs';
import { claimIdentifier } from '../profiles/directory';
import type { ProfileApi, TrackAnswer } from '../profiles/rpc';
import type { ApplySettings, ObjectOutcome, TrackBatch } from '../profiles/track';
import { handleMiss, isMiss, locate, type ProfileBindings } from '../users/locate';
import type {
  AttributesInput,
  EventInput,
  Identifier,
  PurchaseInput,
  SessionInput,
  TrackError,
} from './types';

export type Handoff = { batches: ChangeBatch[]; upTo: number } | null;

/** Where the request's change records go: one queue call for all its profiles. */
export interface ChangeDelivery {
  queue: Queue<ChangeMessage>;
}

export interface Group {
  identifier: Identifier;
  attributes: AttributesInput[];
  events: EventInput[];
  purchases: PurchaseInput[];
  sessions: SessionInput[];
}

/** One key per identifier, in the directory's own key format (braze_id has no directory key). */
export function identifierKey(id: Identifier): string {
  const key = directoryKey(id);
  return key ? `${key.kind}:${key.value}` : `braze_id:${id.kind === 'braze_id' ? id.value : ''}`;
}

export function groupByIdentifier(input: {
  attributes: AttributesInput[];
  events: EventInput[];
  purchases: PurchaseInput[];
  sessions?: SessionInput[];
}): Group[] {
  const groups = new Map<string, Group>();
  const get = (id: Identifier) => {
    const key = identifierKey(id);
    let g = groups.get(key);
    if (!g) {
      g = { identifier: id, attributes: [], events: [], purchases: [], sessions: [] };
      groups.set(key, g);
    }
    return g;
  };
  for (const a of input.attributes) get(a.identifier).attributes.push(a);
  for (const e of input.events) get(e.identifier).events.push(e);
  for (const p of input.purchases) get(p.identifier).purchases.push(p);
  for (const s of input.sessions ?? []) get(s.identifier).sessions.push(s);
  return [...groups.values()];
}

/** Whether any object of the group may create its profile (braze_id never creates). */
export function mayCreate(g: Omit<Group, 'identifier'> & { identifier: Identifier }): boolean {
  if (g.identifier.kind === 'braze_id') return false;
  return [...g.attributes, ...g.events, ...g.purchases, ...g.sessions].some(
    (o) => !o.updateExistingOnly,
  );
}

/** A profile's applied answer with the change records it handed back. */
export interface Settled {
  outcomes: ObjectOutcome[];
  profileId: string;
  handoff: Handoff;
}

/**
 * Find (or, when allowed, create) the profile an identifier names and make one write call to it,
 * re-resolving when the profile answers that it is not the one (merged, not the owner). Answers
 * null when no profile exists and none may be created (Braze then drops the objects silently).
 */
export async function settleProfile(
  b: ProfileBindings,
  input: {
    workspaceId: string;
    id: Identifier;
    create: boolean;
    now: number;
    write: (profile: ProfileApi, profileId: string) => Promise<TrackAnswer>;
  },
): Promise<Settled | null> {
  const { workspaceId, id, create, now } = input;
  let next: string | null = null;
  for (let attempt = 0; attempt < 3; attempt++) {
    const unique = id.kind === 'external_id' || id.kind === 'user_alias';
    // A write that may create its user claims the identifier straight away: one directory call
    // answers both "who owns it" and "make it mine".
    let profileId =
      next ??
      (create && unique
        ? await claimIdentifier(b.directory, { workspaceId, id, profileId: newBrazeId(now) })
        : await locate(b, workspaceId, id, now));
    if (!profileId) {
      if (!create) return null;
      profileId = await claimIdentifier(b.directory, {
        workspaceId,
        id,
        profileId: newBrazeId(now),
      });
    }
    const answer = await input.write(profileStub(b.profiles, workspaceId, profileId), profileId);
    if (!isMiss(answer))
      return { outcomes: answer.outcomes, profileId, handoff: answer.handoff ?? null };
    if (answer.status === 'not_found') return null;
    next = await handleMiss(b, { workspaceId, id, profileId, miss: answer });
  }
  throw new Error(`could not settle the profile for ${id.kind} after 3 attempts`);
}

/** Deliver one identifier's objects to its profile in one call. */
function applyGroup(
  b: ProfileBindings,
  input: { workspaceId: string; group: Group; settings: ApplySettings; now: number },
): Promise<Settled | null> {
  const { workspaceId, group, now } = input;
  const create = mayCreate(group);
  return settleProfile(b, {
    workspaceId,
    id: group.identifier,
    create,
    now,
    write: (profile, profileId) =>
      profile.track({
        workspaceId,
        profileId,
        addressedBy: group.identifier,
        now,
        create,
        attributes: group.attributes,
        events: group.events,
        purchases: group.purchases,
        ...(group.sessions.length > 0 ? { sessions: group.sessions } : {}),
        settings: input.settings,
      }),
  });
}

/** A request's validated objects for one workspace, as both the inline and the queued path take them. */
export interface TrackObjects extends TrackBatch {
  workspaceId: string;
}

/**
 * Apply validated `/users/track` objects: one profile call per identifier, all in parallel.
 * Returns the objects rolled back by their profile (as non-fatal errors) and the counts of
 * objects accepted per array.
 */
export async function ingestTrack(
  b: ProfileBindings,
  input: TrackObjects & { delivery: ChangeDelivery },
): Promise<{
  errors: TrackError[];
  processed: Record<'attributes' | 'events' | 'purchases' | 'sessions', number>;
}> {
  const groups = groupByIdentifier(input);
  const results = await Promise.all(groups.map((group) => applyGroup(b, { ...input, group })));
  const errors: TrackError[] = [];
  const processed = {
    attributes: input.attributes.length,
    events: input.events.length,
    purchases: input.purchases.length,
    sessions: input.sessions?.length ?? 0,
  };
  await deliverChanges({ delivery: input.delivery, results });
  for (const result of results) {
    for (const o of result?.outcomes ?? []) {
      if (!o.error) continue;
      processed[o.array]--;
      errors.push({ type: 'rejected', input_array: o.array, index: o.index, message: o.error });
    }
  }
  return { errors, processed };
}

/**
 * Send every profile's change records of this request in one queue call. The profiles keep the
 * records until the queue consumer reads them (it acks them then); if this send fails, each
 * profile's alarm delivers its own records: at least once, never lost.
 */
export async function deliverChanges(input: {
  delivery: ChangeDelivery;
  results: ({ profileId: string; handoff: Handoff } | null)[];
}): Promise<void> {
  const batches = input.results.flatMap((r) => r?.handoff?.batches ?? []);
  if (batches.length === 0) return;
  try {
    await sendChanges(input.delivery.queue, batches);
  } catch (err) {
    log('warn', 'change delivery left to profiles', { error: String(err) });
  }
}
