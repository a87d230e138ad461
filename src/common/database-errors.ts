import { TypeORMError } from 'typeorm';

const UNIQUE_CODES = new Set(['SQLITE_CONSTRAINT_UNIQUE', 'SQLITE_CONSTRAINT_PRIMARYKEY', 'ER_DUP_ENTRY']);

/** The driver's error code (better-sqlite3 or mysql2), whether TypeORM wrapped the error or not. */
export function driverErrorCode(error: unknown): string | undefined {
  if (typeof error !== 'object' || error === null) return undefined;
  const { code, driverError } = error as { code?: unknown; driverError?: { code?: unknown } };
  const value = code ?? driverError?.code;
  return typeof value === 'string' ? value : undefined;
}

/** A unique-index violation from either driver (the HTTP error filter answers these with 409). */
export function isUniqueViolation(error: unknown): boolean {
  const code = driverErrorCode(error);
  return code !== undefined && UNIQUE_CODES.has(code);
}

/**
 * An error raised by the database layer: TypeORM's own errors (which wrap the driver's),
 * better-sqlite3's SqliteError, or a mysql2 error (it marks server and protocol errors with
 * `sqlState`, connection failures with `fatal`). Socket codes such as ECONNRESET mean a
 * database failure only on these; on anything else they are the HTTP client's doing.
 */
export function isDriverError(error: unknown): boolean {
  if (!(error instanceof Error)) return false;
  if (error instanceof TypeORMError || error.name === 'SqliteError') return true;
  const { fatal, sqlState } = error as { fatal?: unknown; sqlState?: unknown };
  return typeof fatal === 'boolean' || typeof sqlState === 'string';
}
