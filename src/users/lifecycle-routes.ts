import { z } from 'zod';
import type { Ctx } from '../http/context';
import { badRequest } from '../http/errors';
import { defineRoute } from '../http/route';
import { ExternalId, PrioritizationList, UserAlias } from '../http/schemas';
import { flushIdentifiers } from '../ingestion/enqueue';
import type { Identifier } from '../ingestion/types';
import { isBrazeId } from '../lib/ids';
import { profileStub } from '../lib/stubs';
import { applyDirectoryOps, claimIdentifier } from '../profiles/directory';
import { removeFromIndex } from '../segments/index-writer';
import { IdentifierObject, selectProfile, toIdentifier } from './identifier-input';
import { locate, type ProfileBindings, withProfile } from './locate';
import { mergeProfiles } from './merge';

const MAX_IDS = 50;

function bindings(c: Ctx): ProfileBindings {
  return { profiles: c.env.USER_PROFILE, directory: c.env.IDENTITY_INDEX };
}

const DeleteBody = z.object({
  external_ids: z.array(z.string().min(1)).optional(),
  user_aliases: z.array(UserAlias).optional(),
  braze_ids: z.array(z.string().min(1)).optional(),
  email_addresses: z
    .array(z.object({ email: z.string().min(1), prioritization: PrioritizationList }))
    .optional(),
  phone_numbers: z
    .array(z.object({ phone: z.string().min(1), prioritization: PrioritizationList }))
    .optional(),
});

export const deleteRoute = defineRoute({
  method: 'post',
  path: '/users/delete',
  tag: 'User data',
  summary: 'Delete users by any identifier',
  description:
    'Irreversible. Identifier types may be mixed (Braze documents one type per request but its ' +
    'own example mixes them); at most 50 identifiers in all. An email or phone that still ' +
    'matches several users after prioritization deletes nothing.',
  auth: { type: 'api_key', permission: 'users.delete', bucket: 'users_identity' },
  body: DeleteBody,
  success: {
    status: 202,
    description: 'Deleted',
    schema: z.object({ message: z.string(), deleted: z.number().int() }),
  },
  handler: async (c, { body }) => {
    const targets: { id: Identifier; prioritization: z.infer<typeof PrioritizationList> | null }[] =
      [
        ...(body.external_ids ?? []).map((v) => ({
          id: { kind: 'external_id', value: v } as Identifier,
          prioritization: null,
        })),
        ...(body.user_aliases ?? []).map((a) => ({
          id: { kind: 'user_alias', label: a.alias_label, name: a.alias_name } as Identifier,
          prioritization: null,
        })),
        ...(body.braze_ids ?? []).map((v) => ({
          id: { kind: 'braze_id', value: v } as Identifier,
          prioritization: null,
        })),
        ...(body.email_addresses ?? []).map((e) => ({
          id: { kind: 'email', value: e.email } as Identifier,
          prioritization: e.prioritization,
        })),
        ...(body.phone_numbers ?? []).map((p) => ({
          id: { kind: 'phone', value: p.phone } as Identifier,
          prioritization: p.prioritization,
        })),
      ];
    if (targets.length === 0) throw badRequest('No identifiers to delete');
    if (targets.length > MAX_IDS)
      throw badRequest('The max number of ids per request was exceeded');
    const workspaceId = c.get('caller').workspace.id;
    const b = bindings(c);
    // Objects still queued for these users apply first: a delete is never undone by a track
    // that was accepted before it.
    await flushIdentifiers(
      c.env.INGEST_SHARD,
      workspaceId,
      targets.map((t) => t.id),
    );
    const now = Date.now();
    let deleted = 0;
    for (const t of targets) {
      if (t.id.kind === 'braze_id' && !isBrazeId(t.id.value)) continue;
      const selected =
        t.id.kind === 'braze_id'
          ? { profileId: t.id.value }
          : await selectProfile(b, {
              workspaceId,
              id: t.id,
              prioritization: t.prioritization,
              now,
            });
      if ('error' in selected) continue;
      const r = await profileStub(b.profiles, workspaceId, selected.profileId).deleteProfile({
        workspaceId,
        profileId: selected.profileId,
        addressedBy: null,
        now,
      });
      if (r.status === 'ok') {
        deleted++;
        // Out of the index before answering: batched sends read recipients from it, and must
        // never reach a deleted user while the change record is still on its way.
        await removeFromIndex(c.env.DB, workspaceId, selected.profileId);
      }
    }
    return c.json({ message: 'success', deleted }, 202);
  },
});

