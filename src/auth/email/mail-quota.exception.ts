import { HttpException, HttpStatus } from '@nestjs/common';

/** 429 once MAIL_PER_HOUR for the address is spent; the controller sends retryAfterSeconds as Retry-After. */
export class MailQuotaExceededException extends HttpException {
  constructor(readonly retryAfterSeconds: number) {
    super(
      {
        statusCode: HttpStatus.TOO_MANY_REQUESTS,
        message: 'Too many mails to this address; try again later',
        error: 'Too Many Requests',
      },
      HttpStatus.TOO_MANY_REQUESTS,
    );
  }
}
