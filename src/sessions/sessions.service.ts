import { Injectable, Logger } from '@nestjs/common';
import { InjectDataSource, InjectRepository } from '@nestjs/typeorm';
import { randomUUID } from 'node:crypto';
import { DataSource, IsNull, MoreThan, Repository } from 'typeorm';
import { AppConfig } from '../config/app-config.js';
import type { Role } from '../common/role.enum.js';
import { Session, type SessionTransport } from './session.entity.js';

/** What the per-request lookup learns about a live session and its (active) user. */
export interface LiveSession {
  userId: string;
  username: string;
  role: Role;
  name: string | null;
  createdAt: Date;
  updatedAt: Date;
  lastLoginAt: Date | null;
}

export type RotationResult =
  | { outcome: 'rotated'; refreshJti: string; userId: string; transport: SessionTransport; expiresAt: Date }
  | { outcome: 'reused'; userId: string }
  | { outcome: 'invalid' };

/** Writing last_used_at on every request would turn each read into a write; once a minute is enough. */
const LAST_USED_RESOLUTION_MS = 60_000;

/** The per-request lookup; it also reads the user's public columns so GET /users/me needs no second query. */
const LIVE_SESSION_SQL =
  'SELECT u.username, u.name, u.role, u.status, u.created_at, u.updated_at, u.last_login_at, ' +
  's.revoked_at, s.expires_at, s.last_used_at ' +
  'FROM sessions s INNER JOIN users u ON u.id = s.user_id WHERE s.id = ? AND s.user_id = ?';

/** Bounds the lookup on MySQL like the pool's connect timeout, so a stalled server means 503, not a hang. */
const LOOKUP_TIMEOUT_MS = 2000;

/** The parts of the drivers' own handles the lookup uses (TypeORM keeps them on its driver). */
interface SqliteHandle {
  open: boolean;
  prepare(sql: string): { get(...parameters: unknown[]): unknown };
}
interface MysqlPool {
  execute(
    options: { sql: string; values: unknown[]; timeout: number },
    callback: (error: Error | null, rows: unknown) => void,
  ): void;
}

@Injectable()
export class SessionsService {
  private readonly logger = new Logger(SessionsService.name);
  /** The lookup's prepared statement per SQLite handle (a reconnect brings a new handle). */
  private readonly statements = new WeakMap<SqliteHandle, ReturnType<SqliteHandle['prepare']>>();

  constructor(
    @InjectRepository(Session) private readonly sessions: Repository<Session>,
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly config: AppConfig,
  ) {}

  async create(userId: string, userAgent: string | undefined, ip: string | undefined, transport: SessionTransport = 'bearer'): Promise<Session> {
    const now = new Date();
    const session = this.sessions.create({
      id: randomUUID(),
      userId,
      refreshJti: randomUUID(),
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
   * and its user active; the role is the user's current one, not the token's claim.
   */
  async findLive(sessionId: string, userId: string): Promise<LiveSession | undefined> {
    const row = await this.liveSessionRow(sessionId, userId);
    if (!row || row.revoked_at !== null || row.status !== 'active') return undefined;
    const now = Date.now();
    if (toTime(row.expires_at) <= now) return undefined;
    if (now - toTime(row.last_used_at) > LAST_USED_RESOLUTION_MS) {
      this.sessions
        .update({ id: sessionId }, { lastUsedAt: new Date(now) })
        .catch((error: Error) => this.logger.warn(`Could not record session use: ${error.message}`));
    }
    return {
      userId,
      username: row.username as string,
      role: row.role as Role,
      name: row.name as string | null,
      createdAt: new Date(toTime(row.created_at)),
      updatedAt: new Date(toTime(row.updated_at)),
      lastLoginAt: row.last_login_at === null ? null : new Date(toTime(row.last_login_at)),
    };
  }

  /**
   * Every authenticated request runs this, so it goes to the driver directly with a
   * prepared statement: TypeORM's query runner (runner, logging, broadcaster, error
   * wrapping) costs more than the indexed lookup itself. Driver errors propagate as
   * they are, so a failing database still fails the request closed (503 via the filter).
   * Without an open handle (not connected yet, or closed) it takes TypeORM's path.
   */
  private liveSessionRow(sessionId: string, userId: string): Promise<Record<string, unknown> | undefined> {
    const driver = this.dataSource.driver as { databaseConnection?: SqliteHandle; pool?: MysqlPool };
    if (this.dataSource.options.type === 'better-sqlite3' && driver.databaseConnection?.open) {
      const handle = driver.databaseConnection;
      let statement = this.statements.get(handle);
      if (!statement) {
        statement = handle.prepare(LIVE_SESSION_SQL);
        this.statements.set(handle, statement);
      }
      return Promise.resolve(statement.get(sessionId, userId) as Record<string, unknown> | undefined);
    }
    if (this.dataSource.options.type === 'mysql' && driver.pool) {
      const pool = driver.pool;
      return new Promise((resolve, reject) => {
        pool.execute({ sql: LIVE_SESSION_SQL, values: [sessionId, userId], timeout: LOOKUP_TIMEOUT_MS }, (error, rows) =>
          error ? reject(error) : resolve((rows as Array<Record<string, unknown>>)[0]),
        );
      });
    }
    return this.dataSource
      .query(LIVE_SESSION_SQL, [sessionId, userId])
      .then((rows: Array<Record<string, unknown>>) => rows[0]);
  }

  /**
   * Swaps the session's refresh jti in one conditional update, so of several concurrent
   * refreshes with one token exactly one wins. A jti that is no longer current is a
   * replayed (possibly stolen) token: the whole session is revoked. The new expiry never
   * passes the session's absolute end (created_at + SESSION_MAX_AGE).
   */
  async rotate(sessionId: string, presentedJti: string): Promise<RotationResult> {
    const now = new Date();
    const session = await this.sessions.findOneBy({ id: sessionId });
    if (!session || session.revokedAt !== null || session.expiresAt.getTime() <= now.getTime()) return { outcome: 'invalid' };
    const expiresAt = this.refreshExpiry(session.createdAt, now);
    if (expiresAt.getTime() <= now.getTime()) return { outcome: 'invalid' };
    const refreshJti = randomUUID();
    const result = await this.sessions
      .createQueryBuilder()
      .update(Session)
      .set({ refreshJti, lastUsedAt: now, expiresAt })
      .where('id = :sessionId AND refresh_jti = :presentedJti AND revoked_at IS NULL AND expires_at > :now', {
        sessionId,
        presentedJti,
        now,
      })
      .execute();
    if (result.affected === 1) {
      return { outcome: 'rotated', refreshJti, userId: session.userId, transport: session.transport, expiresAt };
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

/** SQLite hands back 'YYYY-MM-DD HH:MM:SS.SSS' (UTC) text, mysql2 a Date. */
function toTime(value: unknown): number {
  if (value instanceof Date) return value.getTime();
  return Date.parse(String(value).replace(' ', 'T') + 'Z');
}
