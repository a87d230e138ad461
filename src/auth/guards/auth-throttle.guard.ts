import { CanActivate, ExecutionContext, HttpException, HttpStatus, Injectable } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { DatabaseThrottlerStorage } from '../../common/throttler/database-throttler.storage.js';
import { AbuseConfig } from '../../config/abuse.config.js';

const WINDOW_MS = 60_000;

/**
 * THROTTLE_AUTH_LIMIT requests a minute per client address, one budget shared by the
 * routes that use this guard (login, register, refresh). It runs before the credential
 * and token checks, so failed attempts count too.
 */
@Injectable()
export class AuthThrottleGuard implements CanActivate {
  constructor(
    private readonly storage: DatabaseThrottlerStorage,
    private readonly config: AbuseConfig,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const request = context.switchToHttp().getRequest<FastifyRequest>();
    const reply = context.switchToHttp().getResponse<FastifyReply>();
    const limit = this.config.throttleAuthLimit;
    const record = await this.storage.increment(`client:${request.ip}`, WINDOW_MS, limit, WINDOW_MS, 'auth');
    if (record.isBlocked) {
      reply.header('Retry-After', String(record.timeToBlockExpire));
      throw new HttpException(
        { statusCode: HttpStatus.TOO_MANY_REQUESTS, message: 'Too many requests, try again later', error: 'Too Many Requests' },
        HttpStatus.TOO_MANY_REQUESTS,
      );
    }
    reply.header('X-RateLimit-Limit', String(limit));
    reply.header('X-RateLimit-Remaining', String(Math.max(0, limit - record.totalHits)));
    reply.header('X-RateLimit-Reset', String(record.timeToExpire));
    return true;
  }
}
