import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';
import { PayerData, Payer } from '../payer-data';
import { Bill, BillAccountDetail, BillDetail, BillStatus } from './bill';
import { BillPlan } from './bill-plan';

interface Row {
  id: string;
  tenant_id: string;
  bill_number: string;
  consumer_code: string;
  business_service: string;
  status: BillStatus;
  total_amount: string;
  amount_paid: string;
  payer_enc: Buffer | null;
  payer_key_id: string | null;
  bill_date: string;
  expiry_date: string;
  part_payment_allowed: boolean;
  advance_allowed: boolean;
  minimum_amount_payable: string;
  collection_modes_not_allowed: string[];
  additional_details: unknown;
  created_at: Date;
  updated_at: Date;
}

export interface BillFilter {
  tenantId: string;
  billIds?: string[];
  billNumbers?: string[];
  consumerCodes?: string[];
  businessService?: string;
  mobileHash?: Buffer;
  statuses?: string[];
  limit?: number;
}

export interface NewBill {
  tenantId: string;
  billNumber: string;
  consumerCode: string;
  businessService: string;
  payer: Payer | null;
  partPaymentAllowed: boolean;
  advanceAllowed: boolean;
  collectionModesNotAllowed: string[];
  plan: BillPlan;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Bills with their details and tax-head lines. */
@Injectable()
export class BillsRepository {
  constructor(
    @InjectDataSource() private readonly ds: DataSource,
    private readonly payers: PayerData,
  ) {}

  /**
   * Serialises everything that reads and then changes one consumer's bills (fetch, pay, cancel) for the rest of
   * the transaction, so two at once are decided one after the other. Taken in sorted order against deadlocks.
   */
  async lockConsumers(
    m: EntityManager,
    tenantId: string,
    keys: { businessService: string; consumerCode: string }[],
  ): Promise<void> {
    const sorted = [...new Set(keys.map((k) => `${tenantId}|${k.businessService}|${k.consumerCode}`))].sort();
    for (const k of sorted) await m.query(`SELECT pg_advisory_xact_lock(hashtextextended($1, 17))`, [k]);
  }

  async insert(m: EntityManager, b: NewBill): Promise<string> {
    const sealed = this.payers.seal(b.payer);
    const now = Date.now();
    const [row] = (await m.query(
      `INSERT INTO digit_bills (tenant_id, bill_number, consumer_code, business_service, status, total_amount, payer_enc, payer_key_id,
         mobile_hash, bill_date, expiry_date, part_payment_allowed, advance_allowed, minimum_amount_payable, collection_modes_not_allowed)
       VALUES ($1,$2,$3,$4,'ACTIVE',$5,$6,$7,$8,$9,$10,$11,$12,$13,$14) RETURNING id`,
      [
        b.tenantId,
        b.billNumber,
        b.consumerCode,
        b.businessService,
        b.plan.totalAmount.toString(),
        sealed.enc,
        sealed.keyId,
        sealed.mobileHash,
        now,
        b.plan.expiryDate,
        b.partPaymentAllowed,
        b.advanceAllowed,
        b.plan.minimumAmountPayable.toString(),
        b.collectionModesNotAllowed,
      ],
    )) as { id: string }[];
    for (const d of b.plan.details) {
      const [detail] = (await m.query(
        `INSERT INTO digit_bill_details (bill_id, tenant_id, demand_id, from_period, to_period, amount, expiry_date)
         VALUES ($1,$2,$3,$4,$5,$6,$7) RETURNING id`,
        [row.id, b.tenantId, d.demandId, d.fromPeriod, d.toPeriod, d.amount.toString(), d.expiryDate],
      )) as { id: string }[];
      await m.query(
        `INSERT INTO digit_bill_account_details (bill_detail_id, tenant_id, tax_head_code, ord, amount)
         SELECT $1, $2, h, o, a::bigint FROM unnest($3::text[], $4::int[], $5::text[]) AS u(h, o, a)`,
        [
          detail.id,
          b.tenantId,
          d.accounts.map((a) => a.taxHeadCode),
          d.accounts.map((a) => a.order),
          d.accounts.map((a) => a.amount.toString()),
        ],
      );
    }
    return row.id;
  }

  async setStatus(
    m: EntityManager,
    ids: string[],
    status: BillStatus,
    additionalDetails?: unknown,
  ): Promise<void> {
    if (!ids.length) return;
    await m.query(
      `UPDATE digit_bills SET status = $2, additional_details = COALESCE(additional_details, '{}'::jsonb) || COALESCE($3::jsonb, '{}'::jsonb),
              updated_at = now() WHERE id = ANY($1::uuid[])`,
      [ids, status, additionalDetails === undefined ? null : JSON.stringify(additionalDetails)],
    );
  }

  /** A demand changed: the consumer's current bills no longer say what is due (billing-service does the same). */
  async expireCurrent(
    m: EntityManager,
    tenantId: string,
    businessService: string,
    consumerCode: string,
  ): Promise<void> {
    await m.query(
      `UPDATE digit_bills SET status = 'EXPIRED', updated_at = now()
       WHERE tenant_id = $1 AND business_service = $2 AND consumer_code = $3 AND status = 'ACTIVE'`,
      [tenantId, businessService, consumerCode],
    );
  }

