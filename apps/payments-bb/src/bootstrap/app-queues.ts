import { getQueueToken } from '@nestjs/bull';
import type { Queue } from 'bull';
import { CALLBACKS_QUEUE } from '@app/callbacks';
import { MAPPER_QUEUE } from '../account-mapper/mapper.constants';
import { BULK_QUEUE } from '../bulk/bulk.constants';
import { P2G_QUEUE } from '../p2g/p2g.constants';
import { VOUCHER_QUEUE } from '../vouchers/voucher.constants';

/**
 * Every Bull queue of the server that carries jobs: the one list that the metrics (depths, job durations) and the
 * queue board read. A module that registers a new queue adds it here; test/metrics.e2e-spec.ts fails when one is
 * missing. The `health` queue is left out on purpose: it holds no jobs, it only lends the health check a Redis
 * connection.
 */
export const APP_QUEUES = [CALLBACKS_QUEUE, MAPPER_QUEUE, BULK_QUEUE, VOUCHER_QUEUE, P2G_QUEUE] as const;
export type AppQueueName = (typeof APP_QUEUES)[number];

/**
 * The queues' Nest-managed instances (the ones the processors, if any, already run on), looked up by token:
 * `resolve` is `(token) => moduleRef.get(token, { strict: false })` or the same on the application. A queue whose
 * module is not part of this application is skipped. Nothing here creates a queue or starts a processor.
 */
export function appQueues(resolve: (token: string) => unknown): { name: AppQueueName; queue: Queue }[] {
  const found: { name: AppQueueName; queue: Queue }[] = [];
  for (const name of APP_QUEUES) {
    try {
      const queue = resolve(getQueueToken(name)) as Queue | undefined;
      if (queue) found.push({ name, queue });
    } catch {
      // Not registered in this application.
    }
  }
  return found;
}
