import type { CardRemovalEvent, ContentCardMessage } from '../campaigns/messages';
import type { Json } from '../ingestion/types';
import { fnv1a32 } from '../lib/hash';
import type { MessageContext } from '../personalization/scope';
import { type EngagementResult, recordEngagement } from './engagement';
import type { ProfileStore } from './profile-store';

/**
 * A user's Content Card feed (contract §5.6), kept in the user's profile: the content_card
 * channel's "provider" stores each card here, the SDK sync endpoints list it, and impressions,
 * clicks and dismissals are recorded here as engagement. Cards are immutable once rendered; they
 * leave the feed when they expire, are dismissed, removed by a removal event, or their campaign
 * was stopped with "remove cards" (markers the caller passes in, kept in D1).
 */

/** Non-expired cards per user the feed returns (contract §5.6); older ones are left out. */
export const FEED_LIMIT = 250;
/** Expired cards are deleted this long after expiry. */
const KEEP_EXPIRED_MS = 86_400_000;

/** A card's content after Liquid, as the SDK shows it. */
export interface RenderedCard {
  type: ContentCardMessage['type'];
  title: string;
  description: string;
  image_url?: string;
  ios_uri?: string;
  android_uri?: string;
  web_uri?: string;
  ios_use_webview?: boolean;
  android_use_webview?: boolean;
  uri_text?: string;
  extra?: Record<string, Json>;
}

/** What the channel stores: the rendered card, or the template to render at first fetch. */
export interface NewCard {
  id: string;
  dispatchId: string;
  sendId: string | null;
  campaignId: string | null;
  variantId: string | null;
  pinned: boolean;
  createdAt: number;
  expiresAt: number;
  removalEvents: CardRemovalEvent[];
  content:
    | { rendered: RenderedCard }
    | { template: { message: ContentCardMessage; context: MessageContext } };
}

/** A card in the feed. Times are epoch ms. */
export interface CardView extends RenderedCard {
  id: string;
  pinned: boolean;
  created_at: number;
  expires_at: number;
  viewed: boolean;
  clicked: boolean;
  campaign_id: string | null;
  dispatch_id: string;
  variant_id: string | null;
}

/** A card waiting for its first render ("at first impression"). */
export interface PendingCard {
  id: string;
  message: ContentCardMessage;
  context: MessageContext;
}

export type CardFeed =
  | { status: 'ok'; etag: string; cards: CardView[]; pending: PendingCard[] }
  | { status: 'not_modified'; etag: string };

/** campaign id → epoch ms: cards of the campaign created before then are hidden. */
export type RemovedCampaigns = Record<string, number>;

export type CardEvent = 'impression' | 'click' | 'dismiss';

export type CardEventResult =
  | EngagementResult
  | { status: 'card_not_found' }
  /** Pinned cards cannot be dismissed (contract §5.6). */
  | { status: 'not_dismissible' };

interface CardRow extends Record<string, SqlStorageValue> {
  id: string;
  dispatch_id: string;
  send_id: string | null;
  campaign_id: string | null;
  variant_id: string | null;
  pinned: number;
  card: string | null;
  template: string | null;
  removal: string | null;
  created_at: number;
  expires_at: number;
  viewed_at: number | null;
  clicked_at: number | null;
  dismissed_at: number | null;
  removed_at: number | null;
}

function bumpVersion(store: ProfileStore): void {
  store.sql.exec(
    `INSERT INTO meta (key, value) VALUES ('cards_version', '1')
     ON CONFLICT (key) DO UPDATE SET value = CAST(value AS INTEGER) + 1`,
  );
}

function version(store: ProfileStore): string {
  const row = store.sql
    .exec<{ value: string }>(`SELECT value FROM meta WHERE key = 'cards_version'`)
    .toArray()[0];
  return row?.value ?? '0';
}

