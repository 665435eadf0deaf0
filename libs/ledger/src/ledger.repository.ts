import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';
import { Account, AccountKind, NewAccount, Transfer, TransferKind } from './ledger.types';

interface AccountRow {
  id: string;
  tenant_id: string;
  code: string;
  name: string;
  currency: string;
  kind: AccountKind;
  debits_must_not_exceed_credits: boolean;
  credits_must_not_exceed_debits: boolean;
  debits_pending: string;
  debits_posted: string;
  credits_pending: string;
  credits_posted: string;
  reference: string | null;
  created_at: Date;
}

interface TransferRow {
  id: string;
  tenant_id: string;
  debit_account_id: string;
  credit_account_id: string;
  amount: string;
  currency: string;
  kind: TransferKind;
  pending_id: string | null;
  timeout_at: Date | null;
  code: string;
  reference_type: string | null;
  reference_id: string | null;
  created_at: Date;
}

const ACCOUNT_COLUMNS = `id, tenant_id, code, name, currency, kind, debits_must_not_exceed_credits,
  credits_must_not_exceed_debits, debits_pending, debits_posted, credits_pending, credits_posted, reference, created_at`;
const TRANSFER_COLUMNS = `id, tenant_id, debit_account_id, credit_account_id, amount, currency, kind, pending_id,
  timeout_at, code, reference_type, reference_id, created_at`;

const toAccount = (r: AccountRow): Account => ({
  id: r.id,
  tenantId: r.tenant_id,
  code: r.code,
  name: r.name,
  currency: r.currency,
  kind: r.kind,
  debitsMustNotExceedCredits: r.debits_must_not_exceed_credits,
  creditsMustNotExceedDebits: r.credits_must_not_exceed_debits,
  debitsPending: BigInt(r.debits_pending),
  debitsPosted: BigInt(r.debits_posted),
  creditsPending: BigInt(r.credits_pending),
  creditsPosted: BigInt(r.credits_posted),
  reference: r.reference,
  createdAt: r.created_at,
});

export const toTransfer = (r: TransferRow): Transfer => ({
  id: r.id,
  tenantId: r.tenant_id,
  debitAccountId: r.debit_account_id,
  creditAccountId: r.credit_account_id,
  amount: BigInt(r.amount),
  currency: r.currency,
  kind: r.kind,
  pendingId: r.pending_id,
  timeoutAt: r.timeout_at,
  code: r.code,
  referenceType: r.reference_type,
  referenceId: r.reference_id,
  createdAt: r.created_at,
});

/** A transfer about to be written; timeoutSeconds becomes timeout_at in the database's clock. */
export interface TransferRowInput {
  id: string;
  debitAccountId: string;
  creditAccountId: string;
  amount: bigint;
  currency: string;
  kind: TransferKind;
  pendingId: string | null;
  timeoutSeconds: number | null;
  code: string;
  referenceType: string | null;
  referenceId: string | null;
}

export interface BalanceDelta {
  accountId: string;
  debitsPending: bigint;
  debitsPosted: bigint;
  creditsPending: bigint;
  creditsPosted: bigint;
}

/** The only code that writes ledger tables. Every statement is set-wise and names the tenant. */
@Injectable()
export class LedgerRepository {
  constructor(@InjectDataSource() readonly ds: DataSource) {}

  async insertAccount(m: EntityManager, tenantId: string, a: NewAccount): Promise<Account | undefined> {
    const rows = (await m.query(
      `INSERT INTO ledger_accounts (tenant_id, code, name, currency, kind, debits_must_not_exceed_credits,
                                    credits_must_not_exceed_debits, reference)
       VALUES ($1,$2,$3,$4,$5,$6,$7,$8) ON CONFLICT (tenant_id, code) DO NOTHING RETURNING ${ACCOUNT_COLUMNS}`,
      [tenantId, a.code, a.name, a.currency, a.kind, a.debitsMustNotExceedCredits ?? false,
        a.creditsMustNotExceedDebits ?? false, a.reference ?? null],
    )) as AccountRow[];
    return rows[0] && toAccount(rows[0]);
  }

  async findAccountByCode(m: EntityManager, tenantId: string, code: string): Promise<Account | undefined> {
    const rows = (await m.query(`SELECT ${ACCOUNT_COLUMNS} FROM ledger_accounts WHERE tenant_id = $1 AND code = $2`, [
      tenantId,
      code,
    ])) as AccountRow[];
    return rows[0] && toAccount(rows[0]);
  }

  async findAccounts(m: EntityManager, tenantId: string, ids: string[]): Promise<Account[]> {
    const rows = (await m.query(`SELECT ${ACCOUNT_COLUMNS} FROM ledger_accounts WHERE tenant_id = $1 AND id = ANY($2::uuid[])`, [
      tenantId,
      ids,
    ])) as AccountRow[];
    return rows.map(toAccount);
  }

  async listAccounts(tenantId: string, filter: { currency?: string; kind?: string }, limit: number, offset: number): Promise<Account[]> {
    const rows = (await this.ds.query(
      `SELECT ${ACCOUNT_COLUMNS} FROM ledger_accounts
       WHERE tenant_id = $1 AND ($2::text IS NULL OR currency = $2) AND ($3::text IS NULL OR kind = $3)
       ORDER BY code LIMIT $4 OFFSET $5`,
      [tenantId, filter.currency ?? null, filter.kind ?? null, limit, offset],
    )) as AccountRow[];
    return rows.map(toAccount);
  }

