import { describe, expect, it } from 'vitest';
import {
  chartLayout,
  funnels,
  isEmpty,
  niceTicks,
  percentLabel,
  type SeriesDay,
  sendSeries,
  tickLabel,
} from '../../../admin/chart.js';

/** One day of `/campaigns/data_series` for an A/B webhook campaign with a control group. */
function day(time: string, a: number, b: number, extra: Record<string, number> = {}): SeriesDay {
  return {
    time,
    conversions: 0,
    unique_recipients: a + b,
    revenue: 0,
    ...extra,
    messages: {
      webhook: [
        { variation_name: 'Short', variation_api_id: 'mv-a', sent: a, errors: 0 },
        { variation_name: 'Long', variation_api_id: 'mv-b', sent: b, errors: 0 },
        { variation_name: 'Control', variation_api_id: 'ctl', enrolled: 1 },
      ],
    },
  };
}

describe('sendSeries', () => {
  it('gives one series of daily sends per variation, the control group apart', () => {
    const s = sendSeries([day('2026-11-01', 3, 4), day('2026-11-02', 0, 5, { conversions: 2 })]);
    expect(s.days).toEqual(['2026-11-01', '2026-11-02']);
    expect(s.series).toEqual([
      { key: 'webhook|mv-a', label: 'Short', values: [3, 0] },
      { key: 'webhook|mv-b', label: 'Long', values: [4, 5] },
    ]);
    expect(s.enrolled).toEqual([1, 1]);
    expect(s.conversions).toEqual([0, 2]);
    expect(s.uniqueRecipients).toEqual([7, 5]);
  });

  it('names the channel in each label when the campaign sends on several', () => {
    const data: SeriesDay[] = [
      {
        time: '2026-11-01',
        messages: {
          email: [{ variation_name: 'Variant 1', variation_api_id: 'e', sent: 1 }],
          webhook: [{ variation_name: 'Variant 1', variation_api_id: 'w', sent: 2 }],
        },
      },
    ];
    expect(sendSeries(data).series.map((x) => x.label)).toEqual([
      'Variant 1 (email)',
      'Variant 1 (webhook)',
    ]);
  });

  it('calls a series with nothing counted empty, and one with only enrolments not', () => {
    const empty = sendSeries([{ time: '2026-11-01', messages: { webhook: [] } }]);
    expect(isEmpty(empty)).toBe(true);
    expect(isEmpty(sendSeries([day('2026-11-01', 0, 0)]))).toBe(false);
  });
});

describe('niceTicks', () => {
  it('steps by 1, 2 or 5 times a power of ten up to at least the maximum', () => {
    expect(niceTicks(37)).toEqual([0, 10, 20, 30, 40]);
    expect(niceTicks(7)).toEqual([0, 2, 4, 6, 8]);
    expect(niceTicks(1800)).toEqual([0, 500, 1000, 1500, 2000]);
  });

  it('never steps by less than one, since counts are whole', () => {
    expect(niceTicks(2)).toEqual([0, 1, 2]);
  });

  it('answers 0 and 1 for an empty axis', () => {
    expect(niceTicks(0)).toEqual([0, 1]);
  });
});

describe('tickLabel', () => {
  it('shortens ten thousand and more to k, a million and more to M', () => {
    expect([500, 9000, 25_000, 1_500_000].map(tickLabel)).toEqual(['500', '9000', '25k', '1.5M']);
  });
});

