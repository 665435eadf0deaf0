import { clip, invalid } from './invalid';

/*
 * ISO 4217 List One, active codes only, grouped by minor-unit exponent (number of decimals).
 * Source: the list published 2024-06-25, then:
 *   - XCG (Caribbean guilder) added; it replaced ANG from 2025-03-31, so ANG is gone;
 *   - BGN removed: Bulgaria adopted EUR on 2026-01-01.
 * National fund codes with a defined exponent (BOV, CHE, CHW, CLF, COU, MXV, USN, UYI, UYW) are kept:
 * they are quoted in real contracts. Supranational units, metals and testing codes (XAU, XAG, XPT, XPD,
 * XDR, XSU, XUA, XBA-XBD, XTS, XXX) have no minor unit ("N.A.") and are deliberately absent, so they
 * are rejected as unknown: no money of ours can be counted in them.
 * ISO amends this list a few times a year: update it here, and the spec's counts with it.
 */
const CODES_BY_EXPONENT: ReadonlyArray<readonly [number, string]> = [
  [0, 'BIF CLP DJF GNF ISK JPY KMF KRW PYG RWF UGX UYI VND VUV XAF XOF XPF'],
  [
    2,
    'AED AFN ALL AMD AOA ARS AUD AWG AZN BAM BBD BDT BMD BND BOB BOV BRL BSD BTN BWP BYN BZD ' +
      'CAD CDF CHE CHF CHW CNY COP COU CRC CUC CUP CVE CZK DKK DOP DZD EGP ERN ETB EUR FJD FKP ' +
      'GBP GEL GHS GIP GMD GTQ GYD HKD HNL HTG HUF IDR ILS INR IRR JMD KES KGS KHR KPW KYD KZT ' +
      'LAK LBP LKR LRD LSL MAD MDL MGA MKD MMK MNT MOP MRU MUR MVR MWK MXN MXV MYR MZN NAD NGN ' +
      'NIO NOK NPR NZD PAB PEN PGK PHP PKR PLN QAR RON RSD RUB SAR SBD SCR SDG SEK SGD SHP SLE ' +
      'SOS SRD SSP STN SVC SYP SZL THB TJS TMT TOP TRY TTD TWD TZS UAH USD USN UYU UZS VED VES ' +
      'WST XCD XCG YER ZAR ZMW ZWG',
  ],
  [3, 'BHD IQD JOD KWD LYD OMR TND'],
  [4, 'CLF UYW'],
];

/** Currency code → number of decimals of its minor unit (USD 2, JPY 0, KWD 3, CLF 4). */
export const CURRENCY_EXPONENTS: Readonly<Record<string, number>> = Object.freeze(
  Object.fromEntries(
    CODES_BY_EXPONENT.flatMap(([exponent, codes]) => codes.split(' ').map((code) => [code, exponent])),
  ),
);

const CODE_PATTERN = /^[A-Z]{3}$/;

/** True for a supported active ISO 4217 code, spelled exactly (uppercase). */
export function isCurrency(code: unknown): code is string {
  // hasOwn, not `in`: the table is a plain object and must not answer for inherited keys.
  return typeof code === 'string' && CODE_PATTERN.test(code) && Object.hasOwn(CURRENCY_EXPONENTS, code);
}

/** Decimals of the currency's minor unit; throws a 400 for anything that is not a supported code. */
export function currencyExponent(code: string, field = 'currency'): number {
  if (isCurrency(code)) return CURRENCY_EXPONENTS[code];
  throw invalid(describeBadCode(code, field));
}

function describeBadCode(code: unknown, field: string): string {
  if (typeof code !== 'string') return `${field} must be a 3-letter ISO 4217 code`;
  // Lowercase is the commonest integrator slip; say so instead of "unknown".
  if (/^[a-zA-Z]{3}$/.test(code) && !CODE_PATTERN.test(code)) {
    const hint = isCurrency(code.toUpperCase()) ? ` (did you mean '${code.toUpperCase()}'?)` : '';
    return `${field} '${code}' must be an uppercase ISO 4217 code${hint}`;
  }
  if (!CODE_PATTERN.test(code)) return `${field} must be a 3-letter ISO 4217 code, got '${clip(code)}'`;
  return `Unknown currency '${code}': ${field} must be an active ISO 4217 code`;
}
