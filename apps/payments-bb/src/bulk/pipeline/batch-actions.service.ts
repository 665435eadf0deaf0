import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { randomUUID } from 'node:crypto';
import { DataSource, EntityManager } from 'typeorm';
import { CallbacksService } from '@app/callbacks';
import { actorOf, AppException, AuditService, ErrorCode, hasScope, RequestContext } from '@app/platform';
import { CANCELLABLE, isTerminal } from '../domain/batch-state';
import { Batch } from './batch';
import { BatchFinalizer } from './batch-finalizer';
import { BatchesRepository } from './batches.repository';
import { BulkQueue } from './bulk.queue';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * What people do to a batch: approve it (the second pair of eyes), cancel it before any money left, or
 * send its failed instructions again as a new batch linked to it.
 */
@Injectable()
export class BatchActionsService {
  constructor(
    @InjectDataSource() private readonly ds: DataSource,
    private readonly repo: BatchesRepository,
    private readonly finalizer: BatchFinalizer,
    private readonly callbacks: CallbacksService,
    private readonly audit: AuditService,
    private readonly queue: BulkQueue,
  ) {}

  async approve(ctx: RequestContext, batchId: string): Promise<Batch> {
    const actor = actorOf(ctx.principal);
    const b = await this.ds.transaction(async (m) => {
      const b = await this.locked(m, ctx, batchId);
      if (b.state !== 'awaiting_approval')
        throw new AppException(ErrorCode.BATCH_STATE_CONFLICT, `Batch ${b.id} is ${b.state}, not awaiting approval`);
      if (b.makerId === actor.id)
        throw new AppException(ErrorCode.MAKER_CANNOT_APPROVE, 'The participant that submitted a batch cannot approve it (maker-checker)');
      await this.repo.setState(m, b.id, 'approved', null, { approved_by: actor.id, approved_at: new Date() });
      await this.record(m, ctx, b, 'bulk.batch.approve');
      return b;
    });
    await this.queue.advance(b.id);
    return (await this.repo.find(b.id))!;
  }

  async cancel(ctx: RequestContext, batchId: string, reason: string | undefined): Promise<Batch> {
    return this.stop(ctx, batchId, reason, 'cancel');
  }

  /**
   * The checker's "no": a batch awaiting approval ends cancelled, its reservation (if any) released and its
   * source BB told, exactly as a cancel, but only by someone other than its maker and only from that state.
   */
  async reject(ctx: RequestContext, batchId: string, reason: string | undefined): Promise<Batch> {
    return this.stop(ctx, batchId, reason, 'reject');
  }

  private async stop(ctx: RequestContext, batchId: string, reason: string | undefined, how: 'cancel' | 'reject'): Promise<Batch> {
    const actor = actorOf(ctx.principal);
    let deliveryId: string | null = null;
    const b = await this.ds.transaction(async (m) => {
      const b = await this.locked(m, ctx, batchId, how === 'cancel');
      if (how === 'reject') {
        if (b.state !== 'awaiting_approval')
          throw new AppException(ErrorCode.BATCH_STATE_CONFLICT, `Batch ${b.id} is ${b.state}, not awaiting approval`);
        if (b.makerId === actor.id)
          throw new AppException(ErrorCode.MAKER_CANNOT_APPROVE, 'The participant that submitted a batch cannot reject it (maker-checker)');
      } else if (!CANCELLABLE.includes(b.state))
        throw new AppException(
          ErrorCode.BATCH_STATE_CONFLICT,
          `Batch ${b.id} is ${b.state}: only a batch whose instructions have not gone to the payer FSP can be cancelled`,
        );
      const verb = how === 'reject' ? 'Rejected' : 'Cancelled';
      const why = `${verb} by ${actor.id}${reason ? `: ${reason}` : ''}`.slice(0, 200);
      await this.repo.cancelOpen(m, b.id, why);
      deliveryId = await this.finalizer.finish(m, b, actor, { reason: why, cancelled: true });
      await this.record(m, ctx, b, `bulk.batch.${how}`, reason ? { reason: reason.slice(0, 150) } : {});
      return b;
    });
    if (deliveryId) await this.callbacks.dispatch([deliveryId]);
    return (await this.repo.find(b.id))!;
  }