/** Store a card once per id (a send retried after the store answers `exists`). */
export function putCard(store: ProfileStore, card: NewCard, now: number): 'stored' | 'exists' {
  return store.transact(() => {
    const written = store.sql.exec(
      `INSERT OR IGNORE INTO content_cards (id, dispatch_id, send_id, campaign_id, variant_id,
         pinned, card, template, removal, created_at, expires_at)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      card.id,
      card.dispatchId,
      card.sendId,
      card.campaignId,
      card.variantId,
      card.pinned ? 1 : 0,
      'rendered' in card.content ? JSON.stringify(card.content.rendered) : null,
      'template' in card.content ? JSON.stringify(card.content.template) : null,
      card.removalEvents.length > 0 ? JSON.stringify(card.removalEvents) : null,
      card.createdAt,
      card.expiresAt,
    ).rowsWritten;
    store.sql.exec('DELETE FROM content_cards WHERE expires_at < ?', now - KEEP_EXPIRED_MS);
    if (written === 0) return 'exists';
    bumpVersion(store);
    store.touch(now);
    return 'stored';
  });
}

function view(row: CardRow, card: RenderedCard): CardView {
  return {
    ...card,
    id: row.id,
    pinned: row.pinned === 1,
    created_at: row.created_at,
    expires_at: row.expires_at,
    viewed: row.viewed_at !== null,
    clicked: row.clicked_at !== null,
    campaign_id: row.campaign_id,
    dispatch_id: row.dispatch_id,
    variant_id: row.variant_id,
  };
}

/**
 * The feed: the newest FEED_LIMIT live cards (dismissed ones count toward the limit but are not
 * shown), pinned first, then newest first. `etag` changes whenever what is answered changes, so
 * a poll that sends the last one back (`ifNoneMatch`) gets `not_modified` and no cards.
 */
export function listCards(
  store: ProfileStore,
  input: { now: number; removed: RemovedCampaigns; ifNoneMatch?: string },
): CardFeed {
  const rows = store.sql
    .exec<CardRow>(
      `SELECT * FROM content_cards WHERE expires_at > ? AND removed_at IS NULL
       ORDER BY created_at DESC, id`,
      input.now,
    )
    .toArray();
  const window: CardRow[] = [];
  for (const row of rows) {
    const removedAt = row.campaign_id === null ? undefined : input.removed[row.campaign_id];
    if (removedAt !== undefined && row.created_at <= removedAt) continue;
    window.push(row);
    if (window.length === FEED_LIMIT) break;
  }
  const cards: CardView[] = [];
  const pending: PendingCard[] = [];
  for (const row of window) {
    if (row.dismissed_at !== null) continue;
    if (row.card !== null) cards.push(view(row, JSON.parse(row.card) as RenderedCard));
    else if (row.template !== null) {
      const t = JSON.parse(row.template) as {
        message: ContentCardMessage;
        context: MessageContext;
      };
      pending.push({ id: row.id, ...t });
    }
  }
  cards.sort((a, b) => Number(b.pinned) - Number(a.pinned) || b.created_at - a.created_at);
  const shown = cards.map((c) => `${c.id}:${c.viewed ? 1 : 0}${c.clicked ? 1 : 0}`).join(',');
  const etag = `"${version(store)}-${fnv1a32(shown).toString(36)}-${pending.length}"`;
  if (pending.length === 0 && input.ifNoneMatch === etag) return { status: 'not_modified', etag };
  return { status: 'ok', etag, cards, pending };
}

/**
 * Settle cards created "at first impression": the first render is stored and the card is
 * immutable from then on; a render that aborted (Liquid `abort_message`, over 2 KB) removes the
 * card and records an `abort` for the send.
 */
export function settleCards(
  store: ProfileStore,
  settled: ({ id: string; rendered: RenderedCard } | { id: string; aborted: string })[],
  now: number,
): void {
  store.transact(() => {
    let changed = false;
    for (const s of settled) {
      const row = store.sql
        .exec<CardRow>('SELECT * FROM content_cards WHERE id = ? AND card IS NULL', s.id)
        .toArray()[0];
      if (!row || row.template === null || row.removed_at !== null) continue;
      changed = true;
      if ('rendered' in s) {
        store.sql.exec(
          'UPDATE content_cards SET card = ?, template = NULL WHERE id = ?',
          JSON.stringify(s.rendered),
          s.id,
        );
        continue;
      }
      store.sql.exec(
        `UPDATE content_cards SET removed_at = ?, removed_reason = ?, template = NULL WHERE id = ?`,
        now,
        s.aborted,
        s.id,
      );
      store.emit({
        type: 'message.event',
        time: now,
        event: 'abort',
        channel: 'content_card',
        dispatch_id: row.dispatch_id,
        send_id: row.send_id,
        campaign_id: row.campaign_id,
        variant_id: row.variant_id,
        reason: s.aborted,
        status: null,
        message_extras: {},
      });
    }
    if (changed) bumpVersion(store);
  });
}

/**
 * Record an impression, click or dismissal of a card: the card's state, and the engagement
 * (once per `eventId`; by default once per card and kind), which feeds campaign statistics
 * (`unique_impressions`…), message-engagement segments and Currents.
 */
export function recordCardEvent(
  store: ProfileStore,
  input: {
    cardId: string;
    event: CardEvent;
    eventId?: string;
    at: number;
    /** Who reported it, for Currents (the SDK's app_id, device_id, sdk_version). */
    detail?: Record<string, Json>;
  },
  now: number,
): CardEventResult {
  const row = store.sql
    .exec<CardRow>(
      'SELECT * FROM content_cards WHERE id = ? AND removed_at IS NULL AND card IS NOT NULL',
      input.cardId,
    )
    .toArray()[0];
  if (!row) return { status: 'card_not_found' };
  if (input.event === 'dismiss' && row.pinned === 1) return { status: 'not_dismissible' };
  const column =
    input.event === 'impression'
      ? 'viewed_at'
      : input.event === 'click'
        ? 'clicked_at'
        : 'dismissed_at';
  return store.transact(() => {
    const changed = store.sql.exec(
      `UPDATE content_cards SET ${column} = ? WHERE id = ? AND ${column} IS NULL`,
      input.at,
      row.id,
    ).rowsWritten;
    if (changed > 0) bumpVersion(store);
    return recordEngagement(
      store,
      {
        event: input.event,
        eventId: input.eventId ?? `card:${row.id}:${input.event}`,
        at: input.at,
        message: {
          channel: 'content_card',
          dispatchId: row.dispatch_id,
          sendId: row.send_id,
          campaignId: row.campaign_id,
          variantId: row.variant_id,
        },
        // content_card_id: Currents' name for it (users.messages.contentcard.*).
        detail: { ...input.detail, card_id: row.id, content_card_id: row.id },
      },
      now,
    );
  });
}

/** What removal events match: a custom event by name, a purchase (of a product, or any). */
export type RemovalTrigger =
  | { type: 'custom_event'; name: string }
  | { type: 'purchase'; productId: string };

/**
 * Remove the cards a custom event or purchase is configured to remove (contract §5.6). Runs in
 * the transaction that records the event, so the next feed fetch no longer shows them.
 */
export function removeCardsOnEvent(store: ProfileStore, on: RemovalTrigger, now: number): number {
  const rows = store.sql
    .exec<{ id: string; removal: string }>(
      `SELECT id, removal FROM content_cards WHERE removal IS NOT NULL AND removed_at IS NULL
         AND expires_at > ?`,
      now,
    )
    .toArray();
  let removed = 0;
  for (const row of rows) {
    const events = JSON.parse(row.removal) as CardRemovalEvent[];
    const hit = events.some((e) =>
      e.type === 'custom_event'
        ? on.type === 'custom_event' && e.event_name === on.name
        : on.type === 'purchase' && (e.product_id === undefined || e.product_id === on.productId),
    );
    if (!hit) continue;
    store.sql.exec(
      `UPDATE content_cards SET removed_at = ?, removed_reason = 'removal event' WHERE id = ?`,
      now,
      row.id,
    );
    removed++;
  }
  if (removed > 0) bumpVersion(store);
  return removed;
}
