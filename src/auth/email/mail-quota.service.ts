import { Injectable } from '@nestjs/common';
import { DatabaseThrottlerStorage } from '../../common/throttler/database-throttler.storage.js';
import { AppConfig } from '../../config/app-config.js';
import { normalizeEmail } from '../../users/user.entity.js';

const HOUR_MS = 3_600_000;

export type QuotaOutcome = { allowed: true } | { allowed: false; retryAfterSeconds: number };

/**
 * MAIL_PER_HOUR mails to one address per hour, counted in the database so every instance
 * shares the budget: nobody can turn the service into a mail cannon aimed at one inbox.
 */
@Injectable()
export class MailQuotaService {
  constructor(
    private readonly storage: DatabaseThrottlerStorage,
    private readonly config: AppConfig,
  ) {}

  /** Spends one mail of the address's hourly budget, if any is left. */
  async take(address: string): Promise<QuotaOutcome> {
    const record = await this.storage.increment(normalizeEmail(address), HOUR_MS, this.config.mailPerHour, 0, 'mail');
    if (record.totalHits <= this.config.mailPerHour) return { allowed: true };
    return { allowed: false, retryAfterSeconds: record.timeToExpire };
  }
}
