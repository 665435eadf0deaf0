import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';
import { PrepaymentValidationAnswer } from './prepayment-check';

export interface StoredPrepaymentValidation {
  requestHash: string;
  response: PrepaymentValidationAnswer;
}

export interface NewPrepaymentValidation {
  tenantId: string;
  sourceBbId: string;
  requestId: string;
  batchRef: string;
  requestHash: string;
  response: PrepaymentValidationAnswer;
}

/** Instruction IDs per statement when checking the registry: bounded statements for a million-row request. */
const ID_CHUNK = 10_000;

/** The final answers given to prepayment-validation requests (table prepayment_validations), one per (source, RequestID). */
@Injectable()
export class PrepaymentValidationRepository {
  constructor(@InjectDataSource() private readonly ds: DataSource) {}

  async find(
    tenantId: string,
    sourceBbId: string,
    requestId: string,
    m: EntityManager = this.ds.manager,
  ): Promise<StoredPrepaymentValidation | undefined> {
    const rows = (await m.query(
      `SELECT request_hash, response FROM prepayment_validations WHERE tenant_id = $1 AND source_bb_id = $2 AND request_id = $3`,
      [tenantId, sourceBbId, requestId],
    )) as { request_hash: string; response: PrepaymentValidationAnswer }[];
    return rows[0] && { requestHash: rows[0].request_hash, response: rows[0].response };
  }

  /** False when an answer for this (source, RequestID) is already stored (a concurrent request won). */
  async insert(m: EntityManager, v: NewPrepaymentValidation): Promise<boolean> {
    const rows = (await m.query(
      `INSERT INTO prepayment_validations (tenant_id, source_bb_id, request_id, batch_ref, request_hash, response)
       VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT DO NOTHING RETURNING request_id`,
      [v.tenantId, v.sourceBbId, v.requestId, v.batchRef, v.requestHash, JSON.stringify(v.response)],
    )) as unknown[];
    return rows.length === 1;
  }

  /** Which of these instruction IDs the source BB already used in a batch (a batch would refuse them as duplicates). */
  async usedInstructionIds(tenantId: string, sourceBbId: string, ids: readonly string[]): Promise<Set<string>> {
    const used = new Set<string>();
    for (let i = 0; i < ids.length; i += ID_CHUNK) {
      const rows = (await this.ds.query(
        `SELECT instruction_id FROM instruction_registry WHERE tenant_id = $1 AND source_bb_id = $2 AND instruction_id = ANY($3::text[])`,
        [tenantId, sourceBbId, ids.slice(i, i + ID_CHUNK)],
      )) as { instruction_id: string }[];
      for (const r of rows) used.add(r.instruction_id);
    }
    return used;
  }
}
