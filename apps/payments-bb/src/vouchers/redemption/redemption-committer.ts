import { BeforeApplicationShutdown, Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { GroupCommit } from '@app/database';
import { Actor } from '@app/platform';
import { Move, VoucherLedgerService } from '../lifecycle/voucher-ledger.service';
import { VouchersRepository } from '../lifecycle/vouchers.repository';
import { RedemptionsRepository } from './redemptions.repository';

/** A redemption the payer FSP has paid, with the accounts its value moves through. */
export interface PaidRedemption {
  tenantId: string;
  redemptionId: string;
  voucherId: string;
  amount: bigint;
  currency: string;
  fspReference: string | null;
  liabilityAccountId: string;
  payableAccountId: string;
  settlementAccountId: string;
  actor: Actor;
  correlationId?: string;
}

/**
 * Commits paid redemptions: the redemption completed, the voucher consumed, and its value moved liability ->
 * merchant payable -> payer FSP settlement, in one transaction. Every redemption of a voucher group posts to
 * the same liability account (and of a program to the same settlement account), so committing them one by
 * one serialises on those two rows; here the redemptions paid while a commit runs are committed together by
 * the next one (group commit, per tenant). Each answers whether it was this commit that closed it: a
 * redemption the status job or another process closed first moves no money again.
 */
@Injectable()
export class RedemptionCommitter implements BeforeApplicationShutdown {
  private readonly batcher = new GroupCommit<PaidRedemption, boolean>((_tenant, items) => this.commit(items));

  constructor(
    @InjectDataSource() private readonly ds: DataSource,
    private readonly redemptions: RedemptionsRepository,
    private readonly vouchers: VouchersRepository,
    private readonly money: VoucherLedgerService,
  ) {}

  complete(paid: PaidRedemption): Promise<boolean> {
    return this.batcher.submit(paid.tenantId, paid);
  }

  async beforeApplicationShutdown(): Promise<void> {
    await this.batcher.drain();
  }

  private commit(items: PaidRedemption[]): Promise<boolean[]> {
    return this.ds.transaction(async (tx) => {
      const closed = await this.redemptions.completeMany(
        tx,
        items.map((p) => ({ id: p.redemptionId, fspReference: p.fspReference })),
      );
      const mine = items.filter((p) => closed.has(p.redemptionId));
      if (mine.length) {
        await this.vouchers.consumeMany(
          tx,
          mine.map((p) => p.voucherId),
        );
        await this.money.move(tx, mine.flatMap(moves), mine[0].actor, mine[0].correlationId);
      }
      return items.map((p) => closed.has(p.redemptionId));
    });
  }
}

function moves(p: PaidRedemption): Move[] {
  const ref = {
    tenantId: p.tenantId,
    amount: p.amount,
    currency: p.currency,
    referenceType: 'voucher_redemption',
    referenceId: p.redemptionId,
    actor: p.actor,
    correlationId: p.correlationId,
  };
  return [
    { ...ref, debitAccountId: p.liabilityAccountId, creditAccountId: p.payableAccountId, code: 'voucher.redeem' },
    { ...ref, debitAccountId: p.payableAccountId, creditAccountId: p.settlementAccountId, code: 'voucher.merchant_paid' },
  ];
}
