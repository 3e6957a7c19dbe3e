import type { Json } from '../../ingestion/types';
import type { EngagementEvent } from '../../profiles/engagement-events';
import { tokenFromMetadata } from './postmark';

/**
 * Provider webhook events in one shape, pure. SendGrid posts an array of events with our
 * `custom_args` at the top level of each; Postmark posts one record per call with `Metadata`.
 * Events Herald does not use (SendGrid `processed`, Postmark hard-bounce suppression notices)
 * map to nothing.
 */

export interface ProviderEvent {
  event: EngagementEvent;
  /** The provider's id for this occurrence, so a redelivered webhook counts once. */
  eventId: string;
  at: number;
  /** The send's tracking token from custom args / metadata; null when absent. */
  token: string | null;
  address: string | null;
  reason?: string;
  url?: string;
  detail: Record<string, Json>;
  /** A hard bounce: the address is suppressed. */
  hard?: boolean;
}

function str(v: unknown): string | null {
  return typeof v === 'string' && v !== '' ? v : null;
}

function seconds(v: unknown, fallback: number): number {
  return typeof v === 'number' && Number.isFinite(v) ? v * 1_000 : fallback;
}

function isoTime(v: unknown, fallback: number): number {
  const ms = typeof v === 'string' ? Date.parse(v) : Number.NaN;
  return Number.isNaN(ms) ? fallback : ms;
}

/** One SendGrid event, or null when Herald has no use for it (or it is not an object). */
export function sendgridEvent(raw: unknown, now: number): ProviderEvent | null {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) return null;
  const e = raw as Record<string, unknown>;
  const kind = str(e.event);
  const base = {
    eventId: `sg:${str(e.sg_event_id) ?? `${str(e.sg_message_id)}:${kind}:${String(e.timestamp)}`}`,
    at: seconds(e.timestamp, now),
    token: str(e.herald_token),
    address: str(e.email),
  };
  const detail: Record<string, Json> = { esp: 'sendgrid' };
  const reason = str(e.reason) ?? str(e.response) ?? undefined;
  switch (kind) {
    case 'delivered':
      return { ...base, event: 'delivery', detail };
    case 'bounce': {
      // `blocked` is a temporary refusal by the receiving server; `bounce` is permanent.
      const hard = str(e.type) !== 'blocked';
      const d: Record<string, Json> = { ...detail, bounce_type: str(e.type) ?? 'bounce' };
      if (str(e.bounce_classification)) d.bounce_classification = str(e.bounce_classification);
      return { ...base, event: hard ? 'bounce' : 'soft_bounce', detail: d, hard, reason };
    }
    case 'dropped':
      return {
        ...base,
        event: 'bounce',
        detail: { ...detail, is_drop: true },
        hard: reason === 'Bounced Address' || reason === 'Invalid',
        reason,
      };
    case 'deferred':
      return { ...base, event: 'soft_bounce', detail: { ...detail, deferred: true }, reason };
    case 'spamreport':
      return { ...base, event: 'spam', detail };
    case 'unsubscribe':
    case 'group_unsubscribe':
      return { ...base, event: 'unsubscribe', detail };
    case 'open':
      return {
        ...base,
        event: 'open',
        detail: {
          ...detail,
          machine_open: e.sg_machine_open === true,
          user_agent: str(e.useragent),
        },
      };
    case 'click': {
      const url = str(e.url);
      return {
        ...base,
        event: 'click',
        detail: { ...detail, user_agent: str(e.useragent) },
        ...(url ? { url } : {}),
      };
    }
    default:
      return null;
  }
}

/** Postmark bounce types that mean the address will never take mail. */
const POSTMARK_HARD = new Set(['HardBounce', 'BadEmailAddress', 'ManuallyDeactivated']);

/** One Postmark webhook record, or null when Herald has no use for it. */
export function postmarkEvent(e: Record<string, unknown>, now: number): ProviderEvent | null {
  const type = str(e.RecordType);
  const messageId = str(e.MessageID) ?? 'unknown';
  const metadata =
    typeof e.Metadata === 'object' && e.Metadata !== null && !Array.isArray(e.Metadata)
      ? (e.Metadata as Record<string, unknown>)
      : undefined;
  const token = tokenFromMetadata(metadata);
  const detail: Record<string, Json> = { esp: 'postmark' };
  switch (type) {
    case 'Delivery':
      return {
        event: 'delivery',
        eventId: `pm:delivery:${messageId}`,
        at: isoTime(e.DeliveredAt, now),
        token,
        address: str(e.Recipient),
        detail,
      };
    case 'Bounce':
    case 'SpamComplaint': {
      const bounceType = str(e.Type) ?? '';
      const code = typeof e.TypeCode === 'number' ? e.TypeCode : null;
      const base = {
        eventId: `pm:${type}:${String(e.ID ?? messageId)}`,
        at: isoTime(e.BouncedAt, now),
        token,
        address: str(e.Email),
        reason: str(e.Description) ?? str(e.Details) ?? undefined,
        detail: { ...detail, bounce_type: bounceType, type_code: code },
      };
      if (type === 'SpamComplaint' || bounceType === 'SpamComplaint') {
        return { ...base, event: 'spam' };
      }
      if (bounceType === 'Unsubscribe') return { ...base, event: 'unsubscribe' };
      const hard = POSTMARK_HARD.has(bounceType);
      return { ...base, event: hard ? 'bounce' : 'soft_bounce', hard };
    }
    case 'Open':
      return {
        event: 'open',
        eventId: `pm:open:${messageId}:${String(e.ReceivedAt)}`,
        at: isoTime(e.ReceivedAt, now),
        token,
        address: str(e.Recipient),
        detail: { ...detail, user_agent: str(e.UserAgent), first_open: e.FirstOpen === true },
      };
    case 'Click': {
      const url = str(e.OriginalLink);
      return {
        event: 'click',
        eventId: `pm:click:${messageId}:${String(e.ReceivedAt)}:${url}`,
        at: isoTime(e.ReceivedAt, now),
        token,
        address: str(e.Recipient),
        detail: { ...detail, user_agent: str(e.UserAgent) },
        ...(url ? { url } : {}),
      };
    }
    case 'SubscriptionChange':
      // Bounces and complaints arrive as their own records; a manual suppression is the
      // recipient unsubscribing through Postmark's own link.
      if (e.SuppressSending !== true || str(e.SuppressionReason) !== 'ManualSuppression') {
        return null;
      }
      return {
        event: 'unsubscribe',
        eventId: `pm:unsub:${messageId}:${String(e.ChangedAt)}`,
        at: isoTime(e.ChangedAt, now),
        token,
        address: str(e.Recipient),
        detail,
      };
    default:
      return null;
  }
}
