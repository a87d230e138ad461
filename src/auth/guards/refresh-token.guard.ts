import { ExecutionContext, Injectable, UnauthorizedException } from '@nestjs/common';
import { AuthGuard } from '@nestjs/passport';
import { validateBody } from '../../common/validate-body.js';
import { bearerTokenFrom } from '../bearer-token.js';
import { RefreshDto } from '../dto/refresh.dto.js';
import { assertCsrf, refreshTokenFromCookie } from '../token-cookies.js';

@Injectable()
export class RefreshTokenGuard extends AuthGuard('jwt-refresh') {
  override canActivate(context: ExecutionContext) {
    const request = context.switchToHttp().getRequest();
    const body = request.body === undefined || request.body === null ? {} : validateBody(RefreshDto, request.body);
    // The same test the strategy's extractors apply: any other Authorization header (Basic ...)
    // would not supply the token, and the cookie would be used without the CSRF check.
    const explicitToken = Boolean(bearerTokenFrom(request)) || Boolean(body.refreshToken);
    // Browsers attach the cookie on their own, so using it needs proof of same-origin script.
    if (!explicitToken && refreshTokenFromCookie(request)) assertCsrf(request);
    return super.canActivate(context);
  }

  override handleRequest<T>(error: unknown, claims: T | false): T {
    if (error) throw error;
    if (!claims) throw new UnauthorizedException('Invalid or expired refresh token');
    return claims;
  }
}
