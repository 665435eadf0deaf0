import { Payer } from '../payer-data';

export const BILL_STATUSES = [
  'ACTIVE',
  'CANCELLED',
  'PAID',
  'PARTIALLY_PAID',
  'PAYMENT_CANCELLED',
  'EXPIRED',
] as const;
export type BillStatus = (typeof BILL_STATUSES)[number];

export interface BillAccountDetail {
  id: string;
  billDetailId: string;
  taxHeadCode: string;
  order: number;
  amount: bigint;
  adjustedAmount: bigint;
}

export interface BillDetail {
  id: string;
  billId: string;
  demandId: string;
  fromPeriod: number;
  toPeriod: number;
  amount: bigint;
  amountPaid: bigint;
  expiryDate: number;
  accounts: BillAccountDetail[];
}

export interface Bill {
  id: string;
  tenantId: string;
  billNumber: string;
  consumerCode: string;
  businessService: string;
  status: BillStatus;
  totalAmount: bigint;
  amountPaid: bigint;
  payer: Payer | null;
  billDate: number;
  expiryDate: number;
  partPaymentAllowed: boolean;
  advanceAllowed: boolean;
  minimumAmountPayable: bigint;
  collectionModesNotAllowed: string[];
  additionalDetails: unknown;
  details: BillDetail[];
  createdAt: Date;
  updatedAt: Date;
}

const IST_OFFSET_MS = 5.5 * 3_600_000;

/** 23:59:59.999 India time of the day `at` falls on (DIGIT sets a bill's expiry to the end of its day). */
export function endOfDayIst(at: number): number {
  const local = at + IST_OFFSET_MS;
  const dayStart = local - (((local % 86_400_000) + 86_400_000) % 86_400_000);
  return dayStart + 86_400_000 - 1 - IST_OFFSET_MS;
}
