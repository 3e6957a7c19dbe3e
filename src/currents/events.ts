import type { ChangeRecord } from '../changes/records';
import type { FlatRecord } from './avro';
import { type EventType, eventSpec } from './catalog';

/**
 * Change records → Currents events (contract §4.7, §4.8). Pure: the caller supplies what the
 * profile knew about the user. Every event is complete: each catalog field is present, null where
 * Herald does not know it (never invented). A record whose event type needs a field Herald cannot
 * fill (a push event's app_id, say) yields nothing rather than a made-up value.
 */

/** What the user's profile knows, read once per profile per queue message. */
export interface UserContext {
  workspaceId: string;
  /** The profile id, which is the Braze user id. */
  userId: string;
  externalUserId: string | null;
  email: string | null;
  phone: string | null;
  timezone: string | null;
  randomBucket: number | null;
}

/** One Currents event, ready to buffer: `flat` is the storage (Avro) record. */
export interface CurrentsEvent {
  id: string;
  type: EventType;
  flat: FlatRecord;
}

type MessageRecord = Extract<ChangeRecord, { type: 'message.event' }>;

/** Per channel: Herald's message event → the Currents event type's last element. */
const MESSAGE_EVENTS: Record<string, { prefix: string; events: Record<string, string> }> = {
  email: {
    prefix: 'users.messages.email',
    events: {
      send: 'Send',
      abort: 'Abort',
      delivery: 'Delivery',
      open: 'Open',
      click: 'Click',
      bounce: 'Bounce',
      soft_bounce: 'SoftBounce',
      spam: 'MarkAsSpam',
      unsubscribe: 'Unsubscribe',
    },
  },
  webhook: {
    prefix: 'users.messages.webhook',
    events: { send: 'Send', abort: 'Abort', failure: 'Failure' },
  },
  sms: {
    prefix: 'users.messages.sms',
    events: {
      send: 'Send',
      abort: 'Abort',
      delivery: 'Delivery',
      rejection: 'Rejection',
      delivery_failure: 'DeliveryFailure',
      click: 'ShortLinkClick',
    },
  },
  content_card: {
    prefix: 'users.messages.contentcard',
    events: {
      send: 'Send',
      abort: 'Abort',
      impression: 'Impression',
      click: 'Click',
      dismiss: 'Dismiss',
    },
  },
  in_app_message: {
    prefix: 'users.messages.inappmessage',
    events: { impression: 'Impression', click: 'Click', abort: 'Abort' },
  },
  // SDK-reported flag impressions (src/sdk-api/apply-interactions.ts).
  feature_flag: {
    prefix: 'users.messages.featureflag',
    events: { impression: 'Impression' },
  },
};

const PUSH_PLATFORMS: Record<string, string> = {
  apple_push: 'ios',
  android_push: 'android',
  web_push: 'web',
};
const PUSH_EVENTS: Record<string, string> = {
  send: 'Send',
  abort: 'Abort',
  open: 'Open',
  bounce: 'Bounce',
};

const SUBSCRIPTION_STATUS: Record<string, string> = {
  opted_in: 'Opted In',
  subscribed: 'Subscribed',
  unsubscribed: 'Unsubscribed',
};

/** The Currents event type a message event maps to, or null when Currents has none. */
export function messageEventType(channel: string, event: string): EventType | null {
  if (event === 'control') return 'users.campaigns.EnrollInControl';
  if (event === 'conversion') return 'users.campaigns.Conversion';
  const push = PUSH_PLATFORMS[channel];
  const table = push
    ? { prefix: 'users.messages.pushnotification', events: PUSH_EVENTS }
    : MESSAGE_EVENTS[channel];
  const last = table?.events[event];
  return last ? (`${table.prefix}.${last}` as EventType) : null;
}

/**
 * Fill every catalog field of `type` from `known`; null for the rest. Answers null when a
 * required field is unknown or a known value has the wrong type for its field.
 */
export function complete(type: EventType, known: FlatRecord): FlatRecord | null {
  const out: FlatRecord = {};
  for (const f of eventSpec(type).fields) {
    let v = known[f.name] ?? null;
    if (v !== null && !fits(f.type, v)) v = null;
    if (v === null && !f.optional) return null;
    out[f.name] = v;
  }
  return out;
}

function fits(type: string, v: unknown): boolean {
  switch (type) {
    case 'string':
      return typeof v === 'string';
    case 'int':
    case 'long':
      return typeof v === 'number' && Number.isInteger(v);
    case 'float':
      return typeof v === 'number' && Number.isFinite(v);
    case 'boolean':
      return typeof v === 'boolean';
    default:
      return Array.isArray(v) && v.every((s) => typeof s === 'string');
  }
}

function seconds(ms: number): number {
  return Math.floor(ms / 1000);
}

