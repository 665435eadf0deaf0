import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';
import { GroupCommit } from '@app/database';
import { BillerBill } from './biller-bill';

export interface NewInquiry {
  tenantId: string;
  payerFiId: string;
  requestId: string;
  billerPk: string;
  bill: BillerBill;
}

export interface StoredInquiry {
  id: string;
  tenantId: string;
  payerFiId: string;
  requestId: string;
  billerPk: string;
  bill: BillerBill;
  createdAt: Date;
}

interface Row {
  id: string;
  tenant_id: string;
  payer_fi_id: string;
  request_id: string;
  biller_pk: string;
  bill_id: string;
  bill_status: string;
  due_date: string | null;
  amount_due: string;
  amount_after_due: string;
  currency: string;
  created_at: Date;
}

const COLS = 11;

/**
 * Every inquiry a payer FI made and what the biller answered: a payment names its inquiry, and is checked against
 * it, because the payment itself carries no amount. Inquiries arriving together are written in one statement
 * (group commit); a repeated request ID of the same FI keeps the latest answer.
 */
@Injectable()
export class BillInquiriesRepository {
  private readonly writer = new GroupCommit<NewInquiry, string>(
    (_lane, items) => this.insertMany(items),
    500,
  );

  constructor(@InjectDataSource() private readonly ds: DataSource) {}

  record(i: NewInquiry): Promise<string> {
    return this.writer.submit('inquiries', i);
  }

  async find(
    tenantId: string,
    payerFiId: string,
    requestId: string,
    m?: EntityManager,
  ): Promise<StoredInquiry | undefined> {
    return this.one(
      `tenant_id = $1 AND payer_fi_id = $2 AND request_id = $3`,
      [tenantId, payerFiId, requestId],
      m,
    );
  }

  /** This FI's latest inquiry of the bill in the last day: what a payment without an inquiry ID is checked against. */
  async latestFor(tenantId: string, payerFiId: string, billId: string): Promise<StoredInquiry | undefined> {
    return this.one(
      `tenant_id = $1 AND payer_fi_id = $2 AND bill_id = $3 AND created_at > now() - interval '1 day'
       ORDER BY created_at DESC LIMIT 1`,
      [tenantId, payerFiId, billId],
    );
  }

  private async one(where: string, params: unknown[], m?: EntityManager): Promise<StoredInquiry | undefined> {
    const rows = (await (m ?? this.ds.manager).query(
      `SELECT id, tenant_id, payer_fi_id, request_id, biller_pk, bill_id, bill_status, to_char(due_date, 'YYYY-MM-DD') AS due_date,
              amount_due, amount_after_due, currency, created_at
       FROM bill_inquiries WHERE ${where}`,
      params,
    )) as Row[];
    const r = rows[0];
    if (!r) return undefined;
    return {
      id: r.id,
      tenantId: r.tenant_id,
      payerFiId: r.payer_fi_id,
      requestId: r.request_id,
      billerPk: r.biller_pk,
      createdAt: r.created_at,
      bill: {
        billId: r.bill_id,
        billStatus: r.bill_status,
        dueDate: r.due_date,
        amountOnDueDate: BigInt(r.amount_due),
        amountAfterDueDate: BigInt(r.amount_after_due),
        currency: r.currency.trim(),
      },
    };
  }

  private async insertMany(items: NewInquiry[]): Promise<string[]> {
    // ON CONFLICT DO UPDATE may not touch one row twice in a statement: the last of equal keys is written.
    const keyOf = (i: NewInquiry) => `${i.tenantId}\u0000${i.payerFiId}\u0000${i.requestId}`;
    const last = new Map<string, NewInquiry>();
    for (const i of items) last.set(keyOf(i), i);
    const unique = [...last.values()];
    const params: unknown[] = [];
    const tuples = unique.map((i, n) => {
      const b = i.bill;
      params.push(
        i.tenantId,
        i.payerFiId,
        i.requestId,
        i.billerPk,
        b.billId,
        b.billStatus,
        b.dueDate,
        b.amountOnDueDate.toString(),
        b.amountAfterDueDate.toString(),
        b.currency,
        new Date(),
      );
      const p = Array.from({ length: COLS }, (_, k) => `$${n * COLS + k + 1}`);
      return `(${p[0]}, ${p[1]}::uuid, ${p[2]}, ${p[3]}::uuid, ${p[4]}, ${p[5]}, ${p[6]}::date, ${p[7]}::bigint, ${p[8]}::bigint, ${p[9]}, ${p[10]}::timestamptz)`;
    });
    const rows = (await this.ds.query(
      `INSERT INTO bill_inquiries (tenant_id, payer_fi_id, request_id, biller_pk, bill_id, bill_status, due_date,
                                   amount_due, amount_after_due, currency, created_at)
       VALUES ${tuples.join(', ')}
       ON CONFLICT (tenant_id, payer_fi_id, request_id) DO UPDATE SET
         biller_pk = EXCLUDED.biller_pk, bill_id = EXCLUDED.bill_id, bill_status = EXCLUDED.bill_status,
         due_date = EXCLUDED.due_date, amount_due = EXCLUDED.amount_due, amount_after_due = EXCLUDED.amount_after_due,
         currency = EXCLUDED.currency, created_at = EXCLUDED.created_at
       RETURNING id, tenant_id, payer_fi_id, request_id`,
      params,
    )) as { id: string; tenant_id: string; payer_fi_id: string; request_id: string }[];
    const ids = new Map(rows.map((r) => [`${r.tenant_id}\u0000${r.payer_fi_id}\u0000${r.request_id}`, r.id]));
    return items.map((i) => ids.get(keyOf(i))!);
  }
}
