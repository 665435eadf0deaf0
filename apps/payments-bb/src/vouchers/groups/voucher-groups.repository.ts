import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';
import { VoucherGroup } from '../domain/voucher';

interface GroupRow {
  id: string;
  tenant_id: string;
  code: string;
  name: string;
  currency: string;
  program_id: string;
  program_code: string;
  funding_account_id: string;
  liability_account_id: string;
  denominations: string[];
  validity_days: number;
  expires_on: Date | null;
  merchant_groups: string[];
  low_stock_threshold: number;
  status: 'active' | 'disabled';
  created_at: Date;
  updated_at: Date;
}

const SELECT = `SELECT g.id, g.tenant_id, g.code, g.name, g.currency, g.program_id, p.code AS program_code,
  p.funding_account_id, g.liability_account_id, g.denominations::text[] AS denominations, g.validity_days, g.expires_on,
  g.merchant_groups, g.low_stock_threshold, g.status, g.created_at, g.updated_at
  FROM voucher_groups g JOIN programs p ON p.id = g.program_id`;

const toGroup = (r: GroupRow): VoucherGroup => ({
  id: r.id,
  tenantId: r.tenant_id,
  code: r.code,
  name: r.name,
  currency: r.currency,
  programId: r.program_id,
  programCode: r.program_code,
  fundingAccountId: r.funding_account_id,
  liabilityAccountId: r.liability_account_id,
  denominations: r.denominations.map((d) => BigInt(d)),
  validityDays: r.validity_days,
  expiresOn: r.expires_on,
  merchantGroups: r.merchant_groups,
  lowStockThreshold: r.low_stock_threshold,
  status: r.status,
  createdAt: r.created_at,
  updatedAt: r.updated_at,
});

export interface NewGroup {
  tenantId: string;
  code: string;
  name: string;
  currency: string;
  programId: string;
  liabilityAccountId: string;
  denominations: bigint[];
  validityDays: number;
  expiresOn: Date | null;
  merchantGroups: string[];
  lowStockThreshold: number;
}

export interface StockLine {
  amount: bigint;
  state: string;
  count: number;
  value: bigint;
}

@Injectable()
export class VoucherGroupsRepository {
  constructor(@InjectDataSource() private readonly ds: DataSource) {}

  async insert(m: EntityManager, g: NewGroup): Promise<VoucherGroup | undefined> {
    const rows = (await m.query(
      `INSERT INTO voucher_groups (tenant_id, code, name, currency, program_id, liability_account_id, denominations, validity_days,
                                   expires_on, merchant_groups, low_stock_threshold)
       VALUES ($1,$2,$3,$4,$5,$6,$7::bigint[],$8,$9,$10,$11) ON CONFLICT (tenant_id, code) DO NOTHING RETURNING id`,
      [
        g.tenantId,
        g.code,
        g.name,
        g.currency,
        g.programId,
        g.liabilityAccountId,
        g.denominations.map(String),
        g.validityDays,
        g.expiresOn,
        g.merchantGroups,
        g.lowStockThreshold,
      ],
    )) as { id: string }[];
    return rows[0] ? this.findById(g.tenantId, rows[0].id, m) : undefined;
  }

  async update(
    m: EntityManager,
    id: string,
    patch: {
      name?: string;
      denominations?: bigint[];
      validityDays?: number;
      expiresOn?: Date | null;
      merchantGroups?: string[];
      lowStockThreshold?: number;
      status?: string;
    },
  ): Promise<void> {
    await m.query(
      `UPDATE voucher_groups SET name = COALESCE($2, name), denominations = COALESCE($3::bigint[], denominations),
         validity_days = COALESCE($4, validity_days), expires_on = CASE WHEN $5::boolean THEN $6::timestamptz ELSE expires_on END,
         merchant_groups = COALESCE($7, merchant_groups), low_stock_threshold = COALESCE($8, low_stock_threshold),
         status = COALESCE($9, status), updated_at = now()
       WHERE id = $1`,
      [
        id,
        patch.name ?? null,
        patch.denominations ? patch.denominations.map(String) : null,
        patch.validityDays ?? null,
        patch.expiresOn !== undefined,
        patch.expiresOn ?? null,
        patch.merchantGroups ?? null,
        patch.lowStockThreshold ?? null,
        patch.status ?? null,
      ],
    );
  }

  async findByCode(
    tenantId: string,
    code: string,
    m: EntityManager = this.ds.manager,
  ): Promise<VoucherGroup | undefined> {
    const rows = (await m.query(`${SELECT} WHERE g.tenant_id = $1 AND g.code = $2`, [
      tenantId,
      code,
    ])) as GroupRow[];
    return rows[0] && toGroup(rows[0]);
  }

  async findById(
    tenantId: string,
    id: string,
    m: EntityManager = this.ds.manager,
  ): Promise<VoucherGroup | undefined> {
    const rows = (await m.query(`${SELECT} WHERE g.tenant_id = $1 AND g.id = $2`, [
      tenantId,
      id,
    ])) as GroupRow[];
    return rows[0] && toGroup(rows[0]);
  }

  async list(tenantId: string, limit: number, offset: number): Promise<VoucherGroup[]> {
    const rows = (await this.ds.query(`${SELECT} WHERE g.tenant_id = $1 ORDER BY g.code LIMIT $2 OFFSET $3`, [
      tenantId,
      limit,
      offset,
    ])) as GroupRow[];
    return rows.map(toGroup);
  }

  /** Count and value by denomination and state: the stock report. */
  async stock(groupId: string): Promise<StockLine[]> {
    const rows = (await this.ds.query(
      `SELECT amount::text, state, count(*)::int AS count, sum(amount)::text AS value FROM vouchers WHERE group_id = $1
       GROUP BY amount, state ORDER BY amount, state`,
      [groupId],
    )) as { amount: string; state: string; count: number; value: string }[];
    return rows.map((r) => ({
      amount: BigInt(r.amount),
      state: r.state,
      count: r.count,
      value: BigInt(r.value),
    }));
  }
}
