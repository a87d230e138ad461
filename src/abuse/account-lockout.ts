import { Injectable } from '@nestjs/common';
import { DomainEventBus } from '../common/events/domain-events.js';
import { TooManyRequestsException } from '../common/too-many-requests.exception.js';
import { isValidUsername, normalizeUsername } from '../common/username.js';
import { AbuseConfig } from '../config/abuse.config.js';
import { type CounterPolicy, FixedWindowCounter } from './fixed-window-counter.js';

export const ACCOUNT_LOCKED_MESSAGE = 'Too many failed login attempts; try again later';

/**
 * The lockout key of an account: its normalized username. Every spelling that can reach the
 * account (any letter case) maps here, and so must any other way of naming it (an email
 * address, once login by email exists: look the account up, then use this).
 */
export function accountLockoutKey(usernameNormalized: string): string {
  return `account:${usernameNormalized}`;
}

/**
 * The lockout key for what was typed at login. A valid username keys its account (existing
 * or not, so a lock never reveals whether it exists); any other string reaches no account
 * and is counted on its own, so it can neither unlock nor bypass a real account's counter.
 */
export function loginLockoutKey(typed: string): string {
  return isValidUsername(typed) ? accountLockoutKey(normalizeUsername(typed)) : `unusable:${typed}`;
}

/** Who is attempting, for the `login.locked` event. */
export interface AttemptContext {
  username: string;
  ip?: string;
}

/**
 * Per-account lockout for every password (or, later, second-factor) check. An attempt is
 * counted before its check runs and forgotten when it succeeds, so a burst of parallel
 * guesses gets at most LOGIN_MAX_FAILURES checks, not one per request; the attempt after
 * the budget locks the account for LOGIN_LOCKOUT.
 */
@Injectable()
export class AccountLockout {
  constructor(
    private readonly counter: FixedWindowCounter,
    private readonly events: DomainEventBus,
    private readonly config: AbuseConfig,
  ) {}

  /** Counts one attempt; throws a 429 (with Retry-After) when the account is locked. */
  async begin(key: string, context: AttemptContext): Promise<void> {
    const state = await this.counter.hit(this.policy(), key);
    if (!state.blocked) return;
    if (state.newlyBlocked) {
      await this.events.emit('login.locked', {
        username: context.username,
        until: state.blockedUntil!,
        ip: context.ip,
      });
    }
    await this.events.emit('login.refused', { ip: context.ip });
    throw new TooManyRequestsException(ACCOUNT_LOCKED_MESSAGE, state.retryAfterSeconds);
  }

  /** The check passed: the earlier failures were not consecutive after all. */
  succeeded(key: string): Promise<void> {
    return this.counter.reset(this.policy(), key);
  }

  /**
   * The check passed, but the account's login goes on to a second factor: this attempt is not
   * a failure, and the earlier ones still count, since wrong codes count under the same key
   * and forgetting them here would give whoever knows the password new guesses with every login.
   */
  passedFirstOfTwo(key: string): Promise<void> {
    return this.counter.refund(this.policy(), key);
  }

  /** A password reset lifts the account's lock: its owner proved who they are another way. */
  lift(key: string): Promise<void> {
    return this.counter.clear(this.policy(), key);
  }

  private policy(): CounterPolicy {
    const lockoutMs = this.config.loginLockoutSeconds * 1000;
    return { scope: 'lockout', limit: this.config.loginMaxFailures, windowMs: lockoutMs, blockMs: lockoutMs };
  }
}
