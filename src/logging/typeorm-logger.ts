import { Logger } from '@nestjs/common';
import type { Logger as OrmLogger } from 'typeorm';

const SQL_PREVIEW_LENGTH = 200;

/**
 * TypeORM's own loggers print plain text, and a slow query with its parameters (hashes,
 * token ids). This one sends what matters to Nest's (JSON) Logger without parameters.
 * Failed queries are not logged here: the error reaches HttpErrorFilter or the caller.
 */
export class TypeOrmLogger implements OrmLogger {
  private readonly logger = new Logger('Database');

  logQuery(): void {}

  logQueryError(): void {}

  logQuerySlow(time: number, query: string): void {
    this.logger.warn(`Slow query (${time} ms): ${query.slice(0, SQL_PREVIEW_LENGTH)}`);
  }

  logSchemaBuild(): void {}

  logMigration(message: string): void {
    this.logger.log(message);
  }

  log(level: 'log' | 'info' | 'warn', message: unknown): void {
    if (level === 'warn') this.logger.warn(String(message));
    else this.logger.debug(String(message));
  }
}
