import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';
import { InstructionStatusReport } from '../connector/fsp-connector';
import { BatchState } from '../domain/batch-state';
import { REASON } from '../domain/instruction-state';
import { Batch, BatchOutcome, BatchRow, toBatch } from './batch';

/** What the ingest (or a retry) knows of a batch before its rows are written. */
export type NewBatch = Pick<
  Batch,
  | 'id'
  | 'tenantId'
  | 'sourceBbId'
  | 'programId'
  | 'origin'
  | 'requestKey'
  | 'requestHash'
  | 'requestId'
  | 'externalBatchId'
  | 'retryOf'
  | 'callbackUrl'
  | 'currency'
  | 'executeAt'
  | 'makerId'
  | 'makerKind'
  | 'correlationId'
>;

/** A row as the ingest writes it; the address is already sealed. */
export interface InstructionInsert {
  instructionId: string;
  functionalId: string | null;
  amount: bigint | null;
  currency: string | null;
  narration: string | null;
  paymentMode: string | null;
  modality: string | null;
  institutionCode: string | null;
  faEnc: Buffer | null;
  faKeyId: string | null;
  state: 'received' | 'invalid';
  reasonCode: string | null;
  reason: string | null;
}

export interface SubBatch {
  id: string;
  tenantId: string;
  batchId: string;
  seq: number;
  rail: string;
  destination: string;
  currency: string;
  instructionCount: number;
  amount: bigint;
  state: 'pending' | 'submitting' | 'submitted' | 'completed' | 'rejected';
  attempts: number;
}

export interface SealedInstruction {
  instructionId: string;
  amount: bigint;
  currency: string;
  modality: string;
  narration: string | null;
  faEnc: Buffer;
  faKeyId: string;
}

export interface AppliedStatuses {
  applied: number;
  ignored: number;
  unknown: number;
  completedCount: number;
  completedAmount: bigint;
  failedCount: number;
  failedAmount: bigint;
}

/** States holding a share of the batch's reservation. */
const OPEN = `('ready','queued','submitted','accepted')`;
const FINAL = `('invalid','unresolved','completed','failed','cancelled')`;

interface SubBatchRow {
  id: string;
  tenant_id: string;
  batch_id: string;
  seq: number;
  rail: string;
  destination: string;
  currency: string;
  instruction_count: number;
  amount: string;
  state: SubBatch['state'];
  attempts: number;
}

const toSubBatch = (r: SubBatchRow): SubBatch => ({
  id: r.id,
  tenantId: r.tenant_id,
  batchId: r.batch_id,
  seq: r.seq,
  rail: r.rail,
  destination: r.destination,
  currency: r.currency,
  instructionCount: r.instruction_count,
  amount: BigInt(r.amount),
  state: r.state,
  attempts: r.attempts,
});

/** All SQL of the bulk pipeline. Every stage is a handful of set-wise statements over the batch's rows. */
@Injectable()
export class BatchesRepository {
  constructor(@InjectDataSource() private readonly ds: DataSource) {}

  /** Inserts the batch unless its request key exists; a concurrent twin waits here for the first to commit. */
  async insertBatch(m: EntityManager, b: NewBatch): Promise<boolean> {
    const rows = (await m.query(
      `INSERT INTO batches (id, tenant_id, source_bb_id, program_id, origin, request_key, request_hash, request_id,
                            external_batch_id, retry_of, callback_url, currency, state, instruction_count, execute_at,
                            maker_id, maker_kind, correlation_id)
       VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11,$12,'received',0,$13,$14,$15,$16)
       ON CONFLICT (tenant_id, source_bb_id, request_key) DO NOTHING RETURNING id`,
      [
        b.id,
        b.tenantId,
        b.sourceBbId,
        b.programId,
        b.origin,
        b.requestKey,
        b.requestHash,
        b.requestId,
        b.externalBatchId,
        b.retryOf,
        b.callbackUrl,
        b.currency,
        b.executeAt,
        b.makerId,
        b.makerKind,
        b.correlationId,
      ],
    )) as unknown[];
    return rows.length === 1;
  }