const MERGE_IDENTIFIER_MESSAGE =
  "identifiers must be objects with an 'external_id' property that is a string, 'user_alias' " +
  "property that is an object, 'email' property that is a string, or 'phone' property that is a string";

/** Validate merge_updates with Braze's exact messages (contract §1.3). */
function parseMergeUpdates(body: unknown): { merge: IdentifierObject; keep: IdentifierObject }[] {
  const list = (body as { merge_updates?: unknown } | undefined)?.merge_updates;
  if (
    !Array.isArray(list) ||
    list.some((u) => typeof u !== 'object' || u === null || Array.isArray(u))
  ) {
    throw badRequest("'merge_updates' must be an array of objects");
  }
  if (list.length > MAX_IDS)
    throw badRequest('a single request may not contain more than 50 merge updates');
  return list.map((u: Record<string, unknown>) => {
    const keys = Object.keys(u);
    if (keys.length !== 2 || !('identifier_to_merge' in u) || !('identifier_to_keep' in u)) {
      throw badRequest(
        "'merge_updates' must only have 'identifier_to_merge' and 'identifier_to_keep'",
      );
    }
    const merge = IdentifierObject.safeParse(u.identifier_to_merge);
    const keep = IdentifierObject.safeParse(u.identifier_to_keep);
    if (!merge.success || !keep.success) throw badRequest(MERGE_IDENTIFIER_MESSAGE);
    return { merge: merge.data, keep: keep.data };
  });
}

export const mergeRoute = defineRoute({
  method: 'post',
  path: '/users/merge',
  tag: 'User data',
  summary: 'Merge one user into another',
  description:
    'The kept user keeps its values and gains what it lacks; counters are summed. Applied before ' +
    'the answer (Braze applies it later). Entries that match no user, or several, are listed in ' +
    '`errors` and skipped.',
  auth: { type: 'api_key', permission: 'users.merge', bucket: 'users_identity' },
  body: z.object({
    merge_updates: z
      .array(
        z.object({ identifier_to_merge: IdentifierObject, identifier_to_keep: IdentifierObject }),
      )
      .max(MAX_IDS),
  }),
  validateBody: false,
  success: {
    status: 202,
    description: 'Accepted',
    schema: z.object({ message: z.string(), errors: z.array(z.string()).optional() }),
  },
  handler: async (c) => {
    const updates = parseMergeUpdates(c.get('body'));
    const workspaceId = c.get('caller').workspace.id;
    const b = bindings(c);
    await flushIdentifiers(
      c.env.INGEST_SHARD,
      workspaceId,
      updates.flatMap((u) => [toIdentifier(u.merge).id, toIdentifier(u.keep).id]),
    );
    const now = Date.now();
    const errors: string[] = [];
    for (const [i, u] of updates.entries()) {
      const source = await selectProfile(b, { workspaceId, ...toIdentifier(u.merge), now });
      const target = await selectProfile(b, { workspaceId, ...toIdentifier(u.keep), now });
      if ('error' in source) errors.push(`${i}: identifier_to_merge: ${source.error}`);
      else if ('error' in target) errors.push(`${i}: identifier_to_keep: ${target.error}`);
      else if (
        (await mergeProfiles(b, {
          workspaceId,
          sourceId: source.profileId,
          targetId: target.profileId,
          now,
        })) !== 'merged'
      ) {
        errors.push(`${i}: user not found`);
      }
    }
    return c.json({ message: 'success', ...(errors.length ? { errors } : {}) }, 202);
  },
});

