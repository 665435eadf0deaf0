import { BILL_STATUSES, BillStatus, SimBill, StoredBill } from './biller-types';
import { isoDate, isRecord } from './sim-kit';

/** Bills kept at most; past it, the oldest made-up (autoBillPrefix) bills are forgotten first. */
const MAX_BILLS = 200_000;
const DATE = /^\d{4}-\d{2}-\d{2}$/;

/** The identifier keys of `POST /bills/fetchBills` and the bill field each is compared with. */
const IDENTIFIER_FIELDS: Record<string, 'consumerId' | 'phoneNumber' | 'billId'> = {
  consumerId: 'consumerId',
  customerId: 'consumerId',
  mobileNumber: 'phoneNumber',
  phoneNumber: 'phoneNumber',
  billId: 'billId',
};

export type AdviceDecision =
  | { kind: 'unknown' }
  /** The reference was applied before: `ack` is the answer given then. */
  | { kind: 'repeat'; bill: StoredBill; ack: Record<string, unknown> }
  | { kind: 'dup'; bill: StoredBill }
  | { kind: 'currency'; bill: StoredBill }
  | { kind: 'applied'; bill: StoredBill; amount: number };

interface HeldBill extends StoredBill {
  /** The first ACK answer per applied PaymentReferenceID, to answer a repeat identically. */
  acks: Map<string, Record<string, unknown>>;
}

/** The biller's bills and the payment rules of mark-bill-paid advices. */
export class BillStore {
  private readonly bills = new Map<string, HeldBill>();
  /** IDs of made-up bills, oldest first. */
  private readonly autoIds = new Set<string>();

  constructor(private readonly defaults: { billerName: string; currency: string }) {}

  /** Checks `bill` and fills in its defaults; throws a RangeError naming what is wrong. */
  normalize(bill: unknown): HeldBill {
    if (!isRecord(bill)) throw new RangeError('a bill must be an object');
    const b = bill as Partial<SimBill> & Record<string, unknown>;
    if (typeof b.billId !== 'string' || b.billId === '')
      throw new RangeError('billId must be a non-empty string');
    if (typeof b.dueDate !== 'string' || !DATE.test(b.dueDate))
      throw new RangeError(`bill ${b.billId}: dueDate must be YYYY-MM-DD`);
    if (b.generatedDate !== undefined && (typeof b.generatedDate !== 'string' || !DATE.test(b.generatedDate)))
      throw new RangeError(`bill ${b.billId}: generatedDate must be YYYY-MM-DD`);
    if (!isMinorUnits(b.amountonDueDate))
      throw new RangeError(`bill ${b.billId}: amountonDueDate must be a non-negative integer (minor units)`);
    if (b.amountAfterDueDate !== undefined && !isMinorUnits(b.amountAfterDueDate))
      throw new RangeError(
        `bill ${b.billId}: amountAfterDueDate must be a non-negative integer (minor units)`,
      );
    if (b.amountPaid !== undefined && !isMinorUnits(b.amountPaid))
      throw new RangeError(`bill ${b.billId}: amountPaid must be a non-negative integer (minor units)`);
    if (b.status !== undefined && !BILL_STATUSES.includes(b.status))
      throw new RangeError(`bill ${b.billId}: status must be one of ${BILL_STATUSES.join(', ')}`);
    if (b.currency !== undefined && (typeof b.currency !== 'string' || !/^[A-Z]{3}$/.test(b.currency)))
      throw new RangeError(`bill ${b.billId}: currency must be three capital letters`);
    if (b.customer !== undefined && !isRecord(b.customer))
      throw new RangeError(`bill ${b.billId}: customer must be an object`);
    for (const text of ['billerName', 'billName'] as const)
      if (b[text] !== undefined && typeof b[text] !== 'string')
        throw new RangeError(`bill ${b.billId}: ${text} must be a string`);
    const status: BillStatus = b.status ?? 'UNPAID';
    return {
      billId: b.billId,
      billerName: b.billerName ?? this.defaults.billerName,
      status,
      dueDate: b.dueDate,
      amountonDueDate: b.amountonDueDate,
      amountAfterDueDate: b.amountAfterDueDate ?? b.amountonDueDate,
      currency: b.currency ?? this.defaults.currency,
      ...(b.customer ? { customer: { ...b.customer } } : {}),
      ...(b.billName !== undefined ? { billName: b.billName } : {}),
      ...(b.generatedDate !== undefined ? { generatedDate: b.generatedDate } : {}),
      amountPaid: b.amountPaid ?? (status === 'PAID' ? b.amountonDueDate : 0),
      paidReferences: [],
      acks: new Map(),
    };
  }