function base(record: ChangeRecord, user: UserContext): FlatRecord {
  return {
    id: record.id,
    user_id: user.userId,
    external_user_id: user.externalUserId,
    app_group_id: user.workspaceId,
    time: seconds(record.time),
    timezone: user.timezone,
  };
}

function event(type: EventType, id: string, known: FlatRecord): CurrentsEvent[] {
  const flat = complete(type, known);
  return flat ? [{ id, type, flat }] : [];
}

function messageEvents(record: MessageRecord, user: UserContext): CurrentsEvent[] {
  const type = messageEventType(record.channel, record.event);
  if (!type) return [];
  const extras = Object.keys(record.message_extras).length
    ? JSON.stringify(record.message_extras)
    : null;
  // Channel specifics named as Currents names them (user_agent, esp, is_amp, app_id, ...).
  const detail: FlatRecord = {};
  for (const [k, v] of Object.entries(record.detail ?? {})) {
    if (v === null || ['string', 'number', 'boolean'].includes(typeof v)) {
      detail[k] = v as string | number | boolean | null;
    } else if (Array.isArray(v) && v.every((s) => typeof s === 'string')) {
      detail[k] = v as string[];
    }
  }
  const reason = record.reason;
  const known: FlatRecord = {
    ...detail,
    ...base(record, user),
    dispatch_id: record.dispatch_id,
    send_id: record.send_id,
    campaign_id: record.campaign_id,
    message_variation_id: record.variant_id,
    message_extras: extras,
    email_address: user.email,
    to_phone_number: user.phone,
    user_phone_number: user.phone,
    platform: PUSH_PLATFORMS[record.channel] ?? (detail.platform as string | undefined) ?? null,
    url: record.url ?? null,
  };
  if (record.event === 'abort') {
    known.abort_log = reason === null ? null : reason.slice(0, 128);
    known.abort_type = detail.abort_type ?? null;
  }
  if (record.event === 'bounce' || record.event === 'soft_bounce') known.bounce_reason = reason;
  if (record.event === 'rejection' || record.event === 'delivery_failure') known.error = reason;
  if (record.event === 'failure') {
    known.http_status_code = record.status;
    known.raw_response = detail.raw_response ?? reason;
    known.is_terminal = true;
  }
  if (record.event === 'conversion') known.conversion_behavior_index = record.conversion ?? null;
  return event(type, record.id, known);
}

/** The Currents events one change record becomes (none, one, or one per purchased unit). */
export function currentsEvents(record: ChangeRecord, user: UserContext): CurrentsEvent[] {
  switch (record.type) {
    case 'event.custom':
      return event('users.behaviors.CustomEvent', record.id, {
        ...base(record, user),
        app_id: record.app_id,
        name: record.name,
        properties: JSON.stringify(record.properties),
      });
    case 'event.purchase': {
      // Currents has no quantity: Braze records quantity X as X purchases of one unit.
      const out: CurrentsEvent[] = [];
      for (let i = 0; i < Math.max(1, record.quantity); i++) {
        const id = i === 0 ? record.id : `${record.id}-${i}`;
        out.push(
          ...event('users.behaviors.Purchase', id, {
            ...base(record, user),
            id,
            app_id: record.app_id,
            product_id: record.product_id,
            price: record.price,
            currency: record.currency,
            properties: JSON.stringify(record.properties),
          }),
        );
      }
      return out;
    }
    case 'subscription.changed': {
      const status = record.state === null ? null : (SUBSCRIPTION_STATUS[record.state] ?? null);
      if (record.channel === 'subscription_group') {
        return event('users.behaviors.subscriptiongroup.StateChange', record.id, {
          ...base(record, user),
          subscription_group_id: record.group_id,
          subscription_status: status,
          email_address: user.email,
          phone_number: user.phone,
        });
      }
      return event('users.behaviors.subscription.GlobalStateChange', record.id, {
        ...base(record, user),
        subscription_status: status,
        channel: record.channel,
        email_address: record.channel === 'email' ? user.email : null,
        channel_identifier: record.channel === 'email' ? user.email : null,
      });
    }
    case 'session.started':
    case 'session.ended':
      return event(
        record.type === 'session.started'
          ? 'users.behaviors.app.SessionStart'
          : 'users.behaviors.app.SessionEnd',
        record.id,
        {
          ...base(record, user),
          app_id: record.app_id,
          session_id: record.session_id,
          ...(record.type === 'session.ended' ? { duration: record.duration ?? null } : {}),
        },
      );
    case 'profile.created':
      return event('users.RandomBucketNumberUpdate', record.id, {
        ...base(record, user),
        random_bucket_number: user.randomBucket,
      });
    case 'profile.deleted':
      return event('users.UserDeleteRequest', record.id, base(record, user));
    case 'profile.orphaned':
      return event('users.UserOrphan', record.id, {
        ...base(record, user),
        orphaned_by_id: record.merged_into,
      });
    case 'message.event':
      return messageEvents(record, user);
    default:
      return [];
  }
}
