import {
  ArgumentsHost,
  BadRequestException,
  Catch,
  ConflictException,
  HttpException,
  InternalServerErrorException,
  Logger,
  ServiceUnavailableException,
} from '@nestjs/common';
import { BaseExceptionFilter } from '@nestjs/core';
import { STATUS_CODES } from 'node:http';
import type { FastifyReply } from 'fastify';
import { driverErrorCode, isDriverError, isPostgresUnavailable, isTooLongText, isUniqueViolation, isUnstorableText } from '../database-errors.js';
import { TooManyRequestsException } from '../too-many-requests.exception.js';

const FOREIGN_KEY_CODES = new Set(['SQLITE_CONSTRAINT_FOREIGNKEY', 'ER_NO_REFERENCED_ROW_2', 'ER_NO_REFERENCED_ROW', '23503']);
const UNAVAILABLE_CODES = new Set([
  'SQLITE_BUSY',
  'SQLITE_LOCKED',
  'SQLITE_CANTOPEN',
  'SQLITE_IOERR',
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'ENOTFOUND',
  'EPIPE',
  'PROTOCOL_CONNECTION_LOST',
  'PROTOCOL_SEQUENCE_TIMEOUT',
  'ER_CON_COUNT_ERROR',
  'ER_SERVER_SHUTDOWN',
  'ER_LOCK_WAIT_TIMEOUT',
  'ER_LOCK_DEADLOCK',
  'ER_QUERY_TIMEOUT',
  // 1047: a Galera node that is not part of the Primary component refuses every table access.
  'ER_UNKNOWN_COM_ERROR',
]);

/** Refusals worth a warning: who was not let in, who lacked the right, who was slowed down. */
const AUTH_FAILURES = new Set([401, 403, 429]);

/** Which resource a unique index guards, for a 409 message a client can show. */
const DUPLICATE_MESSAGES: Array<[RegExp, string]> = [
  // Before /users/: the email index lives on the users table too.
  [/email/i, 'Email address is already taken'],
  [/users/i, 'Username is already taken'],
  [/authors/i, 'An author with this name and book already exists'],
];

/**
 * Gives every error Nest's `{statusCode, message, error}` shape: errors Fastify raises
 * before routing (malformed JSON, 413, 415) arrive without `error`; unique violations
 * become 409 for both drivers, an unreachable or busy database 503, anything else a bare
 * 500. Driver and SQL text is logged, never sent.
 */
@Catch()
export class HttpErrorFilter extends BaseExceptionFilter {
  private readonly logger = new Logger('Errors');
  private readonly authLogger = new Logger('Auth');

  override catch(exception: unknown, host: ArgumentsHost): void {
    if (exception instanceof HttpException) {
      if (AUTH_FAILURES.has(exception.getStatus())) this.logAuthFailure(exception, requestIdOf(host));
      if (exception instanceof TooManyRequestsException) {
        host.switchToHttp().getResponse<FastifyReply>().header('Retry-After', String(exception.retryAfterSeconds));
      }
      return super.catch(withErrorName(exception), host);
    }
    return super.catch(this.toHttpException(exception, requestIdOf(host)), host);
  }

  /** The request log line tells which request (same requestId); this one tells why it was refused. */
  private logAuthFailure(exception: HttpException, requestId: string | undefined): void {
    const body = exception.getResponse();
    const message = typeof body === 'string' ? body : (body as { message?: unknown }).message;
    this.authLogger.warn({
      msg: 'Request refused',
      requestId,
      status: exception.getStatus(),
      reason: String(message ?? exception.message),
    });
  }

  private toHttpException(exception: unknown, requestId: string | undefined): HttpException {
    const code = driverErrorCode(exception);
    const text = exception instanceof Error ? exception.message : String(exception);
    if (isUniqueViolation(exception)) {
      const constraint = violatedConstraint(text);
      const message = DUPLICATE_MESSAGES.find(([pattern]) => pattern.test(constraint))?.[1] ?? 'Already exists';
      return new ConflictException(message);
    }
    if (isUnstorableText(exception)) {
      return new BadRequestException('Text must not contain NUL or unencodable characters');
    }
    if (isTooLongText(exception)) {
      this.logger.warn({ msg: `A value longer than its column reached the database: ${text}`, requestId });
      return new BadRequestException('A text value is too long');
    }
    if (code && FOREIGN_KEY_CODES.has(code)) {
      return new ConflictException('The referenced record no longer exists');
    }
    if ((code && UNAVAILABLE_CODES.has(code) && isDriverError(exception)) || isConnectionFailure(exception) || isPostgresUnavailable(exception)) {
      this.logger.error({ msg: `Database unavailable: ${code ?? ''} ${text}`, requestId });
      return new ServiceUnavailableException('Database unavailable, try again shortly');
    }
    const clientStatus = clientErrorStatus(exception);
    if (clientStatus !== undefined) {
      // A body cut short by a client that hung up (Fastify's "aborted", ECONNRESET) and the like:
      // the client's doing, answered (if anyone still listens) with Fastify's own 4xx.
      return new HttpException({ statusCode: clientStatus, message: STATUS_CODES[clientStatus], error: STATUS_CODES[clientStatus] }, clientStatus);
    }
    this.logger.error({ msg: exception instanceof Error ? (exception.stack ?? text) : text, requestId });
    return new InternalServerErrorException();
  }
}

function requestIdOf(host: ArgumentsHost): string | undefined {
  return host.switchToHttp().getRequest<{ id?: string } | undefined>()?.id;
}

function withErrorName(exception: HttpException): HttpException {
  const body = exception.getResponse();
  if (typeof body !== 'string') return exception;
  const statusCode = exception.getStatus();
  return new HttpException({ statusCode, message: body, error: STATUS_CODES[statusCode] ?? 'Error' }, statusCode, {
    cause: exception,
  });
}

/**
 * The index or columns named in a unique violation, not the whole message: MySQL's also
 * quotes the duplicate values, and an author called "Users" must not read as a username clash.
 */
function violatedConstraint(text: string): string {
  return (
    /for key '([^']+)'$/.exec(text)?.[1] ??
    /constraint failed: (.+)$/.exec(text)?.[1] ??
    /unique constraint "([^"]+)"/.exec(text)?.[1] ??
    text
  );
}

/** The 4xx status Fastify put on an error it raised while reading the request, if any. */
function clientErrorStatus(exception: unknown): number | undefined {
  if (isDriverError(exception)) return undefined;
  const status = (exception as { statusCode?: unknown } | null)?.statusCode;
  return typeof status === 'number' && Number.isInteger(status) && status >= 400 && status < 500 ? status : undefined;
}

/** TypeORM reports a pool that cannot connect with these names rather than a code. */
function isConnectionFailure(exception: unknown): boolean {
  if (!(exception instanceof Error)) return false;
  return (
    exception.name === 'CannotConnectError' ||
    exception.name === 'ConnectionIsNotSetError' ||
    /connect ECONNREFUSED|Connection lost|Pool is closed|connection is in closed state|Can't add new command when connection is in closed state|The database connection is not open/i.test(
      exception.message,
    )
  );
}
