import type { ChangeBatch } from '../changes/records';
import { toUsd } from './usd';

/**
 * What change records add to the analytics rollups: the pure core of the rollup handler. Custom
 * events, purchases and profile creations add to hourly counters (once per record id, which the
 * handler enforces); events and purchases mark their user active on the day and in the app.
 */

export type Metric =
  | 'event'
  | 'purchases'
  | 'purchase_quantity'
  | 'revenue'
  | 'new_users'
  | 'sessions';

/** One record's addition to one hourly counter. */
export interface CounterDelta {
  recordId: string;
  workspaceId: string;
  metric: Metric;
  name: string;
  appId: string;
  /** `YYYY-MM-DDTHH` (UTC). */
  hour: string;
  value: number;
}

/** A user active on a day in an app ('' when the activity named none). */
export interface Activity {
  workspaceId: string;
  day: string;
  appId: string;
  profileId: string;
}

export interface Rollup {
  counters: CounterDelta[];
  /** Event names and product ids seen, by workspace. */
  names: { workspaceId: string; kind: 'event' | 'product'; name: string; at: number }[];
  activity: Activity[];
  /** Purchases whose currency has no rate: counted, without revenue. */
  unconverted: { workspaceId: string; currency: string }[];
}

/** `YYYY-MM-DDTHH` (UTC) of an epoch-ms time. */
export const hourOf = (ms: number) => new Date(ms).toISOString().slice(0, 13);

/**
 * The rollup of some change batches. `usdRates` gives each workspace's exchange-rate overrides.
 * Activity and names are de-duplicated here; counters stay per record so the handler can apply
 * each record once.
 */
export function rollup(
  batches: readonly ChangeBatch[],
  usdRates: (workspaceId: string) => Readonly<Record<string, number>>,
): Rollup {
  const out: Rollup = { counters: [], names: [], activity: [], unconverted: [] };
  const seenActivity = new Set<string>();
  const seenNames = new Set<string>();
  for (const b of batches) {
    const ws = b.workspace_id;
    const add = (
      recordId: string,
      time: number,
      c: Omit<CounterDelta, 'recordId' | 'workspaceId' | 'hour'>,
    ) => out.counters.push({ recordId, workspaceId: ws, hour: hourOf(time), ...c });
    const active = (time: number, appId: string) => {
      const a = { workspaceId: ws, day: hourOf(time).slice(0, 10), appId, profileId: b.profile_id };
      const key = `${ws}\n${a.day}\n${appId}\n${b.profile_id}`;
      if (seenActivity.has(key)) return;
      seenActivity.add(key);
      out.activity.push(a);
    };
    const named = (kind: 'event' | 'product', name: string, at: number) => {
      const key = `${ws}\n${kind}\n${name}`;
      if (seenNames.has(key)) return;
      seenNames.add(key);
      out.names.push({ workspaceId: ws, kind, name, at });
    };
    for (const r of b.records) {
      if (r.type === 'event.custom') {
        const appId = r.app_id ?? '';
        add(r.id, r.time, { metric: 'event', name: r.name, appId, value: 1 });
        named('event', r.name, r.time);
        active(r.time, appId);
      } else if (r.type === 'event.purchase') {
        const appId = r.app_id ?? '';
        const name = r.product_id;
        add(r.id, r.time, { metric: 'purchases', name, appId, value: 1 });
        add(r.id, r.time, { metric: 'purchase_quantity', name, appId, value: r.quantity });
        const usd = toUsd(r.price * r.quantity, r.currency, usdRates(ws));
        if (usd === null) out.unconverted.push({ workspaceId: ws, currency: r.currency });
        else add(r.id, r.time, { metric: 'revenue', name, appId, value: usd });
        named('product', name, r.time);
        active(r.time, appId);
      } else if (r.type === 'profile.created') {
        add(r.id, r.time, { metric: 'new_users', name: '', appId: '', value: 1 });
      } else if (r.type === 'session.started') {
        // SDK sessions (docs/sdk-protocol.md): Braze's session count, and an active user.
        add(r.id, r.time, { metric: 'sessions', name: '', appId: r.app_id, value: 1 });
        active(r.time, r.app_id);
      }
    }
  }
  return out;
}
