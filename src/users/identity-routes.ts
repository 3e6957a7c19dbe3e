import { z } from 'zod';
import type { Ctx } from '../http/context';
import { badRequest } from '../http/errors';
import { defineRoute } from '../http/route';
import { ExternalId, PrioritizationList, UserAlias } from '../http/schemas';
import { flushIdentifiers } from '../ingestion/enqueue';
import type { Identifier } from '../ingestion/types';
import { newBrazeId } from '../lib/ids';
import { profileStub } from '../lib/stubs';
import { applyDirectoryOps, claimIdentifier } from '../profiles/directory';
import { aliasKey } from '../profiles/profile-store';
import {
  findCandidates,
  isMiss,
  locate,
  type ProfileBindings,
  pickByPrioritization,
  withProfile,
} from './locate';
import { mergeProfiles } from './merge';

const MAX_IDS = 50;
const TOO_MANY = 'The max number of external_ids and aliases per request was exceeded';

function bindings(c: Ctx): ProfileBindings {
  return { profiles: c.env.USER_PROFILE, directory: c.env.IDENTITY_INDEX };
}

const IdentifyBody = z
  .object({
    aliases_to_identify: z
      .array(z.object({ external_id: ExternalId, user_alias: UserAlias }))
      .optional(),
    emails_to_identify: z
      .array(
        z.object({
          external_id: ExternalId,
          email: z.string().min(1),
          prioritization: PrioritizationList,
        }),
      )
      .optional(),
    phone_numbers_to_identify: z
      .array(
        z.object({
          external_id: ExternalId,
          phone: z.string().min(1),
          prioritization: PrioritizationList,
        }),
      )
      .optional(),
  })
  .refine(
    (b) =>
      (b.aliases_to_identify?.length ?? 0) +
        (b.emails_to_identify?.length ?? 0) +
        (b.phone_numbers_to_identify?.length ?? 0) >
      0,
    {
      message:
        'One of aliases_to_identify, emails_to_identify or phone_numbers_to_identify is required',
    },
  );

/**
 * Identify one unidentified profile as `externalId` (contract §2.5, §6.2): it takes the
 * external_id when nobody has it, otherwise it is merged into the profile that has it, unless
 * that profile already holds an alias with the same label.
 */
export async function identifyOne(
  b: ProfileBindings,
  input: {
    workspaceId: string;
    sourceId: string;
    externalId: string;
    alias: UserAlias | null;
    now: number;
  },
): Promise<string | null> {
  const { workspaceId, sourceId, externalId, now } = input;
  const extId: Identifier = { kind: 'external_id', value: externalId };
  let targetId = await locate(b, workspaceId, extId, now);
  if (!targetId) {
    targetId = await claimIdentifier(b.directory, { workspaceId, id: extId, profileId: sourceId });
    if (targetId === sourceId) {
      const r = await profileStub(b.profiles, workspaceId, sourceId).setExternalId({
        workspaceId,
        profileId: sourceId,
        addressedBy: null,
        now,
        externalId,
      });
      if (r.status === 'error') {
        await applyDirectoryOps(b.directory, workspaceId, [
          { op: 'release', kind: 'external_id', value: externalId, profileId: sourceId },
        ]);
        return r.reason;
      }
      return isMiss(r) ? 'user not found' : null;
    }
  }
  if (targetId === sourceId) return null;
  if (input.alias) {
    const target = await profileStub(b.profiles, workspaceId, targetId).describe({
      workspaceId,
      profileId: targetId,
      addressedBy: null,
      now,
    });
    if (
      target.status === 'ok' &&
      target.identity.aliases.some((a) => a.label === input.alias!.alias_label)
    ) {
      return null; // Braze: same label on the identified user ⇒ no merge.
    }
  }
  const merged = await mergeProfiles(b, { workspaceId, sourceId, targetId, now });
  return merged === 'merged' ? null : 'user not found';
}

