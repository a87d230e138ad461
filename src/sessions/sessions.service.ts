import { Injectable, Logger } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { randomUUID } from 'node:crypto';
import { IsNull, MoreThan, Repository } from 'typeorm';
import { TokensConfig } from '../config/tokens.config.js';
import type { AuthMethod } from '../common/auth-method.js';
import type { UserResponseDto } from '../users/dto/user-response.dto.js';
import { UserStatus } from '../users/user.entity.js';
import { LiveSessionRepository } from './live-session.repository.js';
import { Session, type SessionTransport } from './session.entity.js';

export type RotationResult =
  | { outcome: 'rotated'; refreshJti: string; userId: string; amr: AuthMethod[]; transport: SessionTransport; expiresAt: Date }
  | { outcome: 'reused'; userId: string }
  | { outcome: 'invalid' };

/** Writing last_used_at on every request would turn each read into a write; once a minute is enough. */
const LAST_USED_RESOLUTION_MS = 60_000;

@Injectable()
export class SessionsService {
  private readonly logger = new Logger(SessionsService.name);

  constructor(
    @InjectRepository(Session) private readonly sessions: Repository<Session>,
    private readonly liveSessions: LiveSessionRepository,
    private readonly config: TokensConfig,
  ) {}

  async create(
    userId: string,
    userAgent: string | undefined,
    ip: string | undefined,
    amr: AuthMethod[],
    transport: SessionTransport = 'bearer',
  ): Promise<Session> {
    const now = new Date();
    const session = this.sessions.create({
      id: randomUUID(),
      userId,
      refreshJti: randomUUID(),
      amr,
      userAgent: userAgent ? userAgent.slice(0, 255) : null,
      ip: ip ? ip.slice(0, 64) : null,
      createdAt: now,
      lastUsedAt: now,
      transport,
      expiresAt: this.refreshExpiry(now, now),
      revokedAt: null,
    });
    // insert, not save: save() would first SELECT the new id inside a transaction, on every login.
    await this.sessions.insert(session);
    return session;
  }

  /**
   * The one indexed lookup behind every access-token request: the session must be live
   * and its user active. It answers the user as the database has it now (role and status
   * are the current ones, not the token's claims).
   */
  async findLive(sessionId: string, userId: string): Promise<UserResponseDto | undefined> {
    const found = await this.liveSessions.find(sessionId, userId);
    if (!found || found.revoked || found.user.status !== UserStatus.Active) return undefined;
    const now = Date.now();
    if (found.expiresAtMs <= now) return undefined;
    if (now - found.lastUsedAtMs > LAST_USED_RESOLUTION_MS) {
      this.sessions
        .update({ id: sessionId }, { lastUsedAt: new Date(now) })
        .catch((error: Error) => this.logger.warn(`Could not record session use: ${error.message}`));
    }
    return found.user;
  }

  /**
   * Swaps the session's refresh jti in one conditional update, so of several concurrent
   * refreshes with one token exactly one wins. A jti that is no longer current is a
   * replayed (possibly stolen) token: the whole session is revoked. The new expiry never
   * passes the session's absolute end (created_at + SESSION_MAX_AGE). A refresh may move a
   * bearer session to cookie mode (API.md: X-Token-Transport on login and refresh), in the same
   * update; a cookie session never goes back, so its refresh token never again appears in a body.
   */
  async rotate(sessionId: string, presentedJti: string, requested: SessionTransport = 'bearer'): Promise<RotationResult> {
    const now = new Date();
    const session = await this.sessions.findOneBy({ id: sessionId });
    if (!session || session.revokedAt !== null || session.expiresAt.getTime() <= now.getTime()) return { outcome: 'invalid' };
    const expiresAt = this.refreshExpiry(session.createdAt, now);
    if (expiresAt.getTime() <= now.getTime()) return { outcome: 'invalid' };
    const refreshJti = randomUUID();
    const transport: SessionTransport = requested === 'cookie' ? 'cookie' : session.transport;
    const result = await this.sessions
      .createQueryBuilder()
      .update(Session)
      .set({ refreshJti, lastUsedAt: now, expiresAt, transport })
      .where('id = :sessionId AND refresh_jti = :presentedJti AND revoked_at IS NULL AND expires_at > :now', {
        sessionId,
        presentedJti,
        now,
      })
      .execute();
    if (result.affected === 1) {
      return { outcome: 'rotated', refreshJti, userId: session.userId, amr: session.amr, transport, expiresAt };
    }
    await this.revoke(sessionId);
    return { outcome: 'reused', userId: session.userId };
  }

  async revoke(sessionId: string): Promise<void> {
    await this.sessions.update({ id: sessionId, revokedAt: IsNull() }, { revokedAt: new Date() });
  }

  /** Revokes one of the user's sessions; false when it is not theirs or already gone. */
  async revokeOwn(userId: string, sessionId: string): Promise<boolean> {
    const result = await this.sessions.update(
      { id: sessionId, userId, revokedAt: IsNull(), expiresAt: MoreThan(new Date()) },
      { revokedAt: new Date() },
    );
    return result.affected === 1;
  }

  async revokeAll(userId: string, exceptSessionId?: string): Promise<void> {
    const query = this.sessions
      .createQueryBuilder()
      .update(Session)
      .set({ revokedAt: new Date() })
      .where('user_id = :userId AND revoked_at IS NULL', { userId });
    if (exceptSessionId) query.andWhere('id <> :exceptSessionId', { exceptSessionId });
    await query.execute();
  }

  listLive(userId: string): Promise<Session[]> {
    return this.sessions.find({
      where: { userId, revokedAt: IsNull(), expiresAt: MoreThan(new Date()) },
      order: { lastUsedAt: 'DESC', id: 'ASC' },
    });
  }

  /** Deletes rows whose refresh lifetime is over; revoked rows linger that long for reuse detection. */
  async purgeExpired(): Promise<number> {
    const now = new Date();
    const revokedBefore = new Date(now.getTime() - this.config.refreshTtlSeconds * 1000);
    const result = await this.sessions
      .createQueryBuilder()
      .delete()
      .from(Session)
      .where('expires_at < :now OR revoked_at < :revokedBefore', { now, revokedBefore })
      .execute();
    return result.affected ?? 0;
  }

  /** A refresh lifetime from now, cut at the session's absolute end. */
  private refreshExpiry(createdAt: Date, now: Date): Date {
    const idleEnd = now.getTime() + this.config.refreshTtlSeconds * 1000;
    const absoluteEnd = createdAt.getTime() + this.config.sessionMaxAgeSeconds * 1000;
    return new Date(Math.min(idleEnd, absoluteEnd));
  }
}
