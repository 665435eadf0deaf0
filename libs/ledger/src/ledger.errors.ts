import { AppException, ErrorCode } from '@app/platform';

export const ledgerError = (code: ErrorCode, message: string) => new AppException(code, message);

interface PgError {
  code?: string;
  constraint?: string;
  detail?: string;
}

const UUID = /[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/;

/**
 * The database enforces limits and single resolution; its refusals are turned into the ledger's codes.
 * Returns undefined for errors that are not ledger rule violations.
 */
export function fromPgError(err: unknown, accountCodes: Map<string, string>): AppException | undefined {
  const e = err as PgError;
  const account = (): string => {
    const id = UUID.exec(e.detail ?? '')?.[0];
    return (id && accountCodes.get(id)) ?? id ?? 'an account';
  };
  if (e.code === '23514' && e.constraint === 'ledger_debits_within_credits')
    return ledgerError(ErrorCode.LEDGER_EXCEEDS_CREDITS, `Debits would exceed credits on account ${account()}`);
  if (e.code === '23514' && e.constraint === 'ledger_credits_within_debits')
    return ledgerError(ErrorCode.LEDGER_EXCEEDS_DEBITS, `Credits would exceed debits on account ${account()}`);
  if (e.code === '22003')
    return ledgerError(ErrorCode.LEDGER_BALANCE_OVERFLOW, 'A balance would exceed the largest amount the ledger holds');
  if (e.code === '23505' && e.constraint === 'ledger_transfers_one_resolution')
    return ledgerError(ErrorCode.LEDGER_PENDING_ALREADY_POSTED, 'The pending transfer was resolved by another transfer');
  return undefined;
}
