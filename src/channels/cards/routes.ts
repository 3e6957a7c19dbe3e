import { z } from 'zod';
import { ApiError, badRequest } from '../../http/errors';
import { defineRoute } from '../../http/route';
import type { CardView } from '../../profiles/cards';
import { oneUser, onUser, UserTarget } from '../user-target';
import { contentCardFeed, recordCardInteraction } from './feed';

/**
 * Admin routes over a user's Content Card feed (contract §5.6): what the SDK sync endpoints will
 * answer, and recording interactions as the SDK will. Campaign stops with `remove_cards=true`
 * live on the campaign routes.
 */

const TAG = 'Content Cards';

const iso = (ms: number) => new Date(ms).toISOString();

function cardOut(card: CardView) {
  const { created_at, expires_at, ...rest } = card;
  return { ...rest, created_at: iso(created_at), expires_at: iso(expires_at) };
}

export const listContentCardsRoute = defineRoute({
  method: 'get',
  path: '/herald/users/content_cards',
  tag: TAG,
  summary: "A user's Content Card feed",
  description:
    'The newest 250 live cards (dismissed ones count toward the 250 and are not listed), pinned ' +
    'first, then newest. Cards created "at first impression" are rendered by this read. Send ' +
    'the `ETag` back as `If-None-Match` to get 304 when nothing changed.',
  auth: { type: 'api_key', permission: 'herald.delivery.read', bucket: 'default' },
  query: z.object(UserTarget).refine(oneUser.check, { message: oneUser.message }),
  success: {
    status: 200,
    description: 'The feed',
    schema: z.object({ message: z.string(), etag: z.string(), cards: z.array(z.unknown()) }),
  },
  handler: async (c, { query }) => {
    const workspaceId = c.get('caller').workspace.id;
    const ifNoneMatch = c.req.header('if-none-match') ?? undefined;
    const feed = await onUser(c.env, { workspaceId, target: query }, (req) =>
      contentCardFeed(c.env, { ...req, ...(ifNoneMatch ? { ifNoneMatch } : {}) }),
    );
    c.header('ETag', feed.etag);
    if (feed.status === 'not_modified') return c.body(null, 304);
    return c.json({ message: 'success', etag: feed.etag, cards: feed.cards.map(cardOut) });
  },
});

export const contentCardEventRoute = defineRoute({
  method: 'post',
  path: '/herald/users/content_cards/events',
  tag: TAG,
  summary: 'Record a Content Card impression, click or dismissal',
  description:
    'Counted in the campaign statistics (total and unique impressions, clicks, dismissals), ' +
    'message-engagement segments and Currents. Each `event_id` counts once; without one, each ' +
    'kind counts once per card. Pinned cards cannot be dismissed.',
  auth: { type: 'api_key', permission: 'users.track', bucket: 'users_track' },
  body: z
    .object({
      ...UserTarget,
      card_id: z.string({ error: 'card_id must be a string' }).min(1).max(64),
      event: z.enum(['impression', 'click', 'dismiss'], {
        error: 'event must be impression, click or dismiss',
      }),
      event_id: z.string({ error: 'event_id must be a string' }).min(1).max(128).optional(),
    })
    .refine(oneUser.check, { message: oneUser.message }),
  success: {
    status: 201,
    description: 'Recorded, or already recorded',
    schema: z.object({ message: z.string(), recorded: z.boolean() }),
  },
  handler: async (c, { body }) => {
    const workspaceId = c.get('caller').workspace.id;
    const answer = await onUser(c.env, { workspaceId, target: body }, (req) =>
      recordCardInteraction(c.env, {
        ...req,
        cardId: body.card_id,
        event: body.event,
        ...(body.event_id ? { eventId: body.event_id } : {}),
      }),
    );
    if (answer.status === 'card_not_found') throw new ApiError(404, 'Card not found');
    if (answer.status === 'not_dismissible') throw badRequest('Pinned cards cannot be dismissed');
    return c.json({ message: 'success', recorded: answer.status === 'recorded' }, 201);
  },
});