export const renameRoute = defineRoute({
  method: 'post',
  path: '/users/external_ids/rename',
  tag: 'User data',
  summary: "Rename users' external_ids; the old id stays as a deprecated id",
  auth: {
    type: 'api_key',
    permission: 'users.external_ids.rename',
    bucket: 'users_external_ids_rename',
  },
  body: z.object({
    external_id_renames: z
      .array(z.object({ current_external_id: ExternalId, new_external_id: ExternalId }))
      .min(1)
      .max(MAX_IDS, 'The max number of ids per request was exceeded'),
  }),
  success: {
    status: 200,
    description: 'Processed',
    schema: z.object({
      message: z.string(),
      external_ids: z.array(z.string()),
      rename_errors: z.array(z.tuple([z.number(), z.string()])),
    }),
  },
  handler: async (c, { body }) => {
    const workspaceId = c.get('caller').workspace.id;
    const b = bindings(c);
    const now = Date.now();
    const renamed: string[] = [];
    const errors: [number, string][] = [];
    for (const [i, r] of body.external_id_renames.entries()) {
      if (r.current_external_id === r.new_external_id) {
        errors.push([i, 'current_external_id and new_external_id must differ']);
        continue;
      }
      const nextId: Identifier = { kind: 'external_id', value: r.new_external_id };
      const currentId: Identifier = { kind: 'external_id', value: r.current_external_id };
      if (await locate(b, workspaceId, nextId, now)) {
        errors.push([i, 'new_external_id already exists']);
        continue;
      }
      const answer = await withProfile(
        b,
        { workspaceId, id: currentId, now },
        async (profileId) => {
          const claimed = await claimIdentifier(b.directory, {
            workspaceId,
            id: nextId,
            profileId,
          });
          if (claimed !== profileId)
            return { status: 'error' as const, reason: 'new_external_id already exists' };
          const result = await profileStub(b.profiles, workspaceId, profileId).renameExternalId({
            workspaceId,
            profileId,
            addressedBy: currentId,
            now,
            current: r.current_external_id,
            next: r.new_external_id,
          });
          await applyDirectoryOps(b.directory, workspaceId, [
            result.status === 'ok'
              ? { op: 'deprecate', kind: 'external_id', value: r.current_external_id, profileId }
              : { op: 'release', kind: 'external_id', value: r.new_external_id, profileId },
          ]);
          return result;
        },
      );
      if (answer.status === 'ok') renamed.push(r.current_external_id);
      else
        errors.push([
          i,
          answer.status === 'error' ? answer.reason : 'current_external_id does not exist',
        ]);
    }
    return c.json({ message: 'success', external_ids: renamed, rename_errors: errors });
  },
});

export const removeRoute = defineRoute({
  method: 'post',
  path: '/users/external_ids/remove',
  tag: 'User data',
  summary: 'Remove deprecated external_ids',
  auth: {
    type: 'api_key',
    permission: 'users.external_ids.remove',
    bucket: 'users_external_ids_remove',
  },
  body: z.object({
    external_ids: z
      .array(ExternalId)
      .min(1)
      .max(MAX_IDS, 'The max number of ids per request was exceeded'),
  }),
  success: {
    status: 200,
    description: 'Processed',
    schema: z.object({
      message: z.string(),
      removed_ids: z.array(z.string()),
      removal_errors: z.array(z.tuple([z.number(), z.string()])),
    }),
  },
  handler: async (c, { body }) => {
    const workspaceId = c.get('caller').workspace.id;
    const b = bindings(c);
    const now = Date.now();
    const removed: string[] = [];
    const errors: [number, string][] = [];
    for (const [i, ext] of body.external_ids.entries()) {
      const id: Identifier = { kind: 'external_id', value: ext };
      const answer = await withProfile(b, { workspaceId, id, now }, (profileId) =>
        profileStub(b.profiles, workspaceId, profileId).removeExternalId({
          workspaceId,
          profileId,
          addressedBy: id,
          now,
          externalId: ext,
        }),
      );
      if (answer.status === 'ok') removed.push(ext);
      else
        errors.push([i, answer.status === 'error' ? answer.reason : 'external_id does not exist']);
    }
    return c.json({ message: 'success', removed_ids: removed, removal_errors: errors });
  },
});
