import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { randomUUID } from 'node:crypto';
import { DataSource } from 'typeorm';
import { formatAmount } from '@app/ledger/money';
import { actorOf, AppConfig, AppException, AuditService, ErrorCode, FieldCipher, RequestContext } from '@app/platform';
import { Participant } from '../../participants/participant';
import { parseInstruction, RawInstruction } from '../domain/instruction-input';
import { Program } from '../programs/program';
import { Batch, BatchOrigin } from '../pipeline/batch';
import { BatchesRepository, InstructionInsert } from '../pipeline/batches.repository';
import { BulkQueue } from '../pipeline/bulk.queue';

export interface IngestRequest {
  ctx: RequestContext;
  source: Participant;
  program: Program;
  origin: BatchOrigin;
  /** Unique per source BB: the v1 BatchID, or the v3 Idempotency-Key / X-CorrelationID. */
  requestKey: string;
  requestId: string | null;
  externalBatchId: string | null;
  callbackUrl: string | null;
  executeAt: Date | null;
  controlCount?: number;
  controlSum?: bigint;
  /** v1 fixes InstructionID at 16 characters. */
  exactIdLength?: number;
  retryOf?: string;
}

export interface IngestResult {
  batch: Batch;
  replayed: boolean;
  /** Rows refused by the field rules at ingest (duplicates and unknown payees are found later). */
  invalid: number;
}

/** Rows per insert: one round trip per chunk, and the most a batch of any size keeps in memory at once. */
const CHUNK = 5_000;

/**
 * Turns a stream of instructions into a stored batch, in one transaction: a file cut off half-way or a
 * request that breaks a whole-file rule (no valid row, control totals, size) leaves nothing behind. The
 * rows are checked and written in chunks as they arrive, so a million-row CSV needs no more memory than
 * one chunk. A repeated request key returns the first batch when the body is the same, 409 otherwise.
 */
@Injectable()
export class BatchIngestService {
  constructor(
    @InjectDataSource() private readonly ds: DataSource,
    private readonly repo: BatchesRepository,
    private readonly cipher: FieldCipher,
    private readonly audit: AuditService,
    private readonly queue: BulkQueue,
    private readonly config: AppConfig,
  ) {}

  async ingest(req: IngestRequest, rows: AsyncIterable<RawInstruction> | Iterable<RawInstruction>, hashOf: () => string): Promise<IngestResult> {
    const tenantId = req.ctx.principal.tenantId;
    const id = randomUUID();
    const actor = actorOf(req.ctx.principal);
    const result = await this.ds.transaction(async (m) => {
      const fresh = await this.repo.insertBatch(m, {
        id,
        tenantId,
        sourceBbId: req.source.id,
        programId: req.program.id,
        origin: req.origin,
        requestKey: req.requestKey,
        requestHash: 'pending',
        requestId: req.requestId,
        externalBatchId: req.externalBatchId,
        retryOf: req.retryOf ?? null,
        callbackUrl: req.callbackUrl,
        currency: req.program.currency,
        executeAt: req.executeAt,
        makerId: actor.id,
        makerKind: actor.kind,
        correlationId: req.ctx.correlationId,
      });
      if (!fresh) {
        const existing = (await this.repo.findByKey(m, tenantId, req.source.id, req.requestKey))!;
        for await (const _ of rows) void _; // a streamed body must be read to the end before its digest is known
        if (existing.requestHash !== hashOf())
          throw new AppException(ErrorCode.IDEMPOTENCY_KEY_REUSED, `Batch '${req.requestKey}' was already submitted with different content`);
        return { batch: existing, replayed: true, invalid: 0 };
      }
      const max = this.config.env.BULK_MAX_INSTRUCTIONS;
      const rules = { programCurrency: req.program.currency, exactIdLength: req.exactIdLength };
      let chunk: InstructionInsert[] = [];
      let next = 1;
      let count = 0;
      let invalid = 0;
      let sum = 0n;
      let unparsed = 0;
      const reasons = new Map<string, number>();
      for await (const raw of rows) {
        if (++count > max) throw new AppException(ErrorCode.TOO_MANY_ITEMS, `At most ${max} instructions per batch`);
        const p = parseInstruction(raw, rules);
        if (p.amount === null) unparsed++;
        else sum += p.amount;
        if (p.state === 'invalid') {
          invalid++;
          if (reasons.size < 5 || reasons.has(p.reason!)) reasons.set(p.reason!, (reasons.get(p.reason!) ?? 0) + 1);
        }
        const sealed = p.address === null ? null : this.cipher.seal(p.address);
        chunk.push({ ...p, faEnc: sealed, faKeyId: sealed ? this.cipher.keyId : null });
        if (chunk.length >= CHUNK) {
          await this.repo.insertInstructions(m, tenantId, id, next, chunk);
          next += chunk.length;
          chunk = [];
        }
      }
      await this.repo.insertInstructions(m, tenantId, id, next, chunk);
      if (count === 0) throw new AppException(ErrorCode.VALIDATION_FAILED, 'The batch holds no credit instruction');
      if (invalid === count)
        throw new AppException(
          ErrorCode.NO_VALID_INSTRUCTIONS,
          `None of the ${count} instructions is valid`,
          [...reasons].map(([r, n]) => `${n} × ${r}`),
        );
      this.checkControlTotals(req, count, sum, unparsed);
      await this.repo.finishIngest(m, id, count, hashOf());
      await this.audit.record(m, [
        {
          tenantId,
          actor,
          action: 'bulk.batch.receive',
          objectType: 'batch',
          objectId: id,
          correlationId: req.ctx.correlationId,
          after: { requestKey: req.requestKey, hash: hashOf() },
          details: { origin: req.origin, program: req.program.code, instructions: count, invalid, retryOf: req.retryOf ?? null },
        },
      ]);
      return { batch: (await this.repo.find(id, m))!, replayed: false, invalid };
    });
    if (!result.replayed) await this.queue.advance(result.batch.id);
    return result;
  }

  /** Declared totals describe the whole file: any difference means it is not the file the sender meant. */
  private checkControlTotals(req: IngestRequest, count: number, sum: bigint, unparsed: number): void {
    const problems: string[] = [];
    if (req.controlCount !== undefined && req.controlCount !== count)
      problems.push(`declared ${req.controlCount} instructions, received ${count}`);
    if (req.controlSum !== undefined && (unparsed > 0 || req.controlSum !== sum)) {
      const cur = req.program.currency;
      problems.push(
        unparsed > 0
          ? `declared a total of ${formatAmount(req.controlSum, cur)} ${cur} but ${unparsed} amounts are unreadable`
          : `declared a total of ${formatAmount(req.controlSum, cur)} ${cur}, received ${formatAmount(sum, cur)} ${cur}`,
      );
    }
    if (problems.length) throw new AppException(ErrorCode.CONTROL_TOTAL_MISMATCH, `Control totals do not match: ${problems.join('; ')}`, problems);
  }
}
