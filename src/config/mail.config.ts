import { join } from 'node:path';
import type { EnvReader } from './env-reader.js';

/** Outgoing mail (verification and reset links) and how long those links live. */
export class MailConfig {
  /** Unset: mails are written as .eml files into `outbox`. */
  readonly smtpUrl?: string;
  readonly from: string;
  readonly outbox: string;
  /** Mails to one address per hour. */
  readonly perHour: number;
  readonly verifyTokenTtlSeconds: number;
  readonly resetTokenTtlSeconds: number;

  constructor(read: EnvReader) {
    this.smtpUrl = read.matching('SMTP_URL', /^smtps?:\/\/\S+$/, 'SMTP_URL must be smtp://user:pass@host:587 or smtps://...');
    this.from =
      read.matching('MAIL_FROM', /^[^\s@]+@[^\s@]+$/, 'MAIL_FROM must be an email address') ?? 'no-reply@localhost';
    this.outbox = read.optionalString('MAIL_OUTBOX') ?? join('data', 'outbox');
    this.perHour = read.integer('MAIL_PER_HOUR', 5, 1, 10000);
    this.verifyTokenTtlSeconds = read.duration('VERIFY_TOKEN_TTL', '24h');
    this.resetTokenTtlSeconds = read.duration('RESET_TOKEN_TTL', '30m');
  }
}
