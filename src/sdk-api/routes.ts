import { z } from 'zod';
import { flagsEtag, userFlags } from '../flags/routes';
import { defineRoute } from '../http/route';
import { enqueueTrack, flushIdentifiers } from '../ingestion/enqueue';
import { ingestTrack } from '../ingestion/ingest';
import { identifyOne } from '../users/identity-routes';
import { locate } from '../users/locate';
import { segmentableOf, trackApplyMode } from '../workspaces/settings';
import { appWorkspace } from './app-key';
import { applyInteraction } from './apply-interactions';
import {
  ANONYMOUS_LABEL,
  externalIdsOf,
  identifierOf,
  namesExternalId,
  planBatch,
  SdkBatch,
} from './batch';
import { authenticatedUser } from './sdk-auth';
import { SdkUserQuery, syncCaller } from './sync-routes';

/**
 * The edge endpoints devices call (docs/sdk-protocol.md). No REST key: an SDK carries its app's
 * public key, which names the workspace; CORS is open so browsers can call from any site.
 */

const TAG = 'SDK';

export const sdkBatchRoute = defineRoute({
  method: 'post',
  path: '/sdk/v1/batch',
  tag: TAG,
  summary:
    'A device reports sessions, events, purchases, attributes, identify calls, push tokens and ' +
    'card, in-app message and feature flag interactions',
  description:
    'Items apply in order, each to its own user (`{external_id}` or `{anonymous_id}`); an ' +
    'item id already applied is skipped, so retries never double-count. Invalid items are ' +
    'reported by index and the rest applies. See docs/sdk-protocol.md.',
  auth: { type: 'none' },
  body: SdkBatch,
  maxBodyBytes: 256 * 1024,
  success: {
    status: 200,
    description: 'Applied (with per-item errors for items that were refused)',
    schema: z.object({
      message: z.string(),
      accepted: z.number().int(),
      errors: z.array(z.object({ index: z.number().int(), message: z.string() })),
    }),
  },
  handler: async (c, { body }) => {
    const { appId, workspace } = await appWorkspace(c, body.app_key);
    const sub = await authenticatedUser(c, {
      workspaceId: workspace.id,
      appId,
      namesExternalId: namesExternalId(body.items),
    });
    const now = Date.now();
    const plan = planBatch(body.items, {
      appId,
      now,
      // One token vouches for one user: items for another identified user are refused alone.
      ...(sub !== null
        ? {
            refuse: (item) =>
              externalIdsOf(item).some((id) => id !== sub)
                ? 'user: the SDK authentication token was issued for another user'
                : null,
          }
        : {}),
    });
    const errors = [...plan.errors];
    const b = { profiles: c.env.USER_PROFILE, directory: c.env.IDENTITY_INDEX };
    const settings = {
      arrayMaxLength: workspace.settings.array_max_length,
      segmentable: segmentableOf(workspace.settings),
    };
    const queued = trackApplyMode(workspace.settings, c.env.HERALD_TRACK_APPLY) === 'queued';
    for (const step of plan.steps) {
      if (step.kind === 'apply') {
        const { chunk } = step;
        const objects = {
          workspaceId: workspace.id,
          attributes: chunk.attributes,
          events: chunk.events,
          purchases: chunk.purchases,
          sessions: chunk.sessions,
          settings,
          now,
        };
        if (queued) {
          // Stored in the ingestion log like /users/track (docs/sdk-protocol.md); interactions
          // need their user to exist, so that user's queued objects apply first.
          await enqueueTrack(c.env.INGEST_SHARD, objects, (p) => c.executionCtx.waitUntil(p));
          if (chunk.interactions.length > 0) {
            await flushIdentifiers(
              c.env.INGEST_SHARD,
              workspace.id,
              chunk.interactions.map((i) => identifierOf(i.user)),
            );
          }
        } else {
          const result = await ingestTrack(b, {
            ...objects,
            delivery: { queue: c.env.CHANGES_QUEUE },
          });
          for (const e of result.errors) {
            errors.push({ index: chunk.origin[e.input_array][e.index] ?? -1, message: e.message });
          }
        }
        const device = {
          ...(body.sdk_version ? { sdkVersion: body.sdk_version } : {}),
          ...(body.device_id ? { deviceId: body.device_id } : {}),
        };
        for (const [i, interaction] of chunk.interactions.entries()) {
          const failed = await applyInteraction(c.env, {
            workspaceId: workspace.id,
            appId,
            user: interaction.user,
            interaction,
            device,
            now,
          });
          if (failed) errors.push({ index: chunk.origin.interactions[i] ?? -1, message: failed });
        }
        continue;
      }
      const { item, index } = step;
      const alias = { alias_label: ANONYMOUS_LABEL, alias_name: item.anonymous_id };
      // What the device queued as either user applies before the identify carries it over.
      if (queued) {
        await flushIdentifiers(c.env.INGEST_SHARD, workspace.id, [
          identifierOf({ anonymous_id: item.anonymous_id }),
          identifierOf({ external_id: item.external_id }),
        ]);
      }
      const sourceId = await locate(
        b,
        workspace.id,
        identifierOf({ anonymous_id: item.anonymous_id }),
        now,
      );
      // A device that logged nothing before changeUser has no anonymous profile: nothing to carry.
      if (!sourceId) continue;
      const failed = await identifyOne(b, {
        workspaceId: workspace.id,
        sourceId,
        externalId: item.external_id,
        alias,
        now,
      });
      if (failed) errors.push({ index, message: failed });
    }
    errors.sort((x, y) => x.index - y.index);
    return c.json({ message: 'success', accepted: body.items.length - errors.length, errors });
  },
});

export const sdkFeatureFlagsRoute = defineRoute({
  method: 'get',
  path: '/sdk/v1/feature_flags',
  tag: TAG,
  summary: "The device user's feature flags (ETag / 304 when unchanged)",
  description:
    'Evaluated from the profile now. Poll with `If-None-Match`: an unchanged answer is ' +
    '`304 Not Modified`. A user Herald has not seen yet (no batch sent) gets no flags.',
  auth: { type: 'none' },
  query: SdkUserQuery,
  success: {
    status: 200,
    description: 'Flags',
    schema: z.object({ message: z.string(), feature_flags: z.array(z.unknown()) }),
  },
  handler: async (c, { query }) => {
    const { workspace, user } = await syncCaller(c, query);
    const flags = (await userFlags(c.env, { workspace, id: identifierOf(user) })) ?? [];
    const etag = await flagsEtag(flags);
    c.header('ETag', etag);
    c.header('Cache-Control', 'private, no-cache');
    if (c.req.header('if-none-match') === etag) return c.body(null, 304);
    return c.json({
      message: 'success',
      feature_flags: flags.map((f) => ({ id: f.id, enabled: f.enabled, properties: f.properties })),
    });
  },
});
