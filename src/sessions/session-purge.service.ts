import { Injectable, Logger, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { SessionsService } from './sessions.service.js';

const PURGE_INTERVAL_MS = 60 * 60 * 1000;

/** Keeps expired and long-revoked session rows from piling up. */
@Injectable()
export class SessionPurgeService implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(SessionPurgeService.name);
  private timer?: NodeJS.Timeout;

  constructor(private readonly sessions: SessionsService) {}

  onApplicationBootstrap(): void {
    this.timer = setInterval(() => void this.purge(), PURGE_INTERVAL_MS);
    // The purge must never keep the process (or a test run) alive.
    this.timer.unref();
  }

  onApplicationShutdown(): void {
    clearInterval(this.timer);
  }

  async purge(): Promise<void> {
    try {
      const removed = await this.sessions.purgeExpired();
      if (removed > 0) this.logger.log(`Purged ${removed} expired session(s)`);
    } catch (error) {
      this.logger.warn(`Session purge failed: ${(error as Error).message}`);
    }
  }
}
