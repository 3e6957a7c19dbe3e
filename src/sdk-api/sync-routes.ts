import { z } from 'zod';
import { contentCardFeed } from '../channels/cards/feed';
import { eligibleInAppMessages, renderInAppMessage } from '../channels/in-app/display';
import type { Ctx } from '../http/context';
import { ApiError } from '../http/errors';
import { defineRoute } from '../http/route';
import type { Json } from '../ingestion/types';
import { sha256Hex } from '../lib/hash';
import type { CardView } from '../profiles/cards';
import type { InAppView } from '../profiles/in-app';
import type { Addressed, Miss } from '../profiles/rpc';
import { withProfile } from '../users/locate';
import { appWorkspace } from './app-key';
import { identifierOf, SdkUser } from './batch';
import { requireUserToken } from './sdk-auth';

/**
 * What a device downloads for its user (docs/sdk-protocol.md): the Content Card feed and the
 * in-app messages it may show, each with an ETag to poll cheaply, and a templated in-app message
 * rendered when its trigger fires. A user Herald has not seen yet gets empty lists.
 */

const TAG = 'SDK';

/** `?app_key=…&external_id=…` or `&anonymous_id=…`: who the device's user is. */
export const SdkUserQuery = z
  .object({
    app_key: z.string({ error: 'app_key must be a string' }).min(1).max(128),
    external_id: z.string().min(1).max(512).optional(),
    anonymous_id: z.string().min(8).max(128).optional(),
  })
  .refine((q) => (q.external_id === undefined) !== (q.anonymous_id === undefined), {
    message: 'Give exactly one of external_id or anonymous_id',
  });

/** The user a sync query names (400 in Braze's envelope for a malformed anonymous id). */
export function userOfQuery(q: { external_id?: string; anonymous_id?: string }): SdkUser {
  const parsed = SdkUser.safeParse(
    q.external_id !== undefined ? { external_id: q.external_id } : { anonymous_id: q.anonymous_id },
  );
  if (!parsed.success)
    throw new ApiError(400, 'anonymous_id must be 8–128 letters, digits, _ or -');
  return parsed.data;
}

/**
 * The app, workspace and user a sync request names, with the user's token checked when the app
 * requires SDK authentication: what every read endpoint starts with.
 */
export async function syncCaller(
  c: Ctx,
  query: { app_key: string; external_id?: string; anonymous_id?: string },
) {
  const { appId, workspace } = await appWorkspace(c, query.app_key);
  const user = userOfQuery(query);
  await requireUserToken(c, {
    workspaceId: workspace.id,
    appId,
    externalId: query.external_id ?? null,
  });
  return { appId, workspace, user };
}

/** Run `call` on the device user's profile in the app's workspace. */
function onSdkUser<T extends { status: string }>(
  c: Ctx,
  input: { workspaceId: string; user: SdkUser; now: number },
  call: (req: Addressed) => Promise<T | Miss>,
): Promise<T | { status: 'not_found' }> {
  const id = identifierOf(input.user);
  const b = { profiles: c.env.USER_PROFILE, directory: c.env.IDENTITY_INDEX };
  return withProfile(b, { workspaceId: input.workspaceId, id, now: input.now }, (profileId) =>
    call({ workspaceId: input.workspaceId, profileId, addressedBy: id, now: input.now }),
  );
}

/** The validator of an empty list, for users Herald has not seen. */
const EMPTY_ETAG = '"empty"';

/** Answer a sync: its ETag, `304` when the device has it already, and no shared caching. */
function synced(c: Ctx, etag: string, body: () => Record<string, unknown>): Response {
  c.header('ETag', etag);
  c.header('Cache-Control', 'private, no-cache');
  if (c.req.header('if-none-match') === etag) return c.body(null, 304);
  return c.json(body());
}

/** A card as devices get it: the feed's fields, without the campaign bookkeeping. */
function cardOut(card: CardView) {
  const { campaign_id: _c, dispatch_id: _d, variant_id: _v, ...shown } = card;
  // Dismissed cards leave the feed; the field lets a device drop a card it dismissed offline.
  return { ...shown, dismissed: false };
}

function inAppOut(m: InAppView) {
  return {
    id: m.id,
    trigger: m.trigger,
    priority: m.priority,
    templated: m.templated,
    created_at: m.created_at,
    expires_at: m.expires_at,
    message: m.message,
  };
}

