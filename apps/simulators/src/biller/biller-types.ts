import type { SimLink } from './sim-kit';
/** The biller simulator's public types: what tests, main.ts and the control endpoints see. */

export type BillStatus = 'UNPAID' | 'PAID' | 'PARTIALLY_PAID' | 'EXPIRED' | 'CANCELLED';

export const BILL_STATUSES: readonly BillStatus[] = [
  'UNPAID',
  'PAID',
  'PARTIALLY_PAID',
  'EXPIRED',
  'CANCELLED',
];

/** A bill as given to the simulator. Amounts are integers in minor units (150000 = 1,500.00 KES). */
export interface SimBill {
  billId: string;
  /** Default: the simulator's billerName. */
  billerName?: string;
  /** Default UNPAID. */
  status?: BillStatus;
  /** YYYY-MM-DD. After this day, amountAfterDueDate is due. */
  dueDate: string;
  amountonDueDate: number;
  /** Default: amountonDueDate. */
  amountAfterDueDate?: number;
  /** Default: the simulator's currency. */
  currency?: string;
  customer?: { name?: string; phoneNumber?: string; consumerId?: string };
  billName?: string;
  /** YYYY-MM-DD. */
  generatedDate?: string;
  /** Already paid, in minor units. Default: amountonDueDate when the status is PAID, else 0. */
  amountPaid?: number;
}

/** A bill as the simulator holds it (defaults filled in). */
export interface StoredBill extends SimBill {
  billerName: string;
  status: BillStatus;
  amountAfterDueDate: number;
  currency: string;
  amountPaid: number;
  /** PaymentReferenceIDs applied to this bill, oldest first. */
  paidReferences: string[];
}

export type AdviceOutcome = 'ACK' | 'RJC' | 'DOWN';

/** One `POST /billTransferRequests` (mark-bill-paid advice) as the simulator saw it. */
export interface ReceivedAdvice {
  billId: string | null;
  paymentReferenceId: string | null;
  requestId: string | null;
  amount?: number;
  currency?: string;
  outcome: AdviceOutcome;
  /** Und (unknown bill), Dup (paid with another reference), Cur (currency not the bill's). */
  rejectReason?: string;
  /** True when the reference had already been applied: acknowledged again, nothing added. */
  repeated?: boolean;
  /** The request's headers, lower-cased. */
  headers: Record<string, string>;
}

/** One RTP result the server relayed (`POST /rtpUpdate`, `POST /transferRequests/{id}`). */
export interface ReceivedRtpUpdate {
  path: string;
  body: unknown;
  headers: Record<string, string>;
}

/** One asynchronous acknowledgement sent to the server (`asyncAck`), after its last attempt. */
export interface AckCallback {
  requestId: string | null;
  billId: string;
  paymentReferenceId: string;
  status: 'ACK' | 'RJC';
  rejectReason?: string;
  /** HTTP status of the last answer; null when there was none. */
  httpStatus: number | null;
  attempts: number;
  error?: string;
}

export interface BillerState {
  bills: Array<SimBill & { amountPaid: number; status: string; paidReferences: string[] }>;
  /** `GET /bills/{billId}` requests, answered or not. */
  inquiries: number;
  advices: ReceivedAdvice[];
  rtpUpdates: ReceivedRtpUpdate[];
  /** Asynchronous acknowledgements sent (asyncAck), oldest first. */
  callbacks: AckCallback[];
  down: boolean;
}

/** Settings that may be changed while the simulator runs (`configure`, `POST /_sim/config`). */
export interface BillerConfig {
  latencyMs: number;
  asyncAck: boolean;
  billerId?: string;
}

export interface BillerOptions {
  /** 0 (default) picks a free port. */
  port?: number;
  /** Default 127.0.0.1. */
  host?: string;
  /** When set, every request outside /_sim/ must carry a valid X-Signature made with it, else 401. */
  secret?: string;
  /** Sent as billerId in inquiry answers and as X-billerId on asynchronous acknowledgements. */
  billerId?: string;
  /** Default 'SimBiller'. */
  billerName?: string;
  /** Default 'KES'. */
  currency?: string;
  /** When set, an unknown bill ID starting with it is answered with a made-up UNPAID bill (kept from then on). */
  autoBillPrefix?: string;
  /** Delay before every answer (default 0: none at all). */
  latencyMs?: number;
  /** Answer advices 202 without a status, and send ACK/RJC later to `${pbbUrl}/billTransferRequests`. */
  asyncAck?: boolean;
  /** The server's base URL, for asynchronous acknowledgements. */
  pbbUrl?: string;
  /** Sent as X-API-Key on asynchronous acknowledgements (the biller participant's API key). */
  pbbApiKey?: string;
  /** Sent as X-Platform-TenantId on asynchronous acknowledgements. */
  tenantId?: string;
  /** One line per advice, rejection and failed acknowledgement. Never carries phone numbers. */
  log?: (line: string) => void;
}

export interface BillerSimulator {
  /** Sets where and how the simulator reaches the server (and the secret it checks) after start. */
  link(c: Partial<SimLink>): void;
  /** Base URL, e.g. http://127.0.0.1:4030 */
  readonly url: string;
  close(): Promise<void>;
  /** Adds or replaces a bill. Throws a RangeError when the bill is malformed. */
  addBill(bill: SimBill): void;
  setDown(down: boolean): void;
  /** Throws a RangeError (and changes nothing) when a value is invalid. */
  configure(c: Partial<BillerConfig>): void;
  /** A snapshot. */
  state(): BillerState;
  /** Forgets bills, advices, RTP updates, callbacks and counters; settings (down included) stay. */
  reset(): void;
  /** Resolves with the state once `pred` holds (checked now and after every request and callback). */
  waitFor(pred: (s: BillerState) => boolean, timeoutMs?: number): Promise<BillerState>;
}
