import { Module, Optional, type OnApplicationShutdown, type OnModuleInit } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import type { FastifyInstance } from 'fastify';
import { LoggerModule, PinoLogger } from 'nestjs-pino';
import { LoggingConfig } from '../config/logging.config.js';
import { MetricsConfig } from '../config/metrics.config.js';
import { MetricsService } from '../metrics/metrics.service.js';
import { logDestination, logRequests, pinoOptions } from './request-log.js';

/** JSON logs through pino: Nest's Logger, and one line per request. */
@Module({
  imports: [
    LoggerModule.forRootAsync({
      inject: [LoggingConfig],
      // No routes: request lines come from Fastify hooks (request-log.ts), not pino-http's middleware.
      useFactory: (logging: LoggingConfig) => {
        const destination = logDestination(logging.level);
        const options = pinoOptions(logging.level);
        return { pinoHttp: destination ? [options, destination] : options, forRoutes: [] };
      },
    }),
  ],
})
export class LoggingModule implements OnModuleInit, OnApplicationShutdown {
  constructor(
    private readonly adapterHost: HttpAdapterHost,
    private readonly pino: PinoLogger,
    private readonly config: MetricsConfig,
    @Optional() private readonly metrics?: MetricsService,
  ) {}

  /** A closed app (a test, a CLI) may not be followed by a process exit: write what is pending now. */
  onApplicationShutdown(): Promise<void> {
    // The callback gets an error when there is nothing to write or stdout is gone: nothing to save then.
    return new Promise((resolve) => this.pino.logger.flush(() => resolve()));
  }

  onModuleInit(): void {
    // A standalone context (the user:create CLI) has no HTTP server to log.
    const adapter = this.adapterHost.httpAdapter;
    if (!adapter) return;
    // With metrics off the hook skips the histogram altogether.
    const metrics = this.config.port === undefined ? undefined : this.metrics;
    logRequests(
      adapter.getInstance<FastifyInstance>(),
      this.pino.logger,
      metrics && ((method, route, status, seconds) => metrics.observeRequest(method, route, status, seconds)),
    );
  }
}