export const identifyRoute = defineRoute({
  method: 'post',
  path: '/users/identify',
  tag: 'User data',
  summary: 'Identify alias-only, email-only or phone-only users with an external_id',
  description:
    'When the external_id is new the profile simply takes it; when it exists the unidentified ' +
    "profile is merged into it with Braze's merge rules. Up to 50 entries.",
  auth: { type: 'api_key', permission: 'users.identify', bucket: 'users_identity' },
  body: IdentifyBody,
  success: {
    status: 201,
    description: 'Processed',
    schema: z.object({
      message: z.string(),
      aliases_processed: z.number().int(),
      errors: z.array(z.unknown()).optional(),
    }),
  },
  handler: async (c, { body }) => {
    const entries = [
      ...(body.aliases_to_identify ?? []).map((e) => ({ ...e, kind: 'alias' as const })),
      ...(body.emails_to_identify ?? []).map((e) => ({ ...e, kind: 'email' as const })),
      ...(body.phone_numbers_to_identify ?? []).map((e) => ({ ...e, kind: 'phone' as const })),
    ];
    if (entries.length > MAX_IDS) throw badRequest(TOO_MANY);
    const workspaceId = c.get('caller').workspace.id;
    const b = bindings(c);
    // What was queued for these users applies before they are identified (or merged).
    await flushIdentifiers(
      c.env.INGEST_SHARD,
      workspaceId,
      entries.flatMap((e): Identifier[] => [
        { kind: 'external_id', value: e.external_id },
        e.kind === 'alias'
          ? { kind: 'user_alias', label: e.user_alias.alias_label, name: e.user_alias.alias_name }
          : e.kind === 'email'
            ? { kind: 'email', value: e.email }
            : { kind: 'phone', value: e.phone },
      ]),
    );
    const now = Date.now();
    const errors: string[] = [];
    let processed = 0;
    for (const [i, e] of entries.entries()) {
      let sourceId: string | null = null;
      if (e.kind === 'alias') {
        const id: Identifier = {
          kind: 'user_alias',
          label: e.user_alias.alias_label,
          name: e.user_alias.alias_name,
        };
        sourceId = await locate(b, workspaceId, id, now);
      } else {
        const id: Identifier =
          e.kind === 'email'
            ? { kind: 'email', value: e.email }
            : { kind: 'phone', value: e.phone };
        const pick = pickByPrioritization(
          await findCandidates(b, workspaceId, id, now),
          e.prioritization,
        );
        sourceId = typeof pick === 'object' ? pick.profileId : null;
        if (pick === 'ambiguous') {
          errors.push(`${i}: more than one user matches; refine prioritization`);
          continue;
        }
      }
      if (!sourceId) {
        errors.push(`${i}: no user found for that ${e.kind === 'alias' ? 'alias' : e.kind}`);
        continue;
      }
      const error = await identifyOne(b, {
        workspaceId,
        sourceId,
        externalId: e.external_id,
        alias: e.kind === 'alias' ? e.user_alias : null,
        now,
      });
      if (error) errors.push(`${i}: ${error}`);
      else processed++;
    }
    return c.json(
      { aliases_processed: processed, message: 'success', ...(errors.length ? { errors } : {}) },
      201,
    );
  },
});

const AliasNewBody = z.object({
  user_aliases: z
    .array(
      z.object({
        external_id: ExternalId.optional(),
        alias_name: z.string().min(1).max(255),
        alias_label: z.string().min(1).max(255),
      }),
    )
    .min(1)
    .max(MAX_IDS, TOO_MANY),
});

