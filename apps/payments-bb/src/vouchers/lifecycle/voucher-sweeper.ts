import { Injectable, Logger, OnApplicationBootstrap, OnModuleDestroy } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { AppConfig, PeriodicPass } from '@app/platform';
import { RedemptionsRepository } from '../redemption/redemptions.repository';
import { VoucherQueue } from '../redemption/voucher.queue';
import { VoucherIssuanceService } from './voucher-issuance.service';
import { VOUCHER_SYSTEM } from './voucher-ledger.service';
import { VouchersRepository } from './vouchers.repository';

const BATCH = 5_000;

/**
 * Expires vouchers past their date and gives their value back to the program (set-wise, one transfer per group
 * and pass, in the transaction that expires them), purges the numbers of vouchers finished long ago, and
 * re-enqueues status checks of redemptions whose answer is overdue.
 */
@Injectable()
export class VoucherSweeper implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger(VoucherSweeper.name);
  private readonly loop = new PeriodicPass('Voucher sweep', () => this.pass(), this.logger);

  constructor(
    @InjectDataSource() private readonly ds: DataSource,
    private readonly repo: VouchersRepository,
    private readonly issuance: VoucherIssuanceService,
    private readonly redemptions: RedemptionsRepository,
    private readonly queue: VoucherQueue,
    private readonly config: AppConfig,
  ) {}

  onApplicationBootstrap(): void {
    this.loop.start(this.config.env.VOUCHER_SWEEP_INTERVAL_MS);
  }

  onModuleDestroy(): Promise<void> {
    return this.loop.stop();
  }

  sweep(): Promise<void> {
    return this.loop.run();
  }

  private async pass(): Promise<void> {
    for (;;) {
      const expired = await this.ds.transaction(async (m) => {
        const groups = await this.repo.expireDue(m, BATCH);
        await this.issuance.giveBack(m, groups, 'voucher.expire', VOUCHER_SYSTEM);
        return groups.reduce((n, g) => n + g.count, 0);
      });
      if (expired) this.logger.log(`Expired ${expired} vouchers`);
      if (expired < BATCH) break;
    }
    const before = new Date(Date.now() - this.config.env.VOUCHER_PURGE_AFTER_DAYS * 86_400_000);
    while ((await this.repo.purgeFinished(before, BATCH)) === BATCH);
    for (const id of await this.redemptions.due(1000)) await this.queue.resolve(id, 0, 0);
  }
}
