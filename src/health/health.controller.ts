import { Controller, Get, ServiceUnavailableException } from '@nestjs/common';
import { ApiOkResponse, ApiServiceUnavailableResponse, ApiTags } from '@nestjs/swagger';
import { HealthCheckService, TypeOrmHealthIndicator } from '@nestjs/terminus';
import { Public } from '../common/decorators/public.decorator.js';

const PROBE_TIMEOUT_MS = 2000;

@ApiTags('operations')
@Controller('health')
export class HealthController {
  constructor(
    private readonly health: HealthCheckService,
    private readonly database: TypeOrmHealthIndicator,
  ) {}

  /** Terminus runs the probe; the body stays the contract's small one rather than Terminus's report. */
  @Public()
  @Get()
  @ApiOkResponse({ schema: { example: { status: 'ok', database: 'up' } } })
  @ApiServiceUnavailableResponse({ schema: { example: { statusCode: 503, status: 'error', database: 'down', message: 'Database unavailable', error: 'Service Unavailable' } } })
  async check(): Promise<{ status: 'ok'; database: 'up' }> {
    try {
      await this.health.check([() => this.database.pingCheck('database', { timeout: PROBE_TIMEOUT_MS })]);
      return { status: 'ok', database: 'up' };
    } catch {
      throw new ServiceUnavailableException({
        statusCode: 503,
        status: 'error',
        database: 'down',
        message: 'Database unavailable',
        error: 'Service Unavailable',
      });
    }
  }
}
