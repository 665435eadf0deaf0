import { Injectable, Logger } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { createHash, randomUUID } from 'node:crypto';
import { setImmediate as yieldToIo } from 'node:timers/promises';
import { DataSource } from 'typeorm';
import { formatAmount, parseAmount } from '@app/ledger/money';
import {
  actorOf,
  AppException,
  AuditService,
  ErrorCode,
  IdempotencyService,
  RequestContext,
} from '@app/platform';
import { VoucherGroup } from '../domain/voucher';
import { VoucherSecrets } from '../domain/voucher-secrets';
import { VoucherGroupsService } from '../groups/voucher-groups.service';
import { VoucherLedgerService } from './voucher-ledger.service';
import { VouchersRepository } from './vouchers.repository';

export const MAX_PROVISION = 1_000_000;
const CHUNK = 10_000;

export interface ProvisionResult {
  provisionId: string;
  groupCode: string;
  count: number;
  amount: string;
  total: string;
  currency: string;
  expiresAt: string;
  transferId: string;
  firstSerial: string | null;
  lastSerial: string | null;
}

/**
 * Generates vouchers into stock, only after the budget check: the ledger moves count x amount from the program's
 * funding account (which may not go below zero) to the group's liability account in the same transaction as the
 * vouchers are written, so no voucher exists that is not paid for. Numbers are drawn, hashed and sealed in
 * chunks and inserted set-wise.
 */
@Injectable()
export class VoucherProvisioningService {
  private readonly logger = new Logger(VoucherProvisioningService.name);

  constructor(
    @InjectDataSource() private readonly ds: DataSource,
    private readonly groups: VoucherGroupsService,
    private readonly repo: VouchersRepository,
    private readonly secrets: VoucherSecrets,
    private readonly money: VoucherLedgerService,
    private readonly audit: AuditService,
    private readonly idempotency: IdempotencyService,
  ) {}

  async provision(
    ctx: RequestContext,
    groupCode: string,
    dto: { count: number; amount: string },
    idempotencyKey?: string,
  ): Promise<ProvisionResult> {
    const tenantId = ctx.principal.tenantId;
    const group = await this.groups.get(tenantId, groupCode);
    if (group.status !== 'active')
      throw new AppException(
        ErrorCode.VOUCHER_INVALID_GROUP,
        `Voucher group '${group.code}' is disabled`,
        undefined,
        409,
      );
    const amount = parseAmount(dto.amount, group.currency);
    if (group.denominations.length && !group.denominations.includes(amount))
      throw new AppException(
        ErrorCode.VALIDATION_FAILED,
        `${dto.amount} ${group.currency} is not a denomination of group ${group.code}`,
      );
    if (!Number.isInteger(dto.count) || dto.count < 1 || dto.count > MAX_PROVISION)
      throw new AppException(ErrorCode.VALIDATION_FAILED, `count must be 1-${MAX_PROVISION}`);
    const run = (m: import('typeorm').EntityManager) => this.run(m, ctx, group, amount, dto.count);
    const result = await this.ds.transaction(async (m) => {
      if (!idempotencyKey) return { status: 201, body: await run(m) };
      const requestHash = createHash('sha256')
        .update(JSON.stringify([groupCode, dto.count, dto.amount]))
        .digest('hex');
      return this.idempotency.execute(
        m,
        { tenantId, scope: 'vouchers.provision', key: idempotencyKey, requestHash },
        async () => ({
          status: 201,
          body: await run(m),
        }),
      );
    });
    await this.refreshStatistics();
    return result.body;
  }

  /**
   * A run adds many rows at once; until the planner's statistics know of them (autovacuum may take a minute or
   * more, and a table filled in one transaction has none at all), it may plan the stock query of pre-activation
   * as a sort of the whole stock instead of a walk of vouchers_stock: ~100 ms instead of ~1 ms per voucher.
   * Best effort, after the commit, so the run itself never waits on or fails for it.
   */
  private async refreshStatistics(): Promise<void> {
    try {
      await this.ds.query('ANALYZE vouchers');
    } catch (err) {
      this.logger.warn(`ANALYZE vouchers after provisioning failed: ${(err as Error).message}`);
    }
  }

