import { Bill } from '../bills/bill';
import { DigitErrors } from '../envelope/digit-exception';
import { PaymentDetailInput, PaymentInput } from './payment-input';

/**
 * A payment detail against its (locked) bill: RULES.md's validatePaymentDetailAgainstBill, plus what DIGIT forgot —
 * the bill must be current (ACTIVE, or PARTIALLY_PAID where part payment is allowed) and the minimum amount is
 * enforced. `outstanding` is what is still due on the bill.
 */
export function checkAgainstBill(
  p: PaymentInput,
  d: PaymentDetailInput,
  bill: Bill | undefined,
  errors: DigitErrors,
  now = Date.now(),
): void {
  if (!bill) return errors.add('INVALID_BILL_ID', `No bill ${d.billId} in ${p.tenantId}`);
  if (bill.businessService !== d.businessService)
    return errors.add(
      'INVALID_BILL_BUSINESSSERVICE',
      `Bill ${d.billId} is of ${bill.businessService}, not ${d.businessService}`,
    );
  if (bill.status === 'PAID')
    return errors.add('BILL_ALREADY_PAID', `Bill ${bill.billNumber} is already paid`);
  if (bill.status === 'PARTIALLY_PAID' && !bill.partPaymentAllowed)
    return errors.add('BILL_ALREADY_PAID', `Bill ${bill.billNumber} is already paid`);
  if (bill.status !== 'ACTIVE' && bill.status !== 'PARTIALLY_PAID')
    return errors.add(
      'INVALID_BILL_STATUS',
      `Bill ${bill.billNumber} is ${bill.status}: fetch the current bill`,
    );
  if (bill.expiryDate <= now || bill.details.some((x) => x.expiryDate <= now))
    return errors.add('BILL_EXPIRED', `Bill ${bill.billNumber} has expired`);
  const outstanding = bill.totalAmount - bill.amountPaid;
  const paid = d.totalAmountPaid;
  const label = `Bill ${bill.billNumber}`;
  if (d.totalDue !== undefined && d.totalDue !== outstanding)
    errors.add('INVALID_PAYMENTDETAIL', `${label}: totalDue does not match the amount due`);
  if (bill.collectionModesNotAllowed.includes(p.paymentMode))
    errors.add(
      'INVALID_PAYMENTDETAIL',
      `${label}: ${p.paymentMode} is not accepted for ${bill.businessService}`,
    );
  if (paid === 0n && outstanding > 0n) errors.add('INVALID_PAYMENTDETAIL', `${label}: a payment of zero`);
  if (paid < outstanding) {
    if (!bill.partPaymentAllowed)
      errors.add(
        'INVALID_PAYMENTDETAIL',
        `${label}: part payment is not allowed for ${bill.businessService}`,
      );
    else {
      const min = bill.minimumAmountPayable < outstanding ? bill.minimumAmountPayable : outstanding;
      if (paid < min)
        errors.add('INVALID_PAYMENTDETAIL', `${label}: at least the minimum amount payable must be paid`);
    }
  }
  if (paid > outstanding && !bill.advanceAllowed)
    errors.add(
      'INVALID_PAYMENTDETAIL',
      `${label}: advance payment is not allowed for ${bill.businessService}`,
    );
}
