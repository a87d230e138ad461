import { Controller, Get, ServiceUnavailableException } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiServiceUnavailableResponse, ApiTags } from '@nestjs/swagger';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { Public } from '../common/decorators/public.decorator.js';
import { HealthDownDto, HealthDto } from './dto/health.dto.js';

const PROBE_TIMEOUT_MS = 2000;

@ApiTags('operations')
@Controller('health')
export class HealthController {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

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
    let timer: NodeJS.Timeout | undefined;
    try {
      await Promise.race([
        this.dataSource.query('SELECT 1'),
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
