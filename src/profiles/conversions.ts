import type { ConversionEvent } from '../campaigns/model';
import type { EventInput, PurchaseInput } from '../ingestion/types';
import type { ProfileStore } from './profile-store';

/**
 * Campaign conversions (contract §3.7), decided in the user's profile as behaviour arrives. A send
 * stores its campaign's conversion events with the engagement row; a later custom event or
 * purchase inside a conversion event's window (from the last receipt) converts the user, once per
 * conversion event per campaign. Purchases inside the primary event's window count as the
 * campaign's revenue. Each becomes a `message.event` change record (`conversion`, `revenue`) for
 * the campaign statistics and Currents.
 */

interface EngagementRow {
  campaign_id: string;
  last_received_at: number;
  conversions: string;
  converted: string;
  last_send_id: string | null;
  variant_id: string | null;
  [k: string]: SqlStorageValue;
}

/** What a conversion event matches. */
type Behaviour =
  | { kind: 'custom'; name: string; time: number }
  | { kind: 'purchase'; productId: string; time: number; revenue: number };

function matches(e: ConversionEvent, b: Behaviour): boolean {
  switch (e.type) {
    case 'Performs Custom Event':
      return b.kind === 'custom' && b.name === e.custom_event_name;
    case 'Makes Any Purchase':
      return b.kind === 'purchase';
    case 'Makes Specific Purchase':
      return b.kind === 'purchase' && b.productId === e.product;
    default:
      // Sessions, app upgrades and email opens/clicks arrive with the SDK and email channels.
      return false;
  }
}

function check(store: ProfileStore, b: Behaviour, now: number): void {
  const rows = store.sql
    .exec<EngagementRow>(
      `SELECT campaign_id, last_received_at, conversions, converted, last_send_id, variant_id
       FROM message_engagement WHERE conversions IS NOT NULL AND last_received_at IS NOT NULL
         AND last_received_at <= ?`,
      b.time,
    )
    .toArray();
  for (const row of rows) {
    const events = JSON.parse(row.conversions) as ConversionEvent[];
    const converted = new Set(JSON.parse(row.converted) as number[]);
    let changed = false;
    events.forEach((e, i) => {
      if (converted.has(i) || !matches(e, b)) return;
      if (b.time - row.last_received_at > e.window * 1_000) return;
      converted.add(i);
      changed = true;
      emit(store, row, { event: 'conversion', conversion: i, revenue: null }, now);
    });
    const primary = events[0];
    if (
      b.kind === 'purchase' &&
      primary !== undefined &&
      b.time - row.last_received_at <= primary.window * 1_000
    ) {
      emit(store, row, { event: 'revenue', conversion: null, revenue: b.revenue }, now);
    }
    if (changed) {
      store.sql.exec(
        `UPDATE message_engagement SET converted = ?, converted_at = COALESCE(converted_at, ?)
         WHERE campaign_id = ?`,
        JSON.stringify([...converted].sort()),
        b.time,
        row.campaign_id,
      );
    }
  }
}

function emit(
  store: ProfileStore,
  row: EngagementRow,
  what: { event: 'conversion' | 'revenue'; conversion: number | null; revenue: number | null },
  now: number,
): void {
  store.emit({
    type: 'message.event',
    time: now,
    event: what.event,
    channel: '',
    dispatch_id: '',
    send_id: row.last_send_id,
    campaign_id: row.campaign_id,
    variant_id: row.variant_id,
    reason: null,
    status: null,
    message_extras: {},
    ...(what.conversion !== null ? { conversion: what.conversion } : {}),
    ...(what.revenue !== null ? { revenue: what.revenue } : {}),
  });
}

export function convertOnEvent(store: ProfileStore, e: EventInput, now: number): void {
  check(store, { kind: 'custom', name: e.name, time: e.time }, now);
}

export function convertOnPurchase(store: ProfileStore, p: PurchaseInput, now: number): void {
  check(
    store,
    { kind: 'purchase', productId: p.productId, time: p.time, revenue: p.price * p.quantity },
    now,
  );
}
