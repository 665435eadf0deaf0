/**
 * Money as the connector contract carries it: decimal strings in the currency's major unit ("125.50", "1250").
 * Parsed into an integer count of minor units plus the number of decimals, held as bigint: never a float, so
 * sums and comparisons are exact whatever the size.
 */
export interface DecimalAmount {
  /** The amount in minor units: "125.50" → 12550n. */
  minor: bigint;
  /** How many decimals the text had: "125.50" → 2, "1250" → 0. */
  decimals: number;
}

/**
 * No sign, no exponent, no separators, no leading zeros, a digit on both sides of the point. The lengths are
 * bounded so a hostile string cannot make a huge BigInt.
 */
const DECIMAL_TEXT = /^(0|[1-9][0-9]{0,29})(?:\.([0-9]{1,8}))?$/;

/** The amount in `text`, or undefined when it is not a plain decimal string. Zero is a valid decimal here. */
export function parseDecimal(text: unknown): DecimalAmount | undefined {
  if (typeof text !== 'string') return undefined;
  const m = DECIMAL_TEXT.exec(text);
  if (!m) return undefined;
  const fraction = m[2] ?? '';
  return { minor: BigInt(m[1] + fraction), decimals: fraction.length };
}

/** `amount` in minor units of a currency with `decimals` decimals; only ever adds zeros (callers compare). */
function scaled(amount: DecimalAmount, decimals: number): bigint {
  return amount.minor * 10n ** BigInt(decimals - amount.decimals);
}

/** -1, 0 or 1 as a is smaller than, equal to or larger than b, whatever their numbers of decimals. */
export function compareDecimal(a: DecimalAmount, b: DecimalAmount): -1 | 0 | 1 {
  const d = Math.max(a.decimals, b.decimals);
  const x = scaled(a, d);
  const y = scaled(b, d);
  return x < y ? -1 : x > y ? 1 : 0;
}

/** The decimal string for `amount`, with exactly its number of decimals. */
export function formatDecimal(amount: DecimalAmount): string {
  const digits = amount.minor.toString().padStart(amount.decimals + 1, '0');
  if (amount.decimals === 0) return digits;
  return `${digits.slice(0, -amount.decimals)}.${digits.slice(-amount.decimals)}`;
}
