export type PaymentChannel = 'govstack' | 'bbps' | 'voucher';
export type AdviceStatus = 'pending' | 'accepted' | 'acknowledged' | 'rejected' | 'failed' | 'internal';

export interface BillPayment {
  id: string;
  tenantId: string;
  payerFiId: string;
  channel: PaymentChannel;
  transactionId: string;
  requestId: string;
  bodyHash: string;
  inquiryId: string | null;
  billerPk: string;
  billId: string;
  /** What the server's record of the bill is kept under: the bill ID, or for an internal biller the bill ID and its DIGIT bill. */
  billKey: string;
  amount: bigint;
  currency: string;
  receiptNo: string;
  ledgerTransferId: string;
  voucherId: string | null;
  status: 'recorded' | 'completed' | 'rejected';
  rejectReason: string | null;
  adviceStatus: AdviceStatus;
  adviceAttempts: number;
  adviceNextAt: Date | null;
  adviceLastStatus: number | null;
  adviceLastError: string | null;
  adviceDoneAt: Date | null;
  createdAt: Date;
  updatedAt: Date;
}
