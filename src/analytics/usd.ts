/**
 * Purchases in USD, as Braze reports revenue: any other currency is converted at a rate when the
 * purchase is counted. Workers cannot fetch a market feed from a test or a cold isolate reliably,
 * and no feed is free of terms, so Herald ships reference rates (USD per unit, mid-2025) and each
 * workspace may override or extend them with its `usd_exchange_rates` setting.
 */
export const REFERENCE_USD_RATES: Readonly<Record<string, number>> = {
  USD: 1,
  EUR: 1.16,
  GBP: 1.35,
  JPY: 0.0068,
  CAD: 0.73,
  AUD: 0.65,
  NZD: 0.6,
  CHF: 1.24,
  CNY: 0.139,
  HKD: 0.127,
  SGD: 0.78,
  INR: 0.0116,
  IDR: 0.000061,
  KRW: 0.00072,
  BRL: 0.18,
  MXN: 0.053,
  SEK: 0.104,
  NOK: 0.099,
  DKK: 0.155,
  PLN: 0.27,
  CZK: 0.047,
  HUF: 0.0029,
  TRY: 0.025,
  ILS: 0.29,
  AED: 0.2723,
  SAR: 0.2667,
  ZAR: 0.056,
  RUB: 0.0127,
  THB: 0.03,
  MYR: 0.235,
  PHP: 0.0176,
  VND: 0.000038,
  TWD: 0.033,
  CLP: 0.00105,
  COP: 0.00025,
  ARS: 0.00085,
  EGP: 0.02,
  NGN: 0.00065,
};

/**
 * The USD value of an amount, or null when neither the workspace nor the reference table has a
 * rate for the currency (the purchase still counts; its revenue cannot).
 */
export function toUsd(
  amount: number,
  currency: string,
  overrides: Readonly<Record<string, number>> = {},
): number | null {
  const code = currency.toUpperCase();
  const rate = overrides[code] ?? REFERENCE_USD_RATES[code];
  if (rate === undefined) return null;
  // Cents, as money is shown: float noise from the multiplication never reaches a sum.
  return Math.round(amount * rate * 100) / 100;
}
