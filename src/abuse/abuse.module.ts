import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { AbuseCounter } from './abuse-counter.entity.js';
import { AccountLockout } from './account-lockout.js';
import { ClientThrottleGuard } from './client-throttle.guard.js';
import { FixedWindowCounter } from './fixed-window-counter.js';

/** One fixed-window counter behind the per-account lockout and the per-client throttle. */
@Module({
  imports: [TypeOrmModule.forFeature([AbuseCounter])],
  providers: [FixedWindowCounter, AccountLockout, ClientThrottleGuard],
  exports: [FixedWindowCounter, AccountLockout, ClientThrottleGuard],
})
export class AbuseModule {}