  /**
   * A new batch with the original's failed, unresolved and cancelled instructions, under the same instruction IDs
   * (their registry entries move to the new batch, so each can be retried once at a time and never paid twice).
   * Mapper payees are resolved again: a payee who fixed their registration is paid this time.
   */
  async retry(ctx: RequestContext, batchId: string): Promise<Batch> {
    const actor = actorOf(ctx.principal);
    const id = randomUUID();
    await this.ds.transaction(async (m) => {
      const orig = await this.locked(m, ctx, batchId, true);
      if (!isTerminal(orig.state)) throw new AppException(ErrorCode.BATCH_STATE_CONFLICT, `Batch ${orig.id} is ${orig.state}; retry it once it has finished`);
      const [{ n }] = (await m.query(`SELECT count(*)::int AS n FROM batches WHERE retry_of = $1`, [orig.id])) as { n: number }[];
      await this.repo.insertBatch(m, {
        id,
        tenantId: orig.tenantId,
        sourceBbId: orig.sourceBbId,
        programId: orig.programId,
        origin: 'retry',
        requestKey: `retry:${orig.id}:${n + 1}`,
        requestHash: `retry:${orig.id}`,
        requestId: orig.requestId,
        externalBatchId: null,
        retryOf: orig.id,
        callbackUrl: orig.callbackUrl,
        currency: orig.currency,
        executeAt: null,
        makerId: actor.id,
        makerKind: actor.kind,
        correlationId: ctx.correlationId,
      });
      const copied = (await m.query(
        `WITH src AS (
           SELECT i.* FROM batch_instructions i
           LEFT JOIN instruction_registry r ON r.tenant_id = i.tenant_id AND r.source_bb_id = $3 AND r.instruction_id = i.instruction_id
           -- Owned by this batch, or never claimed (cancelled before validation); the new batch's validation claims those.
           WHERE i.batch_id = $1 AND i.state IN ('failed','unresolved','cancelled') AND (r.batch_id = i.batch_id OR r.batch_id IS NULL)),
         moved AS (
           UPDATE instruction_registry r SET batch_id = $2 FROM src
           WHERE r.tenant_id = src.tenant_id AND r.source_bb_id = $3 AND r.instruction_id = src.instruction_id AND r.batch_id = $1)
         INSERT INTO batch_instructions (tenant_id, batch_id, seq, instruction_id, payee_functional_id, amount, currency, narration,
                                         payment_mode, modality, institution_code, fa_enc, fa_key_id, state)
         SELECT tenant_id, $2, row_number() OVER (ORDER BY seq), instruction_id, payee_functional_id, amount, currency, narration, payment_mode,
                CASE WHEN payee_functional_id IS NULL THEN modality END, CASE WHEN payee_functional_id IS NULL THEN institution_code END,
                CASE WHEN payee_functional_id IS NULL THEN fa_enc END, CASE WHEN payee_functional_id IS NULL THEN fa_key_id END, 'received'
         FROM src RETURNING seq`,
        [orig.id, id, orig.sourceBbId],
      )) as unknown[];
      if (copied.length === 0)
        throw new AppException(ErrorCode.BATCH_STATE_CONFLICT, `Batch ${orig.id} has no failed instruction left to retry`);
      await this.repo.finishIngest(m, id, copied.length, `retry:${orig.id}`);
      await this.record(m, ctx, orig, 'bulk.batch.retry', { retryBatchId: id, instructions: copied.length });
    });
    await this.queue.advance(id);
    return (await this.repo.find(id))!;
  }

  /**
   * The batch, locked. Approving needs bulk:approve; cancelling or retrying anyone's batch needs bulk:approve
   * or bulk:operate (a console maker), and a source BB may cancel or retry its own. Someone who may not see
   * the batch gets 404, as if it did not exist.
   */
  private async locked(m: EntityManager, ctx: RequestContext, batchId: string, ownerMayAct = false): Promise<Batch> {
    const p = ctx.principal;
    const notFound = new AppException(ErrorCode.NOT_FOUND, `No batch ${batchId}`);
    if (!UUID.test(batchId)) throw notFound;
    const b = await this.repo.lock(m, batchId.toLowerCase(), true);
    if (!b || b.tenantId !== p.tenantId) throw notFound;
    const owner = p.participantId !== null && p.participantId === b.sourceBbId;
    if (hasScope(p, 'bulk:approve')) return b;
    if (ownerMayAct && hasScope(p, 'bulk:operate')) return b;
    if (ownerMayAct && owner && hasScope(p, 'bulk:submit')) return b;
    if (owner) throw new AppException(ErrorCode.FORBIDDEN, 'This action needs the bulk:approve scope');
    throw notFound;
  }

  private record(m: EntityManager, ctx: RequestContext, b: Batch, action: string, details: Record<string, unknown> = {}): Promise<void> {
    return this.audit.record(m, [
      {
        tenantId: b.tenantId,
        actor: actorOf(ctx.principal),
        action,
        objectType: 'batch',
        objectId: b.id,
        correlationId: ctx.correlationId,
        details: { previousState: b.state, ...details },
      },
    ]);
  }
}
