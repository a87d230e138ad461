import { Module } from '@nestjs/common';
import { APP_FILTER, APP_GUARD, APP_PIPE } from '@nestjs/core';
import { ScheduleModule } from '@nestjs/schedule';
import { TypeOrmModule } from '@nestjs/typeorm';
import { AuditModule } from './audit/audit.module.js';
import { AuthModule } from './auth/auth.module.js';
import { AuthorsModule } from './authors/authors.module.js';
import { AccessPolicyGuard } from './auth/guards/access-policy.guard.js';
import { JwtAuthGuard } from './auth/guards/jwt-auth.guard.js';
import { EventsModule } from './common/events/events.module.js';
import { HttpErrorFilter } from './common/filters/http-error.filter.js';
import { PolicyValidationPipe } from './common/policy-validation.pipe.js';
import { DatabaseConfig } from './config/database.config.js';
import { AppConfigModule } from './config/config.module.js';
import { dataSourceOptions } from './database/data-source-options.js';
import { HealthModule } from './health/health.module.js';
import { LoggingModule } from './logging/logging.module.js';
import { MailModule } from './mail/mail.module.js';
import { PasswordsModule } from './passwords/passwords.module.js';
import { OneTimeTokensModule } from './one-time-tokens/one-time-tokens.module.js';
import { MetricsModule } from './metrics/metrics.module.js';
import { UsersModule } from './users/users.module.js';

@Module({
  imports: [
    AppConfigModule,
    LoggingModule,
    EventsModule,
    ScheduleModule.forRoot(),
    MetricsModule,
    TypeOrmModule.forRootAsync({
      inject: [DatabaseConfig],
      useFactory: (database: DatabaseConfig) => ({ ...dataSourceOptions(database.url), retryAttempts: 3, retryDelay: 1000 }),
    }),
    AuthModule,
    PasswordsModule,
    UsersModule,
    AuthorsModule,
    AuditModule,
    MailModule,
    HealthModule,
    OneTimeTokensModule,
  ],
  providers: [
    // Order matters: who you are (a live session), then what your role allows and how fresh your token is.
    { provide: APP_GUARD, useExisting: JwtAuthGuard },
    { provide: APP_GUARD, useExisting: AccessPolicyGuard },
    { provide: APP_PIPE, useClass: PolicyValidationPipe },
    { provide: APP_FILTER, useClass: HttpErrorFilter },
  ],
})
export class AppModule {}