  /** Adds or replaces bills (already normalized); a replaced bill starts over (no references applied). */
  put(...bills: HeldBill[]): void {
    for (const bill of bills) {
      this.autoIds.delete(bill.billId);
      this.bills.set(bill.billId, bill);
    }
  }

  /** The bill, or, when `autoPrefix` is set and the ID starts with it, a made-up one kept from then on. */
  get(billId: string, autoPrefix?: string): StoredBill | undefined {
    const known = this.bills.get(billId);
    if (known || !autoPrefix || !billId.startsWith(autoPrefix)) return known;
    if (this.bills.size >= MAX_BILLS) {
      const oldest = this.autoIds.values().next();
      if (!oldest.done) {
        this.autoIds.delete(oldest.value);
        this.bills.delete(oldest.value);
      }
    }
    const bill = this.normalize(autoBill(billId));
    this.bills.set(billId, bill);
    this.autoIds.add(billId);
    return bill;
  }

  /** Bills not PAID or CANCELLED matching any of the identifiers (keys of IDENTIFIER_FIELDS; others ignored). */
  find(identifiers: { key: string; value: string }[]): StoredBill[] {
    const wanted = identifiers
      .map(({ key, value }) => ({ field: IDENTIFIER_FIELDS[key], value }))
      .filter((w) => w.field !== undefined);
    if (wanted.length === 0) return [];
    const out: StoredBill[] = [];
    for (const bill of this.bills.values()) {
      if (bill.status === 'PAID' || bill.status === 'CANCELLED') continue;
      const hit = wanted.some(({ field, value }) =>
        field === 'billId' ? bill.billId === value : bill.customer?.[field] === value,
      );
      if (hit) out.push(bill);
    }
    return out;
  }

  /**
   * Decides a mark-bill-paid advice and applies it: a reference is applied at most once per bill; a paid bill
   * refuses other references (Dup); otherwise the amount (the whole outstanding when absent) is added.
   */
  advise(
    billId: string,
    reference: string,
    amount: number | undefined,
    currency: string | undefined,
    autoPrefix: string | undefined,
  ): AdviceDecision {
    const bill = this.get(billId, autoPrefix) as HeldBill | undefined;
    if (!bill) return { kind: 'unknown' };
    const ack = bill.acks.get(reference);
    if (ack) return { kind: 'repeat', bill, ack };
    if (bill.status === 'PAID') return { kind: 'dup', bill };
    if (currency !== undefined && currency !== bill.currency) return { kind: 'currency', bill };
    const due = amountDue(bill);
    const paid = amount ?? Math.max(due - bill.amountPaid, 0);
    bill.amountPaid += paid;
    bill.status = bill.amountPaid >= due ? 'PAID' : 'PARTIALLY_PAID';
    bill.paidReferences.push(reference);
    return { kind: 'applied', bill, amount: paid };
  }

  /** Remembers the answer given when `reference` was applied to the bill. */
  rememberAck(billId: string, reference: string, ack: Record<string, unknown>): void {
    this.bills.get(billId)?.acks.set(reference, ack);
  }

  list(): StoredBill[] {
    return Array.from(this.bills.values(), ({ acks: _acks, ...bill }) => ({
      ...bill,
      ...(bill.customer ? { customer: { ...bill.customer } } : {}),
      paidReferences: [...bill.paidReferences],
    }));
  }

  get size(): number {
    return this.bills.size;
  }

  clear(): void {
    this.bills.clear();
    this.autoIds.clear();
  }
}

/** What is owed in all: amountonDueDate, or amountAfterDueDate once the due date has passed. */
export function amountDue(bill: StoredBill, today = isoDate()): number {
  return today > bill.dueDate ? bill.amountAfterDueDate : bill.amountonDueDate;
}

/** The made-up bill for an ID under autoBillPrefix: the same ID always gets the same amounts. */
export function autoBill(billId: string, now = Date.now()): SimBill {
  const amountonDueDate = 1000 + (simpleHash(billId) % 9000) * 100;
  return {
    billId,
    status: 'UNPAID',
    dueDate: isoDate(30, now),
    amountonDueDate,
    amountAfterDueDate: amountonDueDate + 5000,
    billName: `Bill ${billId}`,
    generatedDate: isoDate(0, now),
    customer: { name: 'Sim Customer', consumerId: billId },
  };
}

/** djb2: small, fast and stable across runs. */
export function simpleHash(text: string): number {
  let h = 5381;
  for (let i = 0; i < text.length; i++) h = ((h << 5) + h + text.charCodeAt(i)) >>> 0;
  return h;
}

function isMinorUnits(v: unknown): v is number {
  return typeof v === 'number' && Number.isSafeInteger(v) && v >= 0;
}
