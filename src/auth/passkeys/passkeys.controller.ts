import { Body, Controller, Delete, Get, HttpCode, Param, ParseUUIDPipe, Post, Req, Res, UseGuards } from '@nestjs/common';
import { ApiBody, ApiCreatedResponse, ApiHeader, ApiNoContentResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { PublicKeyCredentialCreationOptionsJSON } from '@simplewebauthn/server';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { ClientThrottleGuard } from '../../abuse/client-throttle.guard.js';
import type { AuthUser } from '../../common/auth-user.js';
import { CurrentUser } from '../../common/decorators/current-user.decorator.js';
import { Fresh } from '../../common/decorators/fresh.decorator.js';
import { Public } from '../../common/decorators/public.decorator.js';
import { ApiErrors, ApiRateLimited, ApiUuidParam } from '../../common/openapi/decorators.js';
import { TokensConfig } from '../../config/tokens.config.js';
import { clientInfo, deliverTokens, SET_COOKIE, TRANSPORT_DOC } from '../auth.controller.js';
import { TokenPairDto } from '../dto/token-pair.dto.js';
import { PasskeyAuthenticationDto, PasskeyAuthenticationOptionsDto } from './dto/passkey-authentication.dto.js';
import { PasskeyRegistrationDto } from './dto/passkey-registration.dto.js';
import { PasskeyResponseDto } from './dto/passkey-response.dto.js';
import { MAX_PASSKEYS_PER_ACCOUNT, PasskeysService } from './passkeys.service.js';

const FRESH_401 = 'Missing, invalid, expired or revoked access token, or one that is not fresh';

@ApiTags('auth')
@Controller('auth/passkeys')
export class PasskeysController {
  constructor(
    private readonly passkeys: PasskeysService,
    private readonly tokensConfig: TokensConfig,
  ) {}

  @Fresh()
  @Post('registration/options')
  @HttpCode(200)
  @ApiOperation({
    operationId: 'passkeyRegistrationOptions',
    summary: 'Start adding a passkey',
    description:
      'Answers `PublicKeyCredentialCreationOptionsJSON` for `navigator.credentials.create()`: a discoverable credential with ' +
      'user verification, `none` attestation. Its challenge is single-use and valid 5 minutes.',
  })
  @ApiOkResponse({ schema: { type: 'object', additionalProperties: true }, description: 'PublicKeyCredentialCreationOptionsJSON' })
  @ApiErrors({ 401: FRESH_401, 409: `The account already holds ${MAX_PASSKEYS_PER_ACCOUNT} passkeys, the most it may` })
  registrationOptions(@CurrentUser() caller: AuthUser): Promise<PublicKeyCredentialCreationOptionsJSON> {
    return this.passkeys.registrationOptions(caller);
  }

  @Fresh()
  @Post('registration')
  @ApiOperation({
    operationId: 'registerPasskey',
    summary: 'Finish adding a passkey',
    description: 'Verifies the authenticator’s `RegistrationResponseJSON` against the caller’s pending challenge and stores the passkey.',
  })
  @ApiCreatedResponse({ type: PasskeyResponseDto, description: 'The new passkey' })
  @ApiErrors({
    400: 'Malformed body, no pending challenge of the caller for this response, or a response that fails verification (origin, RP id, user verification, signature)',
    401: FRESH_401,
    409: `The account already holds ${MAX_PASSKEYS_PER_ACCOUNT} passkeys, the most it may (the challenge is used up)`,
  })
  register(@CurrentUser() caller: AuthUser, @Body() dto: PasskeyRegistrationDto, @Req() request: FastifyRequest): Promise<PasskeyResponseDto> {
    return this.passkeys.register(caller, dto.response, dto.name, request.ip);
  }

  @Get()
  @ApiOperation({ operationId: 'listPasskeys', summary: 'List the caller’s passkeys', description: 'Oldest first.' })
  @ApiOkResponse({ type: [PasskeyResponseDto], description: 'The caller’s passkeys' })
  list(@CurrentUser() caller: AuthUser): Promise<PasskeyResponseDto[]> {
    return this.passkeys.list(caller.id);
  }

  @Fresh()
  @Delete(':id')
  @HttpCode(204)
  @ApiOperation({ operationId: 'removePasskey', summary: 'Remove one of the caller’s passkeys', description: 'The passkey can no longer log in.' })
  @ApiUuidParam('id', 'The passkey’s id in this service (from listPasskeys), not the WebAuthn credential id')
  @ApiNoContentResponse({ description: 'The passkey is removed' })
  @ApiErrors({
    400: 'The id is not a UUID',
    401: FRESH_401,
    404: 'Not one of the caller’s passkeys',
    409: 'The account’s only way to log in (no password, no other passkey, no linked OpenID Connect identity)',
  })
  remove(@CurrentUser() caller: AuthUser, @Param('id', new ParseUUIDPipe()) id: string, @Req() request: FastifyRequest): Promise<void> {
    return this.passkeys.remove(caller, id, request.ip);
  }

  @Public()
  @UseGuards(ClientThrottleGuard)
  @Post('authentication/options')
  @HttpCode(200)
  @ApiOperation({
    operationId: 'passkeyAuthenticationOptions',
    summary: 'Start a passkey login',
    description:
      'Usernameless: answers `PublicKeyCredentialRequestOptionsJSON` without `allowCredentials` and a `challengeId` to send ' +
      'back with the response (single-use, valid 5 minutes).',
  })
  @ApiRateLimited()
  @ApiOkResponse({ type: PasskeyAuthenticationOptionsDto, description: 'The challenge and the options' })
  authenticationOptions(): Promise<PasskeyAuthenticationOptionsDto> {
    return this.passkeys.authenticationOptions() as unknown as Promise<PasskeyAuthenticationOptionsDto>;
  }

  @Public()
  @UseGuards(ClientThrottleGuard)
  @Post('authentication')
  @HttpCode(200)
  @ApiOperation({
    operationId: 'passkeyLogin',
    summary: 'Log in with a passkey',
    description:
      'Verifies the `AuthenticationResponseJSON` for the challenge. Complete on its own: answers as login does, a fresh ' +
      'access token with `amr` `["webauthn"]` (with `X-Token-Transport: cookie` the refresh token is set as a cookie).',
  })
  @ApiHeader(TRANSPORT_DOC)
  @ApiBody({ type: PasskeyAuthenticationDto })
  @ApiRateLimited()
  @ApiOkResponse({ type: TokenPairDto, description: 'A fresh access token and a refresh token', headers: SET_COOKIE })
  @ApiErrors({
    400: 'Malformed body or a `response` that is not an AuthenticationResponseJSON',
    401: 'Unknown credential, failed verification (origin, RP id, signature, user verification, counter), or a used or expired challenge',
    403: 'Account pending approval or disabled, or its email not verified while REQUIRE_EMAIL_VERIFICATION is on (only after a verified passkey)',
  })
  async authenticate(
    @Body() dto: PasskeyAuthenticationDto,
    @Req() request: FastifyRequest,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<TokenPairDto> {
    // A user-verified passkey is multi-factor on its own: it never asks for a second factor.
    const tokens = await this.passkeys.authenticate(dto.challengeId, dto.response, clientInfo(request));
    return deliverTokens(tokens, request, reply, this.tokensConfig);
  }
}
