import { Injectable, Logger } from '@nestjs/common';
import { Interval } from '@nestjs/schedule';
import { InjectRepository } from '@nestjs/typeorm';
import { createHash } from 'node:crypto';
import { Repository } from 'typeorm';
import { isDeadlock } from '../common/database-errors.js';
import { AbuseCounter } from './abuse-counter.entity.js';

export interface CounterPolicy {
  /** Names the counter; two policies never share a row. */
  scope: string;
  /** Hits allowed per window; the next one blocks the key. */
  limit: number;
  windowMs: number;
  /** How long a key that went over its limit is refused. */
  blockMs: number;
}

export interface CounterState {
  hits: number;
  blocked: boolean;
  /** True only for the one hit (on any instance) that set the block: e.g. to audit a lock once. */
  newlyBlocked: boolean;
  blockedUntil: Date | null;
  /** Seconds until the block ends (blocked) or the window ends (not blocked); at least 1. */
  retryAfterSeconds: number;
}

/** How often expired rows and cached blocks are swept. */
const PURGE_INTERVAL_MS = 60_000;

/**
 * A fixed-window counter in the database, so every instance counts against one limit.
 * Each write is one conditional statement, so concurrent hits on several instances never
 * lose a count. A key over its limit is remembered here until its block ends: later hits
 * are refused after one primary-key read and no write, so a flood of refused requests does
 * not write to the database. The read (rather than trusting the cache) lets a block lifted
 * elsewhere, or aged by an operator, open at once on every instance.
 */
@Injectable()
export class FixedWindowCounter {
  private readonly logger = new Logger(FixedWindowCounter.name);
  private readonly blocks = new Map<string, number>();

  constructor(@InjectRepository(AbuseCounter) private readonly counters: Repository<AbuseCounter>) {}

  async hit(policy: CounterPolicy, key: string): Promise<CounterState> {
    const keyHash = hashKey(policy.scope, key);
    const now = new Date();
    if ((this.blocks.get(keyHash) ?? 0) > now.getTime()) {
      const row = await this.counters.findOneBy({ keyHash });
      if (row && isBlocked(row, now)) return stateOf(row, now, false);
      this.blocks.delete(keyHash);
    }

    // The row may be deleted between the steps: by a purge, by a successful login's reset()
    // or a password reset's clear() (concurrent logins of one account do this all the time).
    // Each of those forgets the key's hits, so the hit is counted again on a fresh row, and
    // if that vanishes too it is the first hit of a new count: never a 503 for a lost race.
    // On MySQL the insert and a concurrent delete of one key can also deadlock; the victim
    // statement is rolled back alone, and the hit is counted again in the same way.
    const countOnce = () => this.count(policy, keyHash, now).catch((error: unknown) => (isDeadlock(error) ? null : Promise.reject(error)));
    let row = (await countOnce()) ?? (await countOnce());
    if (!row) return firstHit(policy, now);
    let newlyBlocked = false;
    if (!isBlocked(row, now) && row.hits > policy.limit) {
      const blockedUntil = new Date(now.getTime() + policy.blockMs);
      const result = await this.counters
        .createQueryBuilder()
        .update(AbuseCounter)
        .set({ blockedUntil })
        .where('key_hash = :keyHash AND (blocked_until IS NULL OR blocked_until <= :now)', { keyHash, now })
        .execute();
      newlyBlocked = result.affected === 1;
      row = newlyBlocked ? { ...row, blockedUntil } : ((await this.counters.findOneBy({ keyHash })) ?? { ...row, blockedUntil });
    }
    if (isBlocked(row, now)) this.blocks.set(keyHash, row.blockedUntil!.getTime());
    return stateOf(row, now, newlyBlocked);
  }

  /** Forgets the key's hits (a login that succeeded); a block that is in force stays. */
  async reset(policy: CounterPolicy, key: string): Promise<void> {
    // A deadlock victim (a concurrent hit's insert on MySQL) is rolled back alone: delete again.
    await this.deleteHits(policy, key).catch((error: unknown) => (isDeadlock(error) ? this.deleteHits(policy, key) : Promise.reject(error)));
  }

