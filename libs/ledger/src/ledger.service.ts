import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';
import { AppException, ErrorCode } from '@app/platform';
import { fromPgError, ledgerError } from './ledger.errors';
import { BalanceDelta, LedgerRepository, TransferRowInput } from './ledger.repository';
import { ACCOUNT_CODE, LOWER_UUID, MAX_AMOUNT, MAX_TIMEOUT_SECONDS, TRANSFER_CODE } from './ledger.rules';
import { currencyExponent } from './money';
import { Account, ACCOUNT_KINDS, isResolution, NewAccount, Transfer, TransferInput, TransferResult } from './ledger.types';

const COMPARED: (keyof TransferRowInput & keyof Transfer)[] = [
  'debitAccountId',
  'creditAccountId',
  'amount',
  'currency',
  'kind',
  'pendingId',
  'code',
  'referenceType',
  'referenceId',
];

function alreadyResolved(pendingId: string, by: Transfer): AppException {
  switch (by.kind) {
    case 'post_pending':
      return ledgerError(ErrorCode.LEDGER_PENDING_ALREADY_POSTED, `Pending transfer ${pendingId} was already posted`);
    case 'void_pending':
      return ledgerError(ErrorCode.LEDGER_PENDING_ALREADY_VOIDED, `Pending transfer ${pendingId} was already voided`);
    default:
      return ledgerError(ErrorCode.LEDGER_PENDING_EXPIRED, `Pending transfer ${pendingId} expired`);
  }
}

/** Refuses what the table's constraints would refuse, with a 400 instead of a database error. */
function validateAccount(a: NewAccount): void {
  currencyExponent(a.currency);
  const bad = (msg: string) => new AppException(ErrorCode.VALIDATION_FAILED, msg);
  if (!ACCOUNT_CODE.test(a.code)) throw bad('Account code must be 1-100 letters, digits or . _ : / -');
  if (!a.name || a.name.length > 200) throw bad('Account name must be 1-200 characters');
  if (!ACCOUNT_KINDS.includes(a.kind)) throw bad(`Account kind must be one of ${ACCOUNT_KINDS.join(', ')}`);
  if (a.debitsMustNotExceedCredits && a.creditsMustNotExceedDebits)
    throw bad('An account cannot limit both its debits and its credits');
}

const zero = (accountId: string): BalanceDelta => ({
  accountId,
  debitsPending: 0n,
  debitsPosted: 0n,
  creditsPending: 0n,
  creditsPosted: 0n,
});

/**
 * The ledger: accounts and immutable transfers with two-phase reservations. `createTransfers` takes the
 * caller's transaction so business rows and ledger entries commit together; the list it is given succeeds
 * or fails as a whole (linked), inside a savepoint so a refusal leaves the caller's transaction usable.
 */
@Injectable()
export class LedgerService {
  private savepoints = 0;

  constructor(
    @InjectDataSource() private readonly ds: DataSource,
    private readonly repo: LedgerRepository,
  ) {}

  async createAccount(m: EntityManager | undefined, tenantId: string, a: NewAccount): Promise<Account> {
    validateAccount(a);
    const created = await this.repo.insertAccount(m ?? this.ds.manager, tenantId, a);
    if (!created) throw new AppException(ErrorCode.CONFLICT, `Account '${a.code}' already exists in this tenant`);
    return created;
  }

  /** The account with this code, created with these settings the first time it is asked for. */
  async ensureAccount(m: EntityManager | undefined, tenantId: string, a: NewAccount): Promise<Account> {
    validateAccount(a);
    const manager = m ?? this.ds.manager;
    return (await this.repo.insertAccount(manager, tenantId, a)) ?? (await this.repo.findAccountByCode(manager, tenantId, a.code))!;
  }

  async findAccountByCode(tenantId: string, code: string, m?: EntityManager): Promise<Account | undefined> {
    return this.repo.findAccountByCode(m ?? this.ds.manager, tenantId, code);
  }

  async listAccounts(tenantId: string, filter: { currency?: string; kind?: string }, limit: number, offset: number): Promise<Account[]> {
    return this.repo.listAccounts(tenantId, filter, limit, offset);
  }

  async getAccounts(tenantId: string, ids: string[], m?: EntityManager): Promise<Account[]> {
    return this.repo.findAccounts(m ?? this.ds.manager, tenantId, ids);
  }

  async getTransfers(tenantId: string, ids: string[], m?: EntityManager): Promise<Transfer[]> {
    return this.repo.findTransfers(m ?? this.ds.manager, tenantId, ids);
  }