  async findByKey(
    m: EntityManager,
    tenantId: string,
    sourceBbId: string,
    key: string,
  ): Promise<Batch | undefined> {
    const rows = (await m.query(
      `SELECT * FROM batches WHERE tenant_id = $1 AND source_bb_id = $2 AND request_key = $3`,
      [tenantId, sourceBbId, key],
    )) as BatchRow[];
    return rows[0] && toBatch(rows[0]);
  }

  async find(id: string, m: EntityManager = this.ds.manager): Promise<Batch | undefined> {
    const rows = (await m.query(`SELECT * FROM batches WHERE id = $1`, [id])) as BatchRow[];
    return rows[0] && toBatch(rows[0]);
  }

  /** The batch, locked for this transaction; undefined when another transaction is working on it. */
  async lock(m: EntityManager, id: string, wait = false): Promise<Batch | undefined> {
    const rows = (await m.query(
      `SELECT * FROM batches WHERE id = $1 FOR UPDATE ${wait ? '' : 'SKIP LOCKED'}`,
      [id],
    )) as BatchRow[];
    return rows[0] && toBatch(rows[0]);
  }

  async insertInstructions(
    m: EntityManager,
    tenantId: string,
    batchId: string,
    firstSeq: number,
    rows: InstructionInsert[],
  ): Promise<void> {
    if (!rows.length) return;
    const col = <T>(f: (r: InstructionInsert) => T) => rows.map(f);
    await m.query(
      `INSERT INTO batch_instructions (tenant_id, batch_id, seq, instruction_id, payee_functional_id, amount, currency, narration,
                                       payment_mode, modality, institution_code, fa_enc, fa_key_id, state, reason_code, reason, finished_at)
       SELECT $1, $2, $3 + n - 1, iid, fid, amt, cur, nar, pm, modl, inst, fa, fak, st, rc, rs, CASE WHEN st = 'invalid' THEN now() END
       FROM unnest($4::text[], $5::text[], $6::bigint[], $7::text[], $8::text[], $9::text[], $10::text[], $11::text[], $12::bytea[],
                   $13::text[], $14::text[], $15::text[], $16::text[]) WITH ORDINALITY
            AS x(iid, fid, amt, cur, nar, pm, modl, inst, fa, fak, st, rc, rs, n)`,
      [
        tenantId,
        batchId,
        firstSeq,
        col((r) => r.instructionId),
        col((r) => r.functionalId),
        col((r) => (r.amount === null ? null : r.amount.toString())),
        col((r) => r.currency),
        col((r) => r.narration),
        col((r) => r.paymentMode),
        col((r) => r.modality),
        col((r) => r.institutionCode),
        col((r) => r.faEnc),
        col((r) => r.faKeyId),
        col((r) => r.state),
        col((r) => r.reasonCode),
        col((r) => r.reason),
      ],
    );
  }

  async finishIngest(m: EntityManager, id: string, count: number, requestHash: string): Promise<void> {
    await m.query(
      `UPDATE batches SET instruction_count = $2, request_hash = $3, updated_at = now() WHERE id = $1`,
      [id, count, requestHash],
    );
  }

  async setState(
    m: EntityManager,
    id: string,
    state: BatchState,
    reason: string | null,
    extra: Record<string, unknown> = {},
  ): Promise<void> {
    const keys = Object.keys(extra);
    const sets = keys.map((k, i) => `${k} = $${i + 4}`);
    await m.query(
      `UPDATE batches SET state = $2, state_reason = $3, updated_at = now()${sets.length ? `, ${sets.join(', ')}` : ''} WHERE id = $1`,
      [id, state, reason, ...keys.map((k) => extra[k])],
    );
  }

