// One list of batch states for server and console: the server's own domain file (plain constants, no imports).
import { BATCH_STATES, CANCELLABLE, TERMINAL_BATCH_STATES, type BatchState } from '../../payments-bb/src/bulk/domain/batch-state';

/** Shapes of the server's answers the console reads (see the controllers under apps/payments-bb/src). */

export type Role = 'viewer' | 'maker' | 'checker' | 'admin';

export interface Operator {
  id: string;
  tenantId: string;
  username: string;
  displayName: string;
  role: Role;
  status: 'active' | 'disabled';
  scopes: string[];
  lastLoginAt: string | null;
  createdAt: string;
}

export interface SessionAnswer {
  operator: Operator;
  csrfToken: string;
  expiresAt: string;
  idleTimeoutSeconds: number;
}

export { BATCH_STATES };
export type { BatchState };
export const TERMINAL_STATES: readonly string[] = TERMINAL_BATCH_STATES;
/** Before anything went to the payer FSP a batch can still be cancelled. */
export const CANCELLABLE_STATES: readonly string[] = CANCELLABLE;
export const RUNNING_STATES: readonly string[] = BATCH_STATES.filter(
  (s) => !TERMINAL_STATES.includes(s) && s !== 'awaiting_approval',
);

export interface BatchListItem {
  batchId: string;
  externalBatchId: string | null;
  sourceBbId: string;
  programCode: string;
  status: BatchState;
  statusReason: string | null;
  instructionCount: number;
  currency: string;
  readyAmount: string;
  createdAt: string;
  completedAt: string | null;
}

export interface BatchList {
  items: BatchListItem[];
  limit: number;
  offset: number;
}

export interface BatchSummary {
  batchId: string;
  externalBatchId: string | null;
  requestId: string | null;
  programCode: string;
  status: BatchState;
  statusReason: string | null;
  currency: string;
  createdAt: string;
  approvedBy: string | null;
  approvedAt: string | null;
  completedAt: string | null;
  TotalTransactions: number;
  completed: number;
  failed: number;
  ongoing: number;
  amounts: {
    total: string;
    completed: string;
    failed: string;
    ongoing: string;
    reserved: string;
    posted: string;
    released: string;
  };
  byStatus: { PDNG: number; ACCP: number; ACSC: number; RJCT: number };
  duplicatePayees: number;
  subBatches: { total: number; pending: number; submitting: number; submitted: number; completed: number; rejected: number };
  retryOf: string | null;
  result_file: string;
}

export interface BatchDetailItem {
  workflowInstanceKey: string | null;
  transactionId: string;
  startedAt: string;
  completedAt: string | null;
  status: string;
  statusDetail: string;
  payeeDfspId: string | null;
  payeePartyId: string | null;
  payeePartyIdType: string | null;
  amount: number | null;
  currency: string | null;
  errorInformation: string | null;
  reasonCode: string | null;
  fspReference: string | null;
  duplicatePayee: boolean;
}

export interface BatchActionAnswer {
  batchId: string;
  status: string;
  statusReason: string | null;
  retryOf: string | null;
  instructionCount: number;
}

export interface Program {
  id: string;
  code: string;
  name: string;
  currency: string;
  fundingAccountId: string;
  payerFspCode: string;
  requiresApproval: boolean;
  status: 'active' | 'disabled';
}

export interface Participant {
  id: string;
  code: string;
  name: string;
  kind: string;
  status: 'active' | 'disabled';
}

export interface VoucherGroup {
  code: string;
  name: string;
  currency: string;
  programCode: string;
  denominations: string[];
  validityDays: number;
  expiresOn: string | null;
  lowStockThreshold: number;
  status: string;
}

export interface VoucherStock {
  groupCode: string;
  currency: string;
  lowStockThreshold: number;
  available: { amount: string; count: number; low: boolean }[];
  byState: { state: string; amount: string; count: number; value: string }[];
  lowStock: boolean;
}

export interface VoucherStatus {
  status: number;
  state: string;
  serialNumber: string;
  value: string;
  currency: string;
  expiryDateTime: string;
}

export interface Credentials {
  clientId: string;
  clientSecret: string;
  apiKey: string;
  callbackSecret: string;
}

export interface Biller {
  billerId: string;
  prefix: string;
  name: string;
  shortName: string;
  kind: 'biller' | 'aggregator';
  status: 'pending_approval' | 'active' | 'suspended' | 'rejected';
  baseUrl: string | null;
  digit: { tenantId: string; businessService: string } | null;
  timeoutMs: number;
  currencies: string[];
  settlementAccount: { bankCode: string; accountNumber: string; accountName: string | null };
  rules: { amountExactness: string; partialPayment: boolean; minAmount: string };
  createdBy: string;
  decidedBy: string | null;
  decidedAt: string | null;
  decisionReason: string | null;
  createdAt: string;
}

export interface PayerFi {
  code: string;
  bic: string;
  baseUrl: string;
  status: 'active' | 'disabled';
  createdAt: string;
}

export interface Advice {
  paymentId: string;
  receiptNumber: string | null;
  billId: string;
  paymentReference: string;
  amount: string;
  currency: string;
  status: string;
  rejectReason: string | null;
  adviceStatus: string;
  attempts: number;
  nextAttemptAt: string | null;
  lastStatusCode: number | null;
  lastError: string | null;
  doneAt: string | null;
  createdAt: string;
}

