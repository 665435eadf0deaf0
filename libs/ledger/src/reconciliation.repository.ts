import { Injectable } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import { TransferKind } from './ledger.types';

/** The four stored balances of an account, in minor units. */
export const BALANCE_FIELDS = ['debitsPosted', 'creditsPosted', 'debitsPending', 'creditsPending'] as const;
export type BalanceField = (typeof BALANCE_FIELDS)[number];

export interface CurrencyTotals {
  currency: string;
  accounts: number;
  /** Σ (credits_posted − debits_posted) over the currency's accounts: 0 when the books balance. */
  postedNet: bigint;
  /** Σ (credits_pending − debits_pending): 0 when every reservation has both of its legs. */
  pendingNet: bigint;
}

/** An account whose stored balances differ from what its transfers add up to. */
export interface BalanceCheck {
  accountId: string;
  code: string;
  currency: string;
  stored: Record<BalanceField, bigint>;
  /** From the transfers: posted = posted + post_pending; pending = pending − amounts of resolved reservations. */
  recomputed: Record<BalanceField, bigint>;
  /** Pending fields only: the sum of the account's open reservations (pending transfers nothing resolved). */
  open: Record<'debitsPending' | 'creditsPending', bigint>;
}

/** One line of an account statement; `createdAt` keeps PostgreSQL's microseconds (a JS Date would not). */
export interface StatementLine {
  id: string;
  direction: 'debit' | 'credit';
  counterpartyAccountId: string;
  amount: bigint;
  currency: string;
  kind: TransferKind;
  pendingId: string | null;
  code: string;
  referenceType: string | null;
  referenceId: string | null;
  createdAt: string;
}

export interface StatementCursor {
  /** ISO 8601 in UTC with microseconds, as produced in `StatementLine.createdAt`. */
  at: string;
  id: string;
}

const ISO_MICROS = `to_char(t.created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"')`;

const big = (v: string | null): bigint => BigInt(v ?? '0');

/**
 * Read-only reporting queries over the ledger tables (the writer stays LedgerRepository). Each is one
 * set-wise statement whatever the number of accounts; run them in one REPEATABLE READ transaction to
 * get one snapshot.
 */
@Injectable()
export class ReconciliationRepository {
  async currencyTotals(m: EntityManager, tenantId: string): Promise<CurrencyTotals[]> {
    const rows = (await m.query(
      `SELECT currency, count(*)::int AS accounts,
              sum(credits_posted - debits_posted)::text AS posted_net,
              sum(credits_pending - debits_pending)::text AS pending_net
       FROM ledger_accounts WHERE tenant_id = $1
       GROUP BY currency ORDER BY currency`,
      [tenantId],
    )) as { currency: string; accounts: number; posted_net: string; pending_net: string }[];
    return rows.map((r) => ({
      currency: r.currency,
      accounts: r.accounts,
      postedNet: big(r.posted_net),
      pendingNet: big(r.pending_net),
    }));
  }

