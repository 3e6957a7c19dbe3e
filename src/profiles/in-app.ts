import type { InAppMessage } from '../campaigns/messages';
import type { Json } from '../ingestion/types';
import type { MessageContext } from '../personalization/scope';
import { type EngagementResult, recordEngagement } from './engagement';
import type { ProfileStore } from './profile-store';

/**
 * In-app messages a user is eligible for (contract §5.5), kept in the user's profile. The
 * in_app_message channel stores each one with its trigger; the SDK downloads the eligible set at
 * session start and shows a message when its trigger fires. A templated message is stored
 * unrendered with its Liquid context and rendered when it is displayed. Shown messages
 * ("received" = impression) are no longer eligible.
 */

/** Expired messages are deleted this long after expiry. */
const KEEP_EXPIRED_MS = 86_400_000;

/** Braze's priority buckets as numbers (higher wins); exact priorities are 0..1000. */
const PRIORITY: Record<string, number> = { high: 750, medium: 500, low: 250 };

export function priorityOf(p: InAppMessage['priority']): number {
  if (p === undefined) return PRIORITY.medium!;
  return typeof p === 'number' ? p : PRIORITY[p]!;
}

export interface NewInAppMessage {
  id: string;
  dispatchId: string;
  sendId: string | null;
  campaignId: string | null;
  variantId: string | null;
  priority: number;
  createdAt: number;
  expiresAt: number;
  /** The message as sent: rendered, or (templated) as written, with `context` to render it. */
  message: InAppMessage;
  context: MessageContext | null;
}

/** An eligible in-app message as the SDK receives it. */
export interface InAppView {
  id: string;
  trigger: InAppMessage['trigger'];
  priority: number;
  templated: boolean;
  /** The rendered message; templated messages carry none until displayed. */
  message: Omit<InAppMessage, 'trigger' | 'priority' | 'templated'> | null;
  created_at: number;
  expires_at: number;
  campaign_id: string | null;
  dispatch_id: string;
  variant_id: string | null;
}

interface Row extends Record<string, SqlStorageValue> {
  id: string;
  dispatch_id: string;
  send_id: string | null;
  campaign_id: string | null;
  variant_id: string | null;
  trigger: string;
  priority: number;
  message: string;
  context: string | null;
  templated: number;
  created_at: number;
  expires_at: number;
  shown_at: number | null;
  clicked_at: number | null;
}

/** Store an eligible message once per id. */
export function putInAppMessage(
  store: ProfileStore,
  m: NewInAppMessage,
  now: number,
): 'stored' | 'exists' {
  return store.transact(() => {
    const written = store.sql.exec(
      `INSERT OR IGNORE INTO in_app_messages (id, dispatch_id, send_id, campaign_id, variant_id,
         trigger, priority, message, context, templated, created_at, expires_at)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      m.id,
      m.dispatchId,
      m.sendId,
      m.campaignId,
      m.variantId,
      JSON.stringify(m.message.trigger),
      m.priority,
      JSON.stringify(m.message),
      m.context === null ? null : JSON.stringify(m.context),
      m.message.templated === true ? 1 : 0,
      m.createdAt,
      m.expiresAt,
    ).rowsWritten;
    store.sql.exec('DELETE FROM in_app_messages WHERE expires_at < ?', now - KEEP_EXPIRED_MS);
    if (written > 0) store.touch(now);
    return written > 0 ? 'stored' : 'exists';
  });
}

function bodyOf(message: InAppMessage): InAppView['message'] {
  const { trigger: _t, priority: _p, templated: _x, ...body } = message;
  return body;
}

/** Eligible messages (not expired, not shown yet), highest priority first, then newest. */
export function listInAppMessages(store: ProfileStore, now: number): InAppView[] {
  return store.sql
    .exec<Row>(
      `SELECT * FROM in_app_messages WHERE expires_at > ? AND shown_at IS NULL
       ORDER BY priority DESC, created_at DESC, id`,
      now,
    )
    .toArray()
    .map((r) => {
      const message = JSON.parse(r.message) as InAppMessage;
      return {
        id: r.id,
        trigger: JSON.parse(r.trigger) as InAppMessage['trigger'],
        priority: r.priority,
        templated: r.templated === 1,
        message: r.templated === 1 ? null : bodyOf(message),
        created_at: r.created_at,
        expires_at: r.expires_at,
        campaign_id: r.campaign_id,
        dispatch_id: r.dispatch_id,
        variant_id: r.variant_id,
      };
    });
}

/** A templated message's source and Liquid context, for rendering at display time. */
export function inAppTemplate(
  store: ProfileStore,
  id: string,
  now: number,
): { message: InAppMessage; context: MessageContext; view: InAppView } | null {
  const row = store.sql
    .exec<Row>('SELECT * FROM in_app_messages WHERE id = ? AND expires_at > ?', id, now)
    .toArray()[0];
  if (!row) return null;
  const message = JSON.parse(row.message) as InAppMessage;
  return {
    message,
    context: row.context === null ? {} : (JSON.parse(row.context) as MessageContext),
    view: {
      id: row.id,
      trigger: message.trigger,
      priority: row.priority,
      templated: row.templated === 1,
      message: bodyOf(message),
      created_at: row.created_at,
      expires_at: row.expires_at,
      campaign_id: row.campaign_id,
      dispatch_id: row.dispatch_id,
      variant_id: row.variant_id,
    },
  };
}

export type InAppEventResult = EngagementResult | { status: 'message_not_found' };

/**
 * Record an impression or a click (of the body, or of button 0 or 1) of a message: its state
 * and the engagement, once per `eventId` (by default once per message, kind and button).
 */
export function recordInAppEvent(
  store: ProfileStore,
  input: {
    id: string;
    event: 'impression' | 'click';
    buttonIndex?: number;
    eventId?: string;
    at: number;
    /** Who reported it, for Currents (the SDK's app_id, device_id, sdk_version). */
    detail?: Record<string, Json>;
  },
  now: number,
): InAppEventResult {
  const row = store.sql
    .exec<Row>('SELECT * FROM in_app_messages WHERE id = ?', input.id)
    .toArray()[0];
  if (!row) return { status: 'message_not_found' };
  const column = input.event === 'impression' ? 'shown_at' : 'clicked_at';
  const button = input.buttonIndex;
  return store.transact(() => {
    store.sql.exec(
      `UPDATE in_app_messages SET ${column} = COALESCE(${column}, ?) WHERE id = ?`,
      input.at,
      row.id,
    );
    return recordEngagement(
      store,
      {
        event: input.event,
        eventId: input.eventId ?? `iam:${row.id}:${input.event}:${button ?? 'body'}`,
        at: input.at,
        message: {
          channel: 'in_app_message',
          dispatchId: row.dispatch_id,
          sendId: row.send_id,
          campaignId: row.campaign_id,
          variantId: row.variant_id,
        },
        detail: {
          ...input.detail,
          message_id: row.id,
          ...(button !== undefined ? { button_index: button } : {}),
        },
      },
      now,
    );
  });
}
