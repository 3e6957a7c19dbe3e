import { z } from 'zod';
import type { Ctx } from '../http/context';
import { ApiError } from '../http/errors';
import { defineRoute } from '../http/route';
import { UserAlias } from '../http/schemas';
import { segmentableOf, trackApplyMode } from '../workspaces/settings';
import { enqueueTrack } from './enqueue';
import { ingestTrack, type TrackObjects } from './ingest';
import { validateTrackRequest } from './validate-track';

const Identifiers = {
  external_id: z.string().optional(),
  user_alias: UserAlias.optional(),
  braze_id: z.string().optional(),
  email: z.string().optional(),
  phone: z.string().optional(),
  _update_existing_only: z.boolean().optional(),
};

/** The documented shape; validation itself is src/ingestion/validate-track.ts (partial success). */
const TrackBody = z
  .object({
    attributes: z
      .array(
        z
          .object({ ...Identifiers, _merge_objects: z.boolean().optional() })
          .catchall(z.unknown())
          .meta({ description: 'User attributes object: standard fields and custom attributes' }),
      )
      .max(75)
      .optional(),
    events: z
      .array(
        z.object({
          ...Identifiers,
          app_id: z.string().optional(),
          name: z.string(),
          time: z.string(),
          properties: z.record(z.string(), z.unknown()).optional(),
        }),
      )
      .max(75)
      .optional(),
    purchases: z
      .array(
        z.object({
          ...Identifiers,
          app_id: z.string().optional(),
          product_id: z.string(),
          currency: z.string(),
          price: z.number(),
          quantity: z.number().int().min(1).max(100).optional(),
          time: z.string(),
          properties: z.record(z.string(), z.unknown()).optional(),
        }),
      )
      .max(75)
      .optional(),
  })
  .meta({ id: 'TrackRequest' });

const TrackResponse = z.object({
  message: z.string(),
  attributes_processed: z.number().int().optional(),
  events_processed: z.number().int().optional(),
  purchases_processed: z.number().int().optional(),
  errors: z
    .array(
      z.object({
        type: z.string(),
        input_array: z.enum(['attributes', 'events', 'purchases']),
        index: z.number().int(),
        message: z.string(),
      }),
    )
    .optional(),
});

/** `/users/track` bodies may be up to 4 MB (contract §9.2). */
export const TRACK_MAX_BODY_BYTES = 4 * 1024 * 1024;

/**
 * Store the valid objects in the ingestion log: "success" then means accepted and queued, as in
 * Braze; refusals a profile makes later (an array operation on a non-array attribute, say) are
 * logged and counted on GET /herald/ingestion instead of listed here.
 */
async function queue(c: Ctx, input: TrackObjects) {
  await enqueueTrack(c.env.INGEST_SHARD, input, (p) => c.executionCtx.waitUntil(p));
  return {
    errors: [],
    processed: {
      attributes: input.attributes.length,
      events: input.events.length,
      purchases: input.purchases.length,
    },
  };
}

async function handleTrack(c: Ctx): Promise<Response> {
  const { workspace } = c.get('caller');
  const now = Date.now();
  const validation = validateTrackRequest(c.get('body'), {
    limits: { capMode: workspace.settings.track_cap_mode },
    now,
  });
  if (validation.type === 'fatal') {
    throw new ApiError(validation.status, validation.message, validation.errors);
  }
  const input = {
    workspaceId: workspace.id,
    attributes: validation.attributes,
    events: validation.events,
    purchases: validation.purchases,
    settings: {
      arrayMaxLength: workspace.settings.array_max_length,
      segmentable: segmentableOf(workspace.settings),
    },
    now,
  };
  const { errors, processed } =
    trackApplyMode(workspace.settings, c.env.HERALD_TRACK_APPLY) === 'queued'
      ? await queue(c, input)
      : await ingestTrack(
          { profiles: c.env.USER_PROFILE, directory: c.env.IDENTITY_INDEX },
          { ...input, delivery: { queue: c.env.CHANGES_QUEUE } },
        );
  const body: Record<string, unknown> = { message: 'success' };
  if (validation.counts.attributes > 0) body.attributes_processed = processed.attributes;
  if (validation.counts.events > 0) body.events_processed = processed.events;
  if (validation.counts.purchases > 0) body.purchases_processed = processed.purchases;
  const allErrors = [...validation.errors, ...errors].sort(
    (a, b) => a.input_array.localeCompare(b.input_array) || a.index - b.index,
  );
  if (allErrors.length > 0) body.errors = allErrors;
  return c.json(body, 201);
}

export const trackRoute = defineRoute({
  method: 'post',
  path: '/users/track',
  tag: 'User data',
  summary: 'Record custom events, purchases and attribute updates for users',
  description:
    'Each object names its user by external_id, user_alias, braze_id, email or phone. Valid ' +
    'objects are accepted even when others are rejected; rejected ones are listed in `errors`. ' +
    'As in Braze, success means accepted and queued: the objects are stored in the ingestion ' +
    "log and applied to each user's profile moments later, in accepted order (attributes, " +
    'events, purchases), exactly once; GET /herald/ingestion shows progress. A workspace with ' +
    '`track_apply: sync` has them applied before the answer. Bodies up to 4 MB.',
  auth: { type: 'api_key', permission: 'users.track', bucket: 'users_track' },
  body: TrackBody,
  validateBody: false,
  maxBodyBytes: TRACK_MAX_BODY_BYTES,
  success: { status: 201, description: 'Accepted', schema: TrackResponse },
  handler: (c) => handleTrack(c),
});
