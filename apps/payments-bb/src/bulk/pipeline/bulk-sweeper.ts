import { Injectable, Logger, OnApplicationBootstrap, OnModuleDestroy } from '@nestjs/common';
import { AppConfig } from '@app/platform';
import { BatchesRepository } from './batches.repository';
import { BulkQueue } from './bulk.queue';

/**
 * Redis may lose jobs (it keeps nothing on disk here) and workers may die: every interval the sweeper
 * re-enqueues work for batches that are moving or whose waiting time is over, and polls sub-batches whose
 * status push is overdue. Enqueueing work that is already done is harmless: every job re-checks the state.
 */
@Injectable()
export class BulkSweeper implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger(BulkSweeper.name);
  private timer?: NodeJS.Timeout;
  private running?: Promise<void>;

  constructor(
    private readonly repo: BatchesRepository,
    private readonly queue: BulkQueue,
    private readonly config: AppConfig,
  ) {}

  onApplicationBootstrap(): void {
    void this.sweep();
    this.timer = setInterval(() => void this.sweep(), this.config.env.BULK_SWEEP_INTERVAL_MS);
    this.timer.unref();
  }

  /** Stops before the database and the queue close (onApplicationShutdown), letting a running pass finish. */
  async onModuleDestroy(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    await this.running;
  }

  sweep(): Promise<void> {
    this.running ??= this.pass().finally(() => {
      this.running = undefined;
    });
    return this.running;
  }

  private async pass(): Promise<void> {
    try {
      for (const id of await this.repo.activeBatchIds(1000)) await this.queue.advance(id);
      for (const id of await this.repo.overdueSubBatches(this.config.env.BULK_STATUS_POLL_AFTER_SECONDS, 1000)) await this.queue.poll(id);
    } catch (err) {
      this.logger.warn(`Bulk sweep failed: ${(err as Error).message}`);
    }
  }
}
