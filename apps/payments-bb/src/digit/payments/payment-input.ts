import { DigitErrors } from '../envelope/digit-exception';
import { epoch, Obj, objects, text, TENANT_ID } from '../envelope/read';
import { toMinor } from '../money';

export const PAYMENT_MODES = [
  'CASH',
  'CHEQUE',
  'DD',
  'ONLINE',
  'CARD',
  'OFFLINE_NEFT',
  'OFFLINE_RTGS',
  'ONLINE_NEFT',
  'ONLINE_RTGS',
  'POSTAL_ORDER',
] as const;
export type PaymentMode = (typeof PAYMENT_MODES)[number];

/** Modes whose money is in the bank at once (DEPOSITED/REMITTED), and which need a gateway transaction number. */
export const ONLINE_MODES: readonly string[] = ['ONLINE', 'CARD', 'ONLINE_NEFT', 'ONLINE_RTGS'];
const INSTRUMENT_MODES: readonly string[] = ['CHEQUE', 'DD', 'OFFLINE_NEFT', 'OFFLINE_RTGS', 'POSTAL_ORDER'];
const CHEQUE_DD: readonly string[] = ['CHEQUE', 'DD'];

const PAID_BY = /^[a-zA-Z]+(([_\-'`. ][a-zA-Z ])?[a-zA-Z]*)*$/;
const MOBILE = /^[6-9][0-9]{9}$/;
const DAY = 86_400_000;

export interface PaymentDetailInput {
  billId: string;
  businessService: string;
  totalDue?: bigint;
  totalAmountPaid: bigint;
  manualReceiptNumber?: string;
  manualReceiptDate?: number;
  additionalDetails?: unknown;
}

export interface PaymentInput {
  tenantId: string;
  paymentMode: PaymentMode;
  totalDue?: bigint;
  totalAmountPaid: bigint;
  transactionNumber?: string;
  transactionDate?: number;
  instrumentDate?: number;
  instrumentNumber?: string;
  ifscCode?: string;
  paidBy: string;
  mobileNumber?: string;
  payerName?: string;
  payerAddress?: string;
  payerEmail?: string;
  payerId?: string;
  additionalDetails?: unknown;
  details: PaymentDetailInput[];
}

/**
 * The request-level rules of payments/_create and _validate (RULES.md section 2, step 2), plus what DIGIT forgot:
 * the payment's total must be the sum of its details. Every failed rule is reported.
 */
export function readPayment(body: Obj, errors: DigitErrors, now = Date.now()): PaymentInput {
  const p = body.Payment;
  if (!p || typeof p !== 'object' || Array.isArray(p)) {
    errors.add('INVALID_REQUEST', 'Payment is required');
    errors.throwIfAny();
  }
  const o = p as Obj;
  const tenantId = text(o, 'tenantId', errors, { required: true, pattern: TENANT_ID }) ?? '';
  const mode = text(o, 'paymentMode', errors, { required: true, code: 'INVALID_PAYMENTMODE' }) as
    PaymentMode | undefined;
  if (mode && !PAYMENT_MODES.includes(mode))
    errors.add('INVALID_PAYMENTMODE', `Unknown payment mode ${mode}`);
  const paidBy = text(o, 'paidBy', errors, { required: true, max: 256, code: 'INVALID_PAID_BY' });
  if (paidBy && !PAID_BY.test(paidBy))
    errors.add('INVALID_PAID_BY', "paidBy may hold letters, spaces and _ - ' ` .");
  const mobileNumber = text(o, 'mobileNumber', errors, { code: 'INVALID_MOBILE_NUMBER' });
  if (mobileNumber && !MOBILE.test(mobileNumber))
    errors.add('INVALID_MOBILE_NUMBER', 'mobileNumber must be 10 digits starting 6-9');
  const transactionNumber = text(o, 'transactionNumber', errors, { max: 128 });
  const instrumentNumber = text(o, 'instrumentNumber', errors, { max: 128 });
  const transactionDate = epoch(o, 'transactionDate', errors);
  const instrumentDate = epoch(o, 'instrumentDate', errors, { code: 'INVALID_INST_DATE' });
  const totalAmountPaid = toMinor(o.totalAmountPaid, 'totalAmountPaid', 'INR', { allowZero: true });

  if (mode && INSTRUMENT_MODES.includes(mode)) {
    if (instrumentDate === undefined) errors.add('INVALID_INST_DATE', `${mode} needs instrumentDate`);
    if (!instrumentNumber) errors.add('INVALID_INST_NUMBER', `${mode} needs instrumentNumber`);
  }
  if (mode && CHEQUE_DD.includes(mode) && instrumentDate !== undefined) {
    if (transactionDate !== undefined) {
      // A client's transactionDate on a cheque or DD is the manual receipt date.
      if (instrumentDate > transactionDate)
        errors.add('INVALID_CHEQUE_DD_DATE', 'instrumentDate is after the receipt date');
      else if (instrumentDate < transactionDate - 90 * DAY)
        errors.add(
          'CHEQUE_DD_DATE_WITH_MANUAL_RECEIPT_DATE',
          'instrumentDate is more than 90 days before the receipt date',
        );
    } else if (instrumentDate > now)
      errors.add('CHEQUE_DD_DATE_WITH_FUTURE_DATE', 'instrumentDate is in the future');
    else if (instrumentDate < now - 90 * DAY)
      errors.add('CHEQUE_DD_DATE_WITH_RECEIPT_DATE', 'instrumentDate is more than 90 days ago');
  }
  if (
    mode &&
    ['OFFLINE_NEFT', 'OFFLINE_RTGS', 'POSTAL_ORDER'].includes(mode) &&
    instrumentDate !== undefined &&
    instrumentDate > now
  )
    errors.add('INVALID_NEFT_RTGS_DATE', 'instrumentDate is in the future');
  if (mode && ONLINE_MODES.includes(mode)) {
    if (!transactionNumber) errors.add('INVALID_TXN_NUMBER', `${mode} needs transactionNumber`);
    if (!instrumentNumber) errors.add('INVALID_INSTRUMENT_NUMBER', `${mode} needs instrumentNumber`);
  }

  const raw = Array.isArray(o.paymentDetails) ? objects(o.paymentDetails, 'paymentDetails', 100) : [];
  if (!raw.length) errors.add('INVALID_PAYMENTDETAIL', 'paymentDetails is required');
  const details = raw.map((d, i) => {
    const billId =
      text(d, 'billId', errors, {
        required: true,
        code: 'INVALID_BILL_ID',
        label: `paymentDetails[${i}].billId`,
      }) ?? '';
    const businessService =
      text(d, 'businessService', errors, {
        required: true,
        code: 'INVALID_BUSINESSSERVICE',
        label: `paymentDetails[${i}].businessService`,
      }) ?? '';
    return {
      billId,
      businessService,
      totalDue:
        d.totalDue === undefined || d.totalDue === null
          ? undefined
          : toMinor(d.totalDue, `paymentDetails[${i}].totalDue`, 'INR', { signed: true }),
      totalAmountPaid: toMinor(d.totalAmountPaid, `paymentDetails[${i}].totalAmountPaid`, 'INR', {
        allowZero: true,
      }),
      manualReceiptNumber: text(d, 'manualReceiptNumber', errors, { max: 64 }),
      manualReceiptDate: epoch(d, 'manualReceiptDate', errors),
      additionalDetails: d.additionalDetails,
    };
  });
  const seen = new Set<string>();
  for (const d of details) {
    if (d.billId && seen.has(d.billId))
      errors.add('DUPLICATE_BILLID', `Bill ${d.billId} is paid twice in one payment`);
    seen.add(d.billId);
  }
  const sum = details.reduce((s, d) => s + d.totalAmountPaid, 0n);
  if (details.length && sum !== totalAmountPaid)
    errors.add(
      'INVALID_PAYMENT_AMOUNT',
      "totalAmountPaid must equal the sum of the payment details' totalAmountPaid",
    );
  errors.throwIfAny();
  return {
    tenantId,
    paymentMode: mode!,
    totalDue:
      o.totalDue === undefined || o.totalDue === null
        ? undefined
        : toMinor(o.totalDue, 'totalDue', 'INR', { signed: true }),
    totalAmountPaid,
    transactionNumber,
    transactionDate,
    instrumentDate,
    instrumentNumber,
    ifscCode: text(o, 'ifscCode', errors, { pattern: /^[A-Z]{4}0[A-Z0-9]{6}$/, code: 'INVALID_IFSC' }),
    paidBy: paidBy!,
    mobileNumber,
    payerName: text(o, 'payerName', errors, { max: 256 }),
    payerAddress: text(o, 'payerAddress', errors, { max: 1024 }),
    payerEmail: text(o, 'payerEmail', errors, { max: 256 }),
    payerId: text(o, 'payerId', errors, { max: 256 }),
    additionalDetails: o.additionalDetails,
    details,
  };
}
