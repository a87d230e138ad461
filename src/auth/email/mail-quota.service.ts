import { Injectable } from '@nestjs/common';
import { FixedWindowCounter } from '../../abuse/fixed-window-counter.js';
import { MailConfig } from '../../config/mail.config.js';
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
    private readonly counter: FixedWindowCounter,
    private readonly config: MailConfig,
  ) {}

  /** Spends one mail of the address's hourly budget, if any is left. */
  async take(address: string): Promise<QuotaOutcome> {
    const policy = { scope: 'mail', limit: this.config.perHour, windowMs: HOUR_MS, blockMs: HOUR_MS };
    const state = await this.counter.hit(policy, normalizeEmail(address));
    return state.blocked ? { allowed: false, retryAfterSeconds: state.retryAfterSeconds } : { allowed: true };
  }
}
