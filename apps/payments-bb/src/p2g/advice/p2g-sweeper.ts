import { Injectable, Logger, OnApplicationBootstrap, OnModuleDestroy } from '@nestjs/common';
import { AppConfig, PeriodicPass } from '@app/platform';
import { BillPaymentsRepository } from '../payments/bill-payments.repository';
import { RtpService } from '../rtp/rtp.service';
import { AdviceQueue } from './advice.queue';

/**
 * Store-and-forward's safety net: advices due now whose job is gone (Redis lost it, or the process stopped between
 * the commit and the enqueue) are enqueued again from the rows; requests to pay past their time are expired.
 */
@Injectable()
export class P2gSweeper implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger(P2gSweeper.name);
  private readonly loop = new PeriodicPass('P2G sweep', () => this.pass(), this.logger);

  constructor(
    private readonly payments: BillPaymentsRepository,
    private readonly queue: AdviceQueue,
    private readonly rtp: RtpService,
    private readonly config: AppConfig,
  ) {}

  onApplicationBootstrap(): void {
    this.loop.start(this.config.env.P2G_SWEEP_INTERVAL_MS);
  }

  onModuleDestroy(): Promise<void> {
    return this.loop.stop();
  }

  sweep(): Promise<void> {
    return this.loop.run();
  }

  private async pass(): Promise<void> {
    // The attempt number is in the job ID, so a due advice whose job still waits in Redis is not enqueued twice.
    for (const d of await this.payments.due(1000)) await this.queue.send(d.id, d.attempts, 0);
    const expired = await this.rtp.expireDue();
    if (expired) this.logger.log(`Expired ${expired} requests to pay`);
  }
}