  /** Applies a payment (or, negative, its reversal) to a bill's lines and totals. */
  async applyPaid(
    m: EntityManager,
    billId: string,
    amountPaid: bigint,
    detailPaid: { detailId: string; amount: bigint }[],
    accountAdjusted: { accountId: string; amount: bigint }[],
    status: BillStatus,
  ): Promise<void> {
    await m.query(
      `UPDATE digit_bills SET amount_paid = amount_paid + $2::bigint, status = $3, updated_at = now() WHERE id = $1`,
      [billId, amountPaid.toString(), status],
    );
    if (detailPaid.length)
      await m.query(
        `UPDATE digit_bill_details d SET amount_paid = d.amount_paid + u.a::bigint FROM unnest($1::uuid[], $2::text[]) AS u(id, a) WHERE d.id = u.id`,
        [detailPaid.map((x) => x.detailId), detailPaid.map((x) => x.amount.toString())],
      );
    if (accountAdjusted.length)
      await m.query(
        `UPDATE digit_bill_account_details d SET adjusted_amount = d.adjusted_amount + u.a::bigint
         FROM unnest($1::uuid[], $2::text[]) AS u(id, a) WHERE d.id = u.id`,
        [accountAdjusted.map((x) => x.accountId), accountAdjusted.map((x) => x.amount.toString())],
      );
  }

  async addAdvanceAccount(
    m: EntityManager,
    detailId: string,
    tenantId: string,
    taxHeadCode: string,
    amount: bigint,
  ): Promise<string> {
    const [r] = (await m.query(
      `INSERT INTO digit_bill_account_details (bill_detail_id, tenant_id, tax_head_code, ord, amount, adjusted_amount)
       VALUES ($1, $2, $3, -1, $4, 0) RETURNING id`,
      [detailId, tenantId, taxHeadCode, amount.toString()],
    )) as { id: string }[];
    return r.id;
  }

  async find(f: BillFilter, m?: EntityManager, lock = false): Promise<Bill[]> {
    const ids = f.billIds?.filter((i) => UUID.test(i));
    if (f.billIds && !ids?.length) return [];
    const rows = (await (m ?? this.ds.manager).query(
      `SELECT * FROM digit_bills WHERE tenant_id = $1
         AND ($2::uuid[] IS NULL OR id = ANY($2::uuid[]))
         AND ($3::text[] IS NULL OR bill_number = ANY($3::text[]))
         AND ($4::text[] IS NULL OR consumer_code = ANY($4::text[]))
         AND ($5::text IS NULL OR business_service = $5)
         AND ($6::bytea IS NULL OR mobile_hash = $6)
         AND ($7::text[] IS NULL OR status = ANY($7::text[]))
       ORDER BY created_at DESC LIMIT $8 ${lock ? 'FOR UPDATE' : ''}`,
      [
        f.tenantId,
        ids ?? null,
        f.billNumbers ?? null,
        f.consumerCodes ?? null,
        f.businessService ?? null,
        f.mobileHash ?? null,
        f.statuses ?? null,
        f.limit ?? 100,
      ],
    )) as Row[];
    return this.withDetails(m ?? this.ds.manager, rows);
  }

  private async withDetails(m: EntityManager, rows: Row[]): Promise<Bill[]> {
    if (!rows.length) return [];
    const details = (await m.query(
      `SELECT * FROM digit_bill_details WHERE bill_id = ANY($1::uuid[]) ORDER BY from_period, id`,
      [rows.map((r) => r.id)],
    )) as {
      id: string;
      bill_id: string;
      demand_id: string;
      from_period: string;
      to_period: string;
      amount: string;
      amount_paid: string;
      expiry_date: string;
    }[];
    const accounts = (await m.query(
      `SELECT * FROM digit_bill_account_details WHERE bill_detail_id = ANY($1::uuid[]) ORDER BY ord, tax_head_code`,
      [details.map((d) => d.id)],
    )) as {
      id: string;
      bill_detail_id: string;
      tax_head_code: string;
      ord: number;
      amount: string;
      adjusted_amount: string;
    }[];
    const accountsOf = new Map<string, BillAccountDetail[]>();
    for (const a of accounts) {
      const list = accountsOf.get(a.bill_detail_id) ?? [];
      list.push({
        id: a.id,
        billDetailId: a.bill_detail_id,
        taxHeadCode: a.tax_head_code,
        order: a.ord,
        amount: BigInt(a.amount),
        adjustedAmount: BigInt(a.adjusted_amount),
      });
      accountsOf.set(a.bill_detail_id, list);
    }
    const detailsOf = new Map<string, BillDetail[]>();
    for (const d of details) {
      const list = detailsOf.get(d.bill_id) ?? [];
      list.push({
        id: d.id,
        billId: d.bill_id,
        demandId: d.demand_id,
        fromPeriod: Number(d.from_period),
        toPeriod: Number(d.to_period),
        amount: BigInt(d.amount),
        amountPaid: BigInt(d.amount_paid),
        expiryDate: Number(d.expiry_date),
        accounts: accountsOf.get(d.id) ?? [],
      });
      detailsOf.set(d.bill_id, list);
    }
    return rows.map((r) => ({
      id: r.id,
      tenantId: r.tenant_id,
      billNumber: r.bill_number,
      consumerCode: r.consumer_code,
      businessService: r.business_service,
      status: r.status,
      totalAmount: BigInt(r.total_amount),
      amountPaid: BigInt(r.amount_paid),
      payer: this.payers.open(r.payer_enc, r.payer_key_id),
      billDate: Number(r.bill_date),
      expiryDate: Number(r.expiry_date),
      partPaymentAllowed: r.part_payment_allowed,
      advanceAllowed: r.advance_allowed,
      minimumAmountPayable: BigInt(r.minimum_amount_payable),
      collectionModesNotAllowed: r.collection_modes_not_allowed,
      additionalDetails: r.additional_details,
      details: detailsOf.get(r.id) ?? [],
      createdAt: r.created_at,
      updatedAt: r.updated_at,
    }));
  }
}
