export interface DigitPaymentDetail {
  id: string;
  billId: string;
  businessService: string;
  consumerCode: string;
  totalDue: bigint;
  totalAmountPaid: bigint;
  receiptNumber: string;
  receiptDate: number;
  receiptType: string;
  manualReceiptNumber: string | null;
  manualReceiptDate: number | null;
  apportioned: {
    accountId: string;
    detailId: string;
    demandId: string;
    taxHeadCode: string;
    amount: string;
    demandDetailIds?: [string, string][];
  }[];
  ledgerTransferId: string | null;
  additionalDetails: unknown;
}

export interface DigitPayment {
  id: string;
  tenantId: string;
  totalDue: bigint;
  totalAmountPaid: bigint;
  transactionNumber: string;
  transactionDate: number;
  paymentMode: string;
  instrumentDate: number | null;
  instrumentNumber: string | null;
  instrumentStatus: string;
  ifscCode: string | null;
  additionalDetails: unknown;
  paidBy: string;
  payer: {
    mobileNumber?: string | null;
    name?: string | null;
    address?: string | null;
    emailId?: string | null;
  } | null;
  payerId: string | null;
  paymentStatus: string;
  bodyHash: string;
  createdBy: string;
  createdAt: Date;
  updatedAt: Date;
  details: DigitPaymentDetail[];
}
