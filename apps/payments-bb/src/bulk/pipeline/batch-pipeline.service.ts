import { Injectable, Logger } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';
import { CallbacksService } from '@app/callbacks';
import { formatAmount } from '@app/ledger/money';
import { AppConfig, AppException, AuditService, ErrorCode } from '@app/platform';
import { FspCallError, FspConnector } from '../connector/fsp-connector';
import { FspEndpoints } from '../connector/fsp-endpoints';
import { BatchState } from '../domain/batch-state';
import { Program } from '../programs/program';
import { ProgramsRepository } from '../programs/programs.repository';
import { Batch } from './batch';
import { BatchFinalizer } from './batch-finalizer';
import { BatchLedgerService, SYSTEM_ACTOR } from './batch-ledger.service';
import { BatchesRepository } from './batches.repository';
import { BulkQueue } from './bulk.queue';

type Step = { next: 'continue' | 'stop' | 'authorize' | 'pump'; deliveryId?: string | null; delayMs?: number };

const STOP: Step = { next: 'stop' };
const CONTINUE: Step = { next: 'continue' };

/**
 * Moves a batch through its stages. Each stage is one transaction that starts by taking the batch's row lock
 * (SKIP LOCKED: a second worker on the same batch simply steps aside), checks the state it expects, does its
 * set-wise work and records the next state. A crash rolls the stage back; the sweeper runs it again.
 */
@Injectable()
export class BatchPipeline {
  private readonly logger = new Logger(BatchPipeline.name);

  constructor(
    @InjectDataSource() private readonly ds: DataSource,
    private readonly repo: BatchesRepository,
    private readonly programs: ProgramsRepository,
    private readonly money: BatchLedgerService,
    private readonly finalizer: BatchFinalizer,
    private readonly queue: BulkQueue,
    private readonly connector: FspConnector,
    private readonly endpoints: FspEndpoints,
    private readonly callbacks: CallbacksService,
    private readonly audit: AuditService,
    private readonly config: AppConfig,
  ) {}

  async advance(batchId: string): Promise<void> {
    for (let guard = 0; guard < 20; guard++) {
      const step = await this.ds.transaction((m) => this.step(m, batchId));
      if (step.deliveryId) await this.callbacks.dispatch([step.deliveryId]);
      if (step.delayMs) await this.queue.advance(batchId, step.delayMs);
      if (step.next === 'continue') continue;
      if (step.next === 'authorize' && (await this.authorize(batchId))) continue;
      if (step.next === 'pump') await this.pump(batchId);
      return;
    }
  }

  /** Enqueues the sub-batches that may go to the payer FSP now, within the program's in-flight limit. */
  async pump(batchId: string): Promise<void> {
    const b = await this.repo.find(batchId);
    if (!b || !['split', 'submitted', 'settling'].includes(b.state)) return;
    const program = await this.programs.findById(b.tenantId, b.programId);
    const due = await this.repo.dueSubBatches(batchId, program?.maxInFlight ?? 1);
    if (due.length) await this.queue.submit(due);
  }

  private async step(m: EntityManager, batchId: string): Promise<Step> {
    const b = await this.repo.lock(m, batchId);
    if (!b) return STOP;
    const program = (await this.programs.findById(b.tenantId, b.programId, m))!;
    switch (b.state) {
      case 'received': {
        if ((await this.repo.validate(m, b)) === 0) return this.end(m, b, 'No instruction passed validation');
        return this.to(m, b, 'validated');
      }
      case 'validated': {
        if ((await this.repo.resolve(m, b)) === 0) return this.end(m, b, 'No payee could be resolved to a usable financial address');
        return this.to(m, b, 'resolved');
      }
      case 'resolved':
        if (program.requiresApproval) {
          await this.repo.setState(m, b.id, 'awaiting_approval', 'Waiting for a second operator to approve (maker-checker)');
          return STOP;
        }
        await this.repo.setState(m, b.id, 'approved', null, { approved_by: 'auto', approved_at: new Date() });
        return CONTINUE;
      case 'approved':
      case 'scheduled':
      case 'awaiting_funds': {
        const wait = b.executeAt ? b.executeAt.getTime() - Date.now() : 0;
        if (wait > 0) {
          await this.repo.setState(m, b.id, 'scheduled', `Scheduled for ${b.executeAt!.toISOString()}`, { next_attempt_at: b.executeAt });
          return { next: 'stop', delayMs: wait };
        }
        return this.reserve(m, b, program);
      }
      case 'funds_reserved':
        return { next: 'authorize' };
      case 'split':
      case 'submitted':
      case 'settling':
        // Statuses settle instructions; a batch whose last one settled is already final. This only re-sends.
        return { next: 'pump' };
      default:
        return STOP;
    }
  }

