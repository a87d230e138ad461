import { BadRequestException, ExecutionContext, Injectable, UnauthorizedException } from '@nestjs/common';
import { AuthGuard } from '@nestjs/passport';
import { validateBody } from '../../common/validate-body.js';
import { INVALID_CREDENTIALS } from '../auth.service.js';
import { LoginDto } from '../dto/login.dto.js';

@Injectable()
export class LocalAuthGuard extends AuthGuard('local') {
  override canActivate(context: ExecutionContext) {
    const request = context.switchToHttp().getRequest();
    // Credentials in a URL end up in logs and browser history: refuse them outright.
    const query = request.query ?? {};
    if ('password' in query || 'username' in query) {
      throw new BadRequestException('Send credentials in the JSON body, never in the query string');
    }
    validateBody(LoginDto, request.body);
    return super.canActivate(context);
  }

  override handleRequest<T>(error: unknown, user: T | false): T {
    if (error) throw error;
    if (!user) throw new UnauthorizedException(INVALID_CREDENTIALS);
    return user;
  }
}
