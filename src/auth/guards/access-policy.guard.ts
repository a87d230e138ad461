import { CanActivate, ExecutionContext, ForbiddenException, Injectable, UnauthorizedException } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { AuthUser } from '../../common/auth-user.js';
import { FRESH_KEY, FRESH_TOKEN_REQUIRED } from '../../common/decorators/fresh.decorator.js';
import { ROLES_KEY } from '../../common/decorators/roles.decorator.js';
import type { Role } from '../../common/role.enum.js';

/** What a route asks of its caller beyond a live session, read from its decorators once. */
interface RoutePolicy {
  roles: readonly Role[] | undefined;
  fresh: boolean;
}

/**
 * After the access-token guard: the role the session lookup read from the database (not the
 * token's claim) must be one @Roles() allows, then the token must be fresh where @Fresh()
 * asks for it. One guard for both, with each route's policy worked out on its first request:
 * the decorators of a handler never change, and reading them is most of a guard's cost.
 */
@Injectable()
export class AccessPolicyGuard implements CanActivate {
  private readonly policies = new WeakMap<object, RoutePolicy>();

  constructor(private readonly reflector: Reflector) {}

  canActivate(context: ExecutionContext): boolean {
    const policy = this.policyOf(context);
    if (policy.roles === undefined && !policy.fresh) return true;
    const user: AuthUser | undefined = context.switchToHttp().getRequest().user;
    if (policy.roles !== undefined && !(user && policy.roles.includes(user.role))) {
      throw new ForbiddenException('This action needs the admin role');
    }
    if (policy.fresh && !user?.fresh) throw new UnauthorizedException(FRESH_TOKEN_REQUIRED);
    return true;
  }

  private policyOf(context: ExecutionContext): RoutePolicy {
    const handler = context.getHandler();
    let policy = this.policies.get(handler);
    if (!policy) {
      const targets = [handler, context.getClass()];
      const roles = this.reflector.getAllAndOverride<Role[] | undefined>(ROLES_KEY, targets);
      policy = { roles: roles?.length ? roles : undefined, fresh: this.reflector.getAllAndOverride<boolean>(FRESH_KEY, targets) === true };
      this.policies.set(handler, policy);
    }
    return policy;
  }
}
