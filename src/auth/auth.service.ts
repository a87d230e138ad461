import { ForbiddenException, Injectable, NotFoundException, UnauthorizedException } from '@nestjs/common';
import { AuditService } from '../audit/audit.service.js';
import type { AuthUser } from '../common/auth-user.js';
import { AppConfig } from '../config/app-config.js';
import { PasswordService } from '../passwords/password.service.js';
import type { SessionTransport } from '../sessions/session.entity.js';
import { SessionsService } from '../sessions/sessions.service.js';
import { UserResponseDto } from '../users/dto/user-response.dto.js';
import { type User, UserStatus } from '../users/user.entity.js';
import { UsersService } from '../users/users.service.js';
import { type RegisterDto, USERNAME_PATTERN } from './dto/register.dto.js';
import { SessionResponseDto } from './dto/session-response.dto.js';
import type { TokenPairDto } from './dto/token-pair.dto.js';
import { LoginAttemptsService } from './login-attempts.service.js';
import type { RefreshClaims } from './token-claims.js';
import { TokensService } from './tokens.service.js';

export const INVALID_CREDENTIALS = 'Invalid username or password';

export interface ClientInfo {
  ip?: string;
  userAgent?: string;
  /** Asked for at login (X-Token-Transport); a refresh keeps the session's own. */
  transport?: SessionTransport;
}

/** A token pair with what its delivery needs: the session's transport, and for the cookie its id and lifetime. */
export type IssuedTokens = TokenPairDto & {
  refreshToken: string;
  sessionId: string;
  transport: SessionTransport;
  refreshExpiresIn: number;
};

@Injectable()
export class AuthService {
  constructor(
    private readonly users: UsersService,
    private readonly sessions: SessionsService,
    private readonly passwords: PasswordService,
    private readonly tokens: TokensService,
    private readonly audit: AuditService,
    private readonly loginAttempts: LoginAttemptsService,
    private readonly config: AppConfig,
  ) {}

  async register(dto: RegisterDto): Promise<UserResponseDto> {
    const user = await this.users.create({
      username: dto.username,
      password: dto.password,
      name: dto.name,
      status: this.config.requireApproval ? UserStatus.Pending : UserStatus.Active,
    });
    return UserResponseDto.from(user);
  }

  /**
   * Unknown user and wrong password answer alike and cost the same argon2 work; the
   * account's status is revealed only to someone who knows its password.
   */
  async verifyCredentials(username: string, password: string, ip?: string): Promise<User> {
    // A locked attempt is refused before any argon2 work: lockout is tracked for every
    // username, existing or not, so neither its answer nor its speed reveals an account.
    const attempt = await this.loginAttempts.begin(username, ip);
    const user = await this.users.findByUsername(username);
    const valid = user ? await this.passwords.verify(user.passwordHash, password) : await this.passwords.verifyDummy(password);
    if (!user || !valid) {
      // What was typed as a username is sometimes a password: keep it only when it could be a username.
      const typed = USERNAME_PATTERN.test(username) ? username : null;
      await this.audit.record({ action: 'login.failed', targetId: user?.id ?? null, ip, detail: { username: typed } });
      await this.loginAttempts.failed(attempt, username, ip);
      throw new UnauthorizedException(INVALID_CREDENTIALS);
    }
    await this.loginAttempts.succeeded(attempt);
    if (user.status === UserStatus.Pending) throw new ForbiddenException('Account pending approval by an administrator');
    if (user.status === UserStatus.Disabled) throw new ForbiddenException('Account disabled');
    if (this.passwords.needsRehash(user.passwordHash)) {
      await this.users.setPasswordHash(user.id, await this.passwords.hash(password));
    }
    return user;
  }

  /** A password login: the only way to a fresh access token. */
  async login(user: User, client: ClientInfo): Promise<IssuedTokens> {
    const session = await this.sessions.create(user.id, client.userAgent, client.ip, client.transport ?? 'bearer');
    await this.users.recordLogin(user.id, session.createdAt);
    const pair = this.tokens.issuePair({
      userId: user.id,
      sessionId: session.id,
      refreshJti: session.refreshJti,
      role: user.role,
      fresh: true,
      refreshExpiresAt: session.expiresAt,
    });
    return { ...pair, sessionId: session.id, transport: session.transport, refreshExpiresIn: this.tokens.refreshLifetime(session.expiresAt) };
  }

  async refresh(claims: RefreshClaims, client: ClientInfo): Promise<IssuedTokens> {
    const rotation = await this.sessions.rotate(claims.sid, claims.jti);
    if (rotation.outcome === 'reused') {
      await this.audit.record({ action: 'refresh.reused', actorId: rotation.userId, targetId: claims.sid, ip: client.ip });
      throw new UnauthorizedException('Refresh token already used; the session has been revoked');
    }
    if (rotation.outcome === 'invalid' || rotation.userId !== claims.sub) {
      throw new UnauthorizedException('Session expired or revoked');
    }
    const user = await this.users.findById(rotation.userId);
    if (!user || user.status !== UserStatus.Active) {
      await this.sessions.revoke(claims.sid);
      throw new UnauthorizedException('Session expired or revoked');
    }
    const pair = this.tokens.issuePair({
      userId: user.id,
      sessionId: claims.sid,
      refreshJti: rotation.refreshJti,
      role: user.role,
      fresh: false,
      refreshExpiresAt: rotation.expiresAt,
    });
    return { ...pair, sessionId: claims.sid, transport: rotation.transport, refreshExpiresIn: this.tokens.refreshLifetime(rotation.expiresAt) };
  }

  logout(caller: AuthUser): Promise<void> {
    return this.sessions.revoke(caller.sessionId);
  }

  logoutAll(caller: AuthUser): Promise<void> {
    return this.sessions.revokeAll(caller.id);
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
  }
}
