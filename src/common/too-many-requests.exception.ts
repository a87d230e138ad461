import { HttpException, HttpStatus } from '@nestjs/common';

/**
 * Every 429 the service answers (account lockout, per-client throttle). The error filter
 * turns `retryAfterSeconds` into the Retry-After header, so no route sets it by hand.
 */
export class TooManyRequestsException extends HttpException {
  constructor(
    message: string,
    readonly retryAfterSeconds: number,
  ) {
    super({ statusCode: HttpStatus.TOO_MANY_REQUESTS, message, error: 'Too Many Requests' }, HttpStatus.TOO_MANY_REQUESTS);
  }
}
