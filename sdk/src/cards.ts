/**
 * Content Cards (contract §5.6): the user's feed from `GET /sdk/v1/content_cards`, cached in
 * storage, refreshed at each session open and on `changeUser`; impressions, clicks and
 * dismissals go out as batch items. The default renderer is in web/cards-ui.ts.
 */

import { enqueue, flush, hooks, type Json, must, read, type State, sync, write } from './core';

/** A card as `GET /sdk/v1/content_cards` sends it. Times are epoch ms. */
interface WireCard {
  id: string;
  type: 'CLASSIC' | 'CAPTIONED_IMAGE' | 'BANNER';
  title: string;
  description: string;
  image_url?: string | null;
  web_uri?: string | null;
  uri_text?: string | null;
  pinned?: boolean;
  viewed?: boolean;
  clicked?: boolean;
  dismissed?: boolean;
  created_at: number;
  expires_at?: number | null;
  extra?: Record<string, Json> | null;
}

/** A Content Card, with the names Braze's Web SDK uses. */
export interface Card {
  id: string;
  type: WireCard['type'];
  title: string;
  description: string;
  imageUrl: string | null;
  url: string | null;
  linkText: string | null;
  pinned: boolean;
  /** Pinned cards cannot be dismissed. */
  dismissible: boolean;
  viewed: boolean;
  clicked: boolean;
  created: Date;
  expiresAt: Date | null;
  extras: Record<string, Json>;
}

export interface ContentCards {
  cards: Card[];
  lastUpdated: Date | null;
  getUnviewedCardCount(): number;
}

const cards = {
  etag: null as string | null,
  updated: null as Date | null,
  /** Impressions logged on this page, so a card re-rendered is not counted again. */
  seen: new Set<string>(),
  listeners: new Set<(cards: ContentCards) => void>(),
  refreshing: null as Promise<void> | null,
  /** Bumped on changeUser: a fetch begun for the previous user is dropped. */
  generation: 0,
};

hooks.session.push((s) => void refreshCards(s));
hooks.user.push((s) => {
  cards.generation++;
  cards.refreshing = null;
  cards.etag = null;
  cards.seen.clear();
  write(s, 'cards', []);
  write(s, 'cards_dismissed', []);
  notify(s);
  void refreshCards(s);
});
hooks.reset.push(() => {
  cards.etag = null;
  cards.updated = null;
  cards.seen.clear();
  cards.listeners.clear();
  cards.refreshing = null;
});

function toCard(w: WireCard): Card {
  return {
    id: w.id,
    type: w.type,
    title: w.title,
    description: w.description,
    imageUrl: w.image_url ?? null,
    url: w.web_uri ?? null,
    linkText: w.uri_text ?? null,
    pinned: w.pinned === true,
    dismissible: w.pinned !== true,
    viewed: w.viewed === true,
    clicked: w.clicked === true,
    created: new Date(w.created_at),
    expiresAt: w.expires_at ? new Date(w.expires_at) : null,
    extras: w.extra ?? {},
  };
}

/** The feed as stored, less dismissed and expired cards; pinned first, then newest. */
export function current(s: State): ContentCards {
  const dismissed = new Set(read<string[]>(s, 'cards_dismissed', []));
  const now = Date.now();
  const list = read<WireCard[]>(s, 'cards', [])
    .filter((w) => !w.dismissed && !dismissed.has(w.id) && !(w.expires_at && w.expires_at <= now))
    .map(toCard)
    .sort((a, b) => Number(b.pinned) - Number(a.pinned) || +b.created - +a.created);
  return {
    cards: list,
    lastUpdated: cards.updated,
    getUnviewedCardCount: () => list.filter((c) => !c.viewed).length,
  };
}

function notify(s: State): void {
  const feed = current(s);
  for (const listener of cards.listeners) listener(feed);
}

export function refreshCards(s: State): Promise<void> {
  if (cards.refreshing) return cards.refreshing;
  const generation = cards.generation;
  const run: Promise<void> = (async () => {
    // The user (and its dismissals) must reach Herald before the feed is read.
    await flush(s);
    const answer = await sync<{ content_cards: WireCard[] }>(s, 'content_cards', cards.etag);
    if (!Array.isArray(answer?.body.content_cards) || generation !== cards.generation) return;
    cards.etag = answer.etag;
    cards.updated = new Date();
    // What this device saw or clicked stays so, whatever Herald had heard by then.
    const before = new Map(read<WireCard[]>(s, 'cards', []).map((w) => [w.id, w]));
    write(
      s,
      'cards',
      answer.body.content_cards.map((w) => ({
        ...w,
        viewed: w.viewed || before.get(w.id)?.viewed === true,
        clicked: w.clicked || before.get(w.id)?.clicked === true,
      })),
    );
    // Herald has every dismissal flushed above: the local list only bridges the gap.
    const known = new Set(answer.body.content_cards.filter((w) => !w.dismissed).map((w) => w.id));
    write(
      s,
      'cards_dismissed',
      read<string[]>(s, 'cards_dismissed', []).filter((id) => known.has(id)),
    );
    notify(s);
  })().finally(() => {
    if (cards.refreshing === run) cards.refreshing = null;
  });
  cards.refreshing = run;
  return run;
}

/** Fetch the feed now; subscribers hear of it when it changed. */
export function requestContentCardsRefresh(): Promise<void> {
  return refreshCards(must());
}

/** The feed as last fetched (from storage, so available offline and right after a reload). */
export function getCachedContentCards(): ContentCards {
  return current(must());
}

/** Called with the feed after each refresh that changed it; returns an unsubscribe. */
export function subscribeToContentCardsUpdates(
  listener: (cards: ContentCards) => void,
): () => void {
  cards.listeners.add(listener);
  return () => cards.listeners.delete(listener);
}

function mark(s: State, id: string, field: 'viewed' | 'clicked'): void {
  write(
    s,
    'cards',
    read<WireCard[]>(s, 'cards', []).map((w) => (w.id === id ? { ...w, [field]: true } : w)),
  );
}

/** Log that the user saw these cards (each once per page). */
export function logContentCardImpressions(list: Card[]): boolean {
  const s = must();
  for (const card of list) {
    if (cards.seen.has(card.id)) continue;
    cards.seen.add(card.id);
    card.viewed = true;
    mark(s, card.id, 'viewed');
    enqueue(s, 'card_impression', { card_id: card.id });
  }
  return true;
}

export function logContentCardClick(card: Card): boolean {
  const s = must();
  card.clicked = true;
  mark(s, card.id, 'clicked');
  enqueue(s, 'card_click', { card_id: card.id });
  return true;
}

/** Remove a card from the feed for good; pinned cards cannot be dismissed (answers false). */
export function dismissCard(card: Card): boolean {
  const s = must();
  if (card.pinned) return false;
  const dismissed = read<string[]>(s, 'cards_dismissed', []);
  if (dismissed.includes(card.id)) return false;
  write(s, 'cards_dismissed', [...dismissed, card.id]);
  enqueue(s, 'card_dismiss', { card_id: card.id });
  notify(s);
  void flush(s);
  return true;
}
