import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';
import { PayerData } from '../payer-data';
import { Demand, DemandDetail } from './demand';

interface Row {
  id: string;
  tenant_id: string;
  consumer_code: string;
  consumer_type: string | null;
  business_service: string;
  payer_enc: Buffer | null;
  payer_key_id: string | null;
  tax_period_from: string;
  tax_period_to: string;
  bill_expiry_time: string | null;
  fixed_bill_expiry_date: string | null;
  minimum_amount_payable: string;
  status: Demand['status'];
  is_payment_completed: boolean;
  additional_details: unknown;
  created_by: string;
  created_at: Date;
  updated_at: Date;
}

interface DetailRow {
  id: string;
  demand_id: string;
  tenant_id: string;
  tax_head_code: string;
  tax_amount: string;
  collection_amount: string;
}

export interface DemandFilter {
  tenantId: string;
  businessService?: string;
  consumerCodes?: string[];
  demandIds?: string[];
  mobileHash?: Buffer;
  status?: string;
  /** Only demands with something left to collect. */
  open?: boolean;
}

export type NewDemand = Omit<
  Demand,
  'id' | 'details' | 'createdAt' | 'updatedAt' | 'isPaymentCompleted' | 'status'
> & {
  details: { taxHeadCode: string; taxAmount: bigint; collectionAmount: bigint }[];
};

/** Demands and their tax-head details. */
@Injectable()
export class DemandsRepository {
  constructor(
    @InjectDataSource() private readonly ds: DataSource,
    private readonly payers: PayerData,
  ) {}

  async insert(m: EntityManager, d: NewDemand): Promise<string> {
    const sealed = this.payers.seal(d.payer);
    const rows = (await m.query(
      `INSERT INTO digit_demands (tenant_id, consumer_code, consumer_type, business_service, payer_enc, payer_key_id, mobile_hash,
         tax_period_from, tax_period_to, bill_expiry_time, fixed_bill_expiry_date, minimum_amount_payable, additional_details, created_by)
       VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11,$12,$13::jsonb,$14) RETURNING id`,
      [
        d.tenantId,
        d.consumerCode,
        d.consumerType,
        d.businessService,
        sealed.enc,
        sealed.keyId,
        sealed.mobileHash,
        d.taxPeriodFrom,
        d.taxPeriodTo,
        d.billExpiryTime,
        d.fixedBillExpiryDate,
        d.minimumAmountPayable.toString(),
        d.additionalDetails === undefined ? null : JSON.stringify(d.additionalDetails),
        d.createdBy,
      ],
    )) as { id: string }[];
    await this.insertDetails(m, rows[0].id, d.tenantId, d.details);
    return rows[0].id;
  }

  async insertDetails(
    m: EntityManager,
    demandId: string,
    tenantId: string,
    details: { taxHeadCode: string; taxAmount: bigint; collectionAmount: bigint }[],
  ): Promise<void> {
    if (!details.length) return;
    await m.query(
      `INSERT INTO digit_demand_details (demand_id, tenant_id, tax_head_code, tax_amount, collection_amount)
       SELECT $1, $2, h, a::bigint, c::bigint FROM unnest($3::text[], $4::text[], $5::text[]) AS u(h, a, c)`,
      [
        demandId,
        tenantId,
        details.map((x) => x.taxHeadCode),
        details.map((x) => x.taxAmount.toString()),
        details.map((x) => x.collectionAmount.toString()),
      ],
    );
  }

  async updateDetail(m: EntityManager, id: string, taxAmount: bigint): Promise<void> {
    await m.query(`UPDATE digit_demand_details SET tax_amount = $2 WHERE id = $1`, [
      id,
      taxAmount.toString(),
    ]);
  }

  async update(
    m: EntityManager,
    id: string,
    p: {
      status?: string;
      minimumAmountPayable?: bigint;
      billExpiryTime?: number | null;
      additionalDetails?: unknown;
    },
  ): Promise<void> {
    await m.query(
      `UPDATE digit_demands SET status = COALESCE($2, status), minimum_amount_payable = COALESCE($3::bigint, minimum_amount_payable),
              bill_expiry_time = COALESCE($4::bigint, bill_expiry_time),
              additional_details = COALESCE($5::jsonb, additional_details), updated_at = now()
       WHERE id = $1`,
      [
        id,
        p.status ?? null,
        p.minimumAmountPayable?.toString() ?? null,
        p.billExpiryTime ?? null,
        p.additionalDetails === undefined ? null : JSON.stringify(p.additionalDetails),
      ],
    );
  }

