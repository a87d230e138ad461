import { ForbiddenException, Injectable } from '@nestjs/common';
import type { AuthMethod } from '../../common/auth-method.js';
import { DomainEventBus } from '../../common/events/domain-events.js';
import { AccountsConfig } from '../../config/accounts.config.js';
import { OneTimeTokensService } from '../../one-time-tokens/one-time-tokens.service.js';
import type { SessionTransport } from '../../sessions/session.entity.js';
import { SessionsService } from '../../sessions/sessions.service.js';
import { type User, UserStatus } from '../../users/user.entity.js';
import { UsersService } from '../../users/users.service.js';
import { type IssuedTokens, TokensService } from '../tokens/tokens.service.js';

export interface ClientInfo {
  ip?: string;
  userAgent?: string;
  /** Asked for at login (X-Token-Transport); a refresh keeps the session's own. */
  transport?: SessionTransport;
}

/** What a second step may accept (API.md's `methods`). */
export type SecondFactorMethod = 'totp' | 'recovery';

/** The one-time token purpose of the login's second step (API.md's `mfaToken`). */
export const MFA_TOKEN_PURPOSE = 'mfa-login';
/** API.md: the mfaToken lives 5 minutes ... */
export const MFA_TOKEN_TTL_SECONDS = 5 * 60;
/** ... and dies after 5 wrong codes. */
export const MFA_TOKEN_MAX_ATTEMPTS = 5;

/** What an mfa token remembers of its login attempt. */
export interface MfaTokenData extends Record<string, unknown> {
  amr: AuthMethod[];
}

/** A login whose first factor passed but which still needs a second one. */
export interface SecondFactorChallenge {
  userId: string;
  /** The factors already passed; the second step adds its own and decides again. */
  amr: AuthMethod[];
  methods: SecondFactorMethod[];
  /** Single-use, bound to this user and this attempt; the second step presents it. */
  mfaToken: string;
  expiresIn: number;
}

export type LoginOutcome =
  | { outcome: 'complete'; tokens: IssuedTokens }
  | { outcome: 'second-factor-required'; challenge: SecondFactorChallenge };

/**
 * The one place every login ends, whatever its first factor (password, passkey, OpenID
 * Connect, and the two-factor second step): either the login is complete, and
 * only then a session and a fresh token exist, or it needs a second factor first, and the
 * challenge carries the mfaToken its second step presents. A passkey login and the second
 * step are complete on their own (completeMultiFactor).
 */
@Injectable()
export class LoginService {
  constructor(
    private readonly users: UsersService,
    private readonly sessions: SessionsService,
    private readonly tokens: TokensService,
    private readonly events: DomainEventBus,
    private readonly oneTimeTokens: OneTimeTokensService,
    private readonly accounts: AccountsConfig,
  ) {}

  /**
   * 403 for an account that may not log in yet, whatever the method (every login passes
   * decide or completeMultiFactor): pending approval, disabled, or with an unverified address
   * while REQUIRE_EMAIL_VERIFICATION is on. Callers come here only after the first factor
   * passed, so only its holder learns the account's state. Accounts without an address (made
   * by the CLI or ADMIN_USERNAME) are not held back.
   */
  private refuseHeldBack(user: Pick<User, 'status' | 'email' | 'emailVerified'>): void {
    if (user.status === UserStatus.Pending) throw new ForbiddenException('Account pending approval by an administrator');
    if (user.status === UserStatus.Disabled) throw new ForbiddenException('Account disabled');
    if (this.accounts.requireEmailVerification && user.email && !user.emailVerified) {
      throw new ForbiddenException('Email address not verified: follow the link mailed to you, or ask for a new one');
    }
  }

  /** A first-factor login (`amr` ['pwd'] or ['oidc']): complete, or a second factor first when the account has one. */
  async decide(user: User, amr: AuthMethod[], client: ClientInfo): Promise<LoginOutcome> {
    this.refuseHeldBack(user);
    const methods = await this.secondFactorsOf(user);
    if (methods.length > 0) {
      const data: MfaTokenData = { amr };
      const { token } = await this.oneTimeTokens.issue(MFA_TOKEN_PURPOSE, user.id, MFA_TOKEN_TTL_SECONDS, data);
      return {
        outcome: 'second-factor-required',
        challenge: { userId: user.id, amr, methods, mfaToken: token, expiresIn: MFA_TOKEN_TTL_SECONDS },
      };
    }
    return { outcome: 'complete', tokens: await this.complete(user, amr, client) };
  }

  /** A login that has passed a second factor, or is multi-factor on its own (a user-verified passkey): no further step. */
  async completeMultiFactor(user: User, amr: AuthMethod[], client: ClientInfo): Promise<IssuedTokens> {
    this.refuseHeldBack(user);
    return this.complete(user, amr, client);
  }

  /** The second factors the account has set up: a confirmed app comes with recovery codes. */
  private secondFactorsOf(user: User): Promise<SecondFactorMethod[]> {
    return Promise.resolve(user.mfaEnabled ? ['totp', 'recovery'] : []);
  }

  /** A completed interactive login is the only source of a fresh access token. */
  private async complete(user: User, amr: AuthMethod[], client: ClientInfo): Promise<IssuedTokens> {
    const session = await this.sessions.create(user.id, client.userAgent, client.ip, amr, client.transport ?? 'bearer');
    await this.users.recordLogin(user.id, session.createdAt);
    await this.events.emit('login.succeeded', { userId: user.id, sessionId: session.id, amr, ip: client.ip });
    return this.tokens.issuePair({
      userId: user.id,
      sessionId: session.id,
      refreshJti: session.refreshJti,
      role: user.role,
      fresh: true,
      amr,
      transport: session.transport,
      refreshExpiresAt: session.expiresAt,
    });
  }
}
