import { Body, Controller, Get, HttpCode, Param, Post, Query, Req, Res, UseGuards } from '@nestjs/common';
import { ApiBody, ApiHeader, ApiOkResponse, ApiOperation, ApiParam, ApiQuery, ApiResponse, ApiTags } from '@nestjs/swagger';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { ClientThrottleGuard } from '../../abuse/client-throttle.guard.js';
import { Public } from '../../common/decorators/public.decorator.js';
import { ApiErrors, ApiRateLimited } from '../../common/openapi/decorators.js';
import { TokensConfig } from '../../config/tokens.config.js';
import { ApiLoginAnswer, clientInfo, deliverTokens, SET_COOKIE, TRANSPORT_DOC } from '../auth.controller.js';
import { TokenPairDto } from '../dto/token-pair.dto.js';
import { MfaChallengeDto } from '../mfa/dto/mfa-responses.dto.js';
import { ExchangeOidcCodeDto, OidcProviderDto } from './dto/oidc.dto.js';
import { clearFlowCookie, readFlowCookie, setFlowCookie } from './flow-cookie.js';
import { ProviderUnavailableError } from './oidc-clients.js';
import { OidcService } from './oidc.service.js';

const PROVIDER_PARAM = { name: 'provider', description: 'A provider id from listOidcProviders', schema: { type: 'string' as const, pattern: '^[a-z0-9][a-z0-9_-]{0,31}$' } };
const LOCATION = { description: 'Where the browser goes next', schema: { type: 'string' as const, format: 'uri' } };
const FLOW_COOKIE_DOC =
  'The flow cookie: `oidc_flow` (HttpOnly, SameSite=Lax, Path=/api/auth/oidc, 10 minutes) on plain-http localhost, ' +
  'else `__Host-oidc_flow` (Secure, Path=/). Signed; it binds the flow and its login code to this browser';

@ApiTags('auth')
@Controller('auth/oidc')
export class OidcController {
  constructor(
    private readonly oidc: OidcService,
    private readonly tokensConfig: TokensConfig,
  ) {}

  @Public()
  @Get('providers')
  @ApiOperation({ operationId: 'listOidcProviders', summary: 'The OpenID Connect providers users may sign in with', description: 'From OIDC_PROVIDERS; empty when none is configured.' })
  @ApiOkResponse({ type: [OidcProviderDto], description: 'The configured providers, in configuration order' })
  providers(): OidcProviderDto[] {
    return this.oidc.providers();
  }

  @Public()
  @UseGuards(ClientThrottleGuard)
  @Get(':provider/authorize')
  @ApiOperation({
    operationId: 'startOidcLogin',
    summary: 'Start signing in with a provider (browser navigation)',
    description:
      'Redirects the browser to the provider’s authorization endpoint (authorization code flow, PKCE S256, `state`, `nonce`) and ' +
      'sets the flow cookie. When the provider cannot be discovered the browser goes to `/#/login?error=provider_unavailable` instead.',
  })
  @ApiParam(PROVIDER_PARAM)
  @ApiQuery({
    name: 'returnTo',
    required: false,
    schema: { type: 'string', example: '/account' },
    description: 'A path of this origin to land on after the login; anything else becomes `/`',
  })
  @ApiRateLimited()
  @ApiResponse({
    status: 302,
    description: 'To the provider (or to the web client’s login page with `error=provider_unavailable`)',
    headers: { Location: LOCATION, 'Set-Cookie': { description: FLOW_COOKIE_DOC, schema: { type: 'string' } } },
  })
  @ApiErrors({ 404: 'Unknown provider' })
  async authorize(
    @Param('provider') providerId: string,
    @Query('returnTo') returnTo: unknown,
    @Req() request: FastifyRequest,
    @Res() reply: FastifyReply,
  ): Promise<void> {
    const provider = this.oidc.provider(providerId);
    try {
      const flow = await this.oidc.start(provider, returnTo);
      setFlowCookie(request, reply, this.tokensConfig, flow.cookie);
      redirect(reply, flow.location);
    } catch (error) {
      if (!(error instanceof ProviderUnavailableError)) throw error;
      redirect(reply, this.oidc.loginPageWith('provider_unavailable'));
    }
  }