  /** Adds collected (or, negative, reversed) amounts to demand details, and marks demands complete or not. */
  async collect(m: EntityManager, amounts: { detailId: string; amount: bigint }[]): Promise<void> {
    if (!amounts.length) return;
    await m.query(
      `UPDATE digit_demand_details d SET collection_amount = d.collection_amount + u.a::bigint
       FROM unnest($1::uuid[], $2::text[]) AS u(id, a) WHERE d.id = u.id`,
      [amounts.map((a) => a.detailId), amounts.map((a) => a.amount.toString())],
    );
    await m.query(
      `UPDATE digit_demands dm SET is_payment_completed = s.done, updated_at = now()
       FROM (SELECT demand_id, sum(tax_amount - collection_amount) = 0 AS done FROM digit_demand_details
             WHERE demand_id IN (SELECT demand_id FROM digit_demand_details WHERE id = ANY($1::uuid[])) GROUP BY demand_id) s
       WHERE dm.id = s.demand_id`,
      [amounts.map((a) => a.detailId)],
    );
  }

  /**
   * Whether the demand is fully collected, after its tax amounts changed. A demand left in credit (an advance) stays
   * open, so the next bill of the consumer takes the credit off.
   */
  async refreshCompletion(m: EntityManager, demandId: string): Promise<void> {
    await m.query(
      `UPDATE digit_demands SET is_payment_completed =
         (SELECT COALESCE(sum(tax_amount - collection_amount), 0) = 0 FROM digit_demand_details WHERE demand_id = $1), updated_at = now()
       WHERE id = $1`,
      [demandId],
    );
  }

  async find(f: DemandFilter, m?: EntityManager, lock = false): Promise<Demand[]> {
    const rows = (await (m ?? this.ds.manager).query(
      `SELECT * FROM digit_demands WHERE tenant_id = $1
         AND ($2::text IS NULL OR business_service = $2)
         AND ($3::text[] IS NULL OR consumer_code = ANY($3::text[]))
         AND ($4::uuid[] IS NULL OR id = ANY($4::uuid[]))
         AND ($5::bytea IS NULL OR mobile_hash = $5)
         AND ($6::text IS NULL OR status = $6)
         AND (NOT $7::boolean OR (status = 'ACTIVE' AND NOT is_payment_completed))
       ORDER BY tax_period_from, created_at LIMIT 500 ${lock ? 'FOR UPDATE' : ''}`,
      [
        f.tenantId,
        f.businessService ?? null,
        f.consumerCodes ?? null,
        f.demandIds ?? null,
        f.mobileHash ?? null,
        f.status ?? null,
        f.open ?? false,
      ],
    )) as Row[];
    if (!rows.length) return [];
    const details = (await (m ?? this.ds.manager).query(
      `SELECT * FROM digit_demand_details WHERE demand_id = ANY($1::uuid[]) ORDER BY tax_amount, id`,
      [rows.map((r) => r.id)],
    )) as DetailRow[];
    const byDemand = new Map<string, DemandDetail[]>();
    for (const d of details) {
      const list = byDemand.get(d.demand_id) ?? [];
      list.push({
        id: d.id,
        demandId: d.demand_id,
        tenantId: d.tenant_id,
        taxHeadCode: d.tax_head_code,
        taxAmount: BigInt(d.tax_amount),
        collectionAmount: BigInt(d.collection_amount),
      });
      byDemand.set(d.demand_id, list);
    }
    return rows.map((r) => ({
      id: r.id,
      tenantId: r.tenant_id,
      consumerCode: r.consumer_code,
      consumerType: r.consumer_type,
      businessService: r.business_service,
      payer: this.payers.open(r.payer_enc, r.payer_key_id),
      taxPeriodFrom: Number(r.tax_period_from),
      taxPeriodTo: Number(r.tax_period_to),
      billExpiryTime: r.bill_expiry_time === null ? null : Number(r.bill_expiry_time),
      fixedBillExpiryDate: r.fixed_bill_expiry_date === null ? null : Number(r.fixed_bill_expiry_date),
      minimumAmountPayable: BigInt(r.minimum_amount_payable),
      status: r.status,
      isPaymentCompleted: r.is_payment_completed,
      additionalDetails: r.additional_details,
      details: byDemand.get(r.id) ?? [],
      createdBy: r.created_by,
      createdAt: r.created_at,
      updatedAt: r.updated_at,
    }));
  }
}
