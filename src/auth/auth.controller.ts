import {
  applyDecorators,
  Body,
  Controller,
  Delete,
  Get,
  BadRequestException,
  HttpCode,
  Param,
  ParseUUIDPipe,
  Post,
  Req,
  Res,
  UseGuards,
} from '@nestjs/common';
import {
  ApiBody,
  ApiCreatedResponse,
  ApiExtraModels,
  ApiForbiddenResponse,
  ApiHeader,
  ApiNoContentResponse,
  ApiOkResponse,
  ApiOperation,
  ApiSecurity,
  ApiTags,
  ApiTooManyRequestsResponse,
  ApiUnauthorizedResponse,
  getSchemaPath,
} from '@nestjs/swagger';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { ClientThrottleGuard } from '../abuse/client-throttle.guard.js';
import type { AuthUser } from '../common/auth-user.js';
import { CurrentUser } from '../common/decorators/current-user.decorator.js';
import { Public } from '../common/decorators/public.decorator.js';
import { ApiErrors, ApiRateLimited, ApiUuidParam } from '../common/openapi/decorators.js';
import { CSRF_HEADER_SCHEME, REFRESH_COOKIE_SCHEME, REFRESH_TOKEN_SCHEME } from '../common/openapi/document.js';
import { UserResponseDto } from '../users/dto/user-response.dto.js';
import type { User } from '../users/user.entity.js';
import { AuthService, type ClientInfo } from './auth.service.js';
import { TokensConfig } from '../config/tokens.config.js';
import { LoginDto } from './dto/login.dto.js';
import { RefreshDto } from './dto/refresh.dto.js';
import { RegisterDto } from './dto/register.dto.js';
import { SessionResponseDto } from './dto/session-response.dto.js';
import { TokenPairDto } from './dto/token-pair.dto.js';
import { LocalAuthGuard } from './guards/local-auth.guard.js';
import { MfaChallengeDto } from './mfa/dto/mfa-responses.dto.js';
import { VerifyMfaDto } from './mfa/dto/verify-mfa.dto.js';
import { MfaService } from './mfa/mfa.service.js';
import { RefreshTokenGuard } from './guards/refresh-token.guard.js';
import type { RefreshClaims } from './token-claims.js';
import type { IssuedTokens } from './tokens/tokens.service.js';
import {
  assertCsrf,
  clearTokenCookies,
  csrfTokenFor,
  refreshTokenFromCookie,
  setTokenCookies,
  wantsCookieTransport,
} from './token-cookies.js';

export const TRANSPORT_DOC = {
  name: 'X-Token-Transport',
  required: false,
  schema: { type: 'string' as const, enum: ['cookie', 'bearer'] },
  description:
    '`cookie` at login, or on a refresh of a bearer session: the session is a cookie session for good. Its refresh token is set as an HttpOnly, SameSite=Strict, Secure ' +
    '`__Host-refresh_token` cookie (plus a readable `__Host-csrf_token`) and never appears in a body; on plain-http localhost ' +
    'the cookies are `refresh_token` (Path=/api/auth) and `csrf_token`, without Secure',
};
const CSRF_DOC = {
  name: 'X-CSRF-Token',
  required: false,
  schema: { type: 'string' as const },
  description: "Cookie mode only: the session's CSRF token (the csrf cookie's value) whenever the refresh cookie is used (else 403)",
};

export const SET_COOKIE = {
  'Set-Cookie': {
    description:
      'Cookie mode only (`X-Token-Transport: cookie`): the refresh token (HttpOnly, SameSite=Strict) and the readable CSRF token: `__Host-refresh_token` and `__Host-csrf_token` (Secure, Path=/, as the `__Host-` prefix requires), or on plain-http localhost `refresh_token` (Path=/api/auth) and `csrf_token`',
    schema: { type: 'string' as const },
  },
};
/** What a first-factor login (password, OpenID Connect) answers: the token pair, or the second-factor challenge. */
export function ApiLoginAnswer(description: string, headers: Record<string, { description: string; schema: { type: 'string' } }> = SET_COOKIE) {
  return applyDecorators(
    ApiExtraModels(TokenPairDto, MfaChallengeDto),
    ApiOkResponse({ description, schema: { oneOf: [{ $ref: getSchemaPath(TokenPairDto) }, { $ref: getSchemaPath(MfaChallengeDto) }] }, headers }),
  );
}
const CLEAR_COOKIES = {
  'Set-Cookie': {
    description: 'Expires the `refresh_token` and `csrf_token` cookies (sent whether or not the session used cookie mode)',
    schema: { type: 'string' as const },
  },
};
const CSRF_FAILURE = 'Cookie mode: the refresh cookie came without a matching X-CSRF-Token header';

@ApiTags('auth')
@Controller('auth')
export class AuthController {
  constructor(
    private readonly auth: AuthService,
    private readonly tokensConfig: TokensConfig,
    private readonly mfa: MfaService,
  ) {}

