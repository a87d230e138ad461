import { ExecutionContext, Injectable, UnauthorizedException } from '@nestjs/common';
import { AuthGuard } from '@nestjs/passport';
import type { FastifyRequest } from 'fastify';
import { validateBody } from '../../common/validate-body.js';
import { TokensConfig } from '../../config/tokens.config.js';
import { bearerTokenFrom } from '../bearer-token.js';
import { RefreshDto } from '../dto/refresh.dto.js';
import type { RefreshClaims } from '../token-claims.js';
import { assertCsrf, csrfTokenFor, refreshTokenFromCookie } from '../token-cookies.js';

@Injectable()
export class RefreshTokenGuard extends AuthGuard('jwt-refresh') {
  constructor(private readonly config: TokensConfig) {
    super();
  }

  override async canActivate(context: ExecutionContext): Promise<boolean> {
    const request = context.switchToHttp().getRequest<FastifyRequest & { user?: RefreshClaims }>();
    const body = request.body === undefined || request.body === null ? {} : validateBody(RefreshDto, request.body);
    // The same test the strategy's extractors apply: any other Authorization header (Basic ...)
    // would not supply the token, and the cookie would be used without the CSRF check.
    const explicitToken = Boolean(bearerTokenFrom(request)) || Boolean(body.refreshToken);
    const usesCookie = !explicitToken && Boolean(refreshTokenFromCookie(request));
    // Browsers attach the cookie on their own, so using it needs proof of same-origin script:
    // the CSRF token of the very session the (now verified) cookie belongs to. Checked
    // before the handler rotates anything.
    const allowed = (await super.canActivate(context)) as boolean;
    if (usesCookie) assertCsrf(request, csrfTokenFor(this.config, request.user!.sid));
    return allowed;
  }

  override handleRequest<T>(error: unknown, claims: T | false): T {
    if (error) throw error;
    if (!claims) throw new UnauthorizedException('Invalid or expired refresh token');
    return claims;
  }
}
