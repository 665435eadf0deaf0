import { InjectQueue } from '@nestjs/bull';
import { Injectable, Logger } from '@nestjs/common';
import type { Queue } from 'bull';
import { enqueueById } from '@app/platform';
import { ADVANCE_JOB, BULK_QUEUE, POLL_JOB, SUBMIT_JOB } from '../bulk.constants';

const OPTIONS = { removeOnComplete: true, removeOnFail: 1000, attempts: 3, backoff: { type: 'exponential', delay: 1000 } };

/**
 * Enqueues pipeline jobs. Job IDs make a second enqueue of the same work a no-op while the first is waiting.
 * Enqueueing never throws: the database is the state, and the sweeper finds whatever Redis lost.
 */
@Injectable()
export class BulkQueue {
  private readonly logger = new Logger(BulkQueue.name);

  constructor(@InjectQueue(BULK_QUEUE) private readonly queue: Queue) {}

  advance(batchId: string, delayMs = 0): Promise<void> {
    const slot = delayMs > 0 ? `at-${Date.now() + delayMs}` : 'now';
    return this.add(ADVANCE_JOB, { batchId }, `advance:${batchId}:${slot}`, delayMs);
  }

  async submit(subBatches: { id: string; attempts: number }[]): Promise<void> {
    await Promise.all(subBatches.map((s) => this.add(SUBMIT_JOB, { subBatchId: s.id }, `submit:${s.id}:${s.attempts}`)));
  }

  poll(subBatchId: string): Promise<void> {
    return this.add(POLL_JOB, { subBatchId }, `poll:${subBatchId}:${Math.floor(Date.now() / 60_000)}`);
  }

  private async add(name: string, data: object, jobId: string, delay = 0): Promise<void> {
    try {
      await enqueueById(this.queue, name, data, { ...OPTIONS, jobId, delay });
    } catch (err) {
      this.logger.warn(`Could not enqueue ${jobId} (${(err as Error).message}); the sweeper will pick it up`);
    }
  }
}