  private async reserve(m: EntityManager, b: Batch, program: Program): Promise<Step> {
    try {
      await this.money.reserve(m, b, program, b.readyAmount, SYSTEM_ACTOR);
    } catch (err) {
      if (!(err instanceof AppException) || err.code !== ErrorCode.LEDGER_EXCEEDS_CREDITS) throw err;
      const retryMs = this.config.env.BULK_SWEEP_INTERVAL_MS;
      const wasWaiting = b.state === 'awaiting_funds';
      await this.repo.setState(
        m,
        b.id,
        'awaiting_funds',
        `Program ${program.code} funding account cannot cover ${formatAmount(b.readyAmount, b.currency)} ${b.currency}; nothing was sent. Fund it and the batch continues.`,
        { next_attempt_at: new Date(Date.now() + retryMs), attempts: b.attempts + 1 },
      );
      if (!wasWaiting) this.logger.warn(`Batch ${b.id} waits for funds in program ${program.code}`);
      return { next: 'stop', delayMs: retryMs };
    }
    await this.repo.setState(m, b.id, 'funds_reserved', 'Waiting for the payer FSP to authorize the batch', { next_attempt_at: null });
    return { next: 'authorize' };
  }

  /**
   * getAuthorization (spec 9.1.3): asked outside any transaction; a yes splits the batch in a new one. A no, a
   * "pending" or an unreachable FSP leaves the batch in funds_reserved with the reason, to be asked again.
   */
  private async authorize(batchId: string): Promise<boolean> {
    const b = await this.repo.find(batchId);
    if (!b || b.state !== 'funds_reserved') return false;
    const program = (await this.programs.findById(b.tenantId, b.programId))!;
    let refusal: string | null = null;
    try {
      const fsp = await this.endpoints.forFsp(b.tenantId, program.payerFspId, b.correlationId);
      const answer = await this.connector.authorize(fsp, {
        batchId: b.id,
        payerIdentifier: program.payerIdentifier,
        currency: b.currency,
        amount: b.reservedAmount,
      });
      if (answer.status === 'N') refusal = `Payer FSP refused authorization: ${answer.reason}`;
      else if (answer.status === 'pending') refusal = 'Payer FSP has not decided on the authorization yet';
    } catch (err) {
      if (!(err instanceof FspCallError)) throw err;
      refusal = `Authorization could not be obtained: ${err.message}`;
    }
    const retryMs = this.config.env.BULK_SWEEP_INTERVAL_MS;
    return this.ds.transaction(async (m) => {
      const locked = await this.repo.lock(m, batchId);
      if (!locked || locked.state !== 'funds_reserved') return false;
      if (refusal) {
        await this.repo.retryLater(m, batchId, refusal, retryMs);
        await this.queue.advance(batchId, retryMs);
        return false;
      }
      const count = await this.repo.split(m, locked, program.subBatchSize);
      await this.repo.setState(m, batchId, 'split', null, { next_attempt_at: null });
      await this.audit.record(m, [
        {
          tenantId: locked.tenantId,
          actor: SYSTEM_ACTOR,
          action: 'bulk.batch.split',
          objectType: 'batch',
          objectId: batchId,
          correlationId: locked.correlationId ?? undefined,
          details: { subBatches: count, instructions: locked.readyCount },
        },
      ]);
      return true;
    });
  }

  private async to(m: EntityManager, b: Batch, state: BatchState): Promise<Step> {
    await this.repo.setState(m, b.id, state, null);
    return CONTINUE;
  }

  private async end(m: EntityManager, b: Batch, reason: string): Promise<Step> {
    const deliveryId = await this.finalizer.finish(m, b, SYSTEM_ACTOR, { reason });
    return { next: 'stop', deliveryId };
  }
}
