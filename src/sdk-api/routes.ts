import { eq } from 'drizzle-orm';
import { drizzle } from 'drizzle-orm/d1';
import { z } from 'zod';
import { apps } from '../db/schema';
import { flagsEtag, userFlags } from '../flags/routes';
import type { Ctx } from '../http/context';
import { ApiError } from '../http/errors';
import { defineRoute } from '../http/route';
import { ingestTrack } from '../ingestion/ingest';
import { identifyOne } from '../users/identity-routes';
import { locate } from '../users/locate';
import { segmentableOf } from '../workspaces/settings';
import { getWorkspace, type Workspace } from '../workspaces/store';
import { ANONYMOUS_LABEL, identifierOf, planBatch, SdkBatch, SdkUser } from './batch';

/**
 * The edge endpoints devices call (docs/sdk-protocol.md). No REST key: an SDK carries its app's
 * public key, which names the workspace; CORS is open so browsers can call from any site.
 */

const TAG = 'SDK';

/**
 * Apps and their workspaces are read on every SDK request: cached per isolate for 30 seconds, as
 * REST keys and their workspaces are (src/auth/api-keys.ts), so a settings change reaches SDK
 * traffic within that time. An unknown key is remembered for 5 seconds.
 */
const appCache = new Map<string, { workspace: Workspace | null; expires: number }>();
const APP_CACHE_MS = 30_000;
const UNKNOWN_APP_MS = 5_000;
const MAX_APPS = 10_000;

async function appWorkspace(
  c: Ctx,
  appKey: string,
): Promise<{ appId: string; workspace: Workspace }> {
  const now = Date.now();
  let hit = appCache.get(appKey);
  if (!hit || hit.expires <= now) {
    const row = await drizzle(c.env.DB).select().from(apps).where(eq(apps.id, appKey)).get();
    const workspace = row ? await getWorkspace(c.env.DB, row.workspaceId) : null;
    hit = { workspace, expires: now + (workspace ? APP_CACHE_MS : UNKNOWN_APP_MS) };
    if (appCache.size >= MAX_APPS) appCache.clear();
    appCache.set(appKey, hit);
  }
  if (!hit.workspace) throw new ApiError(401, 'Invalid app key');
  return { appId: appKey, workspace: hit.workspace };
}

export const sdkBatchRoute = defineRoute({
  method: 'post',
  path: '/sdk/v1/batch',
  tag: TAG,
  summary: 'A device reports sessions, events, purchases, attributes and identify calls',
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
    const now = Date.now();
    const plan = planBatch(body.items, { appId, now });
    const errors = [...plan.errors];
    const b = { profiles: c.env.USER_PROFILE, directory: c.env.IDENTITY_INDEX };
    const settings = {
      arrayMaxLength: workspace.settings.array_max_length,
      segmentable: segmentableOf(workspace.settings),
    };
    for (const step of plan.steps) {
      if (step.kind === 'apply') {
        const { chunk } = step;
        const result = await ingestTrack(b, {
          workspaceId: workspace.id,
          attributes: chunk.attributes,
          events: chunk.events,
          purchases: chunk.purchases,
          sessions: chunk.sessions,
          settings,
          now,
          delivery: { queue: c.env.CHANGES_QUEUE },
        });
        for (const e of result.errors) {
          errors.push({ index: chunk.origin[e.input_array][e.index] ?? -1, message: e.message });
        }
        continue;
      }
      const { item, index } = step;
      const alias = { alias_label: ANONYMOUS_LABEL, alias_name: item.anonymous_id };
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
  query: z
    .object({
      app_key: z.string().min(1).max(128),
      external_id: z.string().min(1).max(512).optional(),
      anonymous_id: z.string().min(8).max(128).optional(),
    })
    .refine((q) => (q.external_id === undefined) !== (q.anonymous_id === undefined), {
      message: 'Give exactly one of external_id or anonymous_id',
    }),
  success: {
    status: 200,
    description: 'Flags',
    schema: z.object({ message: z.string(), feature_flags: z.array(z.unknown()) }),
  },
  handler: async (c, { query }) => {
    const { workspace } = await appWorkspace(c, query.app_key);
    const user = SdkUser.parse(
      query.external_id !== undefined
        ? { external_id: query.external_id }
        : { anonymous_id: query.anonymous_id },
    );
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
