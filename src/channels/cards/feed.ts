import type { Json } from '../../ingestion/types';
import { profileStub } from '../../lib/stubs';
import { renderFields } from '../../personalization/render';
import type { Recipient } from '../../personalization/scope';
import { buildScope } from '../../personalization/scope';
import { workspaceSources } from '../../personalization/workspace-sources';
import type { CardEvent, CardEventResult, CardView, PendingCard } from '../../profiles/cards';
import type { Addressed, Miss } from '../../profiles/rpc';
import { getWorkspace } from '../../workspaces/store';
import { buildCard, cardProblem, cardTemplates } from './content';
import { removedCardCampaigns } from './removals';

/**
 * What the SDK sync endpoints (and the admin API) call for a user's Content Cards: the feed,
 * with cards created "at first impression" rendered on the way, and card interactions.
 */

export interface CardBindings {
  DB: D1Database;
  USER_PROFILE: Env['USER_PROFILE'];
}

export type FeedAnswer =
  | Miss
  | { status: 'ok'; etag: string; cards: CardView[] }
  | { status: 'not_modified'; etag: string };

/**
 * The user's feed: the newest 250 live cards, pinned first then newest, without the cards of
 * campaigns stopped with "remove cards". `ifNoneMatch` (the last answer's `etag`) answers
 * `not_modified` when nothing changed, so frequent polls cost one small profile call.
 */
export async function contentCardFeed(
  env: CardBindings,
  req: Addressed & { ifNoneMatch?: string },
): Promise<FeedAnswer> {
  const removed = await removedCardCampaigns(env.DB, req.workspaceId, req.now);
  const stub = profileStub(env.USER_PROFILE, req.workspaceId, req.profileId);
  let feed = await stub.contentCards({ ...req, removed });
  if (feed.status === 'ok' && feed.pending.length > 0 && feed.recipient) {
    await renderPending(env, req, feed.pending, feed.recipient);
    feed = await stub.contentCards({ ...req, removed });
  }
  if (feed.status !== 'ok') return feed;
  return { status: 'ok', etag: feed.etag, cards: feed.cards };
}

/** Render cards created "at first impression" and store the result (or why none) for good. */
async function renderPending(
  env: CardBindings,
  req: Addressed,
  pending: PendingCard[],
  recipient: Recipient,
): Promise<void> {
  const workspace = await getWorkspace(env.DB, req.workspaceId);
  if (!workspace) return;
  const settled = await Promise.all(
    pending.map(async (p) => {
      const rendered = await renderFields({
        fields: cardTemplates(p.message),
        scope: buildScope(recipient, p.context),
        now: req.now,
        sources: workspaceSources(env.DB, workspace),
      });
      if (rendered.aborted) return { id: p.id, aborted: rendered.aborted.reason };
      const out: Record<string, string> = {};
      for (const [name, f] of Object.entries(rendered.fields)) {
        if (!f.ok) return { id: p.id, aborted: `${name}: ${f.error}` };
        out[name] = f.output;
      }
      const card = buildCard(p.message, out);
      const problem = cardProblem(card);
      return problem ? { id: p.id, aborted: problem } : { id: p.id, rendered: card };
    }),
  );
  await profileStub(env.USER_PROFILE, req.workspaceId, req.profileId).settleContentCards({
    ...req,
    settled,
  });
}

/**
 * Record an impression, click or dismissal of one card (statistics, Currents, segments). Pinned
 * cards answer `not_dismissible`.
 */
export async function recordCardInteraction(
  env: CardBindings,
  req: Addressed & {
    cardId: string;
    event: CardEvent;
    eventId?: string;
    /** Who reported it (the SDK's app_id, device_id, sdk_version), for Currents. */
    detail?: Record<string, Json>;
  },
): Promise<Miss | CardEventResult> {
  return profileStub(env.USER_PROFILE, req.workspaceId, req.profileId).contentCardEvent({
    ...req,
    at: req.now,
  });
}
