import { Injectable, Logger, OnApplicationBootstrap, OnModuleDestroy } from '@nestjs/common';
import { AppConfig, PeriodicPass } from '@app/platform';
import { BatchesRepository } from './batches.repository';
import { BulkQueue } from './bulk.queue';

/**
 * Redis may lose jobs (it keeps nothing on disk here) and workers may die: every interval the sweeper
 * re-enqueues work for batches that are moving or whose waiting time is over, and polls sub-batches whose
 * status push is overdue. Enqueueing work that is already done is harmless: every job re-checks the state.
 */
@Injectable()
export class BulkSweeper implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly loop = new PeriodicPass('Bulk sweep', () => this.pass(), new Logger(BulkSweeper.name));

  constructor(
    private readonly repo: BatchesRepository,
    private readonly queue: BulkQueue,
    private readonly config: AppConfig,
  ) {}

  onApplicationBootstrap(): void {
    this.loop.start(this.config.env.BULK_SWEEP_INTERVAL_MS);
  }

  /** Stops before the database and the queue close (onApplicationShutdown), letting a running pass finish. */
  onModuleDestroy(): Promise<void> {
    return this.loop.stop();
  }

  sweep(): Promise<void> {
    return this.loop.run();
  }

  private async pass(): Promise<void> {
    for (const id of await this.repo.activeBatchIds(1000)) await this.queue.advance(id);
    for (const id of await this.repo.overdueSubBatches(this.config.env.BULK_STATUS_POLL_AFTER_SECONDS, 1000))
      await this.queue.poll(id);
  }
}
