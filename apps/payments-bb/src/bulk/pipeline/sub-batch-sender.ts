import { Injectable, Logger } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { backoffDelayMs } from '@app/callbacks';
import { AppConfig, FieldCipher } from '@app/platform';
import { SUBMIT_LEASE_MS } from '../bulk.constants';
import { FspCallError, FspConnector } from '../connector/fsp-connector';
import { FspEndpoints } from '../connector/fsp-endpoints';
import { ProgramsRepository } from '../programs/programs.repository';
import { SYSTEM_ACTOR } from './batch-ledger.service';
import { BatchesRepository } from './batches.repository';
import { BatchPipeline } from './batch-pipeline.service';
import { BulkQueue } from './bulk.queue';
import { SettlementService } from './settlement.service';

/**
 * Sends sub-batches to the payer FSP and, when a push is overdue, asks for their statuses. A sub-batch is
 * claimed with a lease before it is sent, so two workers never send it at once; a worker that dies mid-send
 * leaves a lease that expires, and the sub-batch is sent again under the same ID, which the FSP must treat as
 * the same request (docs/fsp-connector.md).
 */
@Injectable()
export class SubBatchSender {
  private readonly logger = new Logger(SubBatchSender.name);

  constructor(
    @InjectDataSource() private readonly ds: DataSource,
    private readonly repo: BatchesRepository,
    private readonly programs: ProgramsRepository,
    private readonly connector: FspConnector,
    private readonly endpoints: FspEndpoints,
    private readonly cipher: FieldCipher,
    private readonly settlement: SettlementService,
    private readonly pipeline: BatchPipeline,
    private readonly queue: BulkQueue,
    private readonly config: AppConfig,
  ) {}

  async submit(subBatchId: string): Promise<void> {
    const sub = await this.repo.claimSubBatch(subBatchId, SUBMIT_LEASE_MS);
    if (!sub) return;
    try {
      await this.send(sub);
    } catch (err) {
      // Our own failure, not the FSP's answer: give the lease back, so that the retry need not wait it out.
      const delay = this.config.env.BULK_SUBMIT_BACKOFF_BASE_MS;
      await this.repo.submitLater(sub.id, `internal error: ${(err as Error).name}`, delay).catch(() => undefined);
      await this.queue.advance(sub.batchId, delay).catch(() => undefined);
      throw err;
    }
  }

  private async send(sub: NonNullable<Awaited<ReturnType<BatchesRepository['claimSubBatch']>>>): Promise<void> {
    const b = (await this.repo.find(sub.batchId))!;
    const program = (await this.programs.findById(b.tenantId, b.programId))!;
    try {
      const fsp = await this.endpoints.forFsp(b.tenantId, program.payerFspId, b.correlationId);
      const rows = await this.repo.sealedInstructions(sub.id);
      await this.connector.submitSubBatch(fsp, {
        subBatchId: sub.id,
        batchId: b.id,
        payerIdentifier: program.payerIdentifier,
        destination: sub.destination,
        rail: sub.rail,
        currency: sub.currency,
        totalAmount: sub.amount,
        statusPushUrl: `${this.config.env.PUBLIC_BASE_URL.replace(/\/$/, '')}/api/v1/batch?batchId=${b.id}`,
        instructions: rows.map((r) => ({
          instructionId: r.instructionId,
          amount: r.amount,
          currency: r.currency,
          modality: r.modality,
          narration: r.narration,
          financialAddress: this.cipher.open(r.faEnc, r.faKeyId),
        })),
      });
    } catch (err) {
      if (!(err instanceof FspCallError)) throw err;
      if (err.kind === 'refused') {
        this.logger.warn(`Sub-batch ${sub.id} of batch ${b.id} refused by the payer FSP: ${err.message}`);
        await this.settlement.refuseSubBatch(b.id, sub.id, err.message, SYSTEM_ACTOR);
        await this.pipeline.pump(b.id);
        return;
      }
      const delay = backoffDelayMs(sub.attempts, this.config.env.BULK_SUBMIT_BACKOFF_BASE_MS, this.config.env.BULK_SUBMIT_BACKOFF_MAX_MS);
      this.logger.warn(`Sub-batch ${sub.id} of batch ${b.id} not sent (attempt ${sub.attempts}): ${err.message}; again in ${delay} ms`);
      await this.repo.submitLater(sub.id, err.message, delay);
      await this.queue.advance(b.id, delay);
      return;
    }
    await this.ds.transaction(async (m) => {
      // The batch row first, as a status push does: the FSP may push before this commits, and taking the
      // locks in the same order keeps the two from deadlocking.
      await this.repo.lock(m, b.id, true);
      await this.repo.markSubmitted(m, sub.id);
      await this.repo.advanceTo(m, b.id, 'submitted', ['split']);
    });
    await this.pipeline.pump(b.id);
  }

  /** GET the sub-batch's statuses; an FSP that never received it gets it again. */
  async poll(subBatchId: string): Promise<void> {
    const sub = await this.repo.findSubBatch(subBatchId);
    if (!sub || sub.state !== 'submitted') return;
    const b = (await this.repo.find(sub.batchId))!;
    const program = (await this.programs.findById(b.tenantId, b.programId))!;
    await this.repo.markPolled(sub.id);
    try {
      const fsp = await this.endpoints.forFsp(b.tenantId, program.payerFspId, b.correlationId);
      const reports = await this.connector.querySubBatch(fsp, sub.id);
      if (reports === undefined) {
        this.logger.warn(`Payer FSP does not know sub-batch ${sub.id}; sending it again`);
        await this.repo.submitLater(sub.id, 'unknown to the payer FSP when polled', 0);
        await this.pipeline.pump(b.id);
        return;
      }
      if (reports.length) await this.settlement.apply(b.tenantId, b.id, sub.id, reports, SYSTEM_ACTOR, null);
      await this.pipeline.pump(b.id);
    } catch (err) {
      if (!(err instanceof FspCallError)) throw err;
      this.logger.warn(`Polling sub-batch ${sub.id} failed: ${err.message}`);
    }
  }
}