  /** Only forwards: a late submit confirmation must not pull a settling batch back to `submitted`. */
  async advanceTo(
    m: EntityManager,
    id: string,
    state: 'submitted' | 'settling',
    from: BatchState[],
  ): Promise<void> {
    await m.query(`UPDATE batches SET state = $2, updated_at = now() WHERE id = $1 AND state = ANY($3)`, [
      id,
      state,
      from,
    ]);
  }

  async retryLater(m: EntityManager, id: string, reason: string, delayMs: number): Promise<void> {
    await m.query(
      `UPDATE batches SET state_reason = $2, attempts = attempts + 1, next_attempt_at = now() + $3 * interval '1 millisecond',
              updated_at = now() WHERE id = $1`,
      [id, reason, delayMs],
    );
  }

  /**
   * Duplicate instruction IDs (within the batch, then against the source's earlier batches, by claiming each ID in
   * the registry), and payees paid twice in one batch (flagged, not refused). Returns how many rows remain.
   */
  async validate(m: EntityManager, b: Batch): Promise<number> {
    await this.hashJoinsOnly(m);
    await m.query(
      `UPDATE batch_instructions i SET state = 'invalid', reason_code = '${REASON.DUPLICATE}',
              reason = 'Duplicate InstructionID in this batch', finished_at = now(), updated_at = now()
       FROM (SELECT seq FROM (SELECT seq, row_number() OVER (PARTITION BY instruction_id ORDER BY seq) AS rn
                              FROM batch_instructions WHERE batch_id = $1 AND state = 'received') x WHERE rn > 1) d
       WHERE i.batch_id = $1 AND i.seq = d.seq`,
      [b.id],
    );
    // Claimed in ID order so that two batches sharing IDs wait for each other instead of deadlocking. A retry
    // batch already owns its IDs (the registry points at it), which the no-op update keeps. The IDs another batch
    // owns are then found through the registry's primary key: one index probe per row, whatever the plan.
    await m.query(
      `INSERT INTO instruction_registry (tenant_id, source_bb_id, instruction_id, batch_id)
       SELECT $2, $3, instruction_id, $1 FROM batch_instructions WHERE batch_id = $1 AND state = 'received' ORDER BY instruction_id
       ON CONFLICT (tenant_id, source_bb_id, instruction_id) DO UPDATE SET batch_id = EXCLUDED.batch_id
         WHERE instruction_registry.batch_id = EXCLUDED.batch_id`,
      [b.id, b.tenantId, b.sourceBbId],
    );
    await this.plannerDefaults(m);
    await m.query(
      `UPDATE batch_instructions i SET state = 'invalid', reason_code = '${REASON.DUPLICATE}',
              reason = 'InstructionID was already used in an earlier batch of this source BB', finished_at = now(), updated_at = now()
       FROM instruction_registry r
       WHERE i.batch_id = $1 AND i.state = 'received'
         AND r.tenant_id = $2 AND r.source_bb_id = $3 AND r.instruction_id = i.instruction_id AND r.batch_id <> $1`,
      [b.id, b.tenantId, b.sourceBbId],
    );
    await this.hashJoinsOnly(m);
    await m.query(
      `UPDATE batch_instructions i SET duplicate_payee = true
       FROM (SELECT seq FROM (SELECT seq, count(*) OVER (PARTITION BY payee_functional_id) AS n
                              FROM batch_instructions WHERE batch_id = $1 AND state = 'received' AND payee_functional_id IS NOT NULL) x
             WHERE n > 1) d
       WHERE i.batch_id = $1 AND i.seq = d.seq`,
      [b.id],
    );
    await this.plannerDefaults(m);
    return this.countIn(m, b.id, `('received')`);
  }

