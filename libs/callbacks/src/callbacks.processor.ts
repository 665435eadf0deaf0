import { Process, Processor } from '@nestjs/bull';
import { Logger } from '@nestjs/common';
import type { Job } from 'bull';
import { CallbackDeliverer } from './callback-deliverer';
import { CALLBACKS_QUEUE, DELIVER_JOB, DELIVERY_CONCURRENCY } from './callbacks.constants';
import type { DeliverJob } from './callbacks.queue';

/** Thin: the job names a delivery, the deliverer decides from the database row whether anything is to be done. */
@Processor(CALLBACKS_QUEUE)
export class CallbacksProcessor {
  private readonly logger = new Logger(CallbacksProcessor.name);

  constructor(private readonly deliverer: CallbackDeliverer) {}

  @Process({ name: DELIVER_JOB, concurrency: DELIVERY_CONCURRENCY })
  async deliver(job: Job<DeliverJob>): Promise<void> {
    const id = job.data?.deliveryId;
    if (typeof id !== 'string' || !/^[0-9a-f-]{36}$/i.test(id)) {
      this.logger.warn(`Ignoring callback job ${String(job.id)} without a delivery ID`);
      return;
    }
    await this.deliverer.deliver(id);
  }
}
