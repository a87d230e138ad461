import { TypeORMError } from 'typeorm';

/** better-sqlite3, mysql2, and pg's SQLSTATE 23505 (unique_violation). */
const UNIQUE_CODES = new Set(['SQLITE_CONSTRAINT_UNIQUE', 'SQLITE_CONSTRAINT_PRIMARYKEY', 'ER_DUP_ENTRY', '23505']);

/**
 * pg's SQLSTATEs that mean the database, not the request, failed: connection exceptions
 * (08xxx), statement and lock timeouts (57014, 55P03), shutdown and start-up (57P01-57P03),
 * too many connections (53300), and conflicts a retry resolves (40001, 40P01).
 */
const POSTGRES_UNAVAILABLE_CODES = new Set([
  '08000', '08001', '08003', '08004', '08006', '57014', '55P03', '57P01', '57P02', '57P03', '53300', '40001', '40P01',
]);

/** What pg and its pool throw, without a code, when the server is gone or does not answer. */
const POSTGRES_CONNECTION_FAILURE =
  /^(Connection terminated|timeout exceeded when trying to connect|Query read timeout|Client has encountered a connection error|Client was closed and is not queryable|Cannot use a pool after calling end)/;

/** The driver's error code (better-sqlite3, mysql2 or pg), whether TypeORM wrapped the error or not. */
export function driverErrorCode(error: unknown): string | undefined {
  if (typeof error !== 'object' || error === null) return undefined;
  const { code, driverError } = error as { code?: unknown; driverError?: { code?: unknown } };
  const value = code ?? driverError?.code;
  return typeof value === 'string' ? value : undefined;
}

/** A unique-index violation from any driver (the HTTP error filter answers these with 409). */
export function isUniqueViolation(error: unknown): boolean {
  const code = driverErrorCode(error);
  return code !== undefined && UNIQUE_CODES.has(code);
}

/** The server chose this statement as a deadlock's victim (MySQL 1213, PostgreSQL 40P01): running it again resolves it. */
export function isDeadlock(error: unknown): boolean {
  const code = driverErrorCode(error);
  return code === 'ER_LOCK_DEADLOCK' || code === '40P01';
}

/** A PostgreSQL failure that means "database unavailable" (503), like the other drivers' connection errors. */
export function isPostgresUnavailable(error: unknown): boolean {
  const code = driverErrorCode(error);
  if (code !== undefined && POSTGRES_UNAVAILABLE_CODES.has(code)) return true;
  const driverError = (error as { driverError?: unknown } | null)?.driverError ?? error;
  return driverError instanceof Error && POSTGRES_CONNECTION_FAILURE.test(driverError.message);
}

/**
 * PostgreSQL refuses text it cannot store (a NUL character: 22021, or one the database's
 * encoding lacks: 22P05) even as a search term, where SQLite and MySQL simply find nothing.
 * It is the request's fault (400), not the database's.
 */
export function isUnstorableText(error: unknown): boolean {
  const code = driverErrorCode(error);
  return code === '22021' || code === '22P05';
}

/**
 * A value longer than its column (PostgreSQL 22001, MySQL ER_DATA_TOO_LONG; SQLite does not
 * check lengths). Validation counts lengths as the columns do, so this is the safety net for a
 * field that slipped past it: the request's fault (400), not the database's.
 */
export function isTooLongText(error: unknown): boolean {
  const code = driverErrorCode(error);
  return code === '22001' || code === 'ER_DATA_TOO_LONG';
}

/**
 * An error raised by the database layer: TypeORM's own errors (which wrap the driver's),
 * better-sqlite3's SqliteError, or a mysql2 error (it marks server and protocol errors with
 * `sqlState`, connection failures with `fatal`, its statement timeout with its own code). Socket codes such as ECONNRESET mean a
 * database failure only on these; on anything else they are the HTTP client's doing.
 */
export function isDriverError(error: unknown): boolean {
  if (!(error instanceof Error)) return false;
  if (error instanceof TypeORMError || error.name === 'SqliteError') return true;
  const { fatal, sqlState, code } = error as { fatal?: unknown; sqlState?: unknown; code?: unknown };
  // mysql2's own statement timeout ("Query inactivity timeout") carries neither mark; only
  // mysql2 raises this code. The per-request session lookup (a prepared statement on the pool,
  // outside TypeORM) hits it when a Galera cluster stalls writes for a few seconds after losing
  // a node: that is the database's failure (503), not a 500.
  return typeof fatal === 'boolean' || typeof sqlState === 'string' || code === 'PROTOCOL_SEQUENCE_TIMEOUT';
}
