import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { LiveSessionRepository } from './live-session.repository.js';
import { Session } from './session.entity.js';
import { SessionPurgeService } from './session-purge.service.js';
import { SessionsService } from './sessions.service.js';

@Module({
  imports: [TypeOrmModule.forFeature([Session])],
  providers: [SessionsService, LiveSessionRepository, SessionPurgeService],
  exports: [SessionsService],
})
export class SessionsModule {}
