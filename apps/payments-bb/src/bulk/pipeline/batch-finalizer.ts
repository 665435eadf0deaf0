import { Injectable, Logger } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import { CallbacksService } from '@app/callbacks';
import { Actor, AppConfig, AuditService } from '@app/platform';
import { BatchState } from '../domain/batch-state';
import { Batch } from './batch';
import { batchResultBody } from './batch-callback';
import { BatchLedgerService } from './batch-ledger.service';
import { BatchesRepository } from './batches.repository';

/**
 * Ends a batch, in the transaction of whatever made its last instruction final: the final state, the
 * reservation released if anything is left of it, an audit row, and the one final callback. The caller holds
 * the batch's row lock and has checked it was not terminal, so this runs once per batch.
 */
@Injectable()
export class BatchFinalizer {
  private readonly logger = new Logger(BatchFinalizer.name);

  constructor(
    private readonly repo: BatchesRepository,
    private readonly money: BatchLedgerService,
    private readonly callbacks: CallbacksService,
    private readonly audit: AuditService,
    private readonly config: AppConfig,
  ) {}

  /** Returns the callback delivery to dispatch after commit, if the source BB gave a callback URL. */
  async finish(m: EntityManager, b: Batch, actor: Actor, opts: { reason?: string; cancelled?: boolean } = {}): Promise<string | null> {
    await this.money.release(m, b, actor);
    const outcome = await this.repo.outcome(b.id, m);
    const state: BatchState = opts.cancelled
      ? 'cancelled'
      : outcome.completed === outcome.total
        ? 'completed'
        : outcome.completed === 0
          ? 'failed'
          : 'partially_completed';
    const reason = opts.reason ?? (state === 'partially_completed' ? `${outcome.failed} of ${outcome.total} instructions failed` : null);
    await this.repo.setState(m, b.id, state, reason, { completed_at: new Date(), next_attempt_at: null });
    const ended: Batch = { ...b, state, stateReason: reason };
    let deliveryId: string | null = null;
    if (b.callbackUrl) {
      const max = this.config.env.BULK_CALLBACK_MAX_FAILURES;
      const failures = await this.repo.failures(b.id, max, m);
      deliveryId = await this.callbacks.schedule(m, {
        tenantId: b.tenantId,
        participantId: b.sourceBbId,
        url: b.callbackUrl,
        eventType: 'bulk.batch.result',
        payload: batchResultBody(ended, outcome, failures, max),
        correlationId: b.correlationId ?? undefined,
      });
      await m.query(`UPDATE batches SET final_delivery_id = $2 WHERE id = $1`, [b.id, deliveryId]);
    }
    await this.audit.record(m, [
      {
        tenantId: b.tenantId,
        actor,
        action: `bulk.batch.${state}`,
        objectType: 'batch',
        objectId: b.id,
        correlationId: b.correlationId ?? undefined,
        after: { state, outcome },
        details: { completed: outcome.completed, failed: outcome.failed, total: outcome.total, posted: b.postedAmount.toString() },
      },
    ]);
    this.logger.log(`Batch ${b.id} ${state}: ${outcome.completed} completed, ${outcome.failed} failed of ${outcome.total}`);
    return deliveryId;
  }
}
