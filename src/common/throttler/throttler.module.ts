import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { DatabaseThrottlerStorage } from './database-throttler.storage.js';
import { ThrottleWindow } from './throttle-window.entity.js';

@Module({
  imports: [TypeOrmModule.forFeature([ThrottleWindow])],
  providers: [DatabaseThrottlerStorage],
  exports: [DatabaseThrottlerStorage],
})
export class ThrottlerModule {}