export const aliasNewRoute = defineRoute({
  method: 'post',
  path: '/users/alias/new',
  tag: 'User data',
  summary: 'Add aliases to identified users, or create alias-only users',
  auth: { type: 'api_key', permission: 'users.alias.new', bucket: 'users_identity' },
  body: AliasNewBody,
  success: {
    status: 201,
    description: 'Processed',
    schema: z.object({
      message: z.string(),
      aliases_processed: z.number().int(),
      errors: z.array(z.unknown()).optional(),
    }),
  },
  handler: async (c, { body }) => {
    const workspaceId = c.get('caller').workspace.id;
    const b = bindings(c);
    const now = Date.now();
    const errors: string[] = [];
    let processed = 0;
    for (const [i, a] of body.user_aliases.entries()) {
      const alias: Identifier = { kind: 'user_alias', label: a.alias_label, name: a.alias_name };
      let ownerId: string;
      if (a.external_id) {
        const found = await locate(
          b,
          workspaceId,
          { kind: 'external_id', value: a.external_id },
          now,
        );
        if (!found) {
          errors.push(`${i}: external_id ${a.external_id} does not exist`);
          continue;
        }
        ownerId = found;
      } else {
        ownerId = newBrazeId(now);
      }
      const claimed = await claimIdentifier(b.directory, {
        workspaceId,
        id: alias,
        profileId: ownerId,
      });
      if (claimed !== ownerId) {
        errors.push(`${i}: alias ${a.alias_label}/${a.alias_name} already belongs to another user`);
        continue;
      }
      const stub = profileStub(b.profiles, workspaceId, ownerId);
      const answer = a.external_id
        ? await stub.addAlias({
            workspaceId,
            profileId: ownerId,
            addressedBy: null,
            now,
            label: a.alias_label,
            name: a.alias_name,
          })
        : await stub.track({
            workspaceId,
            profileId: ownerId,
            addressedBy: alias,
            now,
            create: true,
            attributes: [],
            events: [],
            purchases: [],
            settings: { arrayMaxLength: 25 },
          });
      if (answer.status === 'error' || isMiss(answer)) {
        await applyDirectoryOps(b.directory, workspaceId, [
          {
            op: 'release',
            kind: 'user_alias',
            value: aliasKey(a.alias_label, a.alias_name),
            profileId: ownerId,
          },
        ]);
        errors.push(`${i}: ${answer.status === 'error' ? answer.reason : 'user not found'}`);
        continue;
      }
      processed++;
    }
    return c.json(
      { aliases_processed: processed, message: 'success', ...(errors.length ? { errors } : {}) },
      201,
    );
  },
});

const AliasUpdateBody = z.object({
  alias_updates: z
    .array(
      z.object({
        alias_label: z.string().min(1).max(255),
        old_alias_name: z.string().min(1).max(255),
        new_alias_name: z.string().min(1).max(255),
      }),
    )
    .min(1)
    .max(MAX_IDS, TOO_MANY),
});

export const aliasUpdateRoute = defineRoute({
  method: 'post',
  path: '/users/alias/update',
  tag: 'User data',
  summary: 'Rename existing aliases within their label',
  auth: { type: 'api_key', permission: 'users.alias.update', bucket: 'users_identity' },
  body: AliasUpdateBody,
  success: {
    status: 201,
    description: 'Processed',
    schema: z.object({ message: z.string(), aliases_processed: z.number().int() }),
  },
  handler: async (c, { body }) => {
    const workspaceId = c.get('caller').workspace.id;
    const b = bindings(c);
    const now = Date.now();
    let processed = 0;
    for (const u of body.alias_updates) {
      const old: Identifier = { kind: 'user_alias', label: u.alias_label, name: u.old_alias_name };
      const next: Identifier = { kind: 'user_alias', label: u.alias_label, name: u.new_alias_name };
      // Braze: an alias that does not exist, or a new name in use, leaves the entry unapplied.
      const answer = await withProfile(b, { workspaceId, id: old, now }, async (profileId) => {
        const claimed = await claimIdentifier(b.directory, { workspaceId, id: next, profileId });
        if (claimed !== profileId)
          return { status: 'error' as const, reason: 'new alias name in use' };
        const r = await profileStub(b.profiles, workspaceId, profileId).updateAlias({
          workspaceId,
          profileId,
          addressedBy: old,
          now,
          label: u.alias_label,
          oldName: u.old_alias_name,
          newName: u.new_alias_name,
        });
        if (r.status === 'ok') {
          await applyDirectoryOps(b.directory, workspaceId, [
            {
              op: 'release',
              kind: 'user_alias',
              value: aliasKey(u.alias_label, u.old_alias_name),
              profileId,
            },
          ]);
        }
        return r;
      });
      if (answer.status === 'ok') processed++;
    }
    return c.json({ message: 'success', aliases_processed: processed }, 201);
  },
});