  /**
   * Copies each payee's modality, institution and sealed address from the account mapper (a join, never a
   * decryption), fails the payees that cannot be paid, and marks the rest ready. Returns the ready count.
   */
  async resolve(m: EntityManager, b: Batch): Promise<number> {
    // One probe of the mapper's primary key per row, written as a correlated subquery so that no estimate can
    // turn it into a scan of the source's whole registry per row. The one-row LEFT JOIN keeps the instruction's
    // own institution code when the payee is not found.
    await m.query(
      `UPDATE batch_instructions i SET (modality, institution_code, fa_enc, fa_key_id) = (
         SELECT r.payment_modality, COALESCE(i.institution_code, r.banking_institution_code), r.fa_enc, r.fa_key_id
         FROM (SELECT 1) one
         LEFT JOIN beneficiaries r ON r.tenant_id = $2 AND r.source_bb_id = $3 AND r.functional_id = i.payee_functional_id AND r.status = 'active')
       WHERE i.batch_id = $1 AND i.state = 'received' AND i.payee_functional_id IS NOT NULL`,
      [b.id, b.tenantId, b.sourceBbId],
    );
    const fail = (cond: string, code: string, reason: string) =>
      m.query(
        `UPDATE batch_instructions SET state = 'unresolved', reason_code = $2, reason = $3, finished_at = now(), updated_at = now()
         WHERE batch_id = $1 AND state = 'received' AND ${cond}`,
        [b.id, code, reason],
      );
    await fail(
      'modality IS NULL',
      REASON.UNKNOWN_PAYEE,
      'PayeeFunctionalID is not registered, or not active, in the account mapper',
    );
    await fail(
      `modality = '02'`,
      REASON.NOT_SUPPORTED,
      'The payee is registered for vouchers (modality 02), which a credit transfer cannot pay',
    );
    await fail('fa_enc IS NULL', REASON.BAD_ACCOUNT, 'No financial address is registered for the payee');
    await m.query(
      `UPDATE batch_instructions SET state = 'ready', updated_at = now() WHERE batch_id = $1 AND state = 'received'`,
      [b.id],
    );
    const [t] = (await m.query(
      `SELECT count(*)::int AS n, COALESCE(sum(amount), 0)::text AS s FROM batch_instructions WHERE batch_id = $1 AND state = 'ready'`,
      [b.id],
    )) as { n: number; s: string }[];
    await m.query(`UPDATE batches SET ready_count = $2, ready_amount = $3 WHERE id = $1`, [b.id, t.n, t.s]);
    return t.n;
  }

  /**
   * Groups ready instructions by rail and payee FSP into sub-batches of at most `size`, numbered in order.
   * Returns how many sub-batches were made.
   */
  async split(m: EntityManager, b: Batch, size: number): Promise<number> {
    await this.hashJoinsOnly(m);
    // k is materialised once (it calls a volatile function), so the insert and the update see the same IDs.
    await m.query(
      `WITH c AS (
         SELECT seq, amount, rail, destination, (row_number() OVER (PARTITION BY rail, destination ORDER BY seq) - 1) / $4 AS chunk
         FROM (SELECT seq, amount, COALESCE(institution_code, '') AS destination,
                      CASE modality WHEN '00' THEN 'bank' WHEN '01' THEN 'mobile_money' WHEN '03' THEN 'wallet' ELSE 'proxy' END AS rail
               FROM batch_instructions WHERE batch_id = $1 AND state = 'ready') g),
       k AS MATERIALIZED (
         SELECT rail, destination, chunk, count(*)::int AS n, sum(amount) AS total, min(seq) AS first_seq, gen_random_uuid() AS id
         FROM c GROUP BY rail, destination, chunk),
       sb AS (
         INSERT INTO sub_batches (id, tenant_id, batch_id, seq, rail, destination, currency, instruction_count, amount, state)
         SELECT id, $2, $1, row_number() OVER (ORDER BY first_seq), rail, destination, $3, n, total, 'pending' FROM k)
       UPDATE batch_instructions i SET sub_batch_id = k.id, state = 'queued', updated_at = now()
       FROM c JOIN k USING (rail, destination, chunk)
       WHERE i.batch_id = $1 AND i.seq = c.seq`,
      [b.id, b.tenantId, b.currency, size],
    );
    await this.plannerDefaults(m);
    const [n] = (await m.query(`SELECT count(*)::int AS n FROM sub_batches WHERE batch_id = $1`, [b.id])) as {
      n: number;
    }[];
    return n.n;
  }

