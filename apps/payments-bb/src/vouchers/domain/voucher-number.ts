import { randomInt } from 'node:crypto';

/**
 * Voucher numbers are the bearer secret. They come from the CSPRNG, end in a Luhn check digit (a mistyped digit
 * or two swapped neighbours is told apart from a guess without touching the database), and by default are 16
 * digits whose first digit is 1-8: below 2^53, so the v1 contract's integer `voucher_number` reaches us exactly
 * even from JSON libraries that parse numbers as doubles. Longer numbers (up to 25) are for callers that send
 * strings (VOUCHER_NUMBER_DIGITS).
 */
export const MIN_DIGITS = 16;
export const MAX_DIGITS = 25;

export function luhnCheckDigit(payload: string): number {
  let sum = 0;
  // Doubling starts at the rightmost payload digit, since the check digit will sit to its right.
  for (let i = payload.length - 1, double = true; i >= 0; i--, double = !double) {
    let d = payload.charCodeAt(i) - 48;
    if (double) {
      d *= 2;
      if (d > 9) d -= 9;
    }
    sum += d;
  }
  return (10 - (sum % 10)) % 10;
}

export function hasValidCheckDigit(number: string): boolean {
  return (
    /^[0-9]{2,}$/.test(number) &&
    luhnCheckDigit(number.slice(0, -1)) === number.charCodeAt(number.length - 1) - 48
  );
}

export function generateVoucherNumber(digits: number = MIN_DIGITS): string {
  if (!Number.isInteger(digits) || digits < MIN_DIGITS || digits > MAX_DIGITS)
    throw new RangeError(`Voucher numbers have ${MIN_DIGITS}-${MAX_DIGITS} digits`);
  let payload = String(randomInt(1, 9));
  // randomInt is uniform below 2^48; six digits at a time keeps each draw well inside that.
  while (payload.length < digits - 1) payload += String(randomInt(0, 1_000_000)).padStart(6, '0');
  payload = payload.slice(0, digits - 1);
  return payload + String(luhnCheckDigit(payload));
}

/** What a caller typed or sent, as the digit string it stands for; undefined when it cannot be a voucher number. */
export function normalizeVoucherNumber(value: unknown): string | undefined {
  if (typeof value === 'number') {
    if (!Number.isSafeInteger(value) || value <= 0) return undefined;
    return String(value);
  }
  if (typeof value !== 'string') return undefined;
  const digits = value.replace(/[\s-]/g, '');
  return /^[0-9]{1,25}$/.test(digits) ? digits : undefined;
}
