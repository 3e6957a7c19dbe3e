// The campaigns page's statistics chart, as pure functions: numbers in, positions out. No DOM,
// so the unit tests import this module directly and the page only draws what it answers.

/**
 * Sends per day of each variation, and the campaign-wide day counters, from the `data` of
 * `/campaigns/data_series`. A series is one variation on one channel; control groups count
 * `enrolled`, not sends, so they are kept apart.
 * @example sendSeries(json.data).series[0] // { key: 'webhook|…', label: 'Variant 1', values: [3, 0, 5] }
 */
export function sendSeries(data) {
  const days = data.map((d) => d.time);
  const channels = [...new Set(data.flatMap((d) => Object.keys(d.messages ?? {})))];
  const sends = new Map();
  const enrolled = new Array(days.length).fill(0);
  data.forEach((day, i) => {
    for (const channel of channels) {
      for (const v of day.messages?.[channel] ?? []) {
        if (typeof v.sent !== 'number') {
          enrolled[i] += Number(v.enrolled ?? 0);
          continue;
        }
        const key = `${channel}|${v.variation_api_id}`;
        if (!sends.has(key)) {
          const label = channels.length > 1 ? `${v.variation_name} (${channel})` : v.variation_name;
          sends.set(key, { key, label, values: new Array(days.length).fill(0) });
        }
        sends.get(key).values[i] += v.sent;
      }
    }
  });
  const field = (name) => data.map((d) => Number(d[name] ?? 0));
  return {
    days,
    series: [...sends.values()],
    enrolled,
    conversions: field('conversions'),
    uniqueRecipients: field('unique_recipients'),
    revenue: field('revenue'),
  };
}

/** True when nothing at all was counted in the series (the page shows an empty state). */
export function isEmpty(s) {
  const all = [...s.series.flatMap((x) => x.values), ...s.enrolled, ...s.conversions, ...s.revenue];
  return all.every((n) => n === 0);
}

/**
 * Round axis ticks from 0 to at least `max`: steps of 1, 2 or 5 times a power of ten, whole
 * numbers only (counts are whole).
 * @example niceTicks(37) // [0, 10, 20, 30, 40]
 */
export function niceTicks(max, count = 4) {
  if (!(max > 0)) return [0, 1];
  const raw = max / count;
  const magnitude = 10 ** Math.floor(Math.log10(raw));
  const norm = raw / magnitude;
  const step = Math.max(1, (norm <= 1 ? 1 : norm <= 2 ? 2 : norm <= 5 ? 5 : 10) * magnitude);
  const top = Math.ceil(max / step) * step;
  return Array.from({ length: Math.round(top / step) + 1 }, (_, i) => i * step);
}

/**
 * An axis label short enough for the margin: thousands as `k` from 10,000, millions as `M`.
 * @example tickLabel(25000) // '25k'
 */
export function tickLabel(n) {
  if (n >= 1e6) return `${n / 1e6}M`;
  if (n >= 1e4) return `${n / 1e3}k`;
  return String(n);
}

const MARGIN = { top: 16, right: 56, bottom: 32, left: 56 };

/**
 * Where everything goes in a `width` × `height` viewBox: sends as bars stacked per day (one
 * rectangle per non-zero series value), conversions as a line on a right-hand axis of its own,
 * tick positions for both axes, and day labels thinned so they do not overlap.
 */