export interface Delivery {
  id: string;
  participantId: string;
  eventType: string;
  method: string;
  url: string;
  payload: unknown;
  correlationId: string;
  status: 'pending' | 'delivering' | 'delivered' | 'failed';
  attempts: number;
  maxAttempts: number;
  nextAttemptAt: string | null;
  lastStatusCode: number | null;
  lastError: string | null;
  deliveredAt: string | null;
  createdAt: string;
  updatedAt: string;
}

export interface DeliveryDetail extends Delivery {
  attemptHistory: {
    attemptNo: number;
    startedAt: string;
    durationMs: number | null;
    statusCode: number | null;
    error: string | null;
    outcome: string;
  }[];
}

export interface LedgerAccount {
  id: string;
  code: string;
  name: string;
  currency: string;
  kind: string;
  reference: string | null;
  debitsPosted: string;
  creditsPosted: string;
  debitsPending: string;
  creditsPending: string;
  available: string;
  availableMinor: string;
  createdAt: string;
}

export interface StatementLine {
  transferId: string;
  direction: 'debit' | 'credit';
  amount: string;
  currency: string;
  kind: string;
  code: string;
  pendingId: string | null;
  referenceType: string | null;
  referenceId: string | null;
  counterpartyAccountId: string;
  createdAt: string;
}

export interface Reconciliation {
  generatedAt: string;
  tenantId: string;
  currencies: { currency: string; accounts: number; postedNet: string; pendingNet: string; balanced: boolean }[];
  discrepancies: {
    currency: string;
    accountId: string | null;
    accountCode: string | null;
    field: string;
    stored: string;
    recomputed: string;
  }[];
  ok: boolean;
}

export interface AuditEntry {
  id: string;
  occurredAt: string;
  actorId: string;
  actorKind: string;
  action: string;
  objectType: string;
  objectId: string;
  correlationId: string | null;
  details: unknown;
}

/** One source BB's registration of a functional ID; the address is masked unless the role may see it. */
export interface BeneficiaryEntry {
  sourceBbCode: string;
  paymentModality: string;
  financialAddress: string | null;
  financialAddressMasked: boolean;
  institutionCode: string | null;
  status: string;
  updatedAt: string;
}

export interface Beneficiary {
  functionalId: string;
  entries: BeneficiaryEntry[];
}

/** One programme's (or payer FSP's) instructions in a payments report; money is a decimal string. */
export interface ReportGroup {
  currency: string;
  instructions: number;
  amount: string;
  paidAmount: string;
  /** Completed instructions / all instructions, 0..1 (4 decimals); null when there is none. */
  successRate: number | null;
  byState: Record<string, { count: number; amount: string }>;
}

/** `GET /reports/payments` (apps/payments-bb/src/bulk/reports/payments-report.repository.ts). */
export interface PaymentsReport {
  from: string;
  to: string;
  batchesByState: Record<string, number>;
  byProgram: (ReportGroup & { programCode: string })[];
  byPayerFsp: (ReportGroup & { payerFspCode: string })[];
  topFailureReasons: { reasonCode: string | null; example: string | null; count: number }[];
  daily: { day: string; completed: number; failed: number }[];
}

/** `GET /p2g/bills/{billId}`. */
export interface BillLookupAnswer {
  billId: string;
  bill: {
    billerId: string;
    billerName: string;
    currency: string;
    amountDue: string;
    amountPaid: string;
    status: string;
    updatedAt: string;
  } | null;
  payments: BillPaymentView[];
  inquiries: {
    requestId: string;
    payerFi: string;
    billStatus: string;
    dueDate: string | null;
    amountDue: string;
    amountAfterDue: string;
    currency: string;
    at: string;
  }[];
}

export interface BillPaymentView {
  paymentId: string;
  billerId: string;
  payerFi: string;
  channel: string;
  transactionId: string;
  requestId: string;
  amount: string;
  currency: string;
  receiptNo: string | null;
  status: string;
  rejectReason: string | null;
  adviceStatus: string;
  adviceAttempts: number;
  adviceLastError: string | null;
  adviceDoneAt: string | null;
  createdAt: string;
}

/** One row of `GET /p2g/reports/settlement`: a biller's payments from one payer FI in one currency. */
export interface SettlementRow {
  billerId: string;
  billerName: string;
  settlementBankCode: string;
  settlementAccount: string;
  payerFi: string;
  currency: string;
  payments: number;
  amountDecimal: string;
  awaitingBiller: number;
  rejected: number;
}

/** `GET /p2g/reports/settlement`. */
export interface SettlementReport {
  date: string;
  rows: SettlementRow[];
}

/** `GET /p2g/reports/reconciliation`: the bill payments of a day against their ledger postings. */
export interface P2gReconciliation {
  date: string;
  paymentsChecked: number;
  issues: Record<string, unknown>[];
  balanced: boolean;
}

/** The days a payments report covers. */
export interface ReportPeriod {
  /** Inclusive first day and last day, YYYY-MM-DD (UTC). */
  firstDay: string;
  lastDay: string;
  /** What the server is asked: from the first day's midnight to the midnight after the last day. */
  from: string;
  to: string;
  days: number;
}

/** The instructions of a payments report added up for one currency. */
export interface ReportTotals {
  currency: string;
  instructions: number;
  paid: number;
  failed: number;
  open: number;
  cancelled: number;
  amount: string;
  paidAmount: string;
  failedAmount: string;
}
