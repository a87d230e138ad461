import { Module, type OnModuleInit } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import type { FastifyInstance } from 'fastify';
import { LoggerModule, PinoLogger } from 'nestjs-pino';
import { LoggingConfig } from '../config/logging.config.js';
import { logRequests, pinoOptions } from './request-log.js';

/** JSON logs through pino: Nest's Logger, and one line per request. */
@Module({
  imports: [
    LoggerModule.forRootAsync({
      inject: [LoggingConfig],
      // No routes: request lines come from Fastify hooks (request-log.ts), not pino-http's middleware.
      useFactory: (logging: LoggingConfig) => ({ pinoHttp: pinoOptions(logging.level), forRoutes: [] }),
    }),
  ],
})
export class LoggingModule implements OnModuleInit {
  constructor(
    private readonly adapterHost: HttpAdapterHost,
    private readonly pino: PinoLogger,
  ) {}

  onModuleInit(): void {
    // A standalone context (the user:create CLI) has no HTTP server to log.
    const adapter = this.adapterHost.httpAdapter;
    if (adapter) logRequests(adapter.getInstance<FastifyInstance>(), this.pino.logger);
  }
}
