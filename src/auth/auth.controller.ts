import { Body, Controller, Delete, Get, HttpCode, Param, ParseUUIDPipe, Post, Req, Res, UseGuards } from '@nestjs/common';
import {
  ApiBadRequestResponse,
  ApiBearerAuth,
  ApiBody,
  ApiConflictResponse,
  ApiCreatedResponse,
  ApiForbiddenResponse,
  ApiHeader,
  ApiNoContentResponse,
  ApiNotFoundResponse,
  ApiOkResponse,
  ApiTags,
  ApiTooManyRequestsResponse,
  ApiUnauthorizedResponse,
} from '@nestjs/swagger';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { AuthUser } from '../common/auth-user.js';
import { CurrentUser } from '../common/decorators/current-user.decorator.js';
import { Public } from '../common/decorators/public.decorator.js';
import { UserResponseDto } from '../users/dto/user-response.dto.js';
import type { User } from '../users/user.entity.js';
import { AuthService, type ClientInfo, type IssuedTokens } from './auth.service.js';
import { AppConfig } from '../config/app-config.js';
import { LoginDto } from './dto/login.dto.js';
import { RefreshDto } from './dto/refresh.dto.js';
import { RegisterDto } from './dto/register.dto.js';
import { SessionResponseDto } from './dto/session-response.dto.js';
import { TokenPairDto } from './dto/token-pair.dto.js';
import { AuthThrottleGuard } from './guards/auth-throttle.guard.js';
import { LocalAuthGuard } from './guards/local-auth.guard.js';
import { RefreshTokenGuard } from './guards/refresh-token.guard.js';
import type { RefreshClaims } from './token-claims.js';
import {
  assertCsrf,
  clearTokenCookies,
  csrfTokenFor,
  refreshTokenFromCookie,
  setTokenCookies,
  wantsCookieTransport,
} from './token-cookies.js';

const TRANSPORT_DOC = {
  name: 'X-Token-Transport',
  required: false,
  description:
    '`cookie` at login: the session is a cookie session for good. Its refresh token is set as an HttpOnly, SameSite=Strict, Secure ' +
    '`__Host-refresh_token` cookie (plus a readable `__Host-csrf_token`) and never appears in a body; on plain-http localhost ' +
    'the cookies are `refresh_token` (Path=/api/auth) and `csrf_token`, without Secure',
};
const CSRF_DOC = {
  name: 'X-CSRF-Token',
  required: false,
  description: "Cookie mode only: the session's CSRF token (the csrf cookie's value) whenever the refresh cookie is used (else 403)",
};

@ApiTags('auth')
@Controller('auth')
export class AuthController {
  constructor(
    private readonly auth: AuthService,
    private readonly config: AppConfig,
  ) {}

  @Public()
  @Post('register')
  @UseGuards(AuthThrottleGuard)
  @ApiTooManyRequestsResponse({ description: 'Too many requests from this client; see Retry-After' })
  @ApiCreatedResponse({ type: UserResponseDto })
  @ApiBadRequestResponse({ description: 'Invalid username, password policy violation, or unknown fields' })
  @ApiConflictResponse({ description: 'Username already taken (case-insensitively)' })
  register(@Body() dto: RegisterDto): Promise<UserResponseDto> {
    return this.auth.register(dto);
  }