export function chartLayout({ days, series, conversions, width = 720, height = 280, formatDay }) {
  const fmt = formatDay ?? ((d) => d.slice(5));
  const plot = {
    left: MARGIN.left,
    top: MARGIN.top,
    right: width - MARGIN.right,
    bottom: height - MARGIN.bottom,
  };
  const plotWidth = plot.right - plot.left;
  const plotHeight = plot.bottom - plot.top;
  const n = Math.max(days.length, 1);
  const band = plotWidth / n;
  const barWidth = Math.max(1, band * 0.7);

  const totals = days.map((_, i) => series.reduce((sum, s) => sum + s.values[i], 0));
  const yTicksValues = niceTicks(Math.max(0, ...totals));
  const y2TicksValues = niceTicks(Math.max(0, ...conversions));
  const yMax = yTicksValues.at(-1);
  const y2Max = y2TicksValues.at(-1);
  const yOf = (v) => plot.bottom - (v / yMax) * plotHeight;
  const y2Of = (v) => plot.bottom - (v / y2Max) * plotHeight;
  const center = (i) => plot.left + band * (i + 0.5);

  const bars = [];
  days.forEach((day, i) => {
    let base = 0;
    series.forEach((s, si) => {
      const value = s.values[i];
      if (value <= 0) return;
      const y = yOf(base + value);
      bars.push({
        x: center(i) - barWidth / 2,
        y,
        width: barWidth,
        height: yOf(base) - y,
        series: si,
        day,
        value,
      });
      base += value;
    });
  });

  const labelEvery = Math.ceil(n / Math.max(1, Math.floor(plotWidth / 56)));
  return {
    width,
    height,
    plot,
    bars,
    line: conversions.map((value, i) => ({ x: center(i), y: y2Of(value), value, day: days[i] })),
    yTicks: yTicksValues.map((value) => ({ value, y: yOf(value) })),
    y2Ticks: y2TicksValues.map((value) => ({ value, y: y2Of(value) })),
    xLabels: days.flatMap((day, i) =>
      i % labelEvery === 0 ? [{ x: center(i), text: fmt(day) }] : [],
    ),
  };
}

/**
 * Each channel's engagement funnel over the whole window, from the same `data`: the steps a
 * marketer reads left to right (sent, delivered, opened, clicked…), summed over days and
 * variations, each with its share of the channel's sends. Steps a channel does not count are
 * left out; a channel whose steps are all zero beyond `sent` still shows its sends.
 * @example funnels(json.data)[0] // { channel: 'email', steps: [{ label: 'Sent', value: 10, share: 1 }, …] }
 */
export const FUNNEL_STEPS = {
  email: [
    ['sent', 'Sent'],
    ['delivered', 'Delivered'],
    ['unique_opens', 'Unique opens'],
    ['unique_clicks', 'Unique clicks'],
    ['unsubscribes', 'Unsubscribed'],
    ['bounces', 'Bounced'],
    ['reported_spam', 'Reported spam'],
  ],
  sms: [
    ['sent', 'Sent'],
    ['sent_to_carrier', 'Sent to carrier'],
    ['delivered', 'Delivered'],
    ['clicks', 'Clicks'],
    ['delivery_failed', 'Delivery failed'],
    ['rejected', 'Rejected'],
    ['opt_out', 'Opted out'],
  ],
  content_cards: [
    ['sent', 'Sent'],
    ['unique_impressions', 'Unique impressions'],
    ['unique_clicks', 'Unique clicks'],
    ['unique_dismissals', 'Unique dismissals'],
  ],
  push: [
    ['sent', 'Sent'],
    ['direct_opens', 'Direct opens'],
    ['body_clicks', 'Body clicks'],
    ['bounces', 'Bounced'],
  ],
  webhook: [
    ['sent', 'Sent'],
    ['errors', 'Errors'],
  ],
};

const PUSH_CHANNELS = new Set(['ios_push', 'android_push', 'web_push', 'kindle_push']);

export function funnels(data) {
  const totals = new Map();
  for (const day of data) {
    for (const [channel, variations] of Object.entries(day.messages ?? {})) {
      const sum = totals.get(channel) ?? {};
      for (const v of variations) {
        for (const [k, n] of Object.entries(v)) {
          if (typeof n === 'number') sum[k] = (sum[k] ?? 0) + n;
        }
      }
      totals.set(channel, sum);
    }
  }
  const out = [];
  for (const [channel, sum] of totals) {
    const steps = FUNNEL_STEPS[PUSH_CHANNELS.has(channel) ? 'push' : channel];
    if (!steps || !(sum.sent > 0)) continue;
    out.push({
      channel,
      steps: steps
        .filter(([field]) => field in sum)
        .map(([field, label]) => ({
          field,
          label,
          value: sum[field],
          share: sum[field] / sum.sent,
        })),
    });
  }
  return out;
}

/** A share as a short percentage: one decimal under 10 %, none above. */
export function percentLabel(share) {
  const p = share * 100;
  if (p === 0) return '0 %';
  return `${p < 10 ? p.toFixed(1) : Math.round(p)} %`;
}
