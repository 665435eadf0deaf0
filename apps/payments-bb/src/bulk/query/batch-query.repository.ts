import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';
import { BatchState } from '../domain/batch-state';
import { InstructionState } from '../domain/instruction-state';
import { BatchRow, toBatch } from '../pipeline/batch';
import { SubBatchCountsDto } from './batch-status.dto';
import { BatchContext, BatchListRow, InstructionRow } from './batch-views';

/** Every column the status API shows; never the sealed financial address (fa_enc, fa_key_id). */
const INSTRUCTION_COLUMNS = `seq, instruction_id, payee_functional_id, amount::text AS amount, currency, modality, institution_code,
  state, reason_code, reason, sub_batch_id, fsp_reference, duplicate_payee, finished_at`;

/** A batch with its program's code and payer; `$1` tenant, `$2` the visible source BB or null for all. */
const BATCH_SELECT = `SELECT b.*, p.code AS program_code, f.code AS payer_fsp_code, p.payer_identifier
  FROM batches b JOIN programs p ON p.id = b.program_id JOIN participants f ON f.id = p.payer_fsp_id
  WHERE b.tenant_id = $1 AND ($2::uuid IS NULL OR b.source_bb_id = $2)`;

type BatchContextRow = BatchRow & { program_code: string; payer_fsp_code: string; payer_identifier: string };

const toContext = (r: BatchContextRow): BatchContext => ({
  batch: toBatch(r),
  programCode: r.program_code,
  payerFspCode: r.payer_fsp_code,
  payerIdentifier: r.payer_identifier,
});

/**
 * Read-only SQL of the status and report API. Every batch lookup is scoped by tenant and, for a source BB,
 * by its own ID in the same statement: a batch the caller may not see is simply not found.
 */
@Injectable()
export class BatchQueryRepository {
  constructor(@InjectDataSource() private readonly ds: DataSource) {}

  async findById(
    tenantId: string,
    sourceBbId: string | null,
    id: string,
    m: EntityManager = this.ds.manager,
  ): Promise<BatchContext | undefined> {
    const rows = (await m.query(`${BATCH_SELECT} AND b.id = $3`, [
      tenantId,
      sourceBbId,
      id,
    ])) as BatchContextRow[];
    return rows[0] && toContext(rows[0]);
  }

  /** Batches with the client's BatchID, oldest first; `limit` 2 is enough to tell an ambiguous one. */
  async findByExternalId(
    tenantId: string,
    sourceBbId: string | null,
    externalBatchId: string,
    limit: number,
    m: EntityManager = this.ds.manager,
  ): Promise<BatchContext[]> {
    const rows = (await m.query(
      `${BATCH_SELECT} AND b.external_batch_id = $3 ORDER BY b.created_at, b.id LIMIT $4`,
      [tenantId, sourceBbId, externalBatchId, limit],
    )) as BatchContextRow[];
    return rows.map(toContext);
  }

  async countsByState(
    batchId: string,
    m: EntityManager = this.ds.manager,
  ): Promise<Partial<Record<InstructionState, number>>> {
    const rows = (await m.query(
      `SELECT state, count(*)::int AS n FROM batch_instructions WHERE batch_id = $1 GROUP BY state`,
      [batchId],
    )) as { state: InstructionState; n: number }[];
    return Object.fromEntries(rows.map((r) => [r.state, r.n]));
  }

  async subBatchCounts(batchId: string, m: EntityManager = this.ds.manager): Promise<SubBatchCountsDto> {
    const [r] = (await m.query(
      `SELECT count(*)::int AS total,
              count(*) FILTER (WHERE state = 'pending')::int AS pending,
              count(*) FILTER (WHERE state = 'submitting')::int AS submitting,
              count(*) FILTER (WHERE state = 'submitted')::int AS submitted,
              count(*) FILTER (WHERE state = 'completed')::int AS completed,
              count(*) FILTER (WHERE state = 'rejected')::int AS rejected
       FROM sub_batches WHERE batch_id = $1`,
      [batchId],
    )) as SubBatchCountsDto[];
    return r;
  }

  /** A page in submission order over the (batch_id, seq) primary key; `states` null for all. */
  async instructions(
    batchId: string,
    states: InstructionState[] | null,
    limit: number,
    offset: number,
  ): Promise<InstructionRow[]> {
    return (await this.ds.query(
      `SELECT ${INSTRUCTION_COLUMNS} FROM batch_instructions
       WHERE batch_id = $1 AND ($2::text[] IS NULL OR state = ANY($2::text[]))
       ORDER BY seq LIMIT $3 OFFSET $4`,
      [batchId, states, limit, offset],
    )) as InstructionRow[];
  }

  /** Keyset page for the report: the rows after `afterSeq`. */
  async instructionsAfter(batchId: string, afterSeq: number, limit: number): Promise<InstructionRow[]> {
    return (await this.ds.query(
      `SELECT ${INSTRUCTION_COLUMNS} FROM batch_instructions WHERE batch_id = $1 AND seq > $2 ORDER BY seq LIMIT $3`,
      [batchId, afterSeq, limit],
    )) as InstructionRow[];
  }

  /** The first row with that InstructionID (later ones are refused duplicates) and how many there are. */
  async instruction(
    batchId: string,
    instructionId: string,
  ): Promise<{ row: InstructionRow; occurrences: number } | undefined> {
    const rows = (await this.ds.query(
      `SELECT ${INSTRUCTION_COLUMNS}, count(*) OVER ()::int AS occurrences FROM batch_instructions
       WHERE batch_id = $1 AND instruction_id = $2 ORDER BY seq LIMIT 1`,
      [batchId, instructionId],
    )) as (InstructionRow & { occurrences: number })[];
    if (!rows[0]) return undefined;
    const { occurrences, ...row } = rows[0];
    return { row, occurrences };
  }

  /** Newest first, over the (tenant_id, created_at DESC) index. */
  async list(
    tenantId: string,
    sourceBbId: string | null,
    filter: { state: BatchState | null; programCode: string | null },
    limit: number,
    offset: number,
  ): Promise<BatchListRow[]> {
    return (await this.ds.query(
      `SELECT b.id, b.external_batch_id, b.source_bb_id, p.code AS program_code, b.state, b.state_reason, b.instruction_count,
              b.currency, b.ready_amount::text AS ready_amount, b.created_at, b.completed_at
       FROM batches b JOIN programs p ON p.id = b.program_id
       WHERE b.tenant_id = $1 AND ($2::uuid IS NULL OR b.source_bb_id = $2)
         AND ($3::text IS NULL OR b.state = $3) AND ($4::text IS NULL OR p.code = $4)
       ORDER BY b.created_at DESC, b.id DESC LIMIT $5 OFFSET $6`,
      [tenantId, sourceBbId, filter.state, filter.programCode, limit, offset],
    )) as BatchListRow[];
  }
}
