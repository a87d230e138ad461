import { BadRequestException, Injectable, NotFoundException, UnauthorizedException } from '@nestjs/common';
import { loginLockoutKey, AccountLockout } from '../abuse/account-lockout.js';
import type { AuthUser } from '../common/auth-user.js';
import { DomainEventBus } from '../common/events/domain-events.js';
import { AccountsConfig } from '../config/accounts.config.js';
import { PasswordService } from '../passwords/password.service.js';
import { SessionsService } from '../sessions/sessions.service.js';
import { UserResponseDto } from '../users/dto/user-response.dto.js';
import { type User, UserStatus } from '../users/user.entity.js';
import { UsersService } from '../users/users.service.js';
import type { RegisterDto } from './dto/register.dto.js';
import { SessionResponseDto } from './dto/session-response.dto.js';
import { EmailVerificationService } from './email/email-verification.service.js';
import { type ClientInfo, type LoginOutcome, LoginService } from './login/login.service.js';
import type { RefreshClaims } from './token-claims.js';
import { type IssuedTokens, TokensService } from './tokens/tokens.service.js';

export const INVALID_CREDENTIALS = 'Invalid username or password';

export type { ClientInfo } from './login/login.service.js';
export type { IssuedTokens } from './tokens/tokens.service.js';


@Injectable()
export class AuthService {
  constructor(
    private readonly users: UsersService,
    private readonly sessions: SessionsService,
    private readonly passwords: PasswordService,
    private readonly tokens: TokensService,
    private readonly events: DomainEventBus,
    private readonly lockout: AccountLockout,
    private readonly logins: LoginService,
    private readonly accounts: AccountsConfig,
    private readonly emailVerification: EmailVerificationService,
  ) {}

  async register(dto: RegisterDto): Promise<UserResponseDto> {
    if (this.accounts.requireEmailVerification && !dto.email) {
      throw new BadRequestException(['email is required: this service verifies every account by mail']);
    }
    const user = await this.users.create({
      username: dto.username,
      password: dto.password,
      name: dto.name,
      email: dto.email,
      status: this.accounts.requireApproval ? UserStatus.Pending : UserStatus.Active,
    });
    await this.events.emit('user.registered', { userId: user.id, username: user.username });
    await this.emailVerification.sendLink(user, false);
    return UserResponseDto.from(user);
  }

  /**
   * Unknown user and wrong password answer alike and cost the same argon2 work; the
   * account's status is revealed only to someone who knows its password.
   */
  async verifyCredentials(username: string, password: string, ip?: string): Promise<User> {
    // `username` may be the account's email address (a username never contains '@'). The
    // lockout then counts under the account's username, so typing the name or the address
    // spends one budget; an address that names no account is counted under itself.
    const byEmail = username.includes('@') ? await this.users.findByEmail(username) : undefined;
    // A locked attempt is refused before any argon2 work: lockout is tracked for every
    // username, existing or not, so neither its answer nor its speed reveals an account.
    // Every spelling that can reach an account shares its counter; others reach no account.
    const lockoutKey = loginLockoutKey(byEmail?.username ?? username);
    await this.lockout.begin(lockoutKey, { username, ip });
    const user = byEmail === undefined ? await this.users.findByUsername(username) : byEmail;
    // A passwordless account (made by an OIDC login) answers exactly like a wrong password, at the same cost.
    const valid = user?.passwordHash ? await this.passwords.verify(user.passwordHash, password) : await this.passwords.verifyDummy(password);
    if (!user || !valid) {
      await this.events.emit('login.failed', { userId: user?.id ?? null, username, ip });
      throw new UnauthorizedException(INVALID_CREDENTIALS);
    }
    // With two-factor login on, only the second step's success clears the count.
    await (user.mfaEnabled ? this.lockout.passedFirstOfTwo(lockoutKey) : this.lockout.succeeded(lockoutKey));
    if (user.passwordHash && this.passwords.needsRehash(user.passwordHash)) {
      await this.users.setPasswordHash(user.id, await this.passwords.hash(password));
    }
    return user;
  }

  /** A password login, after verifyCredentials passed: the login decision takes it from here. */
  login(user: User, client: ClientInfo): Promise<LoginOutcome> {
    return this.logins.decide(user, ['pwd'], client);
  }

  /** Refreshed tokens keep the session's amr and are never fresh: freshness belongs to the login. A bearer session may move to cookie mode here. */
  async refresh(claims: RefreshClaims, client: ClientInfo): Promise<IssuedTokens> {
    const rotation = await this.sessions.rotate(claims.sid, claims.jti, client.transport);
    if (rotation.outcome === 'reused') {
      await this.events.emit('refresh.reused', { userId: rotation.userId, sessionId: claims.sid, ip: client.ip });
      throw new UnauthorizedException('Refresh token already used; the session has been revoked');
    }
    if (rotation.outcome === 'invalid' || rotation.userId !== claims.sub) {
      await this.events.emit('refresh.invalid', { sessionId: claims.sid });
      throw new UnauthorizedException('Session expired or revoked');
    }
    const user = await this.users.findById(rotation.userId);
    if (!user || user.status !== UserStatus.Active) {
      await this.sessions.revoke(claims.sid);
      await this.events.emit('refresh.invalid', { sessionId: claims.sid });
      throw new UnauthorizedException('Session expired or revoked');
    }
    await this.events.emit('refresh.rotated', { userId: user.id, sessionId: claims.sid });
    return this.tokens.issuePair({
      userId: user.id,
      sessionId: claims.sid,
      refreshJti: rotation.refreshJti,
      role: user.role,
      fresh: false,
      amr: rotation.amr,
      transport: rotation.transport,
      refreshExpiresAt: rotation.expiresAt,
    });
  }

  async logout(caller: AuthUser): Promise<void> {
    await this.sessions.revoke(caller.sessionId);
    await this.events.emit('session.revoked', { userId: caller.id, sessionId: caller.sessionId, scope: 'one' });
  }

  async logoutAll(caller: AuthUser): Promise<void> {
    await this.sessions.revokeAll(caller.id);
    await this.events.emit('session.revoked', { userId: caller.id, scope: 'all' });
  }

  async listSessions(caller: AuthUser): Promise<SessionResponseDto[]> {
    const sessions = await this.sessions.listLive(caller.id);
    return sessions.map((session) => ({
      id: session.id,
      createdAt: session.createdAt,
      lastUsedAt: session.lastUsedAt,
      userAgent: session.userAgent,
      ip: session.ip,
      current: session.id === caller.sessionId,
    }));
  }

  async revokeSession(caller: AuthUser, sessionId: string): Promise<void> {
    if (!(await this.sessions.revokeOwn(caller.id, sessionId))) throw new NotFoundException('Session not found');
    await this.events.emit('session.revoked', { userId: caller.id, sessionId, scope: 'one' });
  }
}