  /**
   * For statements whose every relation is scoped to one batch. The planner estimates a batch's rows from
   * statistics averaged over all batches (or none yet, right after a large ingest), so a million-row batch can
   * look like a few hundred rows, and a nested loop over it is then quadratic. A hash or merge join over the
   * batch's own rows is always linear, so these statements are planned without nested loops.
   */
  private async hashJoinsOnly(m: EntityManager): Promise<void> {
    await m.query(`SET LOCAL enable_nestloop = off`);
  }

  /** Back to the server's setting, for statements that should probe an index per row. */
  private async plannerDefaults(m: EntityManager): Promise<void> {
    await m.query(`SET LOCAL enable_nestloop TO DEFAULT`);
  }

  async countIn(m: EntityManager, batchId: string, states: string): Promise<number> {
    const [r] = (await m.query(
      `SELECT count(*)::int AS n FROM batch_instructions WHERE batch_id = $1 AND state IN ${states}`,
      [batchId],
    )) as {
      n: number;
    }[];
    return r.n;
  }

  /** Whether a sub-batch of the batch is still pending, being sent, or at the payer FSP (the sub_batches_open index). */
  async hasOpenSubBatch(m: EntityManager, batchId: string): Promise<boolean> {
    const rows = (await m.query(
      `SELECT 1 FROM sub_batches WHERE batch_id = $1 AND state IN ('pending','submitting','submitted') LIMIT 1`,
      [batchId],
    )) as unknown[];
    return rows.length > 0;
  }

  /** Instructions still holding a share of the reservation. */
  openCount(m: EntityManager, batchId: string): Promise<number> {
    return this.countIn(m, batchId, OPEN);
  }

  /** Sub-batches that may be sent now: due, and within the batch's in-flight limit. */
  async dueSubBatches(batchId: string, maxInFlight: number): Promise<{ id: string; attempts: number }[]> {
    return (await this.ds.query(
      `WITH busy AS (SELECT count(*)::int AS n FROM sub_batches WHERE batch_id = $1 AND state = 'submitting' AND lease_until >= now())
       SELECT id, attempts FROM sub_batches
       WHERE batch_id = $1 AND ((state = 'pending' AND next_attempt_at <= now()) OR (state = 'submitting' AND lease_until < now()))
       ORDER BY seq LIMIT GREATEST(0, $2 - (SELECT n FROM busy) - (SELECT count(*) FROM sub_batches WHERE batch_id = $1 AND state = 'submitted'))`,
      [batchId, maxInFlight],
    )) as { id: string; attempts: number }[];
  }

  /** Takes a sub-batch for sending; null when it is not due or another worker has it. */
  async claimSubBatch(id: string, leaseMs: number): Promise<SubBatch | undefined> {
    const rows = (await this.ds.query(
      `UPDATE sub_batches SET state = 'submitting', attempts = attempts + 1, lease_until = now() + $2 * interval '1 millisecond'
       WHERE id = $1 AND ((state = 'pending' AND next_attempt_at <= now()) OR (state = 'submitting' AND lease_until < now()))
       RETURNING *`,
      [id, leaseMs],
    )) as [SubBatchRow[], number] | SubBatchRow[];
    const list = (Array.isArray(rows[0]) ? rows[0] : rows) as SubBatchRow[];
    return list[0] && toSubBatch(list[0]);
  }

