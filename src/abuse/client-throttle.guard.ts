import { CanActivate, ExecutionContext, Injectable } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { DomainEventBus } from '../common/events/domain-events.js';
import { TooManyRequestsException } from '../common/too-many-requests.exception.js';
import { AbuseConfig } from '../config/abuse.config.js';
import { FixedWindowCounter } from './fixed-window-counter.js';

const WINDOW_MS = 60_000;

/**
 * THROTTLE_AUTH_LIMIT requests a minute per client address, one budget shared by every
 * route that checks credentials or mints tokens (login, register, refresh, password
 * change). It runs before the credential and token checks, so failed attempts count too.
 */
@Injectable()
export class ClientThrottleGuard implements CanActivate {
  constructor(
    private readonly counter: FixedWindowCounter,
    private readonly events: DomainEventBus,
    private readonly config: AbuseConfig,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const request = context.switchToHttp().getRequest<FastifyRequest>();
    const reply = context.switchToHttp().getResponse<FastifyReply>();
    const limit = this.config.throttleAuthLimit;
    const state = await this.counter.hit({ scope: 'auth', limit, windowMs: WINDOW_MS, blockMs: WINDOW_MS }, `client:${request.ip}`);
    if (state.blocked) {
      await this.events.emit('throttle.refused', { scope: 'auth' });
      throw new TooManyRequestsException('Too many requests, try again later', state.retryAfterSeconds);
    }
    reply.header('X-RateLimit-Limit', String(limit));
    reply.header('X-RateLimit-Remaining', String(Math.max(0, limit - state.hits)));
    reply.header('X-RateLimit-Reset', String(state.retryAfterSeconds));
    return true;
  }
}
