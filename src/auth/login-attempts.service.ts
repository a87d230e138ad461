import { HttpException, HttpStatus, Injectable, Logger } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { createHash } from 'node:crypto';
import { Repository } from 'typeorm';
import { DomainEventBus } from '../common/events/domain-events.js';
import { AppConfig } from '../config/app-config.js';
import { normalizeUsername } from '../users/user.entity.js';
import { LoginAttempt } from './login-attempt.entity.js';

/** 429 for a locked account; the guard turns retryAfterSeconds into a Retry-After header. */
export class LoginLockedException extends HttpException {
  constructor(readonly retryAfterSeconds: number) {
    super(
      {
        statusCode: HttpStatus.TOO_MANY_REQUESTS,
        message: 'Too many failed login attempts; try again later',
        error: 'Too Many Requests',
      },
      HttpStatus.TOO_MANY_REQUESTS,
    );
  }
}

/** How often stale rows are swept, at most; the sweep piggybacks on login traffic. */
const PURGE_INTERVAL_MS = 60_000;

/**
 * Per-account lockout, shared by every instance through the database. An attempt is
 * counted before its password is checked (and uncounted by a success), so a burst of
 * parallel guesses gets at most LOGIN_MAX_FAILURES verifications, not one per request.
 * Every step is a single conditional statement: no read-then-write races.
 */
@Injectable()
export class LoginAttemptsService {
  private readonly logger = new Logger(LoginAttemptsService.name);
  private lastPurge = 0;

  constructor(
    @InjectRepository(LoginAttempt) private readonly attempts: Repository<LoginAttempt>,
    private readonly events: DomainEventBus,
    private readonly config: AppConfig,
  ) {}

  /** Hashed so unknown usernames can be counted without storing what was typed. */
  keyFor(username: string): string {
    return createHash('sha256').update(normalizeUsername(username)).digest('hex');
  }

  /**
   * Counts one attempt for the username; throws LoginLockedException when the account is
   * locked or this attempt exceeds the budget. Returns the key to settle the attempt with.
   */
  async begin(username: string, ip?: string): Promise<string> {
    const key = this.keyFor(username);
    const now = new Date();
    this.purgeOccasionally(now);

    await this.attempts
      .createQueryBuilder()
      .insert()
      .into(LoginAttempt)
      .values({ usernameHash: key, failures: 0, lastAttemptAt: now, lockedUntil: null })
      .orIgnore()
      .execute();
    // A lock that expired, or a count that went quiet for a whole lockout period, starts over.
    await this.attempts
      .createQueryBuilder()
      .update(LoginAttempt)
      .set({ failures: 0, lockedUntil: null })
      .where('username_hash = :key', { key })
      .andWhere(
        '((locked_until IS NOT NULL AND locked_until <= :now) OR (locked_until IS NULL AND last_attempt_at <= :staleBefore))',
        { now, staleBefore: this.staleBefore(now) },
      )
      .execute();
    await this.attempts
      .createQueryBuilder()
      .update(LoginAttempt)
      .set({ failures: () => 'failures + 1', lastAttemptAt: now })
      .where('username_hash = :key AND locked_until IS NULL', { key })
      .execute();

    const row = await this.attempts.findOneBy({ usernameHash: key });
    if (row?.lockedUntil && row.lockedUntil.getTime() > now.getTime()) {
      throw new LoginLockedException(secondsUntil(row.lockedUntil, now));
    }
    if (row && row.failures > this.config.loginMaxFailures) {
      // More attempts in flight than the budget allows: this one is refused unchecked.
      await this.tryLock(key, username, ip, now);
      const locked = await this.attempts.findOneBy({ usernameHash: key });
      throw new LoginLockedException(secondsUntil(locked?.lockedUntil ?? this.lockEnd(now), now));
    }
    return key;
  }

  /** The password was right: the failures were not consecutive after all. */
  async succeeded(key: string): Promise<void> {
    await this.attempts
      .createQueryBuilder()
      .delete()
      .from(LoginAttempt)
      .where('username_hash = :key AND locked_until IS NULL', { key })
      .execute();
  }

  /** Lifts a lock and forgets the failures, e.g. once a reset link proved who owns the account. */
  async clear(username: string): Promise<void> {
    await this.attempts.delete({ usernameHash: this.keyFor(username) });
  }

  /** The password was wrong: the attempt stays counted, and the budget's last one locks the account. */
  async failed(key: string, username: string, ip?: string): Promise<void> {
    await this.tryLock(key, username, ip, new Date());
  }

  /** Locks once the budget is spent; only the request whose update sets the lock writes the audit event. */
  private async tryLock(key: string, username: string, ip: string | undefined, now: Date): Promise<void> {
    const until = this.lockEnd(now);
    const result = await this.attempts
      .createQueryBuilder()
      .update(LoginAttempt)
      .set({ lockedUntil: until })
      .where('username_hash = :key AND locked_until IS NULL AND failures >= :max', {
        key,
        max: this.config.loginMaxFailures,
      })
      .execute();
    if (result.affected === 1) {
      await this.events.emit('login.locked', { username, until, ip });
    }
  }

  private purgeOccasionally(now: Date): void {
    if (now.getTime() - this.lastPurge < PURGE_INTERVAL_MS) return;
    this.lastPurge = now.getTime();
    this.attempts
      .createQueryBuilder()
      .delete()
      .from(LoginAttempt)
      .where('last_attempt_at < :staleBefore AND (locked_until IS NULL OR locked_until < :now)', {
        staleBefore: this.staleBefore(now),
        now,
      })
      .execute()
      .catch((error: Error) => this.logger.warn(`Login attempt purge failed: ${error.message}`));
  }

  private lockEnd(now: Date): Date {
    return new Date(now.getTime() + this.config.loginLockoutSeconds * 1000);
  }

  private staleBefore(now: Date): Date {
    return new Date(now.getTime() - this.config.loginLockoutSeconds * 1000);
  }
}

function secondsUntil(until: Date, now: Date): number {
  return Math.max(1, Math.ceil((until.getTime() - now.getTime()) / 1000));
}
