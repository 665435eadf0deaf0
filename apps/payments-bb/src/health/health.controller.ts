import { Controller, Get, HttpCode, ServiceUnavailableException } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiServiceUnavailableResponse, ApiTags } from '@nestjs/swagger';
import { Public } from '@app/platform';
import { HealthService } from './health.service';

@ApiTags('health')
@Public()
@Controller()
export class HealthController {
  constructor(private readonly health: HealthService) {}

  /** What the GovStack test harness polls before it starts its tests. */
  @Get('healthcheck')
  @ApiOperation({ summary: 'GovStack health check: 200 when PostgreSQL and Redis answer' })
  @ApiOkResponse({ schema: { example: { status: 'ok', checks: { postgres: 'up', redis: 'up' } } } })
  async healthcheck() {
    return this.ready();
  }

  @Get('health/live')
  @HttpCode(200)
  @ApiOperation({ summary: 'Liveness: the process is running' })
  live() {
    return { status: 'ok' };
  }

  @Get('health/ready')
  @ApiOperation({ summary: 'Readiness: PostgreSQL and Redis answer' })
  @ApiServiceUnavailableResponse({ description: 'A dependency is down; `checks` says which' })
  async ready() {
    const checks = await this.health.check();
    const ok = Object.values(checks).every((c) => c === 'up');
    const body = { status: ok ? 'ok' : 'unavailable', checks };
    if (!ok) throw new ServiceUnavailableException(body);
    return body;
  }
}
