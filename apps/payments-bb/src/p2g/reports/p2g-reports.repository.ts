import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';

export interface ReportFilter {
  tenantId: string;
  /** UTC day, YYYY-MM-DD. */
  date: string;
  billerId?: string;
  currency?: string;
}

export interface SettlementRow {
  biller_id: string;
  biller_name: string;
  settlement_bank_code: string;
  settlement_account: string;
  payer_fi: string;
  currency: string;
  payments: number;
  amount: string;
  awaiting_biller: number;
  rejected: number;
  rejected_amount: string;
}

export interface PaymentLine {
  receipt_no: string;
  created_at: Date;
  biller_id: string;
  payer_fi: string;
  bill_id: string;
  transaction_id: string;
  channel: string;
  amount: string;
  currency: string;
  status: string;
  advice_status: string;
}

export interface ReconciliationRow {
  payment_id: string;
  receipt_no: string;
  amount: string;
  currency: string;
  status: string;
  posted: string | null;
  reversed: string | null;
  issue: string;
}

const WHERE = `p.tenant_id = $1 AND p.created_at >= $2::date AND p.created_at < $2::date + 1
               AND ($3::text IS NULL OR b.biller_id = $3) AND ($4::text IS NULL OR p.currency = $4)`;

/**
 * The P2G reports (spec 9.3): the settlement log per biller, payer FI and currency for a day, its line items, and
 * the reconciliation of payments against their ledger postings. Set-wise SQL; a day's lines are streamed by the
 * caller in pages.
 */
@Injectable()
export class P2gReportsRepository {
  constructor(@InjectDataSource() private readonly ds: DataSource) {}

  settlement(f: ReportFilter): Promise<SettlementRow[]> {
    return this.ds.query(
      `SELECT b.biller_id, b.short_name AS biller_name, b.settlement_bank_code, b.settlement_account, fi.code AS payer_fi, p.currency,
              count(*) FILTER (WHERE p.status <> 'rejected')::int AS payments,
              COALESCE(sum(p.amount) FILTER (WHERE p.status <> 'rejected'), 0)::text AS amount,
              count(*) FILTER (WHERE p.status = 'recorded')::int AS awaiting_biller,
              count(*) FILTER (WHERE p.status = 'rejected')::int AS rejected,
              COALESCE(sum(p.amount) FILTER (WHERE p.status = 'rejected'), 0)::text AS rejected_amount
       FROM bill_payments p JOIN billers b ON b.id = p.biller_pk JOIN participants fi ON fi.id = p.payer_fi_id
       WHERE ${WHERE}
       GROUP BY b.biller_id, b.short_name, b.settlement_bank_code, b.settlement_account, fi.code, p.currency
       ORDER BY b.biller_id, fi.code, p.currency`,
      [f.tenantId, f.date, f.billerId ?? null, f.currency ?? null],
    );
  }

  lines(f: ReportFilter, after: string | null, limit: number): Promise<PaymentLine[]> {
    return this.ds.query(
      `SELECT p.receipt_no, p.created_at, b.biller_id, fi.code AS payer_fi, p.bill_id, p.transaction_id, p.channel,
              p.amount::text AS amount, p.currency, p.status, p.advice_status
       FROM bill_payments p JOIN billers b ON b.id = p.biller_pk JOIN participants fi ON fi.id = p.payer_fi_id
       WHERE ${WHERE} AND ($5::text IS NULL OR p.receipt_no > $5)
       ORDER BY p.receipt_no LIMIT $6`,
      [f.tenantId, f.date, f.billerId ?? null, f.currency ?? null, after, limit],
    );
  }

  /**
   * Every payment of the day whose ledger does not match it: no posting, a posting of another amount or currency,
   * a rejected payment not reversed, or a reversal of one that stands. Plus postings that name no payment.
   */
  reconciliation(f: ReportFilter): Promise<{ checked: number; issues: ReconciliationRow[] }> {
    return this.ds
      .query(
        `WITH pay AS (
           SELECT p.* FROM bill_payments p JOIN billers b ON b.id = p.biller_pk WHERE ${WHERE}),
         joined AS (
           SELECT pay.id AS payment_id, pay.receipt_no, pay.amount::text AS amount, pay.currency, pay.status,
                  t.amount::text AS posted, t.currency AS posted_currency,
                  (SELECT sum(r.amount) FROM ledger_transfers r
                    WHERE r.tenant_id = pay.tenant_id AND r.reference_type = 'bill_payment' AND r.reference_id = pay.id::text
                      AND r.code = 'bill.payment.reversal')::text AS reversed
           FROM pay LEFT JOIN ledger_transfers t ON t.id = pay.ledger_transfer_id AND t.tenant_id = pay.tenant_id)
         SELECT *, (SELECT count(*)::int FROM pay) AS checked,
                CASE WHEN posted IS NULL THEN 'no ledger posting'
                     WHEN posted <> amount OR posted_currency <> currency THEN 'posting differs from the payment'
                     WHEN status = 'rejected' AND reversed IS DISTINCT FROM amount THEN 'rejected but not reversed'
                     WHEN status <> 'rejected' AND reversed IS NOT NULL THEN 'reversed but not rejected'
                END AS issue
         FROM joined`,
        [f.tenantId, f.date, f.billerId ?? null, f.currency ?? null],
      )
      .then(async (rows: (ReconciliationRow & { checked: number; posted_currency: string })[]) => {
        const orphans = (await this.ds.query(
          `SELECT t.reference_id AS payment_id, NULL AS receipt_no, t.amount::text AS amount, t.currency, NULL AS status,
                  t.amount::text AS posted, NULL AS reversed, 'ledger posting names no payment' AS issue
           FROM ledger_transfers t LEFT JOIN bill_payments p ON p.id::text = t.reference_id
           WHERE t.tenant_id = $1 AND t.reference_type = 'bill_payment' AND p.id IS NULL
             AND t.created_at >= $2::date AND t.created_at < $2::date + 1`,
          [f.tenantId, f.date],
        )) as ReconciliationRow[];
        const issues = rows
          .filter((r) => r.issue)
          .map(({ checked: _c, posted_currency: _p, ...r }) => r)
          .concat(orphans);
        return { checked: rows[0]?.checked ?? 0, issues };
      });
  }
}
