import { ExecutionContext, Injectable, UnauthorizedException } from '@nestjs/common';
import { AuthGuard } from '@nestjs/passport';
import { validateBody } from '../../common/validate-body.js';
import { RefreshDto } from '../dto/refresh.dto.js';
import { assertCsrf, refreshTokenFromCookie } from '../token-cookies.js';

@Injectable()
export class RefreshTokenGuard extends AuthGuard('jwt-refresh') {
  override canActivate(context: ExecutionContext) {
    const request = context.switchToHttp().getRequest();
    const body = request.body === undefined || request.body === null ? {} : validateBody(RefreshDto, request.body);
    const explicitToken = Boolean(request.headers.authorization) || Boolean(body.refreshToken);
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