  private async run(
    m: import('typeorm').EntityManager,
    ctx: RequestContext,
    g: VoucherGroup,
    amount: bigint,
    count: number,
  ): Promise<ProvisionResult> {
    const total = amount * BigInt(count);
    const provisionId = randomUUID();
    const validUntil = Date.now() + g.validityDays * 86_400_000;
    const expiresAt = new Date(g.expiresOn ? Math.min(g.expiresOn.getTime(), validUntil) : validUntil);
    if (expiresAt.getTime() <= Date.now())
      throw new AppException(ErrorCode.VALIDATION_FAILED, `Voucher group ${g.code} has expired`);
    const actor = actorOf(ctx.principal);
    // The money first: a program that cannot pay refuses the whole run before any voucher is drawn.
    const [moved] = await this.money.move(
      m,
      [
        {
          tenantId: g.tenantId,
          debitAccountId: g.fundingAccountId,
          creditAccountId: g.liabilityAccountId,
          amount: total,
          currency: g.currency,
          code: 'voucher.provision',
          referenceType: 'voucher_provision',
          referenceId: provisionId,
        },
      ],
      actor,
      ctx.correlationId,
    );
    await m.query(
      `INSERT INTO voucher_provisions (id, tenant_id, group_id, count, amount, currency, total, transfer_id, expires_at, actor_id)
       VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10)`,
      [
        provisionId,
        g.tenantId,
        g.id,
        count,
        amount.toString(),
        g.currency,
        total.toString(),
        moved.transfer.id,
        expiresAt,
        actor.id,
      ],
    );
    // Numbers of the next chunk are drawn, hashed and sealed while the database inserts the current one.
    const insert = (c: { hashes: Buffer[]; sealed: Buffer[] }) =>
      this.repo.insertProvisioned(m, {
        tenantId: g.tenantId,
        groupId: g.id,
        provisionId,
        amount,
        currency: g.currency,
        expiresAt,
        hashes: c.hashes,
        sealed: c.sealed,
        keyId: this.secrets.keyId,
      });
    let done = 0;
    let next = this.drawChunk(Math.min(CHUNK, count));
    let queued = next.hashes.length;
    while (next.hashes.length) {
      const chunk = next;
      const inserting = insert(chunk);
      // Awaited below; this only keeps a failure meanwhile from counting as an unhandled rejection.
      inserting.catch(() => undefined);
      // Lets the INSERT reach the socket before the CPU-bound drawing below.
      await yieldToIo();
      const want = Math.min(CHUNK, count - done - queued);
      next = this.drawChunk(want);
      queued += want;
      const collided = await inserting;
      done += chunk.hashes.length - collided.size;
      queued -= chunk.hashes.length;
      if (collided.size) {
        // Numbers that already exist are drawn again.
        const again = this.drawChunk(collided.size);
        next = { hashes: [...again.hashes, ...next.hashes], sealed: [...again.sealed, ...next.sealed] };
        queued += collided.size;
      }
    }
    const [range] = (await m.query(
      `SELECT min(serial)::text AS first, max(serial)::text AS last FROM vouchers WHERE provision_id = $1`,
      [provisionId],
    )) as { first: string | null; last: string | null }[];
    const result: ProvisionResult = {
      provisionId,
      groupCode: g.code,
      count,
      amount: formatAmount(amount, g.currency),
      total: formatAmount(total, g.currency),
      currency: g.currency,
      expiresAt: expiresAt.toISOString(),
      transferId: moved.transfer.id,
      firstSerial: range.first,
      lastSerial: range.last,
    };
    await this.audit.record(m, [
      {
        tenantId: g.tenantId,
        actor,
        action: 'voucher.provision',
        objectType: 'voucher_provision',
        objectId: provisionId,
        correlationId: ctx.correlationId,
        after: result,
        details: { groupId: g.id },
      },
    ]);
    return result;
  }

  private drawChunk(n: number): { hashes: Buffer[]; sealed: Buffer[] } {
    const hashes: Buffer[] = [];
    const sealed: Buffer[] = [];
    for (let i = 0; i < n; i++) {
      const number = this.secrets.draw();
      hashes.push(this.secrets.hash(number));
      sealed.push(this.secrets.seal(number));
    }
    return { hashes, sealed };
  }
}
