import { Injectable, Logger, ServiceUnavailableException } from '@nestjs/common';
// Type-only: @nestjs/throttler is CommonJS requiring the ESM-only @nestjs/common, which
// Jest cannot load on Node 20, so only its storage contract is used. Keeping to that
// contract leaves the storage usable with ThrottlerModule (or swappable for Redis).
import type { ThrottlerStorage } from '@nestjs/throttler';
import { InjectRepository } from '@nestjs/typeorm';
import { createHash } from 'node:crypto';
import { Repository } from 'typeorm';
import { ThrottleWindow } from './throttle-window.entity.js';

type ThrottlerStorageRecord = Awaited<ReturnType<ThrottlerStorage['increment']>>;

/** How often expired windows are swept, at most; the sweep piggybacks on throttled traffic. */
const PURGE_INTERVAL_MS = 60_000;

/**
 * Rate-limit storage in the database, so every instance counts against one limit.
 * A fixed window per key: each step is one statement whose outcome does not depend on
 * reading first, so concurrent requests on several instances never lose a hit.
 */
@Injectable()
export class DatabaseThrottlerStorage implements ThrottlerStorage {
  private readonly logger = new Logger(DatabaseThrottlerStorage.name);
  private lastPurge = 0;

  constructor(@InjectRepository(ThrottleWindow) private readonly windows: Repository<ThrottleWindow>) {}

  /** `ttl` and `blockDuration` are milliseconds; the record's times are seconds, as the guard expects. */
  async increment(
    key: string,
    ttl: number,
    limit: number,
    blockDuration: number,
    throttlerName: string,
  ): Promise<ThrottlerStorageRecord> {
    const keyHash = createHash('sha256').update(`${throttlerName}:${key}`).digest('hex');
    const now = new Date();
    this.purgeOccasionally(now);

    // A purge (this instance's or another's) may delete an expired window between the steps;
    // the hit is then counted again on a fresh row rather than failing the request.
    let row = (await this.hit(keyHash, now, ttl)) ?? (await this.hit(keyHash, now, ttl));
    if (!row) throw new ServiceUnavailableException('Rate limit storage is busy, try again shortly');
    const blocked = row.blockedUntil !== null && row.blockedUntil.getTime() > now.getTime();
    if (!blocked && row.hits > limit) {
      await this.windows
        .createQueryBuilder()
        .update(ThrottleWindow)
        .set({ blockedUntil: new Date(now.getTime() + blockDuration) })
        .where('key_hash = :keyHash AND (blocked_until IS NULL OR blocked_until <= :now)', { keyHash, now })
        .execute();
      row = (await this.windows.findOneBy({ keyHash })) ?? row;
    }
    const isBlocked = row.blockedUntil !== null && row.blockedUntil.getTime() > now.getTime();
    return {
      totalHits: row.hits,
      timeToExpire: secondsUntil(row.windowEndsAt, now),
      isBlocked,
      timeToBlockExpire: isBlocked ? secondsUntil(row.blockedUntil!, now) : 0,
    };
  }

  /** Counts one hit in the key's current window; null when the row vanished under a purge. */
  private async hit(keyHash: string, now: Date, ttl: number): Promise<ThrottleWindow | null> {
    await this.windows
      .createQueryBuilder()
      .insert()
      .into(ThrottleWindow)
      .values({ keyHash, hits: 0, windowEndsAt: new Date(now.getTime() + ttl), blockedUntil: null })
      .orIgnore()
      .execute();
    // Only an expired window matches, so of several concurrent requests one restarts it.
    await this.windows
      .createQueryBuilder()
      .update(ThrottleWindow)
      .set({ hits: 0, windowEndsAt: new Date(now.getTime() + ttl) })
      .where('key_hash = :keyHash AND window_ends_at <= :now', { keyHash, now })
      .execute();
    await this.windows
      .createQueryBuilder()
      .update(ThrottleWindow)
      .set({ hits: () => 'hits + 1' })
      .where('key_hash = :keyHash', { keyHash })
      .execute();

    return this.windows.findOneBy({ keyHash });
  }

  private purgeOccasionally(now: Date): void {
    if (now.getTime() - this.lastPurge < PURGE_INTERVAL_MS) return;
    this.lastPurge = now.getTime();
    this.windows
      .createQueryBuilder()
      .delete()
      .from(ThrottleWindow)
      .where('window_ends_at < :now AND (blocked_until IS NULL OR blocked_until < :now)', { now })
      .execute()
      .catch((error: Error) => this.logger.warn(`Throttle window purge failed: ${error.message}`));
  }
}

function secondsUntil(until: Date, now: Date): number {
  return Math.max(1, Math.ceil((until.getTime() - now.getTime()) / 1000));
}