  @Public()
  @Get(':provider/callback')
  @ApiOperation({
    operationId: 'oidcCallback',
    summary: 'Where the provider sends the browser back (the redirect_uri to register)',
    description:
      'Checks `state` against the flow cookie (single-use), redeems the code (PKCE) and verifies the ID token (JWKS signature, issuer, ' +
      'audience, expiry, nonce), then finds the linked account, links the account whose verified email the provider verified too, or ' +
      'creates one. Success: `${APP_URL}/#/oidc?code=<login code>&returnTo=<path>` (a one-time code, 60 s, good only with the flow ' +
      'cookie). Failure: `${APP_URL}/#/login?error=<code>`, `code` one of `invalid_state`, `access_denied`, `provider_error`, ' +
      '`provider_unavailable`, `login_failed`, `email_not_verified` (the provider has not verified an address that belongs to an ' +
      'account), `account_email_not_verified` (the matching account has not verified its address), `identity_conflict`.',
  })
  @ApiParam(PROVIDER_PARAM)
  @ApiQuery({ name: 'code', required: false, schema: { type: 'string' }, description: 'From the provider' })
  @ApiQuery({ name: 'state', required: false, schema: { type: 'string' }, description: 'From the provider' })
  @ApiQuery({ name: 'error', required: false, schema: { type: 'string' }, description: 'From the provider, e.g. access_denied' })
  @ApiResponse({
    status: 302,
    description: 'To the web client: `#/oidc?code=...&returnTo=...` on success, `#/login?error=...` on failure',
    headers: { Location: LOCATION, 'Set-Cookie': { description: 'Expires the flow cookie when the flow failed', schema: { type: 'string' } } },
  })
  @ApiErrors({ 404: 'Unknown provider' })
  async callback(@Param('provider') providerId: string, @Req() request: FastifyRequest, @Res() reply: FastifyReply): Promise<void> {
    const provider = this.oidc.provider(providerId);
    const query = (typeof request.query === 'object' && request.query !== null ? request.query : {}) as Record<string, unknown>;
    const location = await this.oidc.callback(provider, query, readFlowCookie(request, this.tokensConfig), clientInfo(request));
    // The login code needs the cookie; a failed flow has no use for it.
    if (location.includes('#/login?')) clearFlowCookie(request, reply);
    redirect(reply, location);
  }

  @Public()
  @UseGuards(ClientThrottleGuard)
  @Post('exchange')
  @HttpCode(200)
  @ApiOperation({
    operationId: 'exchangeOidcCode',
    summary: 'Trade the login code for the login’s answer',
    description:
      'The web client posts the code from `#/oidc?code=`; the browser’s flow cookie must come with it. Answers as login does: a fresh ' +
      'access token with `amr` `["oidc"]` (cookie mode with `X-Token-Transport: cookie`), or for an account with two-factor login on ' +
      'the `mfaRequired` answer for POST /auth/mfa/verify. The code is single-use and lives 60 seconds.',
  })
  @ApiHeader(TRANSPORT_DOC)
  @ApiBody({ type: ExchangeOidcCodeDto })
  @ApiRateLimited()
  @ApiLoginAnswer('A fresh access token and a refresh token; or, for an account with two-factor login on, no tokens but an mfaToken', {
    'Set-Cookie': { description: `${SET_COOKIE['Set-Cookie'].description}; and the expired flow cookie`, schema: { type: 'string' } },
  })
  @ApiErrors({
    400: 'Malformed body: `code` missing, not a string, too long, or unknown fields',
    401: 'Invalid, used or expired login code, or the flow cookie of the browser that started the login is missing',
    403: 'Account pending approval or disabled, or its email not verified while REQUIRE_EMAIL_VERIFICATION is on',
  })
  async exchange(
    @Body() dto: ExchangeOidcCodeDto,
    @Req() request: FastifyRequest,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<TokenPairDto | MfaChallengeDto> {
    const login = await this.oidc.exchange(dto.code, readFlowCookie(request, this.tokensConfig), clientInfo(request));
    clearFlowCookie(request, reply);
    if (login.outcome === 'second-factor-required') {
      const { mfaToken, methods, expiresIn } = login.challenge;
      return { mfaRequired: true, mfaToken, methods, expiresIn };
    }
    return deliverTokens(login.tokens, request, reply, this.tokensConfig);
  }
}

function redirect(reply: FastifyReply, location: string): void {
  reply.code(302).header('Location', location).send();
}
