import { z } from 'zod';
import type { Permission } from '../auth/permissions';
import { parseBrazeTime } from '../ingestion/time';
import { counterSeries, dauSeries, mauSeries, newUserSeries } from './series';
import { fillSeries, type SeriesWindow, seriesWindow } from './window';

/**
 * Braze's analytics series (contract §3.1, §3.3–§3.5), declared once: the REST endpoints and the
 * CSV exports are both built from this table.
 */

export interface SeriesDefinition {
  path: string;
  permission: Permission;
  summary: string;
  /** The value's key in each `data` item. */
  key: string;
  /** Whether `unit=hour` is documented for it (KPIs are daily only). */
  hourly: boolean;
  /** The query parameter that names an event or a product, and whether it is required. */
  nameParam?: { name: 'event' | 'product'; required: boolean };
  read(
    db: D1Database,
    input: { workspaceId: string; window: SeriesWindow; name?: string; appId?: string },
  ): Promise<Map<string, number>>;
}

const zeros = async () => new Map<string, number>();

export const SERIES = {
  events: {
    path: '/events/data_series',
    permission: 'events.data_series',
    summary: 'Occurrences of a custom event over time',
    key: 'count',
    hourly: true,
    nameParam: { name: 'event', required: true },
    read: (db, i) => counterSeries(db, { ...i, metric: 'event' }),
  },
  purchase_quantity: {
    path: '/purchases/quantity_series',
    permission: 'purchases.quantity_series',
    summary: 'Purchased quantity over time, of all products or one',
    key: 'purchase_quantity',
    hourly: true,
    nameParam: { name: 'product', required: false },
    read: (db, i) => counterSeries(db, { ...i, metric: 'purchase_quantity' }),
  },
  revenue: {
    path: '/purchases/revenue_series',
    permission: 'purchases.revenue_series',
    summary: 'Revenue in USD over time, of all products or one',
    key: 'revenue',
    hourly: true,
    nameParam: { name: 'product', required: false },
    read: (db, i) => counterSeries(db, { ...i, metric: 'revenue' }),
  },
  sessions: {
    path: '/sessions/data_series',
    permission: 'sessions.data_series',
    summary: 'Sessions over time',
    key: 'sessions',
    hourly: true,
    read: (db, i) => counterSeries(db, { ...i, metric: 'sessions' }),
  },
  dau: {
    path: '/kpi/dau/data_series',
    permission: 'kpi.dau.data_series',
    summary: 'Daily active users',
    key: 'dau',
    hourly: false,
    read: dauSeries,
  },
  mau: {
    path: '/kpi/mau/data_series',
    permission: 'kpi.mau.data_series',
    summary: 'Monthly active users: distinct users active in the 30 days ending on each day',
    key: 'mau',
    hourly: false,
    read: mauSeries,
  },
  new_users: {
    path: '/kpi/new_users/data_series',
    permission: 'kpi.new_users.data_series',
    summary: 'New users per day',
    key: 'new_users',
    hourly: false,
    read: newUserSeries,
  },
  uninstalls: {
    path: '/kpi/uninstalls/data_series',
    permission: 'kpi.uninstalls.data_series',
    summary: 'App uninstalls per day',
    key: 'uninstalls',
    hourly: false,
    read: zeros,
  },
} as const satisfies Record<string, SeriesDefinition>;

export type SeriesName = keyof typeof SERIES;
export const SERIES_NAMES = Object.keys(SERIES) as [SeriesName, ...SeriesName[]];

const LENGTH = 'length must be an integer from 1 to 100';

/** The parameters every series shares (contract §3). */
export const SeriesParams = z.object({
  length: z.coerce.number({ error: LENGTH }).int(LENGTH).min(1, LENGTH).max(100, LENGTH),
  ending_at: z
    .string()
    .refine((s) => parseBrazeTime(s) !== null, 'ending_at must be an ISO 8601 time')
    .transform((s) => parseBrazeTime(s)!.getTime())
    .optional(),
  unit: z.enum(['day', 'hour'], { error: 'unit must be day or hour' }).default('day'),
  app_id: z.string().min(1, 'app_id cannot be empty').max(255).optional(),
  event: z.string().min(1, 'event cannot be empty').max(255).optional(),
  product: z.string().min(1, 'product cannot be empty').max(255).optional(),
  segment_id: z.string().optional(),
});
export type SeriesParams = z.infer<typeof SeriesParams>;

/** Why these parameters do not fit the series, or null. */
export function paramsProblem(def: SeriesDefinition, p: SeriesParams): string | null {
  if (def.nameParam?.required && p[def.nameParam.name] === undefined) {
    return `${def.nameParam.name} is required`;
  }
  // Counting per segment needs rollups per analytics-tracked segment, which Herald does not keep
  // yet; answering the unfiltered series instead would be wrong, so the filter is refused.
  if (p.segment_id !== undefined) return 'segment_id is not supported by Herald yet';
  return null;
}

/** The series a request asks for: every bucket of the window, zeros where nothing happened. */
export async function readSeries(
  db: D1Database,
  input: { workspaceId: string; def: SeriesDefinition; params: SeriesParams; now: number },
): Promise<{ time: string; value: number }[]> {
  const { def, params } = input;
  const window = seriesWindow({
    length: params.length,
    // KPIs are daily only: a unit given to them is ignored, as Braze ignores unknown parameters.
    unit: def.hourly ? params.unit : 'day',
    endingAt: params.ending_at ?? input.now,
  });
  const name = def.nameParam ? params[def.nameParam.name] : undefined;
  const values = await def.read(db, {
    workspaceId: input.workspaceId,
    window,
    ...(name !== undefined ? { name } : {}),
    ...(params.app_id !== undefined ? { appId: params.app_id } : {}),
  });
  return fillSeries(window, values);
}
