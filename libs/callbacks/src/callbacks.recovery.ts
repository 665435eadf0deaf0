import { Injectable, Logger, OnApplicationBootstrap, OnModuleDestroy } from '@nestjs/common';
import { AppConfig, PeriodicPass } from '@app/platform';
import { RECOVERY_BATCH } from './callbacks.constants';
import { CallbacksQueue } from './callbacks.queue';
import { CallbacksRepository } from './callbacks.repository';

/**
 * Redis keeps nothing on disk here, so the database decides what must be sent. At start and then periodically,
 * every delivery due before the next pass (and every one whose worker died) is enqueued again; job-ID
 * deduplication makes this a no-op for jobs Redis still holds.
 */
@Injectable()
export class CallbacksRecovery implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger(CallbacksRecovery.name);
  private readonly loop = new PeriodicPass('Callback recovery pass', () => this.recoverOnce(), this.logger);

  constructor(
    private readonly repo: CallbacksRepository,
    private readonly queue: CallbacksQueue,
    private readonly config: AppConfig,
  ) {}

  onApplicationBootstrap(): void {
    // The first pass is not awaited: a Redis outage must not hold up the start; the next pass retries.
    this.loop.start(this.config.env.CALLBACK_RECOVERY_INTERVAL_MS);
  }

  onModuleDestroy(): Promise<void> {
    return this.loop.stop();
  }

  /** One pass; returns how many deliveries were handed to the queue. */
  async recoverOnce(): Promise<number> {
    const due = await this.repo.findRecoverable(
      this.config.env.CALLBACK_RECOVERY_INTERVAL_MS,
      RECOVERY_BATCH,
    );
    if (due.length === 0) return 0;
    const enqueued = await this.queue.enqueueMany(due, true);
    this.logger.debug(`Recovery re-enqueued ${enqueued} of ${due.length} callback deliveries`);
    return enqueued;
  }
}
