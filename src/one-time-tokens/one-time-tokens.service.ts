import { Injectable, Logger, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { createHash, randomBytes } from 'node:crypto';
import { Repository } from 'typeorm';
import { OneTimeToken } from './one-time-token.entity.js';

/** 256 random bits: far past guessing, and short enough for a link. */
const TOKEN_BYTES = 32;
/** Anything longer is not one of ours; refuse it without hashing or a query. */
const MAX_TOKEN_LENGTH = 128;
const PURGE_INTERVAL_MS = 60 * 60 * 1000;

export interface IssuedOneTimeToken {
  /** base64url; give it to its holder once, it cannot be read back. */
  token: string;
  expiresAt: Date;
}

export interface ConsumedOneTimeToken<T> {
  subject: string | null;
  data: T | null;
}

const hashOf = (token: string) => createHash('sha256').update(token).digest('hex');

/**
 * Single-use secrets (reset and verification links, mfa tokens, passkey challenges, OIDC
 * state) share one pattern: random, stored hashed with a purpose and an expiry, used once.
 */
@Injectable()
export class OneTimeTokensService implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(OneTimeTokensService.name);
  private timer?: NodeJS.Timeout;

  constructor(@InjectRepository(OneTimeToken) private readonly tokens: Repository<OneTimeToken>) {}

  /** `subject`: the user it is for, or null (e.g. OIDC state before anyone is known). */
  async issue(purpose: string, subject: string | null, ttlSeconds: number, data?: Record<string, unknown>): Promise<IssuedOneTimeToken> {
    const token = randomBytes(TOKEN_BYTES).toString('base64url');
    const createdAt = new Date();
    const expiresAt = new Date(createdAt.getTime() + ttlSeconds * 1000);
    await this.tokens.insert({ tokenHash: hashOf(token), purpose, subject, data: data === undefined ? null : JSON.stringify(data), createdAt, expiresAt, usedAt: null, attempts: 0 });
    return { token, expiresAt };
  }

  /**
   * Uses the token up, if it is unused, unexpired and of this purpose. One conditional
   * UPDATE decides, so of two concurrent uses exactly one gets the token's subject and data.
   */
  async consume<T extends Record<string, unknown> = Record<string, unknown>>(purpose: string, token: string): Promise<ConsumedOneTimeToken<T> | undefined> {
    if (typeof token !== 'string' || token.length === 0 || token.length > MAX_TOKEN_LENGTH) return undefined;
    const tokenHash = hashOf(token);
    const now = new Date();
    const result = await this.tokens
      .createQueryBuilder()
      .update(OneTimeToken)
      .set({ usedAt: now })
      .where('token_hash = :tokenHash AND purpose = :purpose AND used_at IS NULL AND expires_at > :now', { tokenHash, purpose, now })
      .execute();
    if (result.affected !== 1) return undefined;
    const row = await this.tokens.findOneBy({ tokenHash });
    // Gone between the two statements: its user was deleted in that instant.
    if (!row) return undefined;
    return { subject: row.subject, data: row.data === null ? null : (JSON.parse(row.data) as T) };
  }

  /**
   * Spends one of the token's `maxAttempts` checks without using it up, for a token that
   * guards a guess (an mfa token and its codes). The attempt is counted before the check
   * runs, by one conditional UPDATE, so even parallel requests get at most `maxAttempts`
   * checks; after that the token answers nothing. A check that passes then `consume`s it.
   */
  async attempt<T extends Record<string, unknown> = Record<string, unknown>>(
    purpose: string,
    token: string,
    maxAttempts: number,
  ): Promise<ConsumedOneTimeToken<T> | undefined> {
    if (typeof token !== 'string' || token.length === 0 || token.length > MAX_TOKEN_LENGTH) return undefined;
    const tokenHash = hashOf(token);
    const result = await this.tokens
      .createQueryBuilder()
      .update(OneTimeToken)
      .set({ attempts: () => 'attempts + 1' })
      .where('token_hash = :tokenHash AND purpose = :purpose AND used_at IS NULL AND expires_at > :now AND attempts < :maxAttempts', {
        tokenHash,
        purpose,
        now: new Date(),
        maxAttempts,
      })
      .execute();
    if (result.affected !== 1) return undefined;
    const row = await this.tokens.findOneBy({ tokenHash });
    if (!row) return undefined;
    return { subject: row.subject, data: row.data === null ? null : (JSON.parse(row.data) as T) };
  }

  /**
   * The subject of a token that `consume` would accept now, without using it up: a caller
   * can refuse the rest of a request (e.g. a password the policy rejects) and leave the
   * link usable. Only `consume` decides who wins.
   */
  async peek(purpose: string, token: string): Promise<ConsumedOneTimeToken<Record<string, unknown>> | undefined> {
    if (typeof token !== 'string' || token.length === 0 || token.length > MAX_TOKEN_LENGTH) return undefined;
    const row = await this.tokens
      .createQueryBuilder('t')
      .where('t.token_hash = :tokenHash AND t.purpose = :purpose AND t.used_at IS NULL AND t.expires_at > :now', {
        tokenHash: hashOf(token),
        purpose,
        now: new Date(),
      })
      .getOne();
    if (!row) return undefined;
    return { subject: row.subject, data: row.data === null ? null : (JSON.parse(row.data) as Record<string, unknown>) };
  }

  /** Voids every token of this purpose for the subject, e.g. so a newer link voids older ones. */
  async voidAll(purpose: string, subject: string): Promise<void> {
    await this.tokens.delete({ purpose, subject });
  }

  /** Deletes expired rows, used or not: nothing can be done with them any more. */
  async purgeExpired(): Promise<number> {
    const result = await this.tokens
      .createQueryBuilder()
      .delete()
      .from(OneTimeToken)
      .where('expires_at < :now', { now: new Date() })
      .execute();
    return result.affected ?? 0;
  }

  onApplicationBootstrap(): void {
    this.timer = setInterval(() => void this.purge(), PURGE_INTERVAL_MS);
    // The purge must never keep the process (or a test run) alive.
    this.timer.unref();
  }

  onApplicationShutdown(): void {
    clearInterval(this.timer);
  }

  private async purge(): Promise<void> {
    try {
      const removed = await this.purgeExpired();
      if (removed > 0) this.logger.log(`Purged ${removed} expired one-time token(s)`);
    } catch (error) {
      this.logger.warn(`One-time token purge failed: ${(error as Error).message}`);
    }
  }
}
