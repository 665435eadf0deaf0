import { Global, MiddlewareConsumer, Module, NestModule } from '@nestjs/common';
import type { NextFunction, Request, Response } from 'express';
import { MetricsCollector } from './metrics.collector';
import { MetricsController } from './metrics.controller';
import { MetricsRegistry } from './metrics.registry';
import { QueueJobMetrics } from './queue-job.metrics';
import { MetricsPortServer } from './metrics-port.server';

/** Prometheus metrics (docs/observability.md). Global, so that a feature can count what happens to it. */
@Global()
@Module({
  controllers: [MetricsController],
  providers: [MetricsRegistry, MetricsCollector, QueueJobMetrics, MetricsPortServer],
  exports: [MetricsRegistry],
})
export class MetricsModule implements NestModule {
  constructor(private readonly metrics: MetricsRegistry) {}

  configure(consumer: MiddlewareConsumer): void {
    consumer
      .apply((req: Request, res: Response, next: NextFunction) => {
        const start = process.hrtime.bigint();
        res.on('finish', () => {
          // The route pattern, never the path: IDs in paths would make a series per bill or batch.
          const route = (req.route as { path?: string } | undefined)?.path;
          this.metrics.httpDuration.observe(
            {
              method: req.method,
              route: route ? `${req.baseUrl}${route}` : 'unmatched',
              status: `${Math.floor(res.statusCode / 100)}xx`,
            },
            Number(process.hrtime.bigint() - start) / 1e9,
          );
        });
        next();
      })
      .forRoutes('*');
  }
}
