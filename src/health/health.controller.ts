import { Controller, Get, ServiceUnavailableException } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiServiceUnavailableResponse, ApiTags } from '@nestjs/swagger';
import { HealthCheckService, type HealthIndicatorResult } from '@nestjs/terminus';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { Public } from '../common/decorators/public.decorator.js';
import { HealthDownDto, HealthDto } from './dto/health.dto.js';

const PROBE_TIMEOUT_MS = 2000;

/**
 * Reads a table, not just `SELECT 1` (what Terminus's ping runs): a Galera node that lost quorum
 * (non-Primary) still answers `SELECT 1` but refuses every table read (error 1047), so it must report down.
 */
const PROBE_SQL = 'SELECT 1 FROM users WHERE 1 = 0';

@ApiTags('operations')
@Controller('health')
export class HealthController {
  constructor(
    private readonly health: HealthCheckService,
    @InjectDataSource() private readonly dataSource: DataSource,
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
      await this.health.check([() => this.probeDatabase()]);
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

  private async probeDatabase(): Promise<HealthIndicatorResult> {
    let timer: NodeJS.Timeout | undefined;
    try {
      await Promise.race([
        this.dataSource.query(PROBE_SQL),
        new Promise((_, reject) => {
          timer = setTimeout(() => reject(new Error('timeout')), PROBE_TIMEOUT_MS);
        }),
      ]);
      return { database: { status: 'up' } };
    } finally {
      clearTimeout(timer);
    }
  }
}
