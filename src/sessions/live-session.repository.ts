import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import type { Role } from '../common/role.enum.js';
import type { UserResponseDto } from '../users/dto/user-response.dto.js';
import type { UserStatus } from '../users/user.entity.js';

/**
 * A session row and its user's public columns, as the per-request lookup reads them. Times
 * are epoch milliseconds (the checks only compare them) and the user's are ISO strings (the
 * answer only prints them): no Date objects on the hot path.
 */
export interface SessionWithUser {
  revoked: boolean;
  expiresAtMs: number;
  lastUsedAtMs: number;
  user: UserResponseDto;
}

/** The lookup reads the user's public columns too, so GET /users/me needs no second query. */
const SESSION_WITH_USER_SQL =
  'SELECT s.revoked_at, s.expires_at, s.last_used_at, ' +
  'u.id, u.username, u.name, u.email, u.email_verified, u.role, u.status, u.created_at, u.updated_at, u.last_login_at, ' +
  'u.mfa_enabled ' +
  'FROM sessions s INNER JOIN users u ON u.id = s.user_id WHERE s.id = ? AND s.user_id = ?';

/** The same query in PostgreSQL's numbered placeholders. */
const SESSION_WITH_USER_SQL_POSTGRES = SESSION_WITH_USER_SQL.replace('s.id = ?', 's.id = $1').replace('s.user_id = ?', 's.user_id = $2');

/** The row as the drivers return it (SQLite: times as text; mysql2 and pg: Date). */
interface Row {
  revoked_at: unknown;
  expires_at: unknown;
  last_used_at: unknown;
  id: string;
  username: string;
  name: string | null;
  email: string | null;
  /** SQLite: 0/1; MySQL: 0/1 (tinyint). */
  email_verified: unknown;
  role: Role;
  status: UserStatus;
  created_at: unknown;
  updated_at: unknown;
  last_login_at: unknown;
  /** SQLite and MySQL both hand back 0/1. */
  mfa_enabled: unknown;
}

function toSessionWithUser(row: Row): SessionWithUser {
  return {
    revoked: row.revoked_at !== null && row.revoked_at !== undefined,
    expiresAtMs: epochMs(row.expires_at),
    lastUsedAtMs: epochMs(row.last_used_at),
    user: {
      id: row.id,
      username: row.username,
      name: row.name,
      email: row.email,
      emailVerified: row.email_verified === 1 || row.email_verified === true || row.email_verified === '1',
      role: row.role,
      status: row.status,
      createdAt: isoString(row.created_at),
      updatedAt: isoString(row.updated_at),
      lastLoginAt: row.last_login_at === null || row.last_login_at === undefined ? null : isoString(row.last_login_at),
      mfaEnabled: row.mfa_enabled === 1 || row.mfa_enabled === true || row.mfa_enabled === '1',
    },
  };
}

/** Bounds the lookup on MySQL and PostgreSQL like the pool's connect timeout, so a stalled server means 503, not a hang. */
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
/** pg's Pool, which TypeORM keeps on its driver as `master`. */
interface PostgresPool {
  query(config: { name: string; text: string; values: unknown[]; query_timeout: number }): Promise<{ rows: unknown[] }>;
}

/**
 * The one owner of the per-request session + user lookup, and the only code that talks to
 * the drivers' handles. Every authenticated request runs it, so it goes to the driver
 * directly with a prepared statement: TypeORM's query runner (runner, logging, broadcaster,
 * error wrapping) costs more than the indexed lookup itself. Driver errors propagate as they
 * are, so a failing database still fails the request closed (503 via the filter). Without an
 * open handle (not connected yet, or closed) it takes TypeORM's path.
 */
@Injectable()
export class LiveSessionRepository {
  /** The prepared statement per SQLite handle (a reconnect brings a new handle). */
  private readonly statements = new WeakMap<SqliteHandle, ReturnType<SqliteHandle['prepare']>>();

  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  async find(sessionId: string, userId: string): Promise<SessionWithUser | undefined> {
    const row = await this.row(sessionId, userId);
    return row ? toSessionWithUser(row) : undefined;
  }

  private row(sessionId: string, userId: string): Promise<Row | undefined> {
    const driver = this.dataSource.driver as { databaseConnection?: SqliteHandle; pool?: MysqlPool; master?: PostgresPool };
    if (this.dataSource.options.type === 'better-sqlite3' && driver.databaseConnection?.open) {
      const handle = driver.databaseConnection;
      let statement = this.statements.get(handle);
      if (!statement) {
        statement = handle.prepare(SESSION_WITH_USER_SQL);
        this.statements.set(handle, statement);
      }
      return Promise.resolve(statement.get(sessionId, userId) as Row | undefined);
    }
    if (this.dataSource.options.type === 'mysql' && driver.pool) {
      const pool = driver.pool;
      return new Promise((resolve, reject) => {
        pool.execute({ sql: SESSION_WITH_USER_SQL, values: [sessionId, userId], timeout: LOOKUP_TIMEOUT_MS }, (error, rows) =>
          error ? reject(error) : resolve((rows as Row[])[0]),
        );
      });
    }
    if (this.dataSource.options.type === 'postgres' && driver.master && this.dataSource.isInitialized) {
      // A named statement is parsed and planned once per connection, then only executed; pool.query
      // releases a client that failed (timeout, lost connection) with the error, so the pool drops it.
      return driver.master
        .query({ name: 'session_with_user', text: SESSION_WITH_USER_SQL_POSTGRES, values: [sessionId, userId], query_timeout: LOOKUP_TIMEOUT_MS })
        .then((result) => result.rows[0] as Row | undefined);
    }
    return this.dataSource.query(SESSION_WITH_USER_SQL, [sessionId, userId]).then((rows: Row[]) => rows[0]);
  }
}

/**
 * A timestamp as the drivers hand it back, as ISO 8601: mysql2 and pg give a Date; SQLite
 * gives UTC text, 'YYYY-MM-DD HH:MM:SS.SSS' as TypeORM writes it or without the fraction as
 * SQLite's own defaults write it, which only needs its separator and zone put in.
 */
export function isoString(value: unknown): string {
  if (value instanceof Date) return value.toISOString();
  const text = String(value);
  if (text.length === 23 && text[10] === ' ') return `${text.slice(0, 10)}T${text.slice(11)}Z`;
  if (text.length === 19 && text[10] === ' ') return `${text.slice(0, 10)}T${text.slice(11)}.000Z`;
  return new Date(text.replace(' ', 'T') + 'Z').toISOString();
}

function epochMs(value: unknown): number {
  return value instanceof Date ? value.getTime() : Date.parse(isoString(value));
}
