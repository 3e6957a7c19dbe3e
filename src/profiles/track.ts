import type {
  AttributesInput,
  EventInput,
  PurchaseInput,
  SessionInput,
  StandardFields,
} from '../ingestion/types';
import type { SegmentableProperties } from '../workspaces/settings';
import { recordEvent, recordPurchase } from './activity';
import { applyCustomOp, type StoredAttr } from './attribute-ops';
import { removeCardsOnEvent } from './cards';
import { convertOnEvent, convertOnPurchase } from './conversions';
import { type ProfileStore, Rejection } from './profile-store';
import { bucketEvent, bucketPurchase, propertyLookup } from './property-buckets';
import { recordSession } from './sessions';

/** How long a client id is remembered: SDK retries come within minutes, offline queues within days. */
const CLIENT_ID_RETENTION_MS = 30 * 86_400_000;

import { registerPushToken } from './push-devices';

/** Per-workspace settings the profile needs to apply a request. */
export interface ApplySettings {
  arrayMaxLength: number;
  /** Event and purchase properties enabled for segmentation; none when absent. */
  segmentable?: SegmentableProperties;
}

/** The outcome of one request object on this profile; `error` means it was rolled back. */
export interface ObjectOutcome {
  array: 'attributes' | 'events' | 'purchases' | 'sessions';
  index: number;
  error?: string;
}

type Change = { key: string; custom: boolean; old: unknown; new: unknown };

function standardType(value: unknown): StoredAttr['type'] {
  if (typeof value === 'number') return 'number';
  if (typeof value === 'boolean') return 'boolean';
  if (typeof value === 'object') return 'object';
  return 'string';
}

function applyStandard(
  store: ProfileStore,
  fields: StandardFields,
  now: number,
  changes: Change[],
): void {
  for (const [key, value] of Object.entries(fields)) {
    if (value === undefined) continue;
    const attr = value === null ? null : { type: standardType(value), value };
    const old = store.putAttr({ key, custom: false, attr, now });
    if (JSON.stringify(old) === JSON.stringify(value)) continue;
    changes.push({ key, custom: false, old, new: value });
    if (key === 'email' || key === 'phone') {
      if (typeof old === 'string') store.emitIndexOp({ op: 'unlink', kind: key, value: old });
      if (typeof value === 'string') store.emitIndexOp({ op: 'link', kind: key, value });
    }
    if (key === 'email_subscribe' || key === 'push_subscribe') {
      store.emit({
        type: 'subscription.changed',
        time: now,
        channel: key === 'email_subscribe' ? 'email' : 'push',
        group_id: null,
        state: value as string,
      });
    }
  }
}

export function applyAttributesObject(
  store: ProfileStore,
  input: AttributesInput,
  settings: ApplySettings,
  now: number,
): void {
  const changes: Change[] = [];
  applyStandard(store, input.standard, now, changes);
  for (const t of input.pushTokens) registerPushToken(store, t, now);
  for (const g of input.subscriptionGroups) {
    store.sql.exec(
      `INSERT INTO subscription_groups (group_id, state, updated_at) VALUES (?, ?, ?)
       ON CONFLICT(group_id) DO UPDATE SET state = excluded.state, updated_at = excluded.updated_at`,
      g.subscription_group_id,
      g.subscription_state,
      now,
    );
    store.emit({
      type: 'subscription.changed',
      time: now,
      channel: 'subscription_group',
      group_id: g.subscription_group_id,
      state: g.subscription_state,
    });
  }
  for (const op of input.custom) {
    const current = store.getAttr(op.key, true);
    const result = applyCustomOp(current, op, settings.arrayMaxLength);
    if (result.type === 'rejected') throw new Rejection(result.reason);
    const attr = result.type === 'set' ? result.attr : null;
    const old = store.putAttr({ key: op.key, custom: true, attr, now });
    const next = attr?.value ?? null;
    if (JSON.stringify(old) !== JSON.stringify(next)) {
      changes.push({ key: op.key, custom: true, old, new: next });
    }
  }
  if (changes.length > 0) {
    store.emit({ type: 'attributes.changed', time: now, changes: changes as never });
  }
}

/** Validated `/users/track` (or SDK) objects, as a profile applies them. */
export interface TrackBatch {
  attributes: AttributesInput[];
  events: EventInput[];
  purchases: PurchaseInput[];
  sessions?: SessionInput[];
  settings: ApplySettings;
  now: number;
}

/**
 * Apply a profile's share of a `/users/track` request, in Braze's order (attributes, then events,
 * then purchases). Each object commits in its own transaction with the records it emits; an
 * object that cannot apply is rolled back whole and reported, and the others still land.
 */
export function applyTrack(store: ProfileStore, input: TrackBatch): ObjectOutcome[] {
  const outcomes: ObjectOutcome[] = [];
  let clientIds = false;
  const run = (
    array: ObjectOutcome['array'],
    object: { index: number; clientId?: string },
    fn: () => void,
  ) => {
    const index = object.index;
    try {
      store.transact(() => {
        if (object.clientId !== undefined) {
          clientIds = true;
          // An SDK object applies once: a retried batch finds its id and changes nothing.
          const fresh = store.sql.exec(
            'INSERT OR IGNORE INTO client_seen (id, at) VALUES (?, ?)',
            `${array}:${object.clientId}`,
            input.now,
          ).rowsWritten;
          if (fresh === 0) return;
        }
        fn();
        store.touch(input.now);
      });
      outcomes.push({ array, index });
    } catch (err) {
      if (!(err instanceof Rejection)) throw err;
      outcomes.push({ array, index, error: err.message });
    }
  };
  for (const a of input.attributes) {
    run('attributes', a, () => applyAttributesObject(store, a, input.settings, input.now));
  }
  const lookup = propertyLookup(input.settings.segmentable);
  const now = input.now;
  // Sessions first: an SDK batch's events happen inside the session it opens.
  for (const session of input.sessions ?? []) {
    run('sessions', session, () => recordSession(store, session));
  }
  for (const event of input.events) {
    run('events', event, () => {
      recordEvent(store, event, now);
      bucketEvent(store, { event, lookup, now });
      convertOnEvent(store, event, now);
      removeCardsOnEvent(store, { type: 'custom_event', name: event.name }, now);
    });
  }
  for (const purchase of input.purchases) {
    run('purchases', purchase, () => {
      recordPurchase(store, purchase, now);
      bucketPurchase(store, { purchase, lookup, now });
      convertOnPurchase(store, purchase, now);
      removeCardsOnEvent(store, { type: 'purchase', productId: purchase.productId }, now);
    });
  }
  if (clientIds) {
    store.sql.exec('DELETE FROM client_seen WHERE at < ?', now - CLIENT_ID_RETENTION_MS);
  }
  return outcomes;
}
