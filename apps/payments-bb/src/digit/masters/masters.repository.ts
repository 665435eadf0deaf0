import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';

export interface BusinessService {
  tenantId: string;
  code: string;
  businessService: string;
  partPaymentAllowed: boolean;
  advanceAllowed: boolean;
  minAmountPayable: bigint;
  collectionModesNotAllowed: string[];
  demandUpdateTime: number;
  billExpiryDays: number;
  currency: string;
}

export interface TaxHead {
  tenantId: string;
  service: string;
  code: string;
  name: string;
  category: string;
  order: number;
  isDebit: boolean;
}

interface BsRow {
  tenant_id: string;
  code: string;
  business_service: string;
  part_payment_allowed: boolean;
  advance_allowed: boolean;
  min_amount_payable: string;
  collection_modes_not_allowed: string[];
  demand_update_time: string;
  bill_expiry_days: number;
  currency: string;
}

const toBs = (r: BsRow): BusinessService => ({
  tenantId: r.tenant_id,
  code: r.code,
  businessService: r.business_service,
  partPaymentAllowed: r.part_payment_allowed,
  advanceAllowed: r.advance_allowed,
  minAmountPayable: BigInt(r.min_amount_payable),
  collectionModesNotAllowed: r.collection_modes_not_allowed,
  demandUpdateTime: Number(r.demand_update_time),
  billExpiryDays: r.bill_expiry_days,
  currency: r.currency.trim(),
});

/**
 * DIGIT's billing masters (MDMS BillingService.BusinessService and TaxHeadMaster), per tenant. A city tenant
 * (pb.amritsar) uses its own entries, else its state's (pb), as MDMS is read in DIGIT.
 */
@Injectable()
export class MastersRepository {
  constructor(@InjectDataSource() private readonly ds: DataSource) {}

  async upsertBusinessServices(m: EntityManager, items: BusinessService[]): Promise<void> {
    for (const b of items)
      await m.query(
        `INSERT INTO digit_business_services (tenant_id, code, business_service, part_payment_allowed, advance_allowed,
           min_amount_payable, collection_modes_not_allowed, demand_update_time, bill_expiry_days, currency)
         VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10)
         ON CONFLICT (tenant_id, code) DO UPDATE SET business_service = EXCLUDED.business_service,
           part_payment_allowed = EXCLUDED.part_payment_allowed, advance_allowed = EXCLUDED.advance_allowed,
           min_amount_payable = EXCLUDED.min_amount_payable, collection_modes_not_allowed = EXCLUDED.collection_modes_not_allowed,
           demand_update_time = EXCLUDED.demand_update_time, bill_expiry_days = EXCLUDED.bill_expiry_days,
           currency = EXCLUDED.currency, updated_at = now()`,
        [
          b.tenantId,
          b.code,
          b.businessService,
          b.partPaymentAllowed,
          b.advanceAllowed,
          b.minAmountPayable.toString(),
          b.collectionModesNotAllowed,
          b.demandUpdateTime,
          b.billExpiryDays,
          b.currency,
        ],
      );
  }

  async upsertTaxHeads(m: EntityManager, items: TaxHead[]): Promise<void> {
    for (const t of items)
      await m.query(
        `INSERT INTO digit_tax_heads (tenant_id, service, code, name, category, ord, is_debit) VALUES ($1,$2,$3,$4,$5,$6,$7)
         ON CONFLICT (tenant_id, service, code) DO UPDATE SET name = EXCLUDED.name, category = EXCLUDED.category,
           ord = EXCLUDED.ord, is_debit = EXCLUDED.is_debit`,
        [t.tenantId, t.service, t.code, t.name, t.category, t.order, t.isDebit],
      );
  }

  async businessService(
    tenantId: string,
    code: string,
    m?: EntityManager,
  ): Promise<BusinessService | undefined> {
    const rows = (await (m ?? this.ds.manager).query(
      `SELECT * FROM digit_business_services WHERE tenant_id = ANY($1::text[]) AND code = $2
       ORDER BY length(tenant_id) DESC LIMIT 1`,
      [tenantsOf(tenantId), code],
    )) as BsRow[];
    return rows[0] ? toBs(rows[0]) : undefined;
  }

  async businessServices(tenantId: string, codes?: string[]): Promise<BusinessService[]> {
    const rows = (await this.ds.query(
      `SELECT DISTINCT ON (code) * FROM digit_business_services WHERE tenant_id = ANY($1::text[])
         AND ($2::text[] IS NULL OR code = ANY($2::text[])) ORDER BY code, length(tenant_id) DESC`,
      [tenantsOf(tenantId), codes ?? null],
    )) as BsRow[];
    return rows.map(toBs);
  }

  async taxHeads(tenantId: string, service?: string, m?: EntityManager): Promise<TaxHead[]> {
    const rows = (await (m ?? this.ds.manager).query(
      `SELECT DISTINCT ON (service, code) * FROM digit_tax_heads WHERE tenant_id = ANY($1::text[])
         AND ($2::text IS NULL OR service = $2) ORDER BY service, code, length(tenant_id) DESC`,
      [tenantsOf(tenantId), service ?? null],
    )) as {
      tenant_id: string;
      service: string;
      code: string;
      name: string;
      category: string;
      ord: number;
      is_debit: boolean;
    }[];
    return rows.map((r) => ({
      tenantId: r.tenant_id,
      service: r.service,
      code: r.code,
      name: r.name,
      category: r.category,
      order: r.ord,
      isDebit: r.is_debit,
    }));
  }
}

/** The tenant and, for a city, its state: where masters are looked up. */
export function tenantsOf(tenantId: string): string[] {
  const state = tenantId.split('.')[0];
  return state === tenantId ? [tenantId] : [tenantId, state];
}
