import { Body, Controller, HttpCode, Post, Req, UseGuards } from '@nestjs/common';
import {
  ApiBadRequestResponse,
  ApiNoContentResponse,
  ApiOperation,
  ApiAcceptedResponse,
  ApiTags,
} from '@nestjs/swagger';
import type { FastifyRequest } from 'fastify';
import { Public } from '../../common/decorators/public.decorator.js';
import { ErrorResponseDto } from '../../common/openapi/error-response.dto.js';
import { ClientThrottleGuard } from '../../abuse/client-throttle.guard.js';
import { ApiRateLimited } from '../../common/openapi/decorators.js';
import { ForgotPasswordResponseDto } from './dto/forgot-password-response.dto.js';
import { ForgotPasswordDto } from './dto/forgot-password.dto.js';
import { ResetPasswordDto } from './dto/reset-password.dto.js';
import { VerifyEmailDto } from './dto/verify-email.dto.js';
import { EmailVerificationService } from './email-verification.service.js';
import { FORGOT_PASSWORD_MESSAGE, PasswordResetService } from './password-reset.service.js';


/** The public link routes of email verification and account recovery (API.md "Email: verification and account recovery"). */
@ApiTags('auth')
@Controller('auth')
export class AuthEmailController {
  constructor(
    private readonly verification: EmailVerificationService,
    private readonly resets: PasswordResetService,
  ) {}

  @Public()
  @UseGuards(ClientThrottleGuard)
  @Post('email/verify')
  @HttpCode(204)
  @ApiOperation({
    operationId: 'verifyEmail',
    security: [],
    summary: 'Verify an email address',
    description: 'Takes the token from a verification link. A link works once, expires after VERIFY_TOKEN_TTL, and only for the address it was mailed to.',
  })
  @ApiNoContentResponse({ description: 'The address is verified' })
  @ApiBadRequestResponse({ type: ErrorResponseDto, description: 'Invalid, used or expired token, or a malformed body' })
  @ApiRateLimited()
  verifyEmail(@Body() dto: VerifyEmailDto, @Req() request: FastifyRequest): Promise<void> {
    return this.verification.verify(dto.token, request.ip);
  }

  @Public()
  @UseGuards(ClientThrottleGuard)
  @Post('password/forgot')
  @HttpCode(202)
  @ApiOperation({
    operationId: 'forgotPassword',
    security: [],
    summary: 'Ask for a password reset link',
    description:
      'Always the same answer, with similar timing, whether or not an account has the address; when one does, a reset link (valid RESET_TOKEN_TTL) is mailed, at most MAIL_PER_HOUR mails per address.',
  })
  @ApiAcceptedResponse({ type: ForgotPasswordResponseDto })
  @ApiBadRequestResponse({ type: ErrorResponseDto, description: 'Not an email address, or a malformed body' })
  @ApiRateLimited()
  async forgotPassword(@Body() dto: ForgotPasswordDto, @Req() request: FastifyRequest): Promise<ForgotPasswordResponseDto> {
    await this.resets.forgot(dto.email, request.ip);
    return { message: FORGOT_PASSWORD_MESSAGE };
  }

  @Public()
  @UseGuards(ClientThrottleGuard)
  @Post('password/reset')
  @HttpCode(204)
  @ApiOperation({
    operationId: 'resetPassword',
    security: [],
    summary: 'Set a new password with a reset link',
    description:
      'Every session of the user is revoked, a failed-login lockout is lifted and the address counts as verified. Second factors stay. A password the policy refuses leaves the link usable.',
  })
  @ApiNoContentResponse({ description: 'The password is set' })
  @ApiBadRequestResponse({ type: ErrorResponseDto, description: 'Invalid, used or expired token, a password the policy refuses, or a malformed body' })
  @ApiRateLimited()
  resetPassword(@Body() dto: ResetPasswordDto, @Req() request: FastifyRequest): Promise<void> {
    return this.resets.reset(dto.token, dto.newPassword, request.ip);
  }
}