  /**
   * Recomputes every account's balances from the tenant's transfers (one pass, GROUP BY account) and
   * returns only the accounts where a stored figure differs from a recomputed one or from the open
   * reservations.
   */
  async balanceMismatches(m: EntityManager, tenantId: string): Promise<BalanceCheck[]> {
    const rows = (await m.query(
      `WITH legs AS (
         SELECT leg.account_id, leg.debit, t.kind, t.amount, p.amount AS reserved,
                (t.kind = 'pending' AND r.id IS NULL) AS open
         FROM ledger_transfers t
         LEFT JOIN ledger_transfers p ON p.id = t.pending_id
         LEFT JOIN ledger_transfers r ON r.pending_id = t.id
         CROSS JOIN LATERAL (VALUES (t.debit_account_id, true), (t.credit_account_id, false)) AS leg(account_id, debit)
         WHERE t.tenant_id = $1
       ), sums AS (
         SELECT account_id,
           coalesce(sum(amount) FILTER (WHERE debit AND kind IN ('posted', 'post_pending')), 0) AS dpo,
           coalesce(sum(amount) FILTER (WHERE NOT debit AND kind IN ('posted', 'post_pending')), 0) AS cpo,
           coalesce(sum(amount) FILTER (WHERE debit AND kind = 'pending'), 0)
             - coalesce(sum(reserved) FILTER (WHERE debit AND reserved IS NOT NULL), 0) AS dpe,
           coalesce(sum(amount) FILTER (WHERE NOT debit AND kind = 'pending'), 0)
             - coalesce(sum(reserved) FILTER (WHERE NOT debit AND reserved IS NOT NULL), 0) AS cpe,
           coalesce(sum(amount) FILTER (WHERE debit AND open), 0) AS dopen,
           coalesce(sum(amount) FILTER (WHERE NOT debit AND open), 0) AS copen
         FROM legs GROUP BY account_id
       )
       SELECT a.id, a.code, a.currency,
              a.debits_posted::text AS s_dpo, a.credits_posted::text AS s_cpo,
              a.debits_pending::text AS s_dpe, a.credits_pending::text AS s_cpe,
              s.dpo::text AS dpo, s.cpo::text AS cpo, s.dpe::text AS dpe, s.cpe::text AS cpe,
              s.dopen::text AS dopen, s.copen::text AS copen
       FROM ledger_accounts a LEFT JOIN sums s ON s.account_id = a.id
       WHERE a.tenant_id = $1
         AND (a.debits_posted <> coalesce(s.dpo, 0) OR a.credits_posted <> coalesce(s.cpo, 0)
           OR a.debits_pending <> coalesce(s.dpe, 0) OR a.credits_pending <> coalesce(s.cpe, 0)
           OR a.debits_pending <> coalesce(s.dopen, 0) OR a.credits_pending <> coalesce(s.copen, 0))
       ORDER BY a.currency, a.code`,
      [tenantId],
    )) as Record<string, string | null>[];
    return rows.map((r) => ({
      accountId: r.id!,
      code: r.code!,
      currency: r.currency!,
      stored: {
        debitsPosted: big(r.s_dpo),
        creditsPosted: big(r.s_cpo),
        debitsPending: big(r.s_dpe),
        creditsPending: big(r.s_cpe),
      },
      recomputed: {
        debitsPosted: big(r.dpo),
        creditsPosted: big(r.cpo),
        debitsPending: big(r.dpe),
        creditsPending: big(r.cpe),
      },
      open: { debitsPending: big(r.dopen), creditsPending: big(r.copen) },
    }));
  }

  /** The account's transfers in (createdAt, id) order after the cursor; both legs use their own index. */
  async statement(
    m: EntityManager,
    tenantId: string,
    accountId: string,
    after: StatementCursor | null,
    limit: number,
  ): Promise<StatementLine[]> {
    const rows = (await m.query(
      `SELECT t.id, t.direction, t.counterparty, t.amount::text AS amount, t.currency, t.kind, t.pending_id, t.code,
              t.reference_type, t.reference_id, ${ISO_MICROS} AS created_at
       FROM (
         SELECT *, 'debit' AS direction, credit_account_id AS counterparty FROM ledger_transfers
         WHERE tenant_id = $1 AND debit_account_id = $2
           AND ($3::timestamptz IS NULL OR (created_at, id) > ($3::timestamptz, $4::uuid))
         UNION ALL
         SELECT *, 'credit', debit_account_id FROM ledger_transfers
         WHERE tenant_id = $1 AND credit_account_id = $2
           AND ($3::timestamptz IS NULL OR (created_at, id) > ($3::timestamptz, $4::uuid))
       ) t
       ORDER BY t.created_at, t.id LIMIT $5`,
      [tenantId, accountId, after?.at ?? null, after?.id ?? null, limit],
    )) as {
      id: string;
      direction: 'debit' | 'credit';
      counterparty: string;
      amount: string;
      currency: string;
      kind: TransferKind;
      pending_id: string | null;
      code: string;
      reference_type: string | null;
      reference_id: string | null;
      created_at: string;
    }[];
    return rows.map((r) => ({
      id: r.id,
      direction: r.direction,
      counterpartyAccountId: r.counterparty,
      amount: BigInt(r.amount),
      currency: r.currency,
      kind: r.kind,
      pendingId: r.pending_id,
      code: r.code,
      referenceType: r.reference_type,
      referenceId: r.reference_id,
      createdAt: r.created_at,
    }));
  }
}
