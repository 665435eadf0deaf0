import { rupees } from '../money';
import { DigitPayment } from './payment';

/** A payment in collection-services' shape, amounts in rupees. */
export function paymentView(p: DigitPayment) {
  return {
    id: p.id,
    tenantId: p.tenantId,
    totalDue: rupees(p.totalDue),
    totalAmountPaid: rupees(p.totalAmountPaid),
    transactionNumber: p.transactionNumber,
    transactionDate: p.transactionDate,
    paymentMode: p.paymentMode,
    instrumentDate: p.instrumentDate,
    instrumentNumber: p.instrumentNumber,
    instrumentStatus: p.instrumentStatus,
    ifscCode: p.ifscCode,
    additionalDetails: p.additionalDetails ?? null,
    paidBy: p.paidBy,
    mobileNumber: p.payer?.mobileNumber ?? null,
    payerName: p.payer?.name ?? null,
    payerAddress: p.payer?.address ?? null,
    payerEmail: p.payer?.emailId ?? null,
    payerId: p.payerId,
    paymentStatus: p.paymentStatus,
    paymentDetails: p.details.map((d) => ({
      id: d.id,
      tenantId: p.tenantId,
      totalDue: rupees(d.totalDue),
      totalAmountPaid: rupees(d.totalAmountPaid),
      receiptNumber: d.receiptNumber,
      manualReceiptNumber: d.manualReceiptNumber,
      manualReceiptDate: d.manualReceiptDate,
      receiptDate: d.receiptDate,
      receiptType: d.receiptType,
      businessService: d.businessService,
      billId: d.billId,
      consumerCode: d.consumerCode,
      additionalDetails: d.additionalDetails ?? null,
      apportionment: d.apportioned.map((a) => ({
        taxHeadCode: a.taxHeadCode,
        adjustedAmount: rupees(BigInt(a.amount)),
      })),
    })),
    auditDetails: {
      createdBy: p.createdBy,
      createdTime: p.createdAt.getTime(),
      lastModifiedTime: p.updatedAt.getTime(),
    },
  };
}