  /** Takes back one hit of the key (an attempt that turned out not to count); one conditional UPDATE. */
  async refund(policy: CounterPolicy, key: string): Promise<void> {
    await this.counters
      .createQueryBuilder()
      .update(AbuseCounter)
      .set({ hits: () => 'hits - 1' })
      .where('key_hash = :keyHash AND hits > 0', { keyHash: hashKey(policy.scope, key) })
      .execute();
  }

  private async deleteHits(policy: CounterPolicy, key: string): Promise<void> {
    await this.counters
      .createQueryBuilder()
      .delete()
      .from(AbuseCounter)
      .where('key_hash = :keyHash AND (blocked_until IS NULL OR blocked_until <= :now)', {
        keyHash: hashKey(policy.scope, key),
        now: new Date(),
      })
      .execute();
  }

  /**
   * Forgets the key altogether, block included (a password reset lifts a lockout). Other
   * instances re-read the row before trusting a cached block, so it opens everywhere at once.
   */
  async clear(policy: CounterPolicy, key: string): Promise<void> {
    const keyHash = hashKey(policy.scope, key);
    this.blocks.delete(keyHash);
    await this.counters.delete({ keyHash });
  }

  /** Counts one hit in the key's current window; null when the row vanished under a purge. */
  private async count(policy: CounterPolicy, keyHash: string, now: Date): Promise<AbuseCounter | null> {
    const windowEndsAt = new Date(now.getTime() + policy.windowMs);
    await this.counters
      .createQueryBuilder()
      .insert()
      .into(AbuseCounter)
      .values({ keyHash, scope: policy.scope, hits: 0, windowEndsAt, blockedUntil: null })
      .orIgnore()
      .execute();
    // Only an ended window whose block is over matches, so of several concurrent hits one restarts it.
    await this.counters
      .createQueryBuilder()
      .update(AbuseCounter)
      .set({ hits: 0, windowEndsAt, blockedUntil: null })
      .where('key_hash = :keyHash AND window_ends_at <= :now AND (blocked_until IS NULL OR blocked_until <= :now)', {
        keyHash,
        now,
      })
      .execute();
    await this.counters
      .createQueryBuilder()
      .update(AbuseCounter)
      .set({ hits: () => 'hits + 1' })
      .where('key_hash = :keyHash', { keyHash })
      .execute();
    return this.counters.findOneBy({ keyHash });
  }

  /** Drops ended windows and blocks; every instance runs it, and a second delete finds nothing. */
  @Interval('abuse-counter-purge', PURGE_INTERVAL_MS)
  async purgeExpired(): Promise<void> {
    const now = new Date();
    for (const [keyHash, until] of this.blocks) if (until <= now.getTime()) this.blocks.delete(keyHash);
    try {
      await this.counters
        .createQueryBuilder()
        .delete()
        .from(AbuseCounter)
        .where('window_ends_at < :now AND (blocked_until IS NULL OR blocked_until < :now)', { now })
        .execute();
    } catch (error) {
      this.logger.warn(`Abuse counter purge failed: ${(error as Error).message}`);
    }
  }
}

function hashKey(scope: string, key: string): string {
  return createHash('sha256').update(`${scope}:${key}`).digest('hex');
}

function isBlocked(row: AbuseCounter, now: Date): boolean {
  return row.blockedUntil !== null && row.blockedUntil.getTime() > now.getTime();
}

function stateOf(row: AbuseCounter, now: Date, newlyBlocked: boolean): CounterState {
  const blocked = isBlocked(row, now);
  return {
    hits: row.hits,
    blocked,
    newlyBlocked,
    blockedUntil: blocked ? row.blockedUntil : null,
    retryAfterSeconds: secondsUntil(blocked ? row.blockedUntil! : row.windowEndsAt, now),
  };
}

/** The state of a key whose count starts with this hit. */
function firstHit(policy: CounterPolicy, now: Date): CounterState {
  return { hits: 1, blocked: false, newlyBlocked: false, blockedUntil: null, retryAfterSeconds: secondsUntil(new Date(now.getTime() + policy.windowMs), now) };
}

function secondsUntil(until: Date, now: Date): number {
  return Math.max(1, Math.ceil((until.getTime() - now.getTime()) / 1000));
}
