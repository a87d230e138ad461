import { Controller, Get, ServiceUnavailableException } from '@nestjs/common';
import { ApiOkResponse, ApiServiceUnavailableResponse, ApiTags } from '@nestjs/swagger';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { Public } from '../common/decorators/public.decorator.js';

const PROBE_TIMEOUT_MS = 2000;

/**
 * Reads a table, not just `SELECT 1`: a Galera node that lost quorum (non-Primary) still
 * answers `SELECT 1` but refuses every table read (error 1047), so it must report down.
 */
const PROBE_SQL = 'SELECT 1 FROM users WHERE 1 = 0';

@ApiTags('operations')
@Controller('health')
export class HealthController {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  @Public()
  @Get()
  @ApiOkResponse({ schema: { example: { status: 'ok', database: 'up' } } })
  @ApiServiceUnavailableResponse({ schema: { example: { statusCode: 503, status: 'error', database: 'down', message: 'Database unavailable', error: 'Service Unavailable' } } })
  async check(): Promise<{ status: 'ok'; database: 'up' }> {
    let timer: NodeJS.Timeout | undefined;
    try {
      await Promise.race([
        this.dataSource.query(PROBE_SQL),
        new Promise((_, reject) => {
          timer = setTimeout(() => reject(new Error('timeout')), PROBE_TIMEOUT_MS);
        }),
      ]);
      return { status: 'ok', database: 'up' };
    } catch {
      throw new ServiceUnavailableException({
        statusCode: 503,
        status: 'error',
        database: 'down',
        message: 'Database unavailable',
        error: 'Service Unavailable',
      });
    } finally {
      clearTimeout(timer);
    }
  }
}
