import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';
import { LedgerService, Transfer, TransferInput, TransferResult } from '@app/ledger';
import { parseAmount } from '@app/ledger/money';
import { actorOf, AppException, AuditService, ErrorCode, RequestContext } from '@app/platform';
import { MAX_BATCH } from './dto/patterns';
import { CreateTransferDto, PostPendingDto, VoidPendingDto } from './dto/transfer.dto';
import { auditViewOf } from './ledger-views';
import { checkTransferItem, toNewTransfer } from './transfer-input';
import { AfterWrite, TransferBatcher } from './transfer-batcher';

const ACTION: Record<TransferInput['kind'], string> = {
  posted: 'ledger.transfer.create',
  pending: 'ledger.transfer.create',
  post_pending: 'ledger.transfer.post',
  void_pending: 'ledger.transfer.void',
  expire_pending: 'ledger.transfer.expire',
};

/**
 * Transfers through the API: every call is one transaction holding the ledger entries and their audit rows.
 * A list is linked (all or nothing); a transfer whose ID exists with identical fields is a replay that
 * changes nothing and writes no audit row.
 */
@Injectable()
export class LedgerApiService {
  constructor(
    @InjectDataSource() private readonly ds: DataSource,
    private readonly ledger: LedgerService,
    private readonly audit: AuditService,
    private readonly batcher: TransferBatcher,
  ) {}

  /**
   * One transfer, through the batcher: concurrent single transfers of a tenant share one transaction
   * (group commit), each with its own result and its own audit row in that same transaction.
   */
  async createOne(ctx: RequestContext, input: TransferInput): Promise<TransferResult> {
    return this.batcher.submit(ctx.principal.tenantId, input, this.auditWritten, ctx);
  }

  /** Shared by every caller of a flush, so the flush's audit rows are one statement. */
  private readonly auditWritten: AfterWrite<RequestContext> = (m, written) =>
    this.audit.record(
      m,
      written
        .filter((w) => w.result.created)
        .map(({ result: { transfer }, context }) => ({
          tenantId: context.principal.tenantId,
          actor: actorOf(context.principal),
          action: ACTION[transfer.kind],
          objectType: 'ledger_transfer',
          objectId: transfer.id,
          correlationId: context.correlationId,
          after: auditViewOf(transfer),
          details: { transfers: 1 },
        })),
    );

  create(ctx: RequestContext, dto: CreateTransferDto): Promise<TransferResult> {
    return this.createOne(ctx, toNewTransfer(dto));
  }

  /** Items arrive unchecked (see CreateTransferBatchDto): counted first, then checked, then written together. */
  async createBatch(ctx: RequestContext, items: unknown[]): Promise<TransferResult[]> {
    if (items.length > MAX_BATCH)
      throw new AppException(
        ErrorCode.TOO_MANY_ITEMS,
        `At most ${MAX_BATCH} transfers per batch, got ${items.length}`,
      );
    const inputs = items.map((raw, i) =>
      toNewTransfer(checkTransferItem(raw, `transfers[${i}]`), `transfers[${i}].amount`),
    );
    return this.ds.transaction((m) => this.commit(m, ctx, inputs));
  }

  async post(ctx: RequestContext, pendingId: string, dto: PostPendingDto): Promise<TransferResult> {
    const pending = await this.pendingOf(ctx.principal.tenantId, pendingId);
    return this.createOne(ctx, {
      id: dto.id,
      kind: 'post_pending',
      pendingId,
      amount: dto.amount === undefined ? undefined : parseAmount(dto.amount, pending.currency),
      code: dto.code ?? 'pending.posted',
    });
  }

  async void(ctx: RequestContext, pendingId: string, dto: VoidPendingDto): Promise<TransferResult> {
    await this.pendingOf(ctx.principal.tenantId, pendingId);
    return this.createOne(ctx, {
      id: dto.id,
      kind: 'void_pending',
      pendingId,
      code: dto.code ?? 'pending.voided',
    });
  }

  async get(tenantId: string, id: string): Promise<Transfer> {
    const [t] = await this.ledger.getTransfers(tenantId, [id]);
    if (!t) throw new AppException(ErrorCode.NOT_FOUND, `No transfer ${id} in this tenant`);
    return t;
  }

  /**
   * Writes the list in the caller's transaction with one audit row per new transfer (one statement per
   * kind of action). Public for the single-transfer batcher, which commits many callers' transfers at once.
   */
  async commit(
    m: EntityManager,
    ctx: RequestContext,
    inputs: TransferInput[],
    action?: string,
  ): Promise<TransferResult[]> {
    const results = await this.ledger.createTransfers(m, ctx.principal.tenantId, inputs);
    await this.auditTransfers(m, ctx, results, action);
    return results;
  }

  /** `action` overrides the one named by each transfer's kind (e.g. 'ledger.account.fund'). */
  async auditTransfers(
    m: EntityManager,
    ctx: RequestContext,
    results: TransferResult[],
    override?: string,
  ): Promise<void> {
    const byAction = new Map<string, Transfer[]>();
    for (const { transfer, created } of results) {
      if (!created) continue;
      const action = override ?? ACTION[transfer.kind];
      const list = byAction.get(action) ?? byAction.set(action, []).get(action)!;
      list.push(transfer);
    }
    for (const [action, transfers] of byAction) {
      await this.audit.recordBatch(
        m,
        {
          tenantId: ctx.principal.tenantId,
          actor: actorOf(ctx.principal),
          action,
          objectType: 'ledger_transfer',
          correlationId: ctx.correlationId,
          details: { transfers: transfers.length },
        },
        transfers.map((t) => ({ objectId: t.id, after: auditViewOf(t) })),
      );
    }
  }

  /** The reservation a post or void names: its currency decides how the amount is read. */
  private async pendingOf(tenantId: string, pendingId: string): Promise<Transfer> {
    const [p] = await this.ledger.getTransfers(tenantId, [pendingId]);
    if (!p || p.kind !== 'pending')
      throw new AppException(
        ErrorCode.LEDGER_PENDING_NOT_FOUND,
        `No pending transfer ${pendingId} in this tenant`,
      );
    return p;
  }
}
