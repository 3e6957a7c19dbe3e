// Types of admin/chart.js for the unit tests (TypeScript does not read the JavaScript itself).
// Listed in .assetsignore: not served.

/** One day of `/campaigns/data_series`. */
export interface SeriesDay {
  time: string;
  messages?: Record<string, Record<string, string | number>[]>;
  [field: string]: unknown;
}

export interface Series {
  key: string;
  label: string;
  values: number[];
}

export interface SendSeries {
  days: string[];
  series: Series[];
  enrolled: number[];
  conversions: number[];
  uniqueRecipients: number[];
  revenue: number[];
}

export interface Tick {
  value: number;
  y: number;
}

export interface ChartLayout {
  width: number;
  height: number;
  plot: { left: number; top: number; right: number; bottom: number };
  bars: {
    x: number;
    y: number;
    width: number;
    height: number;
    series: number;
    day: string;
    value: number;
  }[];
  line: { x: number; y: number; value: number; day: string }[];
  yTicks: Tick[];
  y2Ticks: Tick[];
  xLabels: { x: number; text: string }[];
}

export function sendSeries(data: SeriesDay[]): SendSeries;
export function isEmpty(s: SendSeries): boolean;
export function tickLabel(n: number): string;
export function niceTicks(max: number, count?: number): number[];
export function chartLayout(input: {
  days: string[];
  series: Series[];
  conversions: number[];
  width?: number;
  height?: number;
  formatDay?: (day: string) => string;
}): ChartLayout;

export const FUNNEL_STEPS: Record<string, [string, string][]>;
export interface FunnelStep {
  field: string;
  label: string;
  value: number;
  share: number;
}
export function funnels(data: SeriesDay[]): { channel: string; steps: FunnelStep[] }[];
export function percentLabel(share: number): string;
