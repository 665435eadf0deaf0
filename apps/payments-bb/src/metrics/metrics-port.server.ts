import { Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { createServer, IncomingMessage, Server, ServerResponse } from 'node:http';
import { AppConfig } from '@app/platform';
import { MetricsCollector } from './metrics.collector';
import { metricsTokenMatches } from './metrics-token';

/**
 * GET /metrics on METRICS_PORT, a plain HTTP server of its own, so that a worker-only process (no API port) can be
 * scraped: job durations and outcomes are counted where the jobs run. Nothing else is served there.
 */
@Injectable()
export class MetricsPortServer implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger('Metrics');
  private server?: Server;

  constructor(
    private readonly collector: MetricsCollector,
    private readonly config: AppConfig,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    const port = this.config.env.METRICS_PORT;
    if (port === undefined) return;
    const server = createServer((req, res) => void this.answer(req, res));
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, '0.0.0.0', () => resolve());
    });
    this.server = server;
    this.logger.log(`Metrics on port ${port}${this.config.env.METRICS_TOKEN ? ' (bearer token required)' : ''}`);
  }

  async onApplicationShutdown(): Promise<void> {
    const server = this.server;
    this.server = undefined;
    if (server) await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  private async answer(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const reply = (status: number, body: string, type = 'text/plain') => {
      res.writeHead(status, { 'Content-Type': type, 'Cache-Control': 'no-store' });
      res.end(body);
    };
    if (req.method !== 'GET' || (req.url ?? '').split('?')[0] !== '/metrics') return reply(404, 'Not found\n');
    const token = this.config.env.METRICS_TOKEN;
    if (token && !metricsTokenMatches(req.headers.authorization, token)) return reply(401, 'Metrics token required\n');
    try {
      const out = await this.collector.render();
      reply(200, out.body, out.contentType);
    } catch (err) {
      this.logger.error(`Metrics could not be read: ${(err as Error).message}`);
      reply(503, 'Metrics unavailable\n');
    }
  }
}