  /**
   * Locks the accounts in ID order: every ledger transaction takes its locks in the same order, so two of
   * them can wait for each other but never deadlock.
   */
  async lockAccounts(m: EntityManager, tenantId: string, ids: string[]): Promise<Account[]> {
    const rows = (await m.query(
      `SELECT ${ACCOUNT_COLUMNS} FROM ledger_accounts WHERE tenant_id = $1 AND id = ANY($2::uuid[]) ORDER BY id FOR UPDATE`,
      [tenantId, ids],
    )) as AccountRow[];
    return rows.map(toAccount);
  }

  async findTransfers(m: EntityManager, tenantId: string, ids: string[]): Promise<Transfer[]> {
    if (!ids.length) return [];
    const rows = (await m.query(`SELECT ${TRANSFER_COLUMNS} FROM ledger_transfers WHERE tenant_id = $1 AND id = ANY($2::uuid[])`, [
      tenantId,
      ids,
    ])) as TransferRow[];
    return rows.map(toTransfer);
  }

  /** Transfers with these IDs in any tenant: an ID is global, so a clash across tenants must be seen too. */
  async findTransferIds(m: EntityManager, ids: string[]): Promise<Map<string, Transfer>> {
    const rows = (await m.query(`SELECT ${TRANSFER_COLUMNS} FROM ledger_transfers WHERE id = ANY($1::uuid[])`, [ids])) as TransferRow[];
    return new Map(rows.map((r) => [r.id, toTransfer(r)]));
  }

  async findResolutions(m: EntityManager, pendingIds: string[]): Promise<Map<string, Transfer>> {
    if (!pendingIds.length) return new Map();
    const rows = (await m.query(`SELECT ${TRANSFER_COLUMNS} FROM ledger_transfers WHERE pending_id = ANY($1::uuid[])`, [
      pendingIds,
    ])) as TransferRow[];
    return new Map(rows.map((r) => [r.pending_id!, toTransfer(r)]));
  }

  /**
   * Inserts the transfers whose ID is new; returns them. Only what the database decides (creation time,
   * timeout) comes back: parsing 10,000 full rows would cost more than writing them.
   */
  async insertTransfers(m: EntityManager, tenantId: string, rows: TransferRowInput[]): Promise<Transfer[]> {
    const returned = (await m.query(
      `INSERT INTO ledger_transfers (id, tenant_id, debit_account_id, credit_account_id, amount, currency, kind,
                                     pending_id, timeout_at, code, reference_type, reference_id)
       SELECT id, $1, dr, cr, amt, cur, kind, pid,
              CASE WHEN tmo IS NULL THEN NULL ELSE now() + tmo * interval '1 second' END, code, rt, rid
       FROM unnest($2::uuid[], $3::uuid[], $4::uuid[], $5::bigint[], $6::text[], $7::text[], $8::uuid[], $9::int[],
                   $10::text[], $11::text[], $12::text[]) AS x(id, dr, cr, amt, cur, kind, pid, tmo, code, rt, rid)
       ON CONFLICT (id) DO NOTHING
       RETURNING id, created_at, timeout_at`,
      [
        tenantId,
        rows.map((r) => r.id),
        rows.map((r) => r.debitAccountId),
        rows.map((r) => r.creditAccountId),
        rows.map((r) => r.amount.toString()),
        rows.map((r) => r.currency),
        rows.map((r) => r.kind),
        rows.map((r) => r.pendingId),
        rows.map((r) => r.timeoutSeconds),
        rows.map((r) => r.code),
        rows.map((r) => r.referenceType),
        rows.map((r) => r.referenceId),
      ],
    )) as { id: string; created_at: Date; timeout_at: Date | null }[];
    const byId = new Map(rows.map((r) => [r.id, r]));
    return returned.map((x) => {
      const r = byId.get(x.id)!;
      return {
        id: r.id,
        tenantId,
        debitAccountId: r.debitAccountId,
        creditAccountId: r.creditAccountId,
        amount: r.amount,
        currency: r.currency,
        kind: r.kind,
        pendingId: r.pendingId,
        timeoutAt: x.timeout_at,
        code: r.code,
        referenceType: r.referenceType,
        referenceId: r.referenceId,
        createdAt: x.created_at,
      };
    });
  }

  /** Applies summed balance changes; the accounts' CHECK constraints refuse any limit breach. */
  async applyDeltas(m: EntityManager, tenantId: string, deltas: BalanceDelta[]): Promise<void> {
    if (!deltas.length) return;
    await m.query(
      `UPDATE ledger_accounts a
       SET debits_pending = a.debits_pending + d.dp, debits_posted = a.debits_posted + d.dpo,
           credits_pending = a.credits_pending + d.cp, credits_posted = a.credits_posted + d.cpo
       FROM unnest($2::uuid[], $3::bigint[], $4::bigint[], $5::bigint[], $6::bigint[]) AS d(id, dp, dpo, cp, cpo)
       WHERE a.tenant_id = $1 AND a.id = d.id`,
      [
        tenantId,
        deltas.map((d) => d.accountId),
        deltas.map((d) => d.debitsPending.toString()),
        deltas.map((d) => d.debitsPosted.toString()),
        deltas.map((d) => d.creditsPending.toString()),
        deltas.map((d) => d.creditsPosted.toString()),
      ],
    );
  }

  /** Pending transfers past their timeout that nothing has resolved yet, oldest first. */
  async expiredPending(limit: number): Promise<{ id: string; tenantId: string }[]> {
    const rows = (await this.ds.query(
      `SELECT p.id, p.tenant_id FROM ledger_transfers p
       WHERE p.kind = 'pending' AND p.timeout_at <= now()
         AND NOT EXISTS (SELECT 1 FROM ledger_transfers r WHERE r.pending_id = p.id)
       ORDER BY p.timeout_at LIMIT $1`,
      [limit],
    )) as { id: string; tenant_id: string }[];
    return rows.map((r) => ({ id: r.id, tenantId: r.tenant_id }));
  }
}
