import { formatAmount, parseAmount } from '@app/ledger/money';
import { AppException } from '@app/platform';
import { digitError } from './envelope/digit-exception';

/**
 * DIGIT shows amounts as rupees (JSON numbers, e.g. 1250.5); the server keeps integer paise. More decimals than
 * the currency has are refused, never rounded. `signed` allows the negative heads (rebates, advance).
 */
export function toMinor(
  v: unknown,
  field: string,
  currency = 'INR',
  o: { signed?: boolean; allowZero?: boolean } = {},
): bigint {
  let text = typeof v === 'number' ? v : typeof v === 'string' ? v.trim() : v;
  let negative = false;
  if (o.signed && typeof text === 'number' && text < 0) {
    negative = true;
    text = -text;
  } else if (o.signed && typeof text === 'string' && text.startsWith('-')) {
    negative = true;
    text = text.slice(1);
  }
  try {
    const minor = parseAmount(text, currency, field, { allowZero: o.allowZero ?? o.signed });
    return negative ? -minor : minor;
  } catch (err) {
    if (err instanceof AppException) throw digitError('INVALID_AMOUNT', err.message);
    throw err;
  }
}

/** Paise as the rupee number DIGIT shows (exact: two decimals are exact in a double up to 2^53 paise). */
export function rupees(minor: bigint, currency = 'INR'): number {
  return Number(formatAmount(minor, currency));
}
