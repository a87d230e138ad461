import {
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
  ApiBadRequestResponse,
  ApiBearerAuth,
  ApiBody,
  ApiConflictResponse,
  ApiCreatedResponse,
  ApiExtraModels,
  ApiForbiddenResponse,
  ApiHeader,
  ApiNoContentResponse,
  ApiNotFoundResponse,
  ApiOkResponse,
  ApiOperation,
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
import { ErrorResponseDto } from './mfa/dto/error-response.dto.js';
import { MfaChallengeDto } from './mfa/dto/mfa-responses.dto.js';
import { VerifyMfaDto } from './mfa/dto/verify-mfa.dto.js';
import { MfaService } from './mfa/mfa.service.js';
import { RefreshTokenGuard } from './guards/refresh-token.guard.js';
import type { RefreshClaims } from './token-claims.js';
import type { IssuedTokens } from './tokens/tokens.service.js';
import {
  assertCsrf,
  clearTokenCookies,
  refreshTokenFromCookie,
  setTokenCookies,
  wantsCookieTransport,
} from './token-cookies.js';

const TRANSPORT_DOC = {
  name: 'X-Token-Transport',
  required: false,
  description:
    '`cookie`: the refresh token is set as an HttpOnly, SameSite=Strict cookie scoped to /api/auth (plus a readable csrf_token cookie) and left out of the body',
};
const CSRF_DOC = {
  name: 'X-CSRF-Token',
  required: false,
  description: 'Cookie mode only: must equal the csrf_token cookie whenever the refresh cookie is used (else 403)',
};

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
  @ApiTooManyRequestsResponse({ description: 'Too many requests from this client; see Retry-After' })
  @ApiCreatedResponse({ type: UserResponseDto })
  @ApiBadRequestResponse({ description: 'Invalid username, password policy violation, or unknown fields' })
  @ApiConflictResponse({ description: 'Username already taken (case-insensitively)' })
  register(@Body() dto: RegisterDto): Promise<UserResponseDto> {
    return this.auth.register(dto);
  }

  @Public()
  @UseGuards(ClientThrottleGuard, LocalAuthGuard)
  @Post('login')
  @ApiHeader(TRANSPORT_DOC)
  @HttpCode(200)
  @ApiBody({ type: LoginDto })
  @ApiExtraModels(TokenPairDto, MfaChallengeDto)
  @ApiOkResponse({
    description: 'A fresh access token and a refresh token; or, for an account with two-factor login on, no tokens but an mfaToken for POST /auth/mfa/verify',
    schema: { oneOf: [{ $ref: getSchemaPath(TokenPairDto) }, { $ref: getSchemaPath(MfaChallengeDto) }] },
  })
  @ApiBadRequestResponse({ description: 'Missing or non-string fields, or credentials in the query string' })
  @ApiUnauthorizedResponse({ description: 'Wrong username or password (one message for both)' })
  @ApiForbiddenResponse({ description: 'Account pending approval or disabled (only after a correct password)' })
  @ApiTooManyRequestsResponse({ description: 'Account locked after repeated failures, or too many requests from this client; see Retry-After' })
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
      'The mfaToken yields tokens once, lives 5 minutes and dies after 5 wrong codes; wrong codes also count toward the account’s lockout.',
    security: [],
  })
  @ApiOkResponse({
    type: TokenPairDto,
    description: 'The login’s tokens; the access token is fresh, amr ["pwd","otp"] or ["pwd","recovery"]',
    headers: { 'Set-Cookie': { description: 'Cookie mode only: the HttpOnly refresh_token cookie and the csrf_token cookie', schema: { type: 'string' } } },
  })
  @ApiBadRequestResponse({ type: ErrorResponseDto, description: 'Malformed body, or not exactly one of code and recoveryCode' })
  @ApiUnauthorizedResponse({ type: ErrorResponseDto, description: 'Wrong or replayed code, or an invalid, used or expired mfaToken' })
  @ApiTooManyRequestsResponse({
    type: ErrorResponseDto,
    description: 'Account locked after repeated failures, or too many requests from this client',
    headers: { 'Retry-After': { description: 'Seconds until the next attempt may succeed', schema: { type: 'integer' } } },
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
    if (refreshTokenFromCookie(request)) assertCsrf(request);
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
    if (refreshTokenFromCookie(request)) assertCsrf(request);
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

  /** Bearer mode returns both tokens; cookie mode moves the refresh token into an HttpOnly cookie. */
  private deliver(pair: IssuedTokens, request: FastifyRequest, reply: FastifyReply): TokenPairDto {
    if (!wantsCookieTransport(request)) return pair;
    setTokenCookies(request, reply, pair.refreshToken, this.tokensConfig.refreshTtlSeconds);
    const { refreshToken: _inCookie, ...body } = pair;
    return body;
  }
}

function clientInfo(request: FastifyRequest): ClientInfo {
  const userAgent = request.headers['user-agent'];
  return { ip: request.ip, userAgent: typeof userAgent === 'string' ? userAgent : undefined };
}
