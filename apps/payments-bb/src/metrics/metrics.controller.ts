import { Controller, Get, Headers, NotFoundException, Res, UnauthorizedException } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import type { Response } from 'express';
import { AppConfig, Public } from '@app/platform';
import { MetricsCollector } from './metrics.collector';
import { metricsTokenMatches } from './metrics-token';

/**
 * GET /metrics in Prometheus format, for a scraper holding METRICS_TOKEN (`Authorization: Bearer …`, as Prometheus
 * sends `authorization.credentials`). Without METRICS_TOKEN the endpoint does not exist: off unless asked for.
 */
@ApiExcludeController()
@Controller('metrics')
export class MetricsController {
  constructor(
    private readonly collector: MetricsCollector,
    private readonly config: AppConfig,
  ) {}

  @Public()
  @Get()
  async metrics(
    @Headers('authorization') authorization: string | undefined,
    @Res() res: Response,
  ): Promise<void> {
    const token = this.config.env.METRICS_TOKEN;
    if (!token) throw new NotFoundException();
    if (!metricsTokenMatches(authorization, token)) throw new UnauthorizedException('Metrics token required');
    const out = await this.collector.render();
    res.setHeader('Content-Type', out.contentType);
    res.send(out.body);
  }
}
