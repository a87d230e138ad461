import { CanActivate, ExecutionContext, Injectable } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { isIPv6 } from 'node:net';
import { DomainEventBus } from '../common/events/domain-events.js';
import { TooManyRequestsException } from '../common/too-many-requests.exception.js';
import { AbuseConfig } from '../config/abuse.config.js';
import { FixedWindowCounter } from './fixed-window-counter.js';

const WINDOW_MS = 60_000;

/**
 * THROTTLE_AUTH_LIMIT requests a minute per client address, one budget shared by every
 * route that checks credentials or mints tokens (login, register, refresh, password
 * change). It runs before the credential and token checks, so failed attempts count too.
 * An IPv6 client is counted by its /64 network (see clientKey).
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
    const state = await this.counter.hit({ scope: 'auth', limit, windowMs: WINDOW_MS, blockMs: WINDOW_MS }, clientKey(request.ip));
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

/**
 * The budget a client address spends. An IPv6 client is counted by its /64: one subscriber
 * line or host is routinely given a whole /64, and counting each of its 2^64 addresses on
 * its own would give it a fresh budget per address. IPv4 (also IPv4-mapped IPv6) counts per address.
 */
export function clientKey(ip: string): string {
  if (!isIPv6(ip) || ip.toLowerCase().startsWith('::ffff:')) return `client:${ip}`;
  const [head, tail = ''] = ip.toLowerCase().split('%')[0].split('::');
  const left = head ? head.split(':') : [];
  const right = ip.includes('::') && tail ? tail.split(':') : [];
  const groups = [...left, ...Array<string>(8 - left.length - right.length).fill('0'), ...right];
  return `client:${groups.slice(0, 4).map((group) => group.replace(/^0+(?=.)/, '')).join(':')}::/64`;
}
