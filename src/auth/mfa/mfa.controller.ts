import { Body, Controller, Delete, HttpCode, Post, Req } from '@nestjs/common';
import { ApiBearerAuth, ApiNoContentResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { FastifyRequest } from 'fastify';
import type { AuthUser } from '../../common/auth-user.js';
import { CurrentUser } from '../../common/decorators/current-user.decorator.js';
import { Fresh } from '../../common/decorators/fresh.decorator.js';
import { ApiErrors } from '../../common/openapi/decorators.js';
import { ConfirmTotpDto } from './dto/confirm-totp.dto.js';
import { RecoveryCodesDto, TotpSetupDto } from './dto/mfa-responses.dto.js';
import { MfaService } from './mfa.service.js';

const NOT_FRESH = 'Missing, invalid, expired or revoked access token, or one that is not fresh (log in again)';

/** The caller's own two-factor settings; every change needs a fresh token. */
@ApiTags('two-factor')
@ApiBearerAuth()
@Controller('auth/mfa')
export class MfaController {
  constructor(private readonly mfa: MfaService) {}

  @Fresh()
  @Post('totp/setup')
  @HttpCode(200)
  @ApiOperation({
    operationId: 'setupTotp',
    summary: 'Start setting up an authenticator app',
    description: 'A new secret with its otpauth URL and QR code. Nothing changes until a code confirms it; starting again replaces the pending secret.',
  })
  @ApiOkResponse({ type: TotpSetupDto })
  @ApiErrors({ 401: NOT_FRESH, 409: 'Two-factor login is already enabled' })
  setUp(@CurrentUser() caller: AuthUser): Promise<TotpSetupDto> {
    return this.mfa.setUp(caller);
  }

  @Fresh()
  @Post('totp/confirm')
  @HttpCode(200)
  @ApiOperation({
    operationId: 'confirmTotp',
    summary: 'Confirm the authenticator app and turn two-factor login on',
    description: 'Answers ten single-use recovery codes, shown only now.',
  })
  @ApiOkResponse({ type: RecoveryCodesDto })
  @ApiErrors({ 400: 'Malformed body, wrong code, or no set-up in progress', 401: NOT_FRESH })
  async confirm(@CurrentUser() caller: AuthUser, @Body() dto: ConfirmTotpDto, @Req() request: FastifyRequest): Promise<RecoveryCodesDto> {
    return { recoveryCodes: await this.mfa.confirm(caller, dto.code, request.ip) };
  }

  @Fresh()
  @Delete('totp')
  @HttpCode(204)
  @ApiOperation({ operationId: 'disableTotp', summary: 'Turn two-factor login off', description: 'Removes the authenticator app and the recovery codes.' })
  @ApiNoContentResponse({ description: 'Two-factor login is off' })
  @ApiErrors({ 401: NOT_FRESH, 404: 'Two-factor login is not enabled' })
  disable(@CurrentUser() caller: AuthUser, @Req() request: FastifyRequest): Promise<void> {
    return this.mfa.disable(caller, request.ip);
  }

  @Fresh()
  @Post('recovery-codes')
  @HttpCode(200)
  @ApiOperation({ operationId: 'regenerateRecoveryCodes', summary: 'New recovery codes', description: 'Ten new single-use codes; the old ones stop working.' })
  @ApiOkResponse({ type: RecoveryCodesDto })
  @ApiErrors({ 401: NOT_FRESH, 404: 'Two-factor login is not enabled' })
  async regenerate(@CurrentUser() caller: AuthUser, @Req() request: FastifyRequest): Promise<RecoveryCodesDto> {
    return { recoveryCodes: await this.mfa.regenerateRecoveryCodes(caller, request.ip) };
  }
}
