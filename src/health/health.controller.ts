import { Controller, Get, ServiceUnavailableException } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiServiceUnavailableResponse, ApiTags } from '@nestjs/swagger';
import { HealthCheckService, TypeOrmHealthIndicator } from '@nestjs/terminus';
import { Public } from '../common/decorators/public.decorator.js';
import { HealthDownDto, HealthDto } from './dto/health.dto.js';

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
  @ApiOperation({
    operationId: 'checkHealth',
    summary: 'Is the service up and its database reachable',
    description: 'For load balancers and monitors: a database probe with a 2 s timeout.',
  })
  @ApiOkResponse({ type: HealthDto, description: 'The service and its database answer' })
  @ApiServiceUnavailableResponse({ type: HealthDownDto, description: 'The database is unreachable' })
  async check(): Promise<HealthDto> {
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
