import { PaymentRules } from '../billers/biller';

/**
 * Whether `amount` may be paid against a bill with `outstanding` left, under the biller's rules; the reason
 * when not. EXACT: the outstanding amount; EXACT_UP: that or more; EXACT_DOWN: that or less; ANY: anything.
 * `partialPayment` also allows less than outstanding under EXACT and EXACT_UP. A payment of less than the
 * outstanding amount must reach `minAmount`; paying everything left is always allowed.
 */
export function amountRefusal(rules: PaymentRules, outstanding: bigint, amount: bigint): string | null {
  if (amount <= 0n) return 'The amount must be positive';
  const partialOk =
    rules.partialPayment || rules.amountExactness === 'EXACT_DOWN' || rules.amountExactness === 'ANY';
  if (amount < outstanding) {
    if (!partialOk) return `This biller takes no part payments: ${outstanding} is due`;
    if (amount < rules.minAmount) return `A part payment must be at least ${rules.minAmount}`;
  }
  if (amount > outstanding && (rules.amountExactness === 'EXACT' || rules.amountExactness === 'EXACT_DOWN'))
    return `This biller takes no more than the amount due (${outstanding})`;
  return null;
}
