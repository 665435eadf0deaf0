import { Injectable } from '@nestjs/common';
import { ModuleRef } from '@nestjs/core';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { appQueues } from '../bootstrap/app-queues';
import { MetricsRegistry } from './metrics.registry';

const STATES = ['waiting', 'active', 'delayed', 'failed'] as const;

/** Reads the gauges fresh from Redis and PostgreSQL at each scrape (set-wise: a handful of grouped queries). */
@Injectable()
export class MetricsCollector {
  constructor(
    private readonly metrics: MetricsRegistry,
    private readonly moduleRef: ModuleRef,
    @InjectDataSource() private readonly ds: DataSource,
  ) {}

  async render(): Promise<{ contentType: string; body: string }> {
    await Promise.all([this.queues(), this.database()]);
    return { contentType: this.metrics.registry.contentType, body: await this.metrics.registry.metrics() };
  }

  private async queues(): Promise<void> {
    this.metrics.queueJobs.reset();
    // Each module registers its own queue; they are looked up here, not owned.
    const queues = appQueues((token) => this.moduleRef.get(token, { strict: false }));
    const counts = await Promise.all(queues.map(({ queue }) => queue.getJobCounts().catch(() => undefined)));
    queues.forEach(({ name }, i) => {
      const c = counts[i];
      if (c) for (const s of STATES) this.metrics.queueJobs.set({ queue: name, state: s }, c[s] ?? 0);
    });
  }

  private async database(): Promise<void> {
    const [batches, deliveries, pending] = await Promise.all([
      this.ds.query(
        `SELECT state, count(*)::int AS n, COALESCE(sum(instruction_count), 0)::bigint AS i FROM batches GROUP BY state`,
      ) as Promise<{ state: string; n: number; i: string }[]>,
      this.ds.query(`SELECT status, count(*)::int AS n FROM callback_deliveries GROUP BY status`) as Promise<
        { status: string; n: number }[]
      >,
      this.ds.query(
        `SELECT currency, COALESCE(sum(debits_pending), 0)::text AS p FROM ledger_accounts GROUP BY currency`,
      ) as Promise<{ currency: string; p: string }[]>,
    ]);
    this.metrics.batches.reset();
    this.metrics.batchInstructions.reset();
    for (const b of batches) {
      this.metrics.batches.set({ state: b.state }, b.n);
      this.metrics.batchInstructions.set({ state: b.state }, Number(b.i));
    }
    this.metrics.callbackDeliveries.reset();
    for (const d of deliveries) this.metrics.callbackDeliveries.set({ status: d.status }, d.n);
    this.metrics.ledgerPending.reset();
    for (const p of pending) this.metrics.ledgerPending.set({ currency: p.currency.trim() }, Number(p.p));
  }
}
