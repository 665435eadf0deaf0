import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import {
  BALANCE_FIELDS,
  CurrencyTotals,
  ReconciliationRepository,
  StatementCursor,
  StatementLine,
} from './reconciliation.repository';

/** What a discrepancy is about: a stored balance, the open reservations behind it, or a currency's sum. */
export type DiscrepancyField =
  | 'debitsPosted'
  | 'creditsPosted'
  | 'debitsPending'
  | 'creditsPending'
  | 'debitsPending.openReservations'
  | 'creditsPending.openReservations'
  | 'postedNet'
  | 'pendingNet';

export interface Discrepancy {
  currency: string;
  /** Null for a currency-level sum. */
  accountId: string | null;
  accountCode: string | null;
  field: DiscrepancyField;
  stored: bigint;
  recomputed: bigint;
}

export interface CurrencySummary extends CurrencyTotals {
  balanced: boolean;
}

export interface ReconciliationReport {
  generatedAt: Date;
  tenantId: string;
  currencies: CurrencySummary[];
  discrepancies: Discrepancy[];
  ok: boolean;
}

/**
 * Checks a tenant's books: per currency the accounts sum to zero (posted and pending), every account's
 * stored balances equal what its transfers add up to, and its pending totals equal its open reservations.
 * Everything is read in one REPEATABLE READ snapshot, so transfers committed meanwhile cannot show up as
 * discrepancies.
 */
@Injectable()
export class ReconciliationService {
  constructor(
    @InjectDataSource() private readonly ds: DataSource,
    private readonly repo: ReconciliationRepository,
  ) {}

  async reconcile(tenantId: string): Promise<ReconciliationReport> {
    return this.ds.transaction('REPEATABLE READ', async (m) => {
      await m.query('SET TRANSACTION READ ONLY');
      const [{ now }] = (await m.query('SELECT now() AS now')) as { now: Date }[];
      const totals = await this.repo.currencyTotals(m, tenantId);
      const mismatches = await this.repo.balanceMismatches(m, tenantId);
      const discrepancies: Discrepancy[] = [];
      for (const t of totals) {
        const at = { currency: t.currency, accountId: null, accountCode: null, recomputed: 0n };
        if (t.postedNet !== 0n) discrepancies.push({ ...at, field: 'postedNet', stored: t.postedNet });
        if (t.pendingNet !== 0n) discrepancies.push({ ...at, field: 'pendingNet', stored: t.pendingNet });
      }
      for (const a of mismatches) {
        const at = { currency: a.currency, accountId: a.accountId, accountCode: a.code };
        for (const field of BALANCE_FIELDS) {
          if (a.stored[field] !== a.recomputed[field])
            discrepancies.push({ ...at, field, stored: a.stored[field], recomputed: a.recomputed[field] });
        }
        for (const field of ['debitsPending', 'creditsPending'] as const) {
          if (a.stored[field] !== a.open[field])
            discrepancies.push({
              ...at,
              field: `${field}.openReservations`,
              stored: a.stored[field],
              recomputed: a.open[field],
            });
        }
      }
      const currencies = totals.map((t) => ({ ...t, balanced: t.postedNet === 0n && t.pendingNet === 0n }));
      return { generatedAt: now, tenantId, currencies, discrepancies, ok: discrepancies.length === 0 };
    });
  }

  /** An account's statement page; read-only, outside any transaction. */
  statement(
    tenantId: string,
    accountId: string,
    after: StatementCursor | null,
    limit: number,
  ): Promise<StatementLine[]> {
    return this.repo.statement(this.ds.manager, tenantId, accountId, after, limit);
  }
}
