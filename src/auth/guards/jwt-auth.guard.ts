import { ExecutionContext, Injectable, UnauthorizedException } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { AuthGuard } from '@nestjs/passport';
import jsonwebtoken from 'jsonwebtoken';
import { IS_PUBLIC_KEY } from '../../common/decorators/public.decorator.js';

/** The global guard: every route needs a live access token unless marked @Public(). */
@Injectable()
export class JwtAuthGuard extends AuthGuard('jwt') {
  /** Per handler: whether it is @Public(), read from its decorators on its first request. */
  private readonly publicRoutes = new WeakMap<object, boolean>();

  constructor(private readonly reflector: Reflector) {
    super();
  }

  override canActivate(context: ExecutionContext) {
    const handler = context.getHandler();
    let isPublic = this.publicRoutes.get(handler);
    if (isPublic === undefined) {
      isPublic = this.reflector.getAllAndOverride<boolean>(IS_PUBLIC_KEY, [handler, context.getClass()]) === true;
      this.publicRoutes.set(handler, isPublic);
    }
    return isPublic ? true : super.canActivate(context);
  }

  override handleRequest<T>(error: unknown, user: T | false, info: unknown): T {
    // A failing session lookup (database down) must fail closed with its own status.
    if (error) throw error;
    if (user) return user;
    if (info instanceof jsonwebtoken.TokenExpiredError) throw new UnauthorizedException('Access token expired');
    if (info instanceof Error && /No auth token/i.test(info.message)) {
      throw new UnauthorizedException('Missing access token (Authorization: Bearer <token>)');
    }
    if (info) throw new UnauthorizedException('Invalid access token');
    throw new UnauthorizedException('Session expired or revoked');
  }
}