  /**
   * Creates transfers (posted, pending, or resolutions of pending ones) atomically. A transfer whose ID
   * exists with identical fields is returned as it is (`created: false`) and changes no balance; the same
   * ID with other fields is refused naming the field. Limits are checked by the database on the final
   * balances of the whole list.
   */
  async createTransfers(m: EntityManager | undefined, tenantId: string, inputs: TransferInput[]): Promise<TransferResult[]> {
    this.validate(inputs);
    if (!inputs.length) return [];
    return this.atomically(m, async (tx) => {
      const { rows, pendings } = await this.resolveRows(tx, tenantId, inputs);
      const accountIds = [...new Set(rows.flatMap((r) => [r.debitAccountId, r.creditAccountId]))].sort();
      const accounts = new Map((await this.repo.lockAccounts(tx, tenantId, accountIds)).map((a) => [a.id, a]));
      this.checkAccounts(rows, accounts);
      await this.checkPendingState(tx, inputs, pendings);
      const codes = new Map([...accounts.values()].map((a) => [a.id, a.code]));
      try {
        // In ID order: two lists naming the same new IDs then wait for each other instead of deadlocking.
        const inserted = await this.repo.insertTransfers(tx, tenantId, [...rows].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0)));
        const insertedIds = new Set(inserted.map((t) => t.id));
        const replays = await this.checkReplays(tx, tenantId, rows.filter((r) => !insertedIds.has(r.id)));
        await this.repo.applyDeltas(tx, tenantId, this.deltas(inserted, pendings));
        const byId = new Map([...inserted.map((t) => [t.id, { transfer: t, created: true }] as const), ...replays]);
        return rows.map((r) => byId.get(r.id)!);
      } catch (err) {
        throw fromPgError(err, codes) ?? err;
      }
    });
  }

  private validate(inputs: TransferInput[]): void {
    const seen = new Set<string>();
    inputs.forEach((t, i) => {
      const at = `transfers[${i}]`;
      const bad = (msg: string) => ledgerError(ErrorCode.LEDGER_INVALID_TRANSFER, `${at}: ${msg}`);
      if (!LOWER_UUID.test(t.id)) throw bad('id must be a lower-case UUID');
      if (seen.has(t.id)) throw bad(`id ${t.id} appears twice in the list`);
      seen.add(t.id);
      if (!TRANSFER_CODE.test(t.code)) throw bad('code must be 1-64 letters, digits, . _ : or -');
      if (t.amount !== undefined && t.amount <= 0n) throw bad('amount must be positive');
      if (t.amount !== undefined && t.amount > MAX_AMOUNT) throw bad('amount must fit in 64 bits');
      if ((t.referenceType?.length ?? 0) > 64 || (t.referenceId?.length ?? 0) > 128) throw bad('reference too long');
      if (isResolution(t)) {
        if (!LOWER_UUID.test(t.pendingId)) throw bad('pendingId must be a UUID');
        if (t.kind !== 'post_pending' && t.amount !== undefined) throw bad('only a post may name an amount');
        return;
      }
      if (!LOWER_UUID.test(t.debitAccountId) || !LOWER_UUID.test(t.creditAccountId)) throw bad('account IDs must be UUIDs');
      if (t.debitAccountId === t.creditAccountId) throw bad('debit and credit accounts must differ');
      if (t.kind === 'pending' && t.timeoutSeconds !== undefined && !(Number.isInteger(t.timeoutSeconds) && t.timeoutSeconds > 0 && t.timeoutSeconds <= MAX_TIMEOUT_SECONDS))
        throw bad(`timeoutSeconds must be a whole number from 1 to ${MAX_TIMEOUT_SECONDS}`);
      if (t.kind === 'posted' && t.timeoutSeconds !== undefined) throw bad('only a pending transfer has a timeout');
    });
  }

  /** Fills in a resolution's accounts, currency and amount from the pending transfer it resolves. */
  private async resolveRows(
    tx: EntityManager,
    tenantId: string,
    inputs: TransferInput[],
  ): Promise<{ rows: TransferRowInput[]; pendings: Map<string, Transfer> }> {
    const pendingIds = inputs.filter(isResolution).map((t) => t.pendingId);
    const pendings = new Map((await this.repo.findTransfers(tx, tenantId, pendingIds)).map((p) => [p.id, p]));
    // Plain literals, no spreads: this runs once per transfer and batches hold 10,000 of them.
    const rows = inputs.map((t): TransferRowInput => {
      if (!isResolution(t))
        return {
          id: t.id, code: t.code, referenceType: t.referenceType ?? null, referenceId: t.referenceId ?? null,
          kind: t.kind, debitAccountId: t.debitAccountId, creditAccountId: t.creditAccountId, amount: t.amount,
          currency: t.currency, pendingId: null, timeoutSeconds: t.kind === 'pending' ? (t.timeoutSeconds ?? null) : null,
        };
      const p = pendings.get(t.pendingId);
      if (!p || p.kind !== 'pending') throw ledgerError(ErrorCode.LEDGER_PENDING_NOT_FOUND, `No pending transfer ${t.pendingId}`);
      if (t.amount !== undefined && t.amount > p.amount)
        throw ledgerError(ErrorCode.LEDGER_EXCEEDS_PENDING_AMOUNT, `Cannot post ${t.amount} of a pending ${p.amount}`);
      return {
        id: t.id, code: t.code, referenceType: t.referenceType ?? null, referenceId: t.referenceId ?? null,
        kind: t.kind, debitAccountId: p.debitAccountId, creditAccountId: p.creditAccountId,
        amount: t.amount ?? p.amount, currency: p.currency, pendingId: p.id, timeoutSeconds: null,
      };
    });
    return { rows, pendings };
  }

  private checkAccounts(rows: TransferRowInput[], accounts: Map<string, Account>): void {
    for (const r of rows) {
      for (const id of [r.debitAccountId, r.creditAccountId]) {
        const a = accounts.get(id);
        if (!a) throw ledgerError(ErrorCode.LEDGER_ACCOUNT_NOT_FOUND, `No account ${id} in this tenant`);
        if (a.currency !== r.currency)
          throw ledgerError(ErrorCode.LEDGER_CURRENCY_MISMATCH, `Transfer ${r.id} is in ${r.currency} but account ${a.code} holds ${a.currency}`);
      }
    }
  }

  /** Run after the accounts are locked, so two resolutions of one pending transfer are seen one after the other. */
  private async checkPendingState(tx: EntityManager, inputs: TransferInput[], pendings: Map<string, Transfer>): Promise<void> {
    const resolutions = inputs.filter(isResolution);
    if (!resolutions.length) return;
    const done = await this.repo.findResolutions(tx, resolutions.map((t) => t.pendingId));
    const [{ now }] = (await tx.query(`SELECT now() AS now`)) as { now: Date }[];
    for (const t of resolutions) {
      const existing = done.get(t.pendingId);
      if (existing && existing.id !== t.id) throw alreadyResolved(t.pendingId, existing);
      const timeoutAt = pendings.get(t.pendingId)?.timeoutAt;
      const timedOut = !!timeoutAt && timeoutAt <= now;
      if (!existing && t.kind !== 'expire_pending' && timedOut)
        throw ledgerError(ErrorCode.LEDGER_PENDING_EXPIRED, `Pending transfer ${t.pendingId} expired at ${timeoutAt.toISOString()}`);
      if (!existing && t.kind === 'expire_pending' && !timedOut)
        throw ledgerError(ErrorCode.LEDGER_INVALID_TRANSFER, `Pending transfer ${t.pendingId} has not timed out`);
    }
  }

  /** IDs that already existed: identical fields make a replay; anything else is refused, naming the field. */
  private async checkReplays(tx: EntityManager, tenantId: string, rows: TransferRowInput[]): Promise<[string, TransferResult][]> {
    if (!rows.length) return [];
    const existing = await this.repo.findTransferIds(tx, rows.map((r) => r.id));
    return rows.map((r) => {
      const e = existing.get(r.id)!;
      const field = e.tenantId !== tenantId ? 'id' : COMPARED.find((f) => e[f] !== r[f]);
      if (field)
        throw ledgerError(ErrorCode.LEDGER_TRANSFER_EXISTS_WITH_DIFFERENT_FIELD, `Transfer ${r.id} already exists with a different ${field}`);
      return [r.id, { transfer: e, created: false }];
    });
  }

  /** Sums every inserted transfer's effect per account, so each account row is updated once. */
  private deltas(inserted: Transfer[], pendings: Map<string, Transfer>): BalanceDelta[] {
    const by = new Map<string, BalanceDelta>();
    const of = (id: string) => by.get(id) ?? by.set(id, zero(id)).get(id)!;
    for (const t of inserted) {
      const dr = of(t.debitAccountId);
      const cr = of(t.creditAccountId);
      const reserved = t.pendingId ? pendings.get(t.pendingId)!.amount : 0n;
      switch (t.kind) {
        case 'posted':
          dr.debitsPosted += t.amount;
          cr.creditsPosted += t.amount;
          break;
        case 'pending':
          dr.debitsPending += t.amount;
          cr.creditsPending += t.amount;
          break;
        case 'post_pending':
          dr.debitsPending -= reserved;
          cr.creditsPending -= reserved;
          dr.debitsPosted += t.amount;
          cr.creditsPosted += t.amount;
          break;
        case 'void_pending':
        case 'expire_pending':
          dr.debitsPending -= reserved;
          cr.creditsPending -= reserved;
          break;
      }
    }
    return [...by.values()].sort((a, b) => (a.accountId < b.accountId ? -1 : 1));
  }

  /** In the caller's transaction (inside a savepoint) or, without one, in a transaction of its own. */
  private async atomically<T>(m: EntityManager | undefined, fn: (tx: EntityManager) => Promise<T>): Promise<T> {
    if (!m?.queryRunner?.isTransactionActive) return this.ds.transaction(fn);
    const sp = `ledger_sp_${++this.savepoints}`;
    await m.query(`SAVEPOINT ${sp}`);
    try {
      const result = await fn(m);
      await m.query(`RELEASE SAVEPOINT ${sp}`);
      return result;
    } catch (err) {
      await m.query(`ROLLBACK TO SAVEPOINT ${sp}`).catch(() => undefined);
      throw err;
    }
  }
}
