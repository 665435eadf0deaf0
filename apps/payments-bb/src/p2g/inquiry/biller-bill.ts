import { AppException, ErrorCode } from '@app/platform';
import { Biller } from '../billers/biller';
import { BillerAnswer } from '../billers/biller-http';
import { isMinorUnits } from '../minor-units';

/** A bill as its biller describes it, checked and normalised. */
export interface BillerBill {
  billId: string;
  billStatus: string;
  dueDate: string | null;
  amountOnDueDate: bigint;
  amountAfterDueDate: bigint;
  currency: string;
  /** An internal biller's own bill (a DIGIT bill ID): what the server's record of payments is kept against. */
  sourceId?: string;
}

/** Statuses a biller may report that rule out payment. */
export const UNPAYABLE_STATUSES = new Set(['PAID', 'EXPIRED', 'CANCELLED', 'CANCELED', 'CLOSED']);

/** The amount due today: after the due date the biller's after-due amount applies (spec 9.3.4). */
export function amountDueOn(
  bill: Pick<BillerBill, 'dueDate' | 'amountOnDueDate' | 'amountAfterDueDate'>,
  today: string,
) {
  return bill.dueDate && today > bill.dueDate ? bill.amountAfterDueDate : bill.amountOnDueDate;
}

export function todayUtc(): string {
  return new Date().toISOString().slice(0, 10);
}

/**
 * Reads the biller's answer to GET /bills/{billId} (billInquiryBillerResponse.yml): `code` (or `responseCode`) "00"
 * with `billDetails` (an object, or the first of an array) is a bill; 404 or another code is "no such bill"; any
 * other answer means the biller cannot be relied on now.
 */
export function billFromAnswer(biller: Biller, billId: string, a: BillerAnswer): BillerBill {
  const body = a.body ?? {};
  const code = String(body.code ?? body.responseCode ?? '');
  if (a.status === 404 || (a.status >= 200 && a.status < 300 && code !== '' && code !== '00'))
    throw new AppException(
      ErrorCode.P2G_BILL_NOT_FOUND,
      `Biller ${biller.billerId} has no payable bill ${billId}${typeof body.reason === 'string' ? `: ${body.reason.slice(0, 100)}` : ''}`,
    );
  if (a.status < 200 || a.status >= 300)
    throw new AppException(
      ErrorCode.P2G_BILLER_UNAVAILABLE,
      `Biller ${biller.billerId} answered HTTP ${a.status}`,
    );
  const raw = Array.isArray(body.billDetails) ? (body.billDetails as unknown[])[0] : body.billDetails;
  const d = (raw && typeof raw === 'object' ? raw : null) as Record<string, unknown> | null;
  const invalid = (why: string) =>
    new AppException(
      ErrorCode.P2G_BILLER_UNAVAILABLE,
      `Biller ${biller.billerId} answered an unusable bill: ${why}`,
    );
  if (!d) throw invalid('no billDetails');
  if (!isMinorUnits(d.amountonDueDate)) throw invalid('amountonDueDate is not an integer amount');
  const after = d.amountAfterDueDate ?? d.amountonDueDate;
  if (!isMinorUnits(after)) throw invalid('amountAfterDueDate is not an integer amount');
  const currency = typeof d.currency === 'string' ? d.currency.toUpperCase() : biller.currencies[0];
  if (!biller.currencies.includes(currency))
    throw invalid(`currency ${currency} is not one the biller was onboarded with`);
  return {
    billId,
    billStatus:
      typeof d.billStatus === 'string' && d.billStatus ? d.billStatus.toUpperCase().slice(0, 20) : 'UNPAID',
    dueDate: dueDateOf(d.dueDate),
    amountOnDueDate: BigInt(d.amountonDueDate as string | number),
    amountAfterDueDate: BigInt(after as string | number),
    currency,
  };
}

/** ISO date, date-time or epoch seconds/milliseconds (the YAMLs use all three) to YYYY-MM-DD. */
function dueDateOf(v: unknown): string | null {
  if (typeof v === 'number' && Number.isFinite(v))
    return new Date(v < 1e11 ? v * 1000 : v).toISOString().slice(0, 10);
  if (typeof v === 'string' && /^\d{4}-\d{2}-\d{2}/.test(v)) return v.slice(0, 10);
  return null;
}
