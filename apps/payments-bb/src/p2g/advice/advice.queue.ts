import { InjectQueue } from '@nestjs/bull';
import { Injectable, Logger } from '@nestjs/common';
import type { Queue } from 'bull';
import { enqueueById } from '@app/platform';
import { ADVICE_JOB, AdviceJob, P2G_QUEUE } from '../p2g.constants';

const OPTIONS = {
  removeOnComplete: true,
  removeOnFail: 1000,
  attempts: 3,
  backoff: { type: 'exponential', delay: 1000 },
};

/**
 * Advice jobs carry the payment ID only; the row says whether an advice is due. A job lost with Redis, or never
 * enqueued because the process stopped after the commit, is found by the sweeper from the rows.
 */
@Injectable()
export class AdviceQueue {
  private readonly logger = new Logger(AdviceQueue.name);

  constructor(@InjectQueue(P2G_QUEUE) private readonly queue: Queue<AdviceJob>) {}

  async send(paymentId: string, attempt: number, delayMs: number): Promise<void> {
    const jobId = `advice:${paymentId}:${attempt}`;
    try {
      await enqueueById(this.queue, ADVICE_JOB, { paymentId }, { ...OPTIONS, jobId, delay: delayMs });
    } catch (err) {
      this.logger.warn(`Could not enqueue ${jobId} (${(err as Error).message}); the sweeper will pick it up`);
    }
  }
}
