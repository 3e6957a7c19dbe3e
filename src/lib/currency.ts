/**
 * ISO 4217 alphabetic currency codes, the format of a purchase's `currency` (contract §2.2.3).
 */

// Active codes, including fund and precious-metal units, without XTS (testing) and XXX (no
// currency). The legacy line holds codes retired since 2018 that old client builds still send;
// refusing them would drop real revenue.
const ACTIVE = `AED AFN ALL AMD ANG AOA ARS AUD AWG AZN BAM BBD BDT BGN BHD BIF BMD BND BOB BOV BRL BSD
  BTN BWP BYN BZD CAD CDF CHE CHF CHW CLF CLP CNY COP COU CRC CUP CVE CZK DJF DKK DOP DZD EGP ERN
  ETB EUR FJD FKP GBP GEL GHS GIP GMD GNF GTQ GYD HKD HNL HTG HUF IDR ILS INR IQD IRR ISK JMD JOD
  JPY KES KGS KHR KMF KPW KRW KWD KYD KZT LAK LBP LKR LRD LSL LYD MAD MDL MGA MKD MMK MNT MOP MRU
  MUR MVR MWK MXN MXV MYR MZN NAD NGN NIO NOK NPR NZD OMR PAB PEN PGK PHP PKR PLN PYG QAR RON RSD
  RUB RWF SAR SBD SCR SDG SEK SGD SHP SLE SOS SRD SSP STN SVC SYP SZL THB TJS TMT TND TOP TRY TTD
  TWD TZS UAH UGX USD USN UYI UYU UYW UZS VED VES VND VUV WST XAF XAG XAU XBA XBB XBC XBD XCD XCG
  XDR XOF XPD XPF XPT XSU XUA YER ZAR ZMW ZWG ZWL`;
const LEGACY = 'CUC HRK MRO SLL STD VEF';

const CODES = new Set(`${ACTIVE} ${LEGACY}`.split(/\s+/));

/** True for an ISO 4217 alphabetic code in any letter case (`USD`, `usd`). */
export function isCurrencyCode(s: string): boolean {
  return typeof s === 'string' && s.length === 3 && CODES.has(s.toUpperCase());
}
