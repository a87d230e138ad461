import { Injectable } from '@nestjs/common';
import type { AuthMethod } from '../../common/auth-method.js';
import { DomainEventBus } from '../../common/events/domain-events.js';
import type { SessionTransport } from '../../sessions/session.entity.js';
import { SessionsService } from '../../sessions/sessions.service.js';
import type { User } from '../../users/user.entity.js';
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

/** A login whose first factor passed but which still needs a second one. */
export interface SecondFactorChallenge {
  userId: string;
  /** The factors already passed; the second step adds its own and decides again. */
  amr: AuthMethod[];
  methods: SecondFactorMethod[];
}

export type LoginOutcome =
  | { outcome: 'complete'; tokens: IssuedTokens }
  | { outcome: 'second-factor-required'; challenge: SecondFactorChallenge };

/** Factors that count as the second step (a passkey is complete on its own). */
const SECOND_FACTORS: readonly AuthMethod[] = ['otp', 'recovery', 'webauthn'];

/**
 * The one place every login ends, whatever its first factor (password today; passkey, OpenID
 * Connect and the second step later): either the login is complete, and only then a session
 * and a fresh token exist, or it needs a second factor first.
 */
@Injectable()
export class LoginService {
  constructor(
    private readonly users: UsersService,
    private readonly sessions: SessionsService,
    private readonly tokens: TokensService,
    private readonly events: DomainEventBus,
  ) {}

  /** `amr`: the factors this login has passed so far, e.g. ['pwd']. */
  async decide(user: User, amr: AuthMethod[], client: ClientInfo): Promise<LoginOutcome> {
    const methods = await this.secondFactorsOf(user);
    if (methods.length > 0 && !amr.some((method) => SECOND_FACTORS.includes(method))) {
      return { outcome: 'second-factor-required', challenge: { userId: user.id, amr, methods } };
    }
    return { outcome: 'complete', tokens: await this.complete(user, amr, client) };
  }

  /** The second factors the account has set up; no account can have one yet. */
  private secondFactorsOf(_user: User): Promise<SecondFactorMethod[]> {
    return Promise.resolve([]);
  }

  /** A completed interactive login is the only source of a fresh access token. */
  private async complete(user: User, amr: AuthMethod[], client: ClientInfo): Promise<IssuedTokens> {
    const session = await this.sessions.create(user.id, client.userAgent, client.ip, amr, client.transport ?? 'bearer');
    await this.users.recordLogin(user.id, session.createdAt);
    await this.events.emit('login.succeeded', { userId: user.id, sessionId: session.id, ip: client.ip });
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