export const sdkContentCardsRoute = defineRoute({
  method: 'get',
  path: '/sdk/v1/content_cards',
  tag: TAG,
  summary: "The device user's Content Card feed (ETag / 304 when unchanged)",
  description:
    'The newest 250 live cards, pinned first, then newest; times are epoch ms. Cards created ' +
    '"at first impression" are rendered by this read. Poll with `If-None-Match`: an unchanged ' +
    'feed is `304 Not Modified`. A user Herald has not seen yet gets no cards.',
  auth: { type: 'none' },
  query: SdkUserQuery,
  success: {
    status: 200,
    description: 'The feed',
    schema: z.object({ message: z.string(), content_cards: z.array(z.unknown()) }),
  },
  handler: async (c, { query }) => {
    const { workspace, user } = await syncCaller(c, query);
    const ifNoneMatch = c.req.header('if-none-match');
    const feed = await onSdkUser(c, { workspaceId: workspace.id, user, now: Date.now() }, (req) =>
      contentCardFeed(c.env, { ...req, ...(ifNoneMatch ? { ifNoneMatch } : {}) }),
    );
    if (feed.status === 'not_found') {
      return synced(c, EMPTY_ETAG, () => ({ message: 'success', content_cards: [] }));
    }
    const cards = feed.status === 'ok' ? feed.cards : [];
    return synced(c, feed.etag, () => ({ message: 'success', content_cards: cards.map(cardOut) }));
  },
});

export const sdkInAppMessagesRoute = defineRoute({
  method: 'get',
  path: '/sdk/v1/in_app_messages',
  tag: TAG,
  summary: 'The in-app messages the device user may be shown (ETag / 304 when unchanged)',
  description:
    'Not expired, not shown yet, from active campaigns; highest priority first, then newest. ' +
    'Templated messages carry `message: null`: render them with /sdk/v1/in_app_messages/render ' +
    'when their trigger fires. Times are epoch ms.',
  auth: { type: 'none' },
  query: SdkUserQuery,
  success: {
    status: 200,
    description: 'Eligible messages',
    schema: z.object({ message: z.string(), in_app_messages: z.array(z.unknown()) }),
  },
  handler: async (c, { query }) => {
    const { workspace, user } = await syncCaller(c, query);
    const answer = await onSdkUser(c, { workspaceId: workspace.id, user, now: Date.now() }, (req) =>
      eligibleInAppMessages(c.env, req),
    );
    const messages = answer.status === 'ok' ? answer.messages.map(inAppOut) : [];
    const etag =
      messages.length === 0
        ? EMPTY_ETAG
        : `"${(await sha256Hex(JSON.stringify(messages))).slice(0, 32)}"`;
    return synced(c, etag, () => ({ message: 'success', in_app_messages: messages }));
  },
});

export const sdkRenderInAppRoute = defineRoute({
  method: 'post',
  path: '/sdk/v1/in_app_messages/render',
  tag: TAG,
  summary: 'Render an in-app message for display on the device',
  description:
    'Templated messages are rendered now, for the user as they are now, with the triggering ' +
    "event's properties as `event_properties`. An `abort_message` answers `in_app_message: " +
    'null` with the reason: the device shows nothing.',
  auth: { type: 'none' },
  body: z.strictObject({
    app_key: z.string({ error: 'app_key must be a string' }).min(1).max(128),
    user: SdkUser,
    message_id: z.string({ error: 'message_id must be a string' }).min(1).max(128),
    event_properties: z
      .record(z.string(), z.json(), { error: 'event_properties must be an object' })
      .optional(),
  }),
  maxBodyBytes: 64 * 1024,
  success: {
    status: 200,
    description: 'The message to display, or why none',
    schema: z.object({
      message: z.string(),
      in_app_message: z.unknown().nullable(),
      aborted: z.string().optional(),
    }),
  },
  handler: async (c, { body }) => {
    const { appId, workspace } = await appWorkspace(c, body.app_key);
    await requireUserToken(c, {
      workspaceId: workspace.id,
      appId,
      externalId: 'external_id' in body.user ? body.user.external_id : null,
    });
    const props = body.event_properties as Record<string, Json> | undefined;
    const answer = await onSdkUser(
      c,
      { workspaceId: workspace.id, user: body.user, now: Date.now() },
      (req) =>
        renderInAppMessage(c.env, {
          ...req,
          id: body.message_id,
          ...(props ? { eventProperties: props } : {}),
        }),
    );
    if (answer.status === 'not_found') throw new ApiError(404, 'User not found');
    if (answer.status === 'message_not_found') throw new ApiError(404, 'In-app message not found');
    if (answer.status === 'aborted') {
      return c.json({ message: 'success', in_app_message: null, aborted: answer.reason });
    }
    return c.json({ message: 'success', in_app_message: answer.message });
  },
});
