/**
 * The buckets of an analytics series (contract §3): `length` units ending with the one that holds
 * `endingAt`, oldest first, in UTC. Pure, so the window arithmetic is unit-tested on its own.
 */

export type Unit = 'day' | 'hour';

const HOUR_MS = 3_600_000;
const DAY_MS = 24 * HOUR_MS;

export interface SeriesWindow {
  unit: Unit;
  /** Bucket keys, oldest first: `YYYY-MM-DD` (day) or `YYYY-MM-DDTHH` (hour). */
  keys: string[];
  /** The first and last hour key the window covers, inclusive. */
  firstHour: string;
  lastHour: string;
}

/** The window of a series request. */
export function seriesWindow(input: {
  length: number;
  unit: Unit;
  endingAt: number;
}): SeriesWindow {
  const step = input.unit === 'day' ? DAY_MS : HOUR_MS;
  const width = input.unit === 'day' ? 10 : 13;
  const end = Math.floor(input.endingAt / step) * step;
  const keys: string[] = [];
  for (let i = input.length - 1; i >= 0; i--) {
    keys.push(new Date(end - i * step).toISOString().slice(0, width));
  }
  const first = keys[0]!;
  const last = keys[keys.length - 1]!;
  return {
    unit: input.unit,
    keys,
    firstHour: input.unit === 'day' ? `${first}T00` : first,
    lastHour: input.unit === 'day' ? `${last}T23` : last,
  };
}

/** The `time` of a bucket as Braze writes it: an ISO 8601 date, or an extended date-time. */
export function bucketTime(unit: Unit, key: string): string {
  return unit === 'day' ? key : `${key}:00:00+00:00`;
}

/** One value per bucket, zero where nothing was counted. */
export function fillSeries(
  window: SeriesWindow,
  values: ReadonlyMap<string, number>,
): { time: string; value: number }[] {
  return window.keys.map((k) => ({ time: bucketTime(window.unit, k), value: values.get(k) ?? 0 }));
}
