import { Global, Module } from '@nestjs/common';
import { PasswordsModule } from '../passwords/passwords.module.js';
import { MetricsServer } from './metrics.server.js';
import { MetricsService } from './metrics.service.js';
import { MetricsSubscriber } from './metrics.subscriber.js';

/** Global so the request-log hook (logging/) can feed the latency histogram without importing this module. */
@Global()
@Module({
  imports: [PasswordsModule],
  providers: [MetricsService, MetricsSubscriber, MetricsServer],
  exports: [MetricsService],
})
export class MetricsModule {}