  async findSubBatch(id: string, m: EntityManager = this.ds.manager): Promise<SubBatch | undefined> {
    const rows = (await m.query(`SELECT * FROM sub_batches WHERE id = $1`, [id])) as SubBatchRow[];
    return rows[0] && toSubBatch(rows[0]);
  }

  async sealedInstructions(subBatchId: string): Promise<SealedInstruction[]> {
    const rows = (await this.ds.query(
      `SELECT instruction_id, amount::text, currency, modality, narration, fa_enc, fa_key_id FROM batch_instructions
       WHERE sub_batch_id = $1 ORDER BY seq`,
      [subBatchId],
    )) as {
      instruction_id: string;
      amount: string;
      currency: string;
      modality: string;
      narration: string | null;
      fa_enc: Buffer;
      fa_key_id: string;
    }[];
    return rows.map((r) => ({
      instructionId: r.instruction_id,
      amount: BigInt(r.amount),
      currency: r.currency,
      modality: r.modality,
      narration: r.narration,
      faEnc: r.fa_enc,
      faKeyId: r.fa_key_id,
    }));
  }

  async markSubmitted(m: EntityManager, subBatchId: string): Promise<void> {
    await m.query(
      `UPDATE sub_batches SET state = 'submitted', submitted_at = now(), lease_until = NULL, last_error = NULL WHERE id = $1 AND state = 'submitting'`,
      [subBatchId],
    );
    await m.query(
      `UPDATE batch_instructions SET state = 'submitted', updated_at = now() WHERE sub_batch_id = $1 AND state = 'queued'`,
      [subBatchId],
    );
  }

  async submitLater(subBatchId: string, error: string, delayMs: number): Promise<void> {
    await this.ds.query(
      `UPDATE sub_batches SET state = 'pending', lease_until = NULL, last_error = $2, next_attempt_at = now() + $3 * interval '1 millisecond'
       WHERE id = $1 AND state IN ('submitting','submitted')`,
      [subBatchId, error, delayMs],
    );
  }

  async markPolled(subBatchId: string): Promise<void> {
    await this.ds.query(`UPDATE sub_batches SET polled_at = now() WHERE id = $1`, [subBatchId]);
  }

  /**
   * Applies FSP statuses to the instructions of one sub-batch that are still open there; a final state never
   * changes again. Returns what became final, for the ledger.
   */
  async applyStatuses(
    m: EntityManager,
    subBatchId: string,
    reports: InstructionStatusReport[],
  ): Promise<AppliedStatuses> {
    // Found by (sub_batch_id, instruction_id) alone: a sub-batch belongs to one batch (the caller checked which),
    // and an index led by batch_id would have to step over every row version of a large batch.
    const known = (await m.query(
      `SELECT count(*)::int AS n FROM batch_instructions WHERE sub_batch_id = $1 AND instruction_id = ANY($2)`,
      [subBatchId, reports.map((r) => r.instructionId)],
    )) as { n: number }[];
    const rows = (await m.query(
      `UPDATE batch_instructions i
       SET state = CASE s.status WHEN 'ACSC' THEN 'completed' WHEN 'RJCT' THEN 'failed' ELSE 'accepted' END,
           reason_code = CASE WHEN s.status = 'RJCT' THEN COALESCE(s.code, 'NARR') END,
           reason = CASE WHEN s.status = 'RJCT' THEN COALESCE(s.reason, 'Rejected by the payer FSP') END,
           fsp_reference = COALESCE(s.ref, i.fsp_reference),
           finished_at = CASE WHEN s.status IN ('ACSC','RJCT') THEN now() END, updated_at = now()
       FROM (SELECT DISTINCT ON (id) id, status, code, reason, ref
             FROM unnest($2::text[], $3::text[], $4::text[], $5::text[], $6::text[]) AS u(id, status, code, reason, ref)
             WHERE status IN ('ACSC','RJCT','ACCP') ORDER BY id, CASE status WHEN 'ACCP' THEN 1 ELSE 0 END) s
       WHERE i.sub_batch_id = $1 AND i.instruction_id = s.id
         AND (i.state IN ('queued','submitted') OR (i.state = 'accepted' AND s.status <> 'ACCP'))
       RETURNING i.state, i.amount::text AS amount`,
      [
        subBatchId,
        reports.map((r) => r.instructionId),
        reports.map((r) => r.status),
        reports.map((r) => r.reasonCode ?? null),
        reports.map((r) => r.reason ?? null),
        reports.map((r) => r.fspReference ?? null),
      ],
    )) as [{ state: string; amount: string }[], number] | { state: string; amount: string }[];
    const changed = (Array.isArray(rows[0]) ? rows[0] : rows) as { state: string; amount: string }[];
    const out: AppliedStatuses = {
      applied: changed.length,
      ignored: 0,
      unknown: 0,
      completedCount: 0,
      completedAmount: 0n,
      failedCount: 0,
      failedAmount: 0n,
    };
    for (const r of changed) {
      if (r.state === 'completed') {
        out.completedCount++;
        out.completedAmount += BigInt(r.amount);
      } else if (r.state === 'failed') {
        out.failedCount++;
        out.failedAmount += BigInt(r.amount);
      }
    }
    const distinct = new Set(reports.map((r) => r.instructionId)).size;
    out.unknown = distinct - known[0].n;
    out.ignored = known[0].n - out.applied;
    return out;
  }

