import { currencyExponent } from './currencies';
import { clip, invalid } from './invalid';

/** Largest amount a PostgreSQL bigint column holds, in minor units. */
export const MAX_MINOR_UNITS = 2n ** 63n - 1n;
const MAX_DIGITS = MAX_MINOR_UNITS.toString().length;

export interface ParseAmountOptions {
  /** Zero is refused unless asked for: a zero payment or transfer is almost always a client bug. */
  allowZero?: boolean;
}

// One `0` or digits without a leading zero, then an optional fraction of at least one digit; ASCII only.
const CANONICAL_DECIMAL = /^(0|[1-9][0-9]*)(?:\.([0-9]+))?$/;
// Past 15 significant digits distinct decimal literals can parse to the same double (DBL_DIG), so a
// fractional number's String() might not be what the client wrote.
const EXACT_DOUBLE_DIGITS = 15;

/**
 * Turns an API amount (decimal string, or a JSON number that is exactly representable) into minor units.
 * More decimals than the currency has are refused even when they are zeros ("1.500" USD): the sender
 * then works at a precision the ledger cannot hold, and silently dropping digits hides that bug.
 */
export function parseAmount(
  value: unknown,
  currency: string,
  field = 'amount',
  options: ParseAmountOptions = {},
): bigint {
  const exponent = currencyExponent(currency);
  const text = typeof value === 'number' ? numberToDecimal(value, field) : value;
  if (typeof text !== 'string') throw invalid(`${field} must be a decimal string such as "100.50"`);
  const match = CANONICAL_DECIMAL.exec(text);
  if (!match) throw invalid(describeBadDecimal(text, field));
  const [, whole, fraction = ''] = match;
  if (fraction.length > exponent) {
    const unit = fraction.length === 1 ? 'decimal' : 'decimals';
    throw invalid(`${field} has ${fraction.length} ${unit} but ${currency} allows ${exponent}`);
  }
  const digits = whole + fraction.padEnd(exponent, '0');
  // Only `0.xx` can carry a leading zero, so more digits than MAX has means above MAX: no giant BigInt.
  const minor = digits.length > MAX_DIGITS ? MAX_MINOR_UNITS + 1n : BigInt(digits);
  if (minor > MAX_MINOR_UNITS) {
    throw invalid(`${field} exceeds the maximum of ${formatAmount(MAX_MINOR_UNITS, currency)} ${currency}`);
  }
  if (minor === 0n && !options.allowZero) throw invalid(`${field} must be greater than zero`);
  return minor;
}

/** Exact decimal with exactly the currency's decimals: 150n USD → "1.50", 5n KWD → "0.005". */
export function formatAmount(minor: bigint, currency: string): string {
  // A pg bigint column arrives as a string; fail loudly rather than print it as some other amount.
  if (typeof minor !== 'bigint') throw new TypeError(`formatAmount expects a bigint, got ${typeof minor}`);
  const exponent = currencyExponent(currency);
  const sign = minor < 0n ? '-' : '';
  const digits = (minor < 0n ? -minor : minor).toString().padStart(exponent + 1, '0');
  if (exponent === 0) return sign + digits;
  return `${sign}${digits.slice(0, -exponent)}.${digits.slice(-exponent)}`;
}

/** Amounts in different currencies never meet in one posting; `context` says where it happened. */
export function assertSameCurrency(a: string, b: string, context: string): void {
  if (a !== b) throw invalid(`Currency mismatch in ${context}: ${a} vs ${b}`);
}

/** A JSON number, accepted only when its shortest decimal form is exactly what the client meant. */
function numberToDecimal(n: number, field: string): string {
  if (!Number.isFinite(n)) return String(n); // NaN / Infinity: the string rules explain the refusal.
  if (Math.abs(n) > Number.MAX_SAFE_INTEGER) {
    throw invalid(`${field} is too large for a JSON number; send it as a decimal string`);
  }
  const text = String(n);
  // Only magnitudes below 1e-6 print with an exponent here, and no currency has that many decimals.
  if (text.includes('e')) throw invalid(`${field} ${text} has more decimals than any currency allows`);
  const significant = text.replace(/[-.]/g, '').replace(/^0+/, '').length;
  if (!Number.isInteger(n) && significant > EXACT_DOUBLE_DIGITS) {
    throw invalid(`${field} ${text} is not an exact decimal; send amounts as decimal strings`);
  }
  return text;
}

/** Names the first rule a non-canonical amount breaks, so integrators can fix it without guessing. */
function describeBadDecimal(text: string, field: string): string {
  if (text === '') return `${field} must not be empty`;
  if (/\s/.test(text)) return `${field} must not contain whitespace`;
  if (/^[+-]?(nan|infinity)$/i.test(text)) return `${field} must be a finite decimal number`;
  if (/^-[0-9.]/.test(text)) return `${field} must not be negative`;
  if (text.startsWith('+')) return `${field} must not start with '+'`;
  if (/^[0-9.]+e[+-]?[0-9]+$/i.test(text)) return `${field} must not use exponent notation`;
  if (/[0-9][,_'][0-9]/.test(text)) {
    return `${field} must use '.' as the decimal point and no thousands separators`;
  }
  if (/^[0-9]+\.$/.test(text)) return `${field} must not end with '.'`;
  if (/^\.[0-9]+$/.test(text)) return `${field} must have a digit before '.'`;
  if (/^0[0-9]/.test(text)) return `${field} must not have leading zeros`;
  return `${field} must be a decimal number such as "100.50", got '${clip(text)}'`;
}
