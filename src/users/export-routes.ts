import { z } from 'zod';
import { badRequest } from '../http/errors';
import { defineRoute } from '../http/route';
import { UserAlias } from '../http/schemas';
import { flushIdentifiers } from '../ingestion/enqueue';
import type { Identifier } from '../ingestion/types';
import { isBrazeId } from '../lib/ids';
import { profileStub } from '../lib/stubs';
import { resolveIdentifiers } from '../profiles/directory';
import { EXPORT_FIELDS } from '../profiles/export';
import { isMiss, withProfile } from './locate';

const ExportIdsBody = z.object({
  external_ids: z.array(z.string().min(1)).optional(),
  user_aliases: z.array(UserAlias).optional(),
  device_id: z.string().min(1).optional(),
  braze_id: z.string().min(1).optional(),
  email_address: z.string().min(1).optional(),
  phone: z.string().min(1).optional(),
  fields_to_export: z.array(z.enum(EXPORT_FIELDS)).optional(),
});

export const exportIdsRoute = defineRoute({
  method: 'post',
  path: '/users/export/ids',
  tag: 'Export',
  summary: 'Export user profiles by identifier',
  description:
    'Up to 50 external_ids and user_aliases combined, plus at most one of device_id, ' +
    'email_address and phone, and a braze_id. An email or phone returns every user that has it. ' +
    'custom_events and purchases list items from the last 90 days with all-time first and count.',
  auth: { type: 'api_key', permission: 'users.export.ids', bucket: 'users_export_ids' },
  body: ExportIdsBody,
  success: {
    status: 200,
    description: 'Users found',
    schema: z.object({
      message: z.string(),
      users: z.array(z.record(z.string(), z.unknown())),
      invalid_user_ids: z.array(z.string()).optional(),
    }),
  },
  handler: async (c, { body }) => {
    const listed = (body.external_ids?.length ?? 0) + (body.user_aliases?.length ?? 0);
    if (listed > 50)
      throw badRequest('The max number of external_ids and aliases per request was exceeded');
    const singles = [body.device_id, body.email_address, body.phone].filter((v) => v !== undefined);
    if (singles.length > 1)
      throw badRequest('Only one of device_id, email_address and phone may be given');
    if (listed === 0 && singles.length === 0 && body.braze_id === undefined) {
      throw badRequest(
        'No identifiers to export: give external_ids, user_aliases, braze_id, device_id, email_address or phone',
      );
    }
    const workspaceId = c.get('caller').workspace.id;
    const b = { profiles: c.env.USER_PROFILE, directory: c.env.IDENTITY_INDEX };
    const now = Date.now();
    const fields = body.fields_to_export ?? null;
    const users: Record<string, unknown>[] = [];
    const invalid: string[] = [];
    const seen = new Set<string>();

    const single: { label: string; id: Identifier }[] = [
      ...(body.external_ids ?? []).map((v) => ({
        label: v,
        id: { kind: 'external_id', value: v } as Identifier,
      })),
      ...(body.user_aliases ?? []).map((a) => ({
        label: `${a.alias_label}:${a.alias_name}`,
        id: { kind: 'user_alias', label: a.alias_label, name: a.alias_name } as Identifier,
      })),
    ];
    if (body.braze_id !== undefined)
      single.push({ label: body.braze_id, id: { kind: 'braze_id', value: body.braze_id } });
    // Read your writes: objects still queued for these users apply before they are read.
    await flushIdentifiers(c.env.INGEST_SHARD, workspaceId, [
      ...single.map((s) => s.id),
      ...(body.email_address !== undefined
        ? [{ kind: 'email', value: body.email_address } as Identifier]
        : []),
      ...(body.phone !== undefined ? [{ kind: 'phone', value: body.phone } as Identifier] : []),
    ]);
    const exported = await Promise.all(
      single.map((s) =>
        s.id.kind === 'braze_id' && !isBrazeId(s.id.value)
          ? Promise.resolve({ status: 'not_found' as const })
          : withProfile(b, { workspaceId, id: s.id, now }, (profileId) =>
              profileStub(b.profiles, workspaceId, profileId).exportUser({
                workspaceId,
                profileId,
                addressedBy: s.id.kind === 'braze_id' ? null : s.id,
                now,
                fields,
              }),
            ),
      ),
    );
    for (const [i, r] of exported.entries()) {
      if (r.status !== 'ok') invalid.push(single[i]!.label);
      else if (!seen.has(String(r.user.braze_id ?? i))) {
        seen.add(String(r.user.braze_id ?? i));
        users.push(r.user);
      }
    }
    // Email and phone are not unique: every profile holding the value is exported.
    const shared: Identifier | null = body.email_address
      ? { kind: 'email', value: body.email_address }
      : body.phone
        ? { kind: 'phone', value: body.phone }
        : null;
    if (shared) {
      const ids = (await resolveIdentifiers(b.directory, workspaceId, [shared])).get(shared) ?? [];
      const answers = await Promise.all(
        ids.map((profileId) =>
          profileStub(b.profiles, workspaceId, profileId).exportUser({
            workspaceId,
            profileId,
            addressedBy: shared,
            now,
            fields,
          }),
        ),
      );
      const found = answers.filter((a) => !isMiss(a));
      for (const a of found) if (a.status === 'ok') users.push(a.user);
      if (found.length === 0) invalid.push(shared.value);
    }
    // Devices are registered by SDK traffic; none match until a device has reported.
    if (body.device_id) invalid.push(body.device_id);
    return c.json(
      { message: 'success', users, ...(invalid.length ? { invalid_user_ids: invalid } : {}) },
      200,
    );
  },
});
