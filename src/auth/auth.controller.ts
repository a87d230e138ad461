import { Body, Controller, Delete, Get, HttpCode, Param, ParseUUIDPipe, Post, Req, UseGuards } from '@nestjs/common';
import {
  ApiBadRequestResponse,
  ApiBearerAuth,
  ApiBody,
  ApiConflictResponse,
  ApiCreatedResponse,
  ApiForbiddenResponse,
  ApiNoContentResponse,
  ApiNotFoundResponse,
  ApiOkResponse,
  ApiTags,
  ApiTooManyRequestsResponse,
  ApiUnauthorizedResponse,
} from '@nestjs/swagger';
import type { FastifyRequest } from 'fastify';
import type { AuthUser } from '../common/auth-user.js';
import { CurrentUser } from '../common/decorators/current-user.decorator.js';
import { Public } from '../common/decorators/public.decorator.js';
import { UserResponseDto } from '../users/dto/user-response.dto.js';
import type { User } from '../users/user.entity.js';
import { AuthService, type ClientInfo } from './auth.service.js';
import { LoginDto } from './dto/login.dto.js';
import { RefreshDto } from './dto/refresh.dto.js';
import { RegisterDto } from './dto/register.dto.js';
import { SessionResponseDto } from './dto/session-response.dto.js';
import { TokenPairDto } from './dto/token-pair.dto.js';
import { AuthThrottleGuard } from './guards/auth-throttle.guard.js';
import { LocalAuthGuard } from './guards/local-auth.guard.js';
import { RefreshTokenGuard } from './guards/refresh-token.guard.js';
import type { RefreshClaims } from './token-claims.js';

@ApiTags('auth')
@Controller('auth')
export class AuthController {
  constructor(private readonly auth: AuthService) {}

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
  @HttpCode(200)
  @ApiBody({ type: LoginDto })
  @ApiOkResponse({ type: TokenPairDto, description: 'A fresh access token and a refresh token' })
  @ApiBadRequestResponse({ description: 'Missing or non-string fields, or credentials in the query string' })
  @ApiUnauthorizedResponse({ description: 'Wrong username or password (one message for both)' })
  @ApiForbiddenResponse({ description: 'Account pending approval or disabled (only after a correct password)' })
  @ApiTooManyRequestsResponse({ description: 'Account locked after repeated failures, or too many requests from this client; see Retry-After' })
  login(@CurrentUser() user: User, @Req() request: FastifyRequest): Promise<TokenPairDto> {
    return this.auth.login(user, clientInfo(request));
  }

  @Public()
  @UseGuards(AuthThrottleGuard, RefreshTokenGuard)
  @Post('refresh')
  @ApiTooManyRequestsResponse({ description: 'Too many requests from this client; see Retry-After' })
  @HttpCode(200)
  @ApiBearerAuth()
  @ApiBody({ type: RefreshDto, required: false })
  @ApiOkResponse({ type: TokenPairDto, description: 'A new pair; the access token is not fresh' })
  @ApiUnauthorizedResponse({ description: 'Invalid, expired, revoked or reused refresh token' })
  refresh(@CurrentUser() claims: RefreshClaims, @Req() request: FastifyRequest): Promise<TokenPairDto> {
    return this.auth.refresh(claims, clientInfo(request));
  }

  @Post('logout')
  @HttpCode(204)
  @ApiBearerAuth()
  @ApiNoContentResponse({ description: 'This session is revoked' })
  @ApiUnauthorizedResponse({ description: 'Missing, invalid, expired or revoked access token' })
  logout(@CurrentUser() caller: AuthUser): Promise<void> {
    return this.auth.logout(caller);
  }

  @Post('logout-all')
  @HttpCode(204)
  @ApiBearerAuth()
  @ApiNoContentResponse({ description: 'Every session of the user is revoked' })
  @ApiUnauthorizedResponse({ description: 'Missing, invalid, expired or revoked access token' })
  logoutAll(@CurrentUser() caller: AuthUser): Promise<void> {
    return this.auth.logoutAll(caller);
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
}

function clientInfo(request: FastifyRequest): ClientInfo {
  const userAgent = request.headers['user-agent'];
  return { ip: request.ip, userAgent: typeof userAgent === 'string' ? userAgent : undefined };
}
