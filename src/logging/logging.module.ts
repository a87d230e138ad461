import { Module } from '@nestjs/common';
import { LoggerModule } from 'nestjs-pino';
import { AppConfig } from '../config/app-config.js';
import { requestLogOptions } from './request-log-options.js';

/** JSON logs through pino: one line per request, and Nest's Logger tied to the request id. */
@Module({
  imports: [
    LoggerModule.forRootAsync({
      inject: [AppConfig],
      useFactory: (config: AppConfig) => ({ pinoHttp: requestLogOptions(config.logLevel) }),
    }),
  ],
})
export class LoggingModule {}
