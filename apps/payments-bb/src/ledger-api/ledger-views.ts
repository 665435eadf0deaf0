import { Account, StatementLine, Transfer, TransferResult } from '@app/ledger';
import { formatAmount, isCurrency } from '@app/ledger/money';
import { AccountDto, StatementLineDto } from './dto/account.dto';
import { TransferDto, TransferResultDto } from './dto/transfer.dto';

/**
 * A decimal string in the currency's exponent. The core accepts any 3-letter code, so an account opened
 * outside this API may hold one the money table does not know: its figures are shown in minor units
 * rather than failing the whole answer.
 */
export const money = (minor: bigint, currency: string): string =>
  isCurrency(currency) ? formatAmount(minor, currency) : minor.toString();

/**
 * What an account can still spend (debit-limited) or take (credit-limited) once reservations are counted;
 * for an unlimited account, its posted net on the credit side.
 */
export function availableOf(a: Account): bigint {
  if (a.debitsMustNotExceedCredits) return a.creditsPosted - a.debitsPosted - a.debitsPending;
  if (a.creditsMustNotExceedDebits) return a.debitsPosted - a.creditsPosted - a.creditsPending;
  return a.creditsPosted - a.debitsPosted;
}

/** Money leaves the API as decimal strings in the currency's exponent, and as minor units (strings too). */
export function accountView(a: Account): AccountDto {
  const available = availableOf(a);
  return {
    id: a.id,
    code: a.code,
    name: a.name,
    currency: a.currency,
    kind: a.kind,
    debitsMustNotExceedCredits: a.debitsMustNotExceedCredits,
    creditsMustNotExceedDebits: a.creditsMustNotExceedDebits,
    reference: a.reference,
    debitsPosted: money(a.debitsPosted, a.currency),
    creditsPosted: money(a.creditsPosted, a.currency),
    debitsPending: money(a.debitsPending, a.currency),
    creditsPending: money(a.creditsPending, a.currency),
    available: money(available, a.currency),
    debitsPostedMinor: a.debitsPosted.toString(),
    creditsPostedMinor: a.creditsPosted.toString(),
    debitsPendingMinor: a.debitsPending.toString(),
    creditsPendingMinor: a.creditsPending.toString(),
    availableMinor: available.toString(),
    createdAt: a.createdAt.toISOString(),
  };
}

export function transferView(t: Transfer): TransferDto {
  return {
    id: t.id,
    kind: t.kind,
    debitAccountId: t.debitAccountId,
    creditAccountId: t.creditAccountId,
    amount: money(t.amount, t.currency),
    amountMinor: t.amount.toString(),
    currency: t.currency,
    code: t.code,
    pendingId: t.pendingId,
    timeoutAt: t.timeoutAt ? t.timeoutAt.toISOString() : null,
    reference:
      t.referenceType !== null || t.referenceId !== null
        ? { type: t.referenceType ?? '', id: t.referenceId ?? '' }
        : null,
    createdAt: t.createdAt.toISOString(),
  };
}

export const resultView = (r: TransferResult): TransferResultDto => ({
  ...transferView(r.transfer),
  created: r.created,
});

export function statementLineView(l: StatementLine): StatementLineDto {
  return {
    transferId: l.id,
    direction: l.direction,
    amount: money(l.amount, l.currency),
    amountMinor: l.amount.toString(),
    currency: l.currency,
    kind: l.kind,
    code: l.code,
    pendingId: l.pendingId,
    referenceType: l.referenceType,
    referenceId: l.referenceId,
    counterpartyAccountId: l.counterpartyAccountId,
    createdAt: l.createdAt,
  };
}

/**
 * The digest-able audit view of a transfer: what it moved, between whom and why, in minor units. Only its
 * SHA-256 is stored.
 */
export function auditViewOf(t: Transfer) {
  return {
    id: t.id,
    kind: t.kind,
    debitAccountId: t.debitAccountId,
    creditAccountId: t.creditAccountId,
    amount: t.amount.toString(),
    currency: t.currency,
    pendingId: t.pendingId,
    code: t.code,
    referenceType: t.referenceType,
    referenceId: t.referenceId,
  };
}
