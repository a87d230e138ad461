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

/**
 * The row in the SELECT's column order, as an array: every driver can hand rows back that way
 * (better-sqlite3 raw mode, mysql2 rowsAsArray, pg rowMode 'array'), which skips building an
 * object keyed by column names for every request. SQLite gives times as text, mysql2 and pg
 * a Date; booleans come as 0/1 (SQLite, MySQL) or true/false (pg).
 */
type Row = [
  revokedAt: unknown,
  expiresAt: unknown,
  lastUsedAt: unknown,
  id: string,
  username: string,
  name: string | null,
  email: string | null,
  emailVerified: unknown,
  role: Role,
  status: UserStatus,
  createdAt: unknown,
  updatedAt: unknown,
  lastLoginAt: unknown,
  mfaEnabled: unknown,
];

function toSessionWithUser(row: Row): SessionWithUser {
  return {
    revoked: row[0] !== null && row[0] !== undefined,
    expiresAtMs: epochMs(row[1]),
    lastUsedAtMs: epochMs(row[2]),
    user: {
      id: row[3],
      username: row[4],
      name: row[5],
      email: row[6],
      emailVerified: isTrue(row[7]),
      role: row[8],
      status: row[9],
      createdAt: isoString(row[10]),
      updatedAt: isoString(row[11]),
      lastLoginAt: row[12] === null || row[12] === undefined ? null : isoString(row[12]),
      mfaEnabled: isTrue(row[13]),
    },
  };
}

function isTrue(value: unknown): boolean {
  return value === 1 || value === true || value === '1';
}

/** Bounds the lookup on MySQL and PostgreSQL like the pool's connect timeout, so a stalled server means 503, not a hang. */
const LOOKUP_TIMEOUT_MS = 2000;

/** The parts of the drivers' own handles the lookup uses (TypeORM keeps them on its driver). */
interface SqliteHandle {
  open: boolean;
  prepare(sql: string): SqliteStatement;
}
interface SqliteStatement {
  raw(toggle: boolean): SqliteStatement;
  get(...parameters: unknown[]): unknown;
}
interface MysqlPool {
  execute(
    options: { sql: string; values: unknown[]; timeout: number; rowsAsArray: true },
    callback: (error: Error | null, rows: unknown) => void,
  ): void;
}
/** pg's Pool, which TypeORM keeps on its driver as `master`. */
interface PostgresPool {
  query(config: { name: string; text: string; values: unknown[]; query_timeout: number; rowMode: 'array' }): Promise<{ rows: unknown[] }>;
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
  private readonly statements = new WeakMap<SqliteHandle, SqliteStatement>();

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
        statement = handle.prepare(SESSION_WITH_USER_SQL).raw(true);
        this.statements.set(handle, statement);
      }
      return Promise.resolve(statement.get(sessionId, userId) as Row | undefined);
    }
    if (this.dataSource.options.type === 'mysql' && driver.pool) {
      const pool = driver.pool;
      return new Promise((resolve, reject) => {
        pool.execute({ sql: SESSION_WITH_USER_SQL, values: [sessionId, userId], timeout: LOOKUP_TIMEOUT_MS, rowsAsArray: true }, (error, rows) =>
          error ? reject(error) : resolve((rows as Row[])[0]),
        );
      });
    }
    if (this.dataSource.options.type === 'postgres' && driver.master && this.dataSource.isInitialized) {
      // A named statement is parsed and planned once per connection, then only executed; pool.query
      // releases a client that failed (timeout, lost connection) with the error, so the pool drops it.
      return driver.master
        .query({ name: 'session_with_user', text: SESSION_WITH_USER_SQL_POSTGRES, values: [sessionId, userId], query_timeout: LOOKUP_TIMEOUT_MS, rowMode: 'array' })
        .then((result) => result.rows[0] as Row | undefined);
    }
    // TypeORM's path gives objects; their keys come in the SELECT's order.
    return this.dataSource
      .query(SESSION_WITH_USER_SQL, [sessionId, userId])
      .then((rows: Array<Record<string, unknown>>) => (rows[0] ? (Object.values(rows[0]) as Row) : undefined));
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
