import { ExecutionContext, Injectable, UnauthorizedException } from '@nestjs/common';
import { AuthGuard } from '@nestjs/passport';
import { validateBody } from '../../common/validate-body.js';
import { RefreshDto } from '../dto/refresh.dto.js';

@Injectable()
export class RefreshTokenGuard extends AuthGuard('jwt-refresh') {
  override canActivate(context: ExecutionContext) {
    const request = context.switchToHttp().getRequest();
    if (request.body !== undefined && request.body !== null) validateBody(RefreshDto, request.body);
    return super.canActivate(context);
  }

  override handleRequest<T>(error: unknown, claims: T | false): T {
    if (error) throw error;
    if (!claims) throw new UnauthorizedException('Invalid or expired refresh token');
    return claims;
  }
}
