import { CanActivate, ExecutionContext, Injectable, UnauthorizedException } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { AuthUser } from '../../common/auth-user.js';
import { FRESH_KEY, FRESH_TOKEN_REQUIRED } from '../../common/decorators/fresh.decorator.js';

@Injectable()
export class FreshGuard implements CanActivate {
  constructor(private readonly reflector: Reflector) {}

  canActivate(context: ExecutionContext): boolean {
    const needsFresh = this.reflector.getAllAndOverride<boolean>(FRESH_KEY, [context.getHandler(), context.getClass()]);
    if (!needsFresh) return true;
    const user: AuthUser | undefined = context.switchToHttp().getRequest().user;
    if (user?.fresh) return true;
    throw new UnauthorizedException(FRESH_TOKEN_REQUIRED);
  }
}