describe('chartLayout', () => {
  const days = ['2026-11-01', '2026-11-02', '2026-11-03'];
  const series = [
    { key: 'a', label: 'A', values: [10, 0, 20] },
    { key: 'b', label: 'B', values: [10, 5, 0] },
  ];
  const layout = chartLayout({ days, series, conversions: [0, 4, 2], width: 400, height: 200 });

  it('stacks each day’s bars from the axis up, skipping zeros', () => {
    expect(layout.bars.map((b) => [b.day, b.series, b.value])).toEqual([
      ['2026-11-01', 0, 10],
      ['2026-11-01', 1, 10],
      ['2026-11-02', 1, 5],
      ['2026-11-03', 0, 20],
    ]);
    const [a, b] = layout.bars;
    expect(a!.y + a!.height).toBeCloseTo(layout.plot.bottom);
    expect(b!.y + b!.height).toBeCloseTo(a!.y);
  });

  it('scales bar heights to the sends axis, whose top tick the tallest day reaches', () => {
    expect(layout.yTicks.at(-1)).toEqual({ value: 20, y: layout.plot.top });
    const tallest = layout.bars.filter((b) => b.day === '2026-11-01');
    expect(tallest.reduce((h, b) => h + b.height, 0)).toBeCloseTo(
      layout.plot.bottom - layout.plot.top,
    );
  });

  it('draws conversions on their own axis, one point per day at the bar centre', () => {
    expect(layout.y2Ticks.map((t) => t.value)).toEqual([0, 1, 2, 3, 4]);
    expect(layout.line.map((p) => p.value)).toEqual([0, 4, 2]);
    expect(layout.line[1]!.y).toBeCloseTo(layout.plot.top);
    const bar = layout.bars[2]!;
    expect(layout.line[1]!.x).toBeCloseTo(bar.x + bar.width / 2);
  });

  it('keeps every bar inside the plot', () => {
    for (const b of layout.bars) {
      expect(b.x).toBeGreaterThanOrEqual(layout.plot.left);
      expect(b.x + b.width).toBeLessThanOrEqual(layout.plot.right);
      expect(b.y).toBeGreaterThanOrEqual(layout.plot.top - 1e-9);
    }
  });

  it('thins the day labels of a 90-day chart to about one per 56 units of width', () => {
    const start = Date.UTC(2026, 7, 1);
    const many = Array.from({ length: 90 }, (_, i) =>
      new Date(start + i * 86_400_000).toISOString().slice(0, 10),
    );
    const wide = chartLayout({ days: many, series: [], conversions: many.map(() => 0) });
    expect(wide.xLabels.length).toBeGreaterThanOrEqual(8);
    expect(wide.xLabels.length).toBeLessThanOrEqual(11);
    expect(wide.xLabels[0]).toEqual({ x: wide.line[0]!.x, text: '08-01' });
  });

  it('labels days with the given formatter', () => {
    const fmt = chartLayout({ days, series, conversions: [0, 0, 0], formatDay: (d) => `<${d}>` });
    expect(fmt.xLabels.map((l) => l.text)).toEqual(days.map((d) => `<${d}>`));
  });
});

describe('funnels', () => {
  it("sums each channel's steps over days and variations, as shares of sends", () => {
    const email = (sent: number, opens: number, clicks: number) => ({
      variation_name: 'A',
      variation_api_id: 'a',
      sent,
      delivered: sent,
      opens: opens * 2,
      unique_opens: opens,
      clicks,
      unique_clicks: clicks,
      unsubscribes: 0,
      bounces: 0,
      reported_spam: 0,
    });
    const data: SeriesDay[] = [
      { time: '2026-11-01', messages: { email: [email(10, 4, 1), email(10, 6, 1)] } },
      { time: '2026-11-02', messages: { email: [email(20, 0, 0)], webhook: [] } },
    ];
    const [f] = funnels(data);
    expect(f?.channel).toBe('email');
    expect(f?.steps.map((s) => [s.label, s.value, s.share])).toEqual([
      ['Sent', 40, 1],
      ['Delivered', 40, 1],
      ['Unique opens', 10, 0.25],
      ['Unique clicks', 2, 0.05],
      ['Unsubscribed', 0, 0],
      ['Bounced', 0, 0],
      ['Reported spam', 0, 0],
    ]);
  });

  it('leaves out channels without sends and steps a channel does not count', () => {
    const data: SeriesDay[] = [
      {
        time: '2026-11-01',
        messages: {
          webhook: [{ variation_name: 'A', variation_api_id: 'a', sent: 4, errors: 1 }],
          ios_push: [{ variation_name: 'A', variation_api_id: 'a', sent: 0, direct_opens: 0 }],
        },
      },
    ];
    expect(funnels(data)).toEqual([
      {
        channel: 'webhook',
        steps: [
          { field: 'sent', label: 'Sent', value: 4, share: 1 },
          { field: 'errors', label: 'Errors', value: 1, share: 0.25 },
        ],
      },
    ]);
  });

  it('labels shares briefly', () => {
    expect([0, 0.004, 0.05, 0.25, 1].map(percentLabel)).toEqual([
      '0 %',
      '0.4 %',
      '5.0 %',
      '25 %',
      '100 %',
    ]);
  });
});
