import { InjectQueue } from '@nestjs/bull';
import { Injectable, Logger } from '@nestjs/common';
import type { Queue } from 'bull';
import { enqueueById } from '@app/platform';
import { RESOLVE_JOB, VOUCHER_QUEUE } from '../voucher.constants';

const OPTIONS = {
  removeOnComplete: true,
  removeOnFail: 1000,
  attempts: 3,
  backoff: { type: 'exponential', delay: 1000 },
};

/** Status jobs carry the redemption ID only; the sweeper finds any Redis lost (the rows say what is due). */
@Injectable()
export class VoucherQueue {
  private readonly logger = new Logger(VoucherQueue.name);

  constructor(@InjectQueue(VOUCHER_QUEUE) private readonly queue: Queue) {}

  async resolve(redemptionId: string, attempt: number, delayMs: number): Promise<void> {
    const jobId = `resolve:${redemptionId}:${attempt}`;
    try {
      await enqueueById(this.queue, RESOLVE_JOB, { redemptionId }, { ...OPTIONS, jobId, delay: delayMs });
    } catch (err) {
      this.logger.warn(`Could not enqueue ${jobId} (${(err as Error).message}); the sweeper will pick it up`);
    }
  }
}