  /** Fails every still-open instruction of a sub-batch (the FSP refused it as a whole). */
  async failSubBatch(
    m: EntityManager,
    subBatchId: string,
    reason: string,
  ): Promise<{ count: number; amount: bigint }> {
    const rows = (await m.query(
      `UPDATE batch_instructions SET state = 'failed', reason_code = '${REASON.FSP_REFUSED}', reason = $2, finished_at = now(), updated_at = now()
       WHERE sub_batch_id = $1 AND state IN ('queued','submitted','accepted') RETURNING amount::text AS amount`,
      [subBatchId, reason.slice(0, 200)],
    )) as [{ amount: string }[], number];
    const list = (Array.isArray(rows[0]) ? rows[0] : rows) as { amount: string }[];
    await m.query(
      `UPDATE sub_batches SET state = 'rejected', last_error = $2, completed_at = now(), lease_until = NULL WHERE id = $1`,
      [subBatchId, reason.slice(0, 200)],
    );
    return { count: list.length, amount: list.reduce((s, r) => s + BigInt(r.amount), 0n) };
  }

  /** Closes the sub-batch when none of its instructions is open any more. */
  async closeSubBatchIfDone(m: EntityManager, subBatchId: string): Promise<boolean> {
    const rows = (await m.query(
      `UPDATE sub_batches s SET state = 'completed', completed_at = now(), last_status_at = now(), lease_until = NULL
       WHERE id = $1 AND state NOT IN ('completed','rejected')
         AND NOT EXISTS (SELECT 1 FROM batch_instructions i WHERE i.sub_batch_id = $1 AND i.state IN ('queued','submitted','accepted'))
       RETURNING id`,
      [subBatchId],
    )) as [unknown[], number];
    const list = Array.isArray(rows[0]) ? rows[0] : rows;
    if (!list.length)
      await m.query(`UPDATE sub_batches SET last_status_at = now() WHERE id = $1`, [subBatchId]);
    return list.length > 0;
  }

  /** Cancels every instruction not yet final; returns their total amount. */
  async cancelOpen(m: EntityManager, batchId: string, reason: string): Promise<bigint> {
    const rows = (await m.query(
      `UPDATE batch_instructions SET state = 'cancelled', reason_code = '${REASON.CANCELLED}', reason = $2, finished_at = now(), updated_at = now()
       WHERE batch_id = $1 AND state NOT IN ${FINAL} RETURNING state, amount::text AS amount`,
      [batchId, reason],
    )) as [{ amount: string }[], number];
    const list = (Array.isArray(rows[0]) ? rows[0] : rows) as { amount: string }[];
    await m.query(
      `UPDATE sub_batches SET state = 'rejected', last_error = 'batch cancelled', completed_at = now() WHERE batch_id = $1 AND state = 'pending'`,
      [batchId],
    );
    return list.reduce((s, r) => s + BigInt(r.amount ?? '0'), 0n);
  }

