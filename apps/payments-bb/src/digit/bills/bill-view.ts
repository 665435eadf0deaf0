import { rupees } from '../money';
import { Bill } from './bill';

/** A bill in BillV2's shape, amounts in rupees. `totalAmount` is what is still due. */
export function billView(b: Bill, currency = 'INR') {
  return {
    id: b.id,
    tenantId: b.tenantId,
    billNumber: b.billNumber,
    billDate: b.billDate,
    consumerCode: b.consumerCode,
    businessService: b.businessService,
    status: b.status,
    totalAmount: rupees(b.totalAmount - b.amountPaid, currency),
    billAmount: rupees(b.totalAmount, currency),
    amountPaid: rupees(b.amountPaid, currency),
    payerName: b.payer?.name ?? null,
    mobileNumber: b.payer?.mobileNumber ?? null,
    payerEmail: b.payer?.emailId ?? null,
    payerAddress: b.payer?.address ?? null,
    partPaymentAllowed: b.partPaymentAllowed,
    isAdvanceAllowed: b.advanceAllowed,
    minimumAmountToBePaid: rupees(b.minimumAmountPayable, currency),
    collectionModesNotAllowed: b.collectionModesNotAllowed,
    additionalDetails: b.additionalDetails ?? null,
    billDetails: b.details.map((d) => ({
      id: d.id,
      tenantId: b.tenantId,
      demandId: d.demandId,
      billId: b.id,
      amount: rupees(d.amount, currency),
      amountPaid: rupees(d.amountPaid, currency),
      fromPeriod: d.fromPeriod,
      toPeriod: d.toPeriod,
      expiryDate: d.expiryDate,
      billAccountDetails: d.accounts.map((a) => ({
        id: a.id,
        tenantId: b.tenantId,
        billDetailId: d.id,
        order: a.order,
        amount: rupees(a.amount, currency),
        adjustedAmount: rupees(a.adjustedAmount, currency),
        taxHeadCode: a.taxHeadCode,
      })),
    })),
    auditDetails: { createdTime: b.createdAt.getTime(), lastModifiedTime: b.updatedAt.getTime() },
  };
}