  @Public()
  @Post('register')
  @UseGuards(ClientThrottleGuard)
  @ApiOperation({
    operationId: 'register',
    summary: 'Create an account',
    description:
      'Creates a user with the `user` role: `active`, or `pending` until an admin approves it when REQUIRE_APPROVAL is on. ' +
      'Shares the per-client rate limit of login and refresh.',
  })
  @ApiRateLimited()
  @ApiCreatedResponse({ type: UserResponseDto, description: 'The new user' })
  @ApiErrors({
    400: 'Invalid username, a password the policy refuses (the message says what to change), or unknown fields',
    409: 'Username already taken (case-insensitively)',
  })
  register(@Body() dto: RegisterDto): Promise<UserResponseDto> {
    return this.auth.register(dto);
  }

  @Public()
  @UseGuards(ClientThrottleGuard, LocalAuthGuard)
  @Post('login')
  @HttpCode(200)
  @ApiOperation({
    operationId: 'login',
    summary: 'Log in with username and password',
    description:
      'Answers a fresh access token and a refresh token. With `X-Token-Transport: cookie` the refresh token is set as an ' +
      'HttpOnly cookie instead and left out of the body.',
  })
  @ApiHeader(TRANSPORT_DOC)
  @ApiBody({ type: LoginDto })
  @ApiRateLimited('Account locked after repeated failures, or too many requests from this client; see Retry-After')
  @ApiLoginAnswer('A fresh access token and a refresh token; or, for an account with two-factor login on, no tokens but an mfaToken for POST /auth/mfa/verify')
  @ApiErrors({
    400: 'Missing or non-string fields, unknown fields, or credentials in the query string',
    401: 'Wrong username or password (one message for both)',
    403: 'Account pending approval or disabled, or its email not verified while REQUIRE_EMAIL_VERIFICATION is on (only after a correct password)',
  })
  async login(
    @CurrentUser() user: User,
    @Req() request: FastifyRequest,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<TokenPairDto | MfaChallengeDto> {
    const login = await this.auth.login(user, clientInfo(request));
    if (login.outcome === 'second-factor-required') {
      const { mfaToken, methods, expiresIn } = login.challenge;
      return { mfaRequired: true, mfaToken, methods, expiresIn };
    }
    return this.deliver(login.tokens, request, reply);
  }

  @Public()
  @UseGuards(ClientThrottleGuard)
  @Post('mfa/verify')
  @HttpCode(200)
  @ApiHeader(TRANSPORT_DOC)
  @ApiOperation({
    operationId: 'verifyMfa',
    summary: 'The login’s second step',
    description:
      'Completes a login that answered `mfaRequired` with a code from the authenticator app or a recovery code. ' +
      'The mfaToken yields tokens once, lives 5 minutes and dies after 5 wrong codes; wrong codes also count toward the account’s lockout. ' +
      'Cookie mode (`X-Token-Transport: cookie`) sets the refresh cookie as a login does.',
  })
  @ApiRateLimited('Account locked after repeated failures, or too many requests from this client; see Retry-After')
  @ApiOkResponse({ type: TokenPairDto, description: 'The login’s tokens; the access token is fresh, amr ["pwd","otp"] or ["pwd","recovery"]', headers: SET_COOKIE })
  @ApiErrors({
    400: 'Malformed body, unknown fields, or not exactly one of code and recoveryCode',
    401: 'Wrong or replayed code, or an invalid, used or expired mfaToken',
  })
  async verifyMfa(
    @Body() dto: VerifyMfaDto,
    @Req() request: FastifyRequest,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<TokenPairDto> {
    if ((dto.code === undefined) === (dto.recoveryCode === undefined)) {
      throw new BadRequestException('Send exactly one of code and recoveryCode');
    }
    const proof = dto.code !== undefined ? { code: dto.code } : { recoveryCode: dto.recoveryCode! };
    return this.deliver(await this.mfa.verify(dto.mfaToken, proof, clientInfo(request)), request, reply);
  }

  @Public()
  @UseGuards(ClientThrottleGuard, RefreshTokenGuard)
  @Post('refresh')
  @HttpCode(200)
  @ApiOperation({
    operationId: 'refreshTokens',
    summary: 'Trade a refresh token for a new pair',
    description:
      'The refresh token comes as `Authorization: Bearer`, as `{"refreshToken"}` in the body, or (cookie mode) as the ' +
      '`refresh_token` cookie together with an `X-CSRF-Token` header equal to the `csrf_token` cookie. The refresh token ' +
      'is rotated; presenting an already-rotated one revokes the whole session. The new access token is not fresh.',
  })
  @ApiSecurity(REFRESH_TOKEN_SCHEME)
  @ApiSecurity({ [REFRESH_COOKIE_SCHEME]: [], [CSRF_HEADER_SCHEME]: [] })
  // The third way, the token in the body, needs no credential outside the request body.
  @ApiSecurity({})
  @ApiHeader(TRANSPORT_DOC)
  @ApiBody({ type: RefreshDto, required: false })
  @ApiRateLimited()
  @ApiOkResponse({ type: TokenPairDto, description: 'A new pair; the access token is not fresh', headers: SET_COOKIE })
  @ApiErrors({
    400: 'A body that is not `{"refreshToken": string}`',
    401: 'Missing, invalid, expired, revoked or reused refresh token',
    403: CSRF_FAILURE,
  })
  async refresh(
    @CurrentUser() claims: RefreshClaims,
    @Req() request: FastifyRequest,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<TokenPairDto> {
    return this.deliver(await this.auth.refresh(claims, clientInfo(request)), request, reply);
  }

  @Post('logout')
  @HttpCode(204)
  @ApiOperation({
    operationId: 'logout',
    summary: 'Log out this session',
    description: 'Revokes the session of the access token and clears the token cookies.',
  })
  @ApiHeader(CSRF_DOC)
  @ApiNoContentResponse({ description: 'This session is revoked', headers: CLEAR_COOKIES })
  @ApiErrors({ 403: CSRF_FAILURE })
  async logout(
    @CurrentUser() caller: AuthUser,
    @Req() request: FastifyRequest,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<void> {
    if (refreshTokenFromCookie(request)) assertCsrf(request, csrfTokenFor(this.tokensConfig, caller.sessionId));
    await this.auth.logout(caller);
    clearTokenCookies(request, reply);
  }

  @Post('logout-all')
  @HttpCode(204)
  @ApiOperation({
    operationId: 'logoutAll',
    summary: 'Log out every session of the caller',
    description: 'Revokes every session of the user, on every device, and clears the token cookies.',
  })
  @ApiHeader(CSRF_DOC)
  @ApiNoContentResponse({ description: 'Every session of the user is revoked', headers: CLEAR_COOKIES })
  @ApiErrors({ 403: CSRF_FAILURE })
  async logoutAll(
    @CurrentUser() caller: AuthUser,
    @Req() request: FastifyRequest,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<void> {
    if (refreshTokenFromCookie(request)) assertCsrf(request, csrfTokenFor(this.tokensConfig, caller.sessionId));
    await this.auth.logoutAll(caller);
    clearTokenCookies(request, reply);
  }

  @Get('sessions')
  @ApiOperation({
    operationId: 'listSessions',
    summary: 'List the caller’s active sessions',
    description: 'Every live session of the user; `current` marks the one making this request.',
  })
  @ApiOkResponse({ type: [SessionResponseDto], description: 'The active sessions' })
  sessions(@CurrentUser() caller: AuthUser): Promise<SessionResponseDto[]> {
    return this.auth.listSessions(caller);
  }

  @Delete('sessions/:id')
  @HttpCode(204)
  @ApiOperation({
    operationId: 'revokeSession',
    summary: 'Revoke one of the caller’s sessions',
    description: 'Logs out one session of the caller (another device, or this one).',
  })
  @ApiUuidParam('id', 'The session id')
  @ApiNoContentResponse({ description: 'The session is revoked' })
  @ApiErrors({ 400: 'The id is not a UUID', 404: 'Not one of the caller’s live sessions' })
  revokeSession(@CurrentUser() caller: AuthUser, @Param('id', new ParseUUIDPipe()) id: string): Promise<void> {
    return this.auth.revokeSession(caller, id);
  }

  private deliver(pair: IssuedTokens, request: FastifyRequest, reply: FastifyReply): TokenPairDto {
    return deliverTokens(pair, request, reply, this.tokensConfig);
  }
}

/** How every login answers (password, passkey): the pair in the body, or the refresh token as a cookie. */
/**
 * How every login and refresh answers. A bearer session gets both tokens in the body. A cookie
 * session (chosen at login, kept by every refresh whatever its headers) gets its refresh token
 * only in the HttpOnly cookie.
 */
export function deliverTokens(issued: IssuedTokens, request: FastifyRequest, reply: FastifyReply, config: TokensConfig): TokenPairDto {
  const { accessToken, refreshToken, tokenType, expiresIn } = issued;
  if (issued.transport !== 'cookie') return { accessToken, refreshToken, tokenType, expiresIn };
  setTokenCookies(request, reply, {
    refreshToken,
    csrfToken: csrfTokenFor(config, issued.sessionId),
    maxAgeSeconds: issued.refreshExpiresIn,
  });
  return { accessToken, tokenType, expiresIn };
}

export function clientInfo(request: FastifyRequest): ClientInfo {
  const userAgent = request.headers['user-agent'];
  return {
    ip: request.ip,
    userAgent: typeof userAgent === 'string' ? userAgent : undefined,
    transport: wantsCookieTransport(request) ? 'cookie' : 'bearer',
  };
}
