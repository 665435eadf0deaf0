import { Injectable } from '@nestjs/common';
import { collectDefaultMetrics, Gauge, Histogram, Registry } from 'prom-client';

/**
 * The server's Prometheus metrics. HTTP latency is observed as requests finish; everything else (queue depths,
 * batches, callback deliveries, ledger reservations) is read when Prometheus scrapes, so nothing is counted twice
 * across processes and a restart loses nothing.
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
