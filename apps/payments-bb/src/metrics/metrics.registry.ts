import { Injectable } from '@nestjs/common';
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';

/**
 * The server's Prometheus metrics (docs/observability.md). Two kinds:
 * - observed in this process as things happen: HTTP latency, job durations and outcomes (where workers run),
 *   instructions settled; per process, Prometheus sums the processes and `rate()` absorbs restarts;
 * - read when Prometheus scrapes (queue depths, batches, callback deliveries, ledger reservations): the same
 *   totals from every process, nothing counted twice, nothing lost by a restart.
 * No label carries an ID, an amount or personal data.
 */
@Injectable()
export class MetricsRegistry {
  readonly registry = new Registry();

  readonly httpDuration = new Histogram({
    name: 'pbb_http_request_duration_seconds',
    help: 'HTTP request latency by method, route pattern and status class',
    labelNames: ['method', 'route', 'status'] as const,
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    registers: [this.registry],
  });

  readonly queueJobs = new Gauge({
    name: 'pbb_queue_jobs',
    help: 'Jobs per Bull queue and state',
    labelNames: ['queue', 'state'] as const,
    registers: [this.registry],
  });

  readonly queueJobDuration = new Histogram({
    name: 'pbb_queue_job_duration_seconds',
    help: 'Time a Bull job attempt ran (finishedOn - processedOn), by queue and outcome (completed, failed)',
    labelNames: ['queue', 'outcome'] as const,
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300],
    registers: [this.registry],
  });

  readonly queueJobsTotal = new Counter({
    name: 'pbb_queue_jobs_total',
    help: 'Bull job attempts finished in this process, by queue and outcome (failed counts attempts that will be retried too)',
    labelNames: ['queue', 'outcome'] as const,
    registers: [this.registry],
  });

  readonly instructionsSettled = new Counter({
    name: 'pbb_bulk_instructions_settled_total',
    help: "Bulk instructions that reached a final state on the payer FSP's answer, by outcome (completed, failed)",
    labelNames: ['outcome'] as const,
    registers: [this.registry],
  });

  readonly batches = new Gauge({
    name: 'pbb_batches',
    help: 'Bulk batches by state',
    labelNames: ['state'] as const,
    registers: [this.registry],
  });

  readonly batchInstructions = new Gauge({
    name: 'pbb_batch_instructions',
    help: 'Instructions of bulk batches, by the batch state',
    labelNames: ['state'] as const,
    registers: [this.registry],
  });

  readonly callbackDeliveries = new Gauge({
    name: 'pbb_callback_deliveries',
    help: 'Callback deliveries by status (failed: given up after every attempt)',
    labelNames: ['status'] as const,
    registers: [this.registry],
  });

  readonly ledgerPending = new Gauge({
    name: 'pbb_ledger_reserved_minor_units',
    help: 'Money reserved (pending debits) in the ledger, minor units per currency',
    labelNames: ['currency'] as const,
    registers: [this.registry],
  });

  constructor() {
    collectDefaultMetrics({ register: this.registry, prefix: 'pbb_' });
  }
}
