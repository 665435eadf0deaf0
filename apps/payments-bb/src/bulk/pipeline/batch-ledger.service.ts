import { Injectable } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { EntityManager } from 'typeorm';
import { LedgerService, TransferInput, TransferResult } from '@app/ledger';
import { Actor, AuditService } from '@app/platform';
import { Program } from '../programs/program';
import { Batch } from './batch';

export const SYSTEM_ACTOR: Actor = { id: 'system:bulk', kind: 'system' };

/**
 * A batch's money. One pending transfer reserves the batch total from the program's funding account. As
 * instructions become final, a settlement posts the successful share, releases the failed share and, in the
 * same linked call, reserves what is still open again, so the funds never become spendable in between. When
 * the last instruction is final nothing stays reserved. Every call runs in the caller's transaction, with the
 * state change it pays for.
 */
@Injectable()
export class BatchLedgerService {
  constructor(
    private readonly ledger: LedgerService,
    private readonly audit: AuditService,
  ) {}

  /** Throws LEDGER_EXCEEDS_CREDITS when the funding account cannot cover the total. */
  async reserve(m: EntityManager, b: Batch, program: Program, amount: bigint, actor: Actor): Promise<string> {
    const id = randomUUID();
    await this.commit(m, b, [this.pending(id, b, program, amount)], actor);
    await m.query(`UPDATE batches SET reservation_id = $2, reserved_amount = $3 WHERE id = $1`, [b.id, id, amount.toString()]);
    return id;
  }

  async settle(m: EntityManager, b: Batch, program: Program, completed: bigint, failed: bigint, actor: Actor): Promise<void> {
    const resolved = completed + failed;
    if (resolved === 0n || !b.reservationId) return;
    const remaining = b.reservedAmount - resolved;
    if (remaining < 0n) throw new Error(`Batch ${b.id}: settling ${resolved} exceeds the reservation of ${b.reservedAmount}`);
    const ref = { referenceType: 'batch', referenceId: b.id };
    const transfers: TransferInput[] = [
      completed > 0n
        ? { id: randomUUID(), kind: 'post_pending', pendingId: b.reservationId, amount: completed, code: 'bulk.settle', ...ref }
        : { id: randomUUID(), kind: 'void_pending', pendingId: b.reservationId, code: 'bulk.release', ...ref },
    ];
    const next = remaining > 0n ? randomUUID() : null;
    if (next) transfers.push(this.pending(next, b, program, remaining));
    await this.commit(m, b, transfers, actor);
    await m.query(
      `UPDATE batches SET reservation_id = $2, reserved_amount = $3, posted_amount = posted_amount + $4, released_amount = released_amount + $5
       WHERE id = $1`,
      [b.id, next, remaining.toString(), completed.toString(), failed.toString()],
    );
    b.reservationId = next;
    b.reservedAmount = remaining;
    b.postedAmount += completed;
    b.releasedAmount += failed;
  }

  /** Voids whatever is still reserved (a cancelled batch). */
  async release(m: EntityManager, b: Batch, actor: Actor): Promise<void> {
    if (!b.reservationId || b.reservedAmount === 0n) return;
    const t: TransferInput = { id: randomUUID(), kind: 'void_pending', pendingId: b.reservationId, code: 'bulk.release', referenceType: 'batch', referenceId: b.id };
    await this.commit(m, b, [t], actor);
    await m.query(`UPDATE batches SET reservation_id = NULL, reserved_amount = 0, released_amount = released_amount + $2 WHERE id = $1`, [
      b.id,
      b.reservedAmount.toString(),
    ]);
    b.releasedAmount += b.reservedAmount;
    b.reservedAmount = 0n;
    b.reservationId = null;
  }

  private pending(id: string, b: Batch, p: Program, amount: bigint): TransferInput {
    return {
      id,
      kind: 'pending',
      debitAccountId: p.fundingAccountId,
      creditAccountId: p.settlementAccountId,
      amount,
      currency: b.currency,
      code: 'bulk.reserve',
      referenceType: 'batch',
      referenceId: b.id,
    };
  }

  private async commit(m: EntityManager, b: Batch, transfers: TransferInput[], actor: Actor): Promise<TransferResult[]> {
    const results = await this.ledger.createTransfers(m, b.tenantId, transfers);
    await this.audit.record(
      m,
      results.map(({ transfer: t }) => ({
        tenantId: b.tenantId,
        actor,
        action: `ledger.transfer.${t.kind}`,
        objectType: 'ledger_transfer',
        objectId: t.id,
        correlationId: b.correlationId ?? undefined,
        after: { ...t, amount: t.amount.toString() },
        details: { batchId: b.id, code: t.code },
      })),
    );
    return results;
  }
}