  async outcome(batchId: string, m: EntityManager = this.ds.manager): Promise<BatchOutcome> {
    const [r] = (await m.query(
      `SELECT count(*)::int AS total,
              count(*) FILTER (WHERE state = 'completed')::int AS completed,
              count(*) FILTER (WHERE state IN ${FINAL} AND state <> 'completed')::int AS failed,
              COALESCE(sum(amount), 0)::text AS total_amount,
              COALESCE(sum(amount) FILTER (WHERE state = 'completed'), 0)::text AS completed_amount,
              COALESCE(sum(amount) FILTER (WHERE state IN ${FINAL} AND state <> 'completed'), 0)::text AS failed_amount,
              count(*) FILTER (WHERE duplicate_payee)::int AS duplicate_payees
       FROM batch_instructions WHERE batch_id = $1`,
      [batchId],
    )) as {
      total: number;
      completed: number;
      failed: number;
      total_amount: string;
      completed_amount: string;
      failed_amount: string;
      duplicate_payees: number;
    }[];
    const totalAmount = BigInt(r.total_amount);
    const completedAmount = BigInt(r.completed_amount);
    const failedAmount = BigInt(r.failed_amount);
    return {
      total: r.total,
      completed: r.completed,
      failed: r.failed,
      ongoing: r.total - r.completed - r.failed,
      totalAmount,
      completedAmount,
      failedAmount,
      ongoingAmount: totalAmount - completedAmount - failedAmount,
      duplicatePayees: r.duplicate_payees,
    };
  }

  async failures(
    batchId: string,
    limit: number,
    m: EntityManager = this.ds.manager,
  ): Promise<{ instructionId: string; reasonCode: string; reason: string }[]> {
    const rows = (await m.query(
      `SELECT instruction_id, reason_code, reason FROM batch_instructions
       WHERE batch_id = $1 AND state IN ('invalid','unresolved','failed','cancelled') ORDER BY seq LIMIT $2`,
      [batchId, limit],
    )) as { instruction_id: string; reason_code: string; reason: string }[];
    return rows.map((r) => ({
      instructionId: r.instruction_id,
      reasonCode: r.reason_code,
      reason: r.reason,
    }));
  }

  /** Batches a worker should look at: moving states, and waiting ones whose time has come. */
  async activeBatchIds(limit: number): Promise<string[]> {
    const rows = (await this.ds.query(
      `SELECT id FROM batches
       WHERE state IN ('received','validated','resolved','approved','funds_reserved','split','submitted','settling','scheduled','awaiting_funds')
         AND (next_attempt_at IS NULL OR next_attempt_at <= now()) AND (execute_at IS NULL OR execute_at <= now() OR state <> 'scheduled')
       ORDER BY updated_at LIMIT $1`,
      [limit],
    )) as { id: string }[];
    return rows.map((r) => r.id);
  }

  /** Sub-batches the FSP accepted but has not finished reporting on for a while: ask it. */
  async overdueSubBatches(afterSeconds: number, limit: number): Promise<string[]> {
    const rows = (await this.ds.query(
      `SELECT id FROM sub_batches
       WHERE state = 'submitted' AND GREATEST(submitted_at, COALESCE(last_status_at, submitted_at), COALESCE(polled_at, submitted_at))
             < now() - $1 * interval '1 second'
       ORDER BY submitted_at LIMIT $2`,
      [afterSeconds, limit],
    )) as { id: string }[];
    return rows.map((r) => r.id);
  }
}
