import { Injectable, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { ModuleRef } from '@nestjs/core';
import type { Job, Queue } from 'bull';
import { AppConfig } from '@app/platform';
import { appQueues } from '../bootstrap/app-queues';
import { MetricsRegistry } from './metrics.registry';

type Outcome = 'completed' | 'failed';

/**
 * Job durations and outcomes per queue, from the local `completed` / `failed` events Bull emits in the process
 * that ran the job. Only processes with workers listen (an API-only process runs no jobs). One listener pair per
 * queue in APP_QUEUES, whatever the queue: no queue-specific code. Labels are the queue's name and the outcome.
 */
@Injectable()
export class QueueJobMetrics implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly detach: (() => void)[] = [];

  constructor(
    private readonly metrics: MetricsRegistry,
    private readonly moduleRef: ModuleRef,
    private readonly config: AppConfig,
  ) {}

  onApplicationBootstrap(): void {
    if (!this.config.runsWorkers) return;
    for (const { name, queue } of appQueues((token) => this.moduleRef.get(token, { strict: false }))) {
      for (const outcome of ['completed', 'failed'] as const) {
        // Every series exists from the start, so `rate()` sees the first job.
        this.metrics.queueJobsTotal.inc({ queue: name, outcome }, 0);
        const listener = (job: Job | null) => this.observe(name, outcome, job);
        queue.on(outcome, listener);
        this.detach.push(() =>
          (queue as Queue & { off(e: string, l: unknown): void }).off(outcome, listener),
        );
      }
    }
  }

  onApplicationShutdown(): void {
    for (const d of this.detach.splice(0)) d();
  }

  /**
   * `failed` also fires for an attempt that will be retried: Bull leaves finishedOn unset then, so the attempt ends
   * now. A job failed by the stalled-job check may be gone already (null) or never have started: counted, not timed.
   */
  observe(queue: string, outcome: Outcome, job: Pick<Job, 'processedOn' | 'finishedOn'> | null): void {
    this.metrics.queueJobsTotal.inc({ queue, outcome });
    const started = job?.processedOn;
    if (!started) return;
    const seconds = ((job.finishedOn || Date.now()) - started) / 1000;
    if (seconds >= 0) this.metrics.queueJobDuration.observe({ queue, outcome }, seconds);
  }
}
