import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';
import { FspConnectorConfig, Program } from './program';

interface ProgramRow {
  id: string;
  tenant_id: string;
  code: string;
  name: string;
  currency: string;
  funding_account_id: string;
  settlement_account_id: string;
  payer_fsp_id: string;
  payer_fsp_code: string;
  payer_identifier: string;
  source_bb_ids: string[];
  requires_approval: boolean;
  sub_batch_size: number;
  max_in_flight: number;
  status: 'active' | 'disabled';
  created_at: Date;
  updated_at: Date;
}

const SELECT = `SELECT p.*, f.code AS payer_fsp_code FROM programs p JOIN participants f ON f.id = p.payer_fsp_id`;

const toProgram = (r: ProgramRow): Program => ({
  id: r.id,
  tenantId: r.tenant_id,
  code: r.code,
  name: r.name,
  currency: r.currency,
  fundingAccountId: r.funding_account_id,
  settlementAccountId: r.settlement_account_id,
  payerFspId: r.payer_fsp_id,
  payerFspCode: r.payer_fsp_code,
  payerIdentifier: r.payer_identifier,
  sourceBbIds: r.source_bb_ids,
  requiresApproval: r.requires_approval,
  subBatchSize: r.sub_batch_size,
  maxInFlight: r.max_in_flight,
  status: r.status,
  createdAt: r.created_at,
  updatedAt: r.updated_at,
});

export type NewProgramRow = Omit<Program, 'id' | 'payerFspCode' | 'status' | 'createdAt' | 'updatedAt'>;
export type ProgramChanges = Partial<Pick<Program, 'name' | 'sourceBbIds' | 'requiresApproval' | 'subBatchSize' | 'maxInFlight' | 'status'>>;

@Injectable()
export class ProgramsRepository {
  constructor(@InjectDataSource() private readonly ds: DataSource) {}

  async insert(m: EntityManager, p: NewProgramRow): Promise<Program | undefined> {
    const rows = (await m.query(
      `INSERT INTO programs (tenant_id, code, name, currency, funding_account_id, settlement_account_id, payer_fsp_id,
                             payer_identifier, source_bb_ids, requires_approval, sub_batch_size, max_in_flight)
       VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11,$12) ON CONFLICT (tenant_id, code) DO NOTHING RETURNING id`,
      [p.tenantId, p.code, p.name, p.currency, p.fundingAccountId, p.settlementAccountId, p.payerFspId, p.payerIdentifier,
        p.sourceBbIds, p.requiresApproval, p.subBatchSize, p.maxInFlight],
    )) as { id: string }[];
    return rows[0] ? this.findById(p.tenantId, rows[0].id, m) : undefined;
  }

  async update(m: EntityManager, tenantId: string, id: string, c: ProgramChanges): Promise<void> {
    await m.query(
      `UPDATE programs SET name = COALESCE($3, name), source_bb_ids = COALESCE($4, source_bb_ids),
              requires_approval = COALESCE($5, requires_approval), sub_batch_size = COALESCE($6, sub_batch_size),
              max_in_flight = COALESCE($7, max_in_flight), status = COALESCE($8, status), updated_at = now()
       WHERE tenant_id = $1 AND id = $2`,
      [tenantId, id, c.name ?? null, c.sourceBbIds ?? null, c.requiresApproval ?? null, c.subBatchSize ?? null, c.maxInFlight ?? null, c.status ?? null],
    );
  }

  async findById(tenantId: string, id: string, m: EntityManager = this.ds.manager): Promise<Program | undefined> {
    const rows = (await m.query(`${SELECT} WHERE p.tenant_id = $1 AND p.id = $2`, [tenantId, id])) as ProgramRow[];
    return rows[0] && toProgram(rows[0]);
  }

  async findByCode(tenantId: string, code: string, m: EntityManager = this.ds.manager): Promise<Program | undefined> {
    const rows = (await m.query(`${SELECT} WHERE p.tenant_id = $1 AND p.code = $2`, [tenantId, code])) as ProgramRow[];
    return rows[0] && toProgram(rows[0]);
  }

  /** Active programs a source BB may pay from. */
  async usableBy(tenantId: string, sourceBbId: string): Promise<Program[]> {
    const rows = (await this.ds.query(
      `${SELECT} WHERE p.tenant_id = $1 AND p.status = 'active' AND (cardinality(p.source_bb_ids) = 0 OR $2 = ANY(p.source_bb_ids))
       ORDER BY p.code`,
      [tenantId, sourceBbId],
    )) as ProgramRow[];
    return rows.map(toProgram);
  }

  async list(tenantId: string): Promise<Program[]> {
    return ((await this.ds.query(`${SELECT} WHERE p.tenant_id = $1 ORDER BY p.code`, [tenantId])) as ProgramRow[]).map(toProgram);
  }

  async upsertConnector(m: EntityManager, tenantId: string, fspId: string, baseUrl: string, timeoutMs: number): Promise<void> {
    await m.query(
      `INSERT INTO fsp_connectors (tenant_id, fsp_id, base_url, timeout_ms) VALUES ($1, $2, $3, $4)
       ON CONFLICT (tenant_id, fsp_id) DO UPDATE SET base_url = EXCLUDED.base_url, timeout_ms = EXCLUDED.timeout_ms, updated_at = now()`,
      [tenantId, fspId, baseUrl, timeoutMs],
    );
  }

  async connectors(tenantId: string, fspId?: string): Promise<FspConnectorConfig[]> {
    const rows = (await this.ds.query(
      `SELECT c.fsp_id, p.code, c.base_url, c.timeout_ms, c.updated_at FROM fsp_connectors c
       JOIN participants p ON p.id = c.fsp_id WHERE c.tenant_id = $1 AND ($2::uuid IS NULL OR c.fsp_id = $2) ORDER BY p.code`,
      [tenantId, fspId ?? null],
    )) as { fsp_id: string; code: string; base_url: string; timeout_ms: number; updated_at: Date }[];
    return rows.map((r) => ({ fspId: r.fsp_id, fspCode: r.code, baseUrl: r.base_url, timeoutMs: r.timeout_ms, updatedAt: r.updated_at }));
  }
}
