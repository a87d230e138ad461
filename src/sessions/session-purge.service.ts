import { Injectable, Logger } from '@nestjs/common';
import { Interval } from '@nestjs/schedule';
import { SessionsService } from './sessions.service.js';

const PURGE_INTERVAL_MS = 60 * 60 * 1000;

/** Keeps expired and long-revoked session rows from piling up; @nestjs/schedule stops it at shutdown. */
@Injectable()
export class SessionPurgeService {
  private readonly logger = new Logger(SessionPurgeService.name);

  constructor(private readonly sessions: SessionsService) {}

  @Interval('session-purge', PURGE_INTERVAL_MS)
  async purge(): Promise<void> {
    try {
      const removed = await this.sessions.purgeExpired();
      if (removed > 0) this.logger.log(`Purged ${removed} expired session(s)`);
    } catch (error) {
      this.logger.warn(`Session purge failed: ${(error as Error).message}`);
    }
  }
}
