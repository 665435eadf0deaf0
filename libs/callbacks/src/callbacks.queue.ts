import { InjectQueue } from '@nestjs/bull';
import { Injectable, Logger } from '@nestjs/common';
import type { JobOptions, Queue } from 'bull';
import { CALLBACKS_QUEUE, DELIVER_JOB, ENQUEUE_TIMEOUT_MS } from './callbacks.constants';
import type { DueDelivery } from './callbacks.repository';
import { withTimeout } from './timeout';

export interface DeliverJob {
  deliveryId: string;
}

/** Retries are counted in the database, so Bull runs each job once; failed jobs stay in Redis for inspection. */
export const DELIVER_JOB_OPTIONS: JobOptions = { attempts: 1, removeOnComplete: true, removeOnFail: false };

/** One job per (delivery, attempt): enqueuing the same attempt twice collapses into one job. */
export function deliverJobId(deliveryId: string, attempt: number): string {
  return `${deliveryId}:${attempt}`;
}

/** Jobs per Redis round trip (one MULTI), so a bulk disbursement's thousands of callbacks go in a few calls. */
const BULK_CHUNK = 500;
/** How many delivery IDs a warning names before it says "and N more". */
const IDS_IN_WARNING = 10;

class EnqueueTimeout extends Error {
  constructor() {
    super('Redis did not answer in time');
  }
}

/**
 * Puts delivery jobs on the Bull queue without ever throwing: the database row is the truth, so a Redis outage
 * only delays a delivery until recovery enqueues it again. Warnings name delivery IDs only.
 */
@Injectable()
export class CallbacksQueue {
  private readonly logger = new Logger(CallbacksQueue.name);

  constructor(@InjectQueue(CALLBACKS_QUEUE) private readonly queue: Queue<DeliverJob>) {}

  enqueue(deliveryId: string, attempt: number, delayMs: number): Promise<number> {
    return this.enqueueMany([{ id: deliveryId, nextAttempt: attempt, delayMs }]);
  }

  /**
   * Returns how many were handed to Redis; stops at the first chunk Redis refuses and logs one warning.
   * `replaceFailed` clears a failed job that holds the same ID (see clearFailed) — recovery uses it.
   */
  async enqueueMany(items: DueDelivery[], replaceFailed = false): Promise<number> {
    let done = 0;
    try {
      for (let i = 0; i < items.length; i += BULK_CHUNK) {
        const chunk = items.slice(i, i + BULK_CHUNK);
        await withTimeout(
          this.addChunk(chunk, replaceFailed),
          ENQUEUE_TIMEOUT_MS,
          () => new EnqueueTimeout(),
        );
        done += chunk.length;
      }
    } catch (err) {
      const missed = items.slice(done).map((d) => d.id);
      const named = missed.slice(0, IDS_IN_WARNING).join(', ');
      const more = missed.length > IDS_IN_WARNING ? ` and ${missed.length - IDS_IN_WARNING} more` : '';
      this.logger.warn(
        `Could not enqueue callback deliveries ${named}${more}: ${(err as Error).message}; recovery will retry`,
      );
    }
    return done;
  }

  private async addChunk(chunk: DueDelivery[], replaceFailed: boolean): Promise<void> {
    if (replaceFailed)
      for (const d of chunk) if (d.delayMs === 0) await this.clearFailed(deliverJobId(d.id, d.nextAttempt));
    await this.queue.addBulk(
      chunk.map((d) => ({
        name: DELIVER_JOB,
        data: { deliveryId: d.id },
        opts: {
          ...DELIVER_JOB_OPTIONS,
          jobId: deliverJobId(d.id, d.nextAttempt),
          delay: Math.max(0, d.delayMs),
        },
      })),
    );
  }

  /**
   * A failed job keeps its ID (removeOnFail: false) and would swallow every re-add under that ID, leaving its
   * delivery stuck once the lock expires; removing it lets the attempt run again. The row keeps the history.
   */
  private async clearFailed(jobId: string): Promise<void> {
    const existing = await this.queue.getJob(jobId);
    if (existing && (await existing.isFailed())) await existing.remove();
  }
}