  @Public()
  @UseGuards(AuthThrottleGuard, LocalAuthGuard)
  @Post('login')
  @ApiHeader(TRANSPORT_DOC)
  @HttpCode(200)
  @ApiBody({ type: LoginDto })
  @ApiOkResponse({ type: TokenPairDto, description: 'A fresh access token and a refresh token' })
  @ApiBadRequestResponse({ description: 'Missing or non-string fields, or credentials in the query string' })
  @ApiUnauthorizedResponse({ description: 'Wrong username or password (one message for both)' })
  @ApiForbiddenResponse({ description: 'Account pending approval or disabled (only after a correct password)' })
  @ApiTooManyRequestsResponse({ description: 'Account locked after repeated failures, or too many requests from this client; see Retry-After' })
  async login(
    @CurrentUser() user: User,
    @Req() request: FastifyRequest,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<TokenPairDto> {
    return this.deliver(await this.auth.login(user, clientInfo(request)), request, reply);
  }

  @Public()
  @UseGuards(AuthThrottleGuard, RefreshTokenGuard)
  @Post('refresh')
  @ApiTooManyRequestsResponse({ description: 'Too many requests from this client; see Retry-After' })
  @ApiHeader(TRANSPORT_DOC)
  @ApiHeader(CSRF_DOC)
  @ApiForbiddenResponse({ description: 'Cookie mode: the refresh cookie came without a matching X-CSRF-Token header' })
  @HttpCode(200)
  @ApiBearerAuth()
  @ApiBody({ type: RefreshDto, required: false })
  @ApiOkResponse({ type: TokenPairDto, description: 'A new pair; the access token is not fresh' })
  @ApiUnauthorizedResponse({ description: 'Invalid, expired, revoked or reused refresh token' })
  async refresh(
    @CurrentUser() claims: RefreshClaims,
    @Req() request: FastifyRequest,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<TokenPairDto> {
    return this.deliver(await this.auth.refresh(claims, clientInfo(request)), request, reply);
  }

  @Post('logout')
  @ApiHeader(CSRF_DOC)
  @ApiForbiddenResponse({ description: 'Cookie mode: the refresh cookie came without a matching X-CSRF-Token header' })
  @HttpCode(204)
  @ApiBearerAuth()
  @ApiNoContentResponse({ description: 'This session is revoked' })
  @ApiUnauthorizedResponse({ description: 'Missing, invalid, expired or revoked access token' })
  async logout(
    @CurrentUser() caller: AuthUser,
    @Req() request: FastifyRequest,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<void> {
    if (refreshTokenFromCookie(request)) assertCsrf(request, csrfTokenFor(this.config, caller.sessionId));
    await this.auth.logout(caller);
    clearTokenCookies(request, reply);
  }

  @Post('logout-all')
  @ApiHeader(CSRF_DOC)
  @ApiForbiddenResponse({ description: 'Cookie mode: the refresh cookie came without a matching X-CSRF-Token header' })
  @HttpCode(204)
  @ApiBearerAuth()
  @ApiNoContentResponse({ description: 'Every session of the user is revoked' })
  @ApiUnauthorizedResponse({ description: 'Missing, invalid, expired or revoked access token' })
  async logoutAll(
    @CurrentUser() caller: AuthUser,
    @Req() request: FastifyRequest,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<void> {
    if (refreshTokenFromCookie(request)) assertCsrf(request, csrfTokenFor(this.config, caller.sessionId));
    await this.auth.logoutAll(caller);
    clearTokenCookies(request, reply);
  }

  @Get('sessions')
  @ApiBearerAuth()
  @ApiOkResponse({ type: [SessionResponseDto] })
  @ApiUnauthorizedResponse({ description: 'Missing, invalid, expired or revoked access token' })
  sessions(@CurrentUser() caller: AuthUser): Promise<SessionResponseDto[]> {
    return this.auth.listSessions(caller);
  }

  @Delete('sessions/:id')
  @HttpCode(204)
  @ApiBearerAuth()
  @ApiNoContentResponse({ description: 'The session is revoked' })
  @ApiBadRequestResponse({ description: 'The id is not a UUID' })
  @ApiUnauthorizedResponse({ description: 'Missing, invalid, expired or revoked access token' })
  @ApiNotFoundResponse({ description: 'Not one of the caller’s live sessions' })
  revokeSession(@CurrentUser() caller: AuthUser, @Param('id', new ParseUUIDPipe()) id: string): Promise<void> {
    return this.auth.revokeSession(caller, id);
  }

  /**
   * A bearer session gets both tokens in the body. A cookie session (chosen at login, kept by
   * every refresh whatever its headers) gets its refresh token only in the HttpOnly cookie.
   */
  private deliver(issued: IssuedTokens, request: FastifyRequest, reply: FastifyReply): TokenPairDto {
    const { accessToken, refreshToken, tokenType, expiresIn } = issued;
    if (issued.transport !== 'cookie') return { accessToken, refreshToken, tokenType, expiresIn };
    setTokenCookies(request, reply, {
      refreshToken,
      csrfToken: csrfTokenFor(this.config, issued.sessionId),
      maxAgeSeconds: issued.refreshExpiresIn,
    });
    return { accessToken, tokenType, expiresIn };
  }
}

function clientInfo(request: FastifyRequest): ClientInfo {
  const userAgent = request.headers['user-agent'];
  return {
    ip: request.ip,
    userAgent: typeof userAgent === 'string' ? userAgent : undefined,
    transport: wantsCookieTransport(request) ? 'cookie' : 'bearer',
  };
}
