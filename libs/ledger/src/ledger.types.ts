export const ACCOUNT_KINDS = [
  'program_funding',
  'disbursement_clearing',
  'voucher_liability',
  'merchant_payable',
  'biller_payable',
  'fsp_settlement',
  'external',
] as const;
export type AccountKind = (typeof ACCOUNT_KINDS)[number];

export interface Account {
  id: string;
  tenantId: string;
  code: string;
  name: string;
  currency: string;
  kind: AccountKind;
  debitsMustNotExceedCredits: boolean;
  creditsMustNotExceedDebits: boolean;
  debitsPending: bigint;
  debitsPosted: bigint;
  creditsPending: bigint;
  creditsPosted: bigint;
  reference: string | null;
  createdAt: Date;
}

export interface NewAccount {
  code: string;
  name: string;
  currency: string;
  kind: AccountKind;
  debitsMustNotExceedCredits?: boolean;
  creditsMustNotExceedDebits?: boolean;
  reference?: string;
}

export const TRANSFER_KINDS = ['posted', 'pending', 'post_pending', 'void_pending', 'expire_pending'] as const;
export type TransferKind = (typeof TRANSFER_KINDS)[number];

/** An immutable ledger row. Amounts are minor units of `currency`. */
export interface Transfer {
  id: string;
  tenantId: string;
  debitAccountId: string;
  creditAccountId: string;
  amount: bigint;
  currency: string;
  kind: TransferKind;
  pendingId: string | null;
  timeoutAt: Date | null;
  code: string;
  referenceType: string | null;
  referenceId: string | null;
  createdAt: Date;
}

interface Common {
  /** Chosen by the caller (a UUID): the idempotency key of the transfer. */
  id: string;
  code: string;
  referenceType?: string;
  referenceId?: string;
}

/** Moves money now, or reserves it (`pending`) until posted, voided or expired. */
export interface NewTransfer extends Common {
  kind: 'posted' | 'pending';
  debitAccountId: string;
  creditAccountId: string;
  amount: bigint;
  currency: string;
  /** Pending only: seconds until the sweeper voids it. */
  timeoutSeconds?: number;
}

/** Resolves a pending transfer: post it (in full, or a smaller amount) or void it. */
export interface PendingResolution extends Common {
  kind: 'post_pending' | 'void_pending' | 'expire_pending';
  pendingId: string;
  /** Post only; defaults to the full pending amount. */
  amount?: bigint;
}

export type TransferInput = NewTransfer | PendingResolution;

export interface TransferResult {
  transfer: Transfer;
  /** False when the ID already existed with identical fields (an idempotent replay). */
  created: boolean;
}

export const isResolution = (t: TransferInput): t is PendingResolution =>
  t.kind === 'post_pending' || t.kind === 'void_pending' || t.kind === 'expire_pending';
