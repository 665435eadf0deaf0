import { Injectable, Optional } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';
import { CallbacksService } from '@app/callbacks';
import { Actor, AppException, ErrorCode } from '@app/platform';
import { MetricsRegistry } from '../../metrics/metrics.registry';
import { InstructionStatusReport } from '../connector/fsp-connector';
import { isTerminal } from '../domain/batch-state';
import { ProgramsRepository } from '../programs/programs.repository';
import { Batch } from './batch';
import { BatchFinalizer } from './batch-finalizer';
import { BatchLedgerService } from './batch-ledger.service';
import { BatchesRepository } from './batches.repository';

export interface PushResult {
  applied: number;
  ignored: number;
  unknown: number;
  batchState: string;
}

/**
 * Turns FSP statuses into instruction states and ledger entries, one transaction per report: the batch row is
 * locked so reports on one batch settle one after another (the reservation chain is per batch), the
 * instructions that became final post or release their share, and the batch ends when nothing is open.
 */
@Injectable()
export class SettlementService {
  constructor(
    @InjectDataSource() private readonly ds: DataSource,
    private readonly repo: BatchesRepository,
    private readonly programs: ProgramsRepository,
    private readonly money: BatchLedgerService,
    private readonly finalizer: BatchFinalizer,
    private readonly callbacks: CallbacksService,
    @Optional() private readonly metrics?: MetricsRegistry,
  ) {}

  /** Payout throughput, counted once the transaction that made the instructions final has committed. */
  private countSettled(completed: number, failed: number): void {
    if (completed) this.metrics?.instructionsSettled.inc({ outcome: 'completed' }, completed);
    if (failed) this.metrics?.instructionsSettled.inc({ outcome: 'failed' }, failed);
  }

  async apply(
    tenantId: string,
    batchId: string,
    subBatchId: string,
    reports: InstructionStatusReport[],
    actor: Actor,
    fspId: string | null,
  ): Promise<PushResult & { subBatchClosed: boolean }> {
    let deliveryId: string | null = null;
    let settled = { completed: 0, failed: 0 };
    const result = await this.ds.transaction(async (m) => {
      const b = await this.repo.lock(m, batchId, true);
      if (!b || b.tenantId !== tenantId) throw new AppException(ErrorCode.NOT_FOUND, `No batch ${batchId}`);
      const sub = await this.repo.findSubBatch(subBatchId, m);
      if (!sub || sub.batchId !== b.id) throw new AppException(ErrorCode.NOT_FOUND, `Sub-batch ${subBatchId} is not part of batch ${batchId}`);
      const program = (await this.programs.findById(b.tenantId, b.programId, m))!;
      // Only the batch's own payer FSP may report on it (an operator may, to repair by hand).
      if (fspId !== null && program.payerFspId !== fspId)
        throw new AppException(ErrorCode.FORBIDDEN, 'Only the payer FSP of this batch may report its statuses');
      const applied = await this.repo.applyStatuses(m, sub.id, reports);
      settled = { completed: applied.completedCount, failed: applied.failedCount };
      const r = await this.settleAndMaybeFinish(m, b, applied.completedAmount, applied.failedAmount, sub.id, actor);
      deliveryId = r.deliveryId;
      return { applied: applied.applied, ignored: applied.ignored, unknown: applied.unknown, batchState: r.state, subBatchClosed: r.subBatchClosed };
    });
    this.countSettled(settled.completed, settled.failed);
    if (deliveryId) await this.callbacks.dispatch([deliveryId]);
    return result;
  }

  /** The payer FSP refused a sub-batch as a whole: its instructions fail with the FSP's reason. */
  async refuseSubBatch(batchId: string, subBatchId: string, reason: string, actor: Actor): Promise<void> {
    let deliveryId: string | null = null;
    let refused = 0;
    await this.ds.transaction(async (m) => {
      const b = await this.repo.lock(m, batchId, true);
      if (!b || isTerminal(b.state)) return;
      const failed = await this.repo.failSubBatch(m, subBatchId, `Payer FSP refused the sub-batch: ${reason}`);
      refused = failed.count;
      deliveryId = (await this.settleAndMaybeFinish(m, b, 0n, failed.amount, subBatchId, actor)).deliveryId;
    });
    this.countSettled(0, refused);
    if (deliveryId) await this.callbacks.dispatch([deliveryId]);
  }

  private async settleAndMaybeFinish(m: EntityManager, b: Batch, completed: bigint, failed: bigint, subBatchId: string, actor: Actor) {
    if (isTerminal(b.state)) return { state: b.state as string, deliveryId: null, subBatchClosed: false };
    const program = (await this.programs.findById(b.tenantId, b.programId, m))!;
    await this.money.settle(m, b, program, completed, failed, actor);
    const subBatchClosed = await this.repo.closeSubBatchIfDone(m, subBatchId);
    if (completed + failed > 0n) await this.repo.advanceTo(m, b.id, 'settling', ['split', 'submitted']);
    // Every open instruction sits in an open sub-batch, so the cheap check (an index on open sub-batches) runs on
    // every report and the exact count of the batch's rows only once, when it may be over.
    if (!(await this.repo.hasOpenSubBatch(m, b.id)) && (await this.repo.openCount(m, b.id)) === 0) {
      const deliveryId = await this.finalizer.finish(m, b, actor);
      const after = await this.repo.find(b.id, m);
      return { state: after!.state as string, deliveryId, subBatchClosed };
    }
    return { state: completed + failed > 0n && ['split', 'submitted'].includes(b.state) ? 'settling' : b.state, deliveryId: null, subBatchClosed };
  }
}
