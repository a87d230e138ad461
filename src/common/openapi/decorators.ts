import { applyDecorators } from '@nestjs/common';
import { ApiExtension, ApiParam, ApiResponse } from '@nestjs/swagger';
import { ErrorResponseDto } from './error-response.dto.js';

/** Marks set by these decorators; createOpenApiDocument turns them into standard OpenAPI and removes them. */
export const PUBLIC_MARK = 'x-public';
export const RATE_LIMITED_MARK = 'x-rate-limited';

/** Descriptions used when a route does not give its own. */
const STANDARD_ERRORS: Record<number, string> = {
  400: 'Malformed JSON, or invalid or unknown fields or parameters',
  401: 'Missing, invalid, expired or revoked access token',
  403: 'The caller may not do this',
  404: 'No such resource',
  409: 'Conflicts with the current state',
  413: 'The body is larger than the limit',
  415: 'The body is not JSON',
  429: 'Too many requests; see Retry-After',
  503: 'The database is unavailable; try again shortly',
};

/**
 * Error answers with the error body's schema: `@ApiErrors(400, 404)` with standard
 * descriptions, or `@ApiErrors({ 404: 'Not one of the caller’s sessions' })`. The headers that
 * go with a status (Retry-After on 429, X-Request-Id everywhere) are added to the document centrally.
 */
export function ApiErrors(...errors: Array<number | Record<number, string>>): MethodDecorator & ClassDecorator {
  const entries = errors.flatMap((error) =>
    typeof error === 'number'
      ? [[error, STANDARD_ERRORS[error] ?? 'Error'] as const]
      : Object.entries(error).map(([status, description]) => [Number(status), description] as const),
  );
  return applyDecorators(...entries.map(([status, description]) => ApiResponse({ status, description, type: ErrorResponseDto })));
}

/**
 * A route behind a per-client rate limit: documents the 429 and the X-RateLimit-* headers
 * that its other answers carry.
 */
export function ApiRateLimited(description = STANDARD_ERRORS[429]): MethodDecorator {
  return applyDecorators(ApiExtension(RATE_LIMITED_MARK, true), ApiErrors({ 429: description })) as MethodDecorator;
}

/** A path parameter that must be a UUID (parsed with ParseUUIDPipe: anything else is a 400). */
export function ApiUuidParam(name = 'id', description?: string): MethodDecorator {
  return ApiParam({ name, type: String, format: 'uuid', description });
}
