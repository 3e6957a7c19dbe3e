import type {
  AttributesInput,
  EventInput,
  PurchaseInput,
  StandardFields,
} from '../ingestion/types';
import type { SegmentableProperties } from '../workspaces/settings';
import { recordEvent, recordPurchase } from './activity';
import { applyCustomOp, type StoredAttr } from './attribute-ops';
import { convertOnEvent, convertOnPurchase } from './conversions';
import { type ProfileStore, Rejection } from './profile-store';
import { bucketEvent, bucketPurchase, propertyLookup } from './property-buckets';
import { registerPushToken } from './push-devices';

/** Per-workspace settings the profile needs to apply a request. */
export interface ApplySettings {
  arrayMaxLength: number;
  /** Event and purchase properties enabled for segmentation; none when absent. */
  segmentable?: SegmentableProperties;
}

/** The outcome of one request object on this profile; `error` means it was rolled back. */
export interface ObjectOutcome {
  array: 'attributes' | 'events' | 'purchases';
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

/**
 * Apply a profile's share of a `/users/track` request, in Braze's order (attributes, then events,
 * then purchases). Each object commits in its own transaction with the records it emits; an
 * object that cannot apply is rolled back whole and reported, and the others still land.
 */
export function applyTrack(
  store: ProfileStore,
  input: {
    attributes: AttributesInput[];
    events: EventInput[];
    purchases: PurchaseInput[];
    settings: ApplySettings;
    now: number;
  },
): ObjectOutcome[] {
  const outcomes: ObjectOutcome[] = [];
  const run = (array: ObjectOutcome['array'], index: number, fn: () => void) => {
    try {
      store.transact(() => {
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
    run('attributes', a.index, () => applyAttributesObject(store, a, input.settings, input.now));
  }
  const lookup = propertyLookup(input.settings.segmentable);
  const now = input.now;
  for (const event of input.events) {
    run('events', event.index, () => {
      recordEvent(store, event, now);
      bucketEvent(store, { event, lookup, now });
      convertOnEvent(store, event, now);
    });
  }
  for (const purchase of input.purchases) {
    run('purchases', purchase.index, () => {
      recordPurchase(store, purchase, now);
      bucketPurchase(store, { purchase, lookup, now });
      convertOnPurchase(store, purchase, now);
    });
  }
  return outcomes;
}
