import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';

export interface BillState {
  tenantId: string;
  billId: string;
  billerPk: string;
  currency: string;
  amountDue: bigint;
  amountPaid: bigint;
  status: 'open' | 'partially_paid' | 'paid';
}

interface Row {
  tenant_id: string;
  bill_id: string;
  biller_pk: string;
  currency: string;
  amount_due: string;
  amount_paid: string;
  status: BillState['status'];
}

const toState = (r: Row): BillState => ({
  tenantId: r.tenant_id,
  billId: r.bill_id,
  billerPk: r.biller_pk,
  currency: r.currency.trim(),
  amountDue: BigInt(r.amount_due),
  amountPaid: BigInt(r.amount_paid),
  status: r.status,
});

/**
 * The server's own view of each bill it has taken money for: what was due when the first payment came and what
 * has been paid since. Payments for one bill lock its row, so two at once are decided one after the other.
 */
@Injectable()
export class BillsRepository {
  constructor(@InjectDataSource() private readonly ds: DataSource) {}

  async find(tenantId: string, billId: string): Promise<BillState | undefined> {
    const rows = (await this.ds.query(`SELECT * FROM bills WHERE tenant_id = $1 AND bill_id = $2`, [
      tenantId,
      billId,
    ])) as Row[];
    return rows[0] ? toState(rows[0]) : undefined;
  }

  /** The bill's row, locked for this transaction; created from the inquiry's figures when first paid. */
  async lock(
    m: EntityManager,
    b: { tenantId: string; billId: string; billerPk: string; currency: string; amountDue: bigint },
  ): Promise<BillState> {
    await m.query(
      `INSERT INTO bills (tenant_id, bill_id, biller_pk, currency, amount_due) VALUES ($1, $2, $3, $4, $5)
       ON CONFLICT (tenant_id, bill_id) DO NOTHING`,
      [b.tenantId, b.billId, b.billerPk, b.currency, b.amountDue.toString()],
    );
    const rows = (await m.query(`SELECT * FROM bills WHERE tenant_id = $1 AND bill_id = $2 FOR UPDATE`, [
      b.tenantId,
      b.billId,
    ])) as Row[];
    return toState(rows[0]);
  }

  /** Adds (or, with a negative amount, takes back) a payment; the status follows what is left to pay. */
  async addPaid(
    m: EntityManager,
    tenantId: string,
    billId: string,
    amount: bigint,
    amountDue?: bigint,
  ): Promise<void> {
    await m.query(
      `UPDATE bills SET amount_paid = amount_paid + $3::bigint,
              amount_due = COALESCE($4::bigint, amount_due),
              status = CASE WHEN amount_paid + $3::bigint <= 0 THEN 'open'
                            WHEN amount_paid + $3::bigint >= COALESCE($4::bigint, amount_due) THEN 'paid'
                            ELSE 'partially_paid' END,
              updated_at = now()
       WHERE tenant_id = $1 AND bill_id = $2`,
      [tenantId, billId, amount.toString(), amountDue?.toString() ?? null],
    );
  }
}
