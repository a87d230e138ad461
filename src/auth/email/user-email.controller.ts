import { Body, Controller, HttpCode, Param, ParseUUIDPipe, Post, Put, Req, Res } from '@nestjs/common';
import {
  ApiBadRequestResponse,
  ApiBearerAuth,
  ApiConflictResponse,
  ApiCreatedResponse,
  ApiForbiddenResponse,
  ApiNotFoundResponse,
  ApiOkResponse,
  ApiOperation,
  ApiAcceptedResponse,
  ApiTags,
  ApiTooManyRequestsResponse,
  ApiUnauthorizedResponse,
} from '@nestjs/swagger';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { AuthUser } from '../../common/auth-user.js';
import { CurrentUser } from '../../common/decorators/current-user.decorator.js';
import { Fresh } from '../../common/decorators/fresh.decorator.js';
import { Roles } from '../../common/decorators/roles.decorator.js';
import { ApiUuidParam } from '../../common/openapi/decorators.js';
import { ErrorResponseDto } from '../../common/openapi/error-response.dto.js';
import { Role } from '../../common/role.enum.js';
import { UserResponseDto } from '../../users/dto/user-response.dto.js';
import { ChangeEmailDto } from './dto/change-email.dto.js';
import { ResetLinkDto } from './dto/reset-link.dto.js';
import { EmailVerificationService } from './email-verification.service.js';
import { MailQuotaExceededException } from './mail-quota.exception.js';
import { PasswordResetService } from './password-reset.service.js';

const RETRY_AFTER = { 'Retry-After': { description: 'Seconds until another request may succeed', schema: { type: 'integer' } } };
const UNAUTHORIZED = { type: ErrorResponseDto, description: 'Missing, invalid, expired or revoked access token' };

/** The signed-in side of email: changing the address, resending the link, and an admin's reset link. */
@ApiTags('users')
@ApiBearerAuth()
@Controller('users')
export class UserEmailController {
  constructor(
    private readonly verification: EmailVerificationService,
    private readonly resets: PasswordResetService,
  ) {}

  @Fresh()
  @Put('me/email')
  @ApiOperation({
    operationId: 'changeEmail',
    summary: 'Change the caller’s email address',
    description: 'Needs a fresh access token. The new address starts unverified and gets a verification link; the old address gets a notice.',
  })
  @ApiOkResponse({ type: UserResponseDto })
  @ApiBadRequestResponse({ type: ErrorResponseDto, description: 'Not an email address, or a malformed body' })
  @ApiUnauthorizedResponse({ type: ErrorResponseDto, description: 'Missing, invalid, expired or revoked access token, or one that is not fresh' })
  @ApiConflictResponse({ type: ErrorResponseDto, description: 'Another account has this address (case-insensitively)' })
  async changeEmail(@CurrentUser() caller: AuthUser, @Body() dto: ChangeEmailDto, @Req() request: FastifyRequest): Promise<UserResponseDto> {
    return UserResponseDto.from(await this.verification.change(caller, dto.email, request.ip));
  }

  @Post('me/email/verification')
  @HttpCode(202)
  @ApiOperation({
    operationId: 'resendVerification',
    summary: 'Send a new verification link',
    description: 'Mails a new link to the caller’s unverified address; older links stop working.',
  })
  @ApiAcceptedResponse({ description: 'A new verification mail is on its way' })
  @ApiBadRequestResponse({ type: ErrorResponseDto, description: 'The account has no address, or it is already verified' })
  @ApiUnauthorizedResponse(UNAUTHORIZED)
  @ApiTooManyRequestsResponse({ type: ErrorResponseDto, headers: RETRY_AFTER, description: 'MAIL_PER_HOUR for the address is used up; see Retry-After' })
  async resendVerification(@CurrentUser() caller: AuthUser, @Res({ passthrough: true }) reply: FastifyReply): Promise<void> {
    try {
      await this.verification.resend(caller);
    } catch (error) {
      if (error instanceof MailQuotaExceededException) reply.header('Retry-After', String(error.retryAfterSeconds));
      throw error;
    }
  }

  @Roles(Role.Admin)
  @Fresh()
  @Post(':id/password-reset')
  @ApiOperation({
    operationId: 'createPasswordResetLink',
    summary: 'Issue a password reset link for a user (admin)',
    description:
      'For deployments without mail: the admin hands the single-use link (valid RESET_TOKEN_TTL) to the user. Needs a fresh access token; the user’s earlier reset links stop working.',
  })
  @ApiUuidParam('id', 'The user id')
  @ApiCreatedResponse({ type: ResetLinkDto })
  @ApiBadRequestResponse({ type: ErrorResponseDto, description: 'The id is not a UUID' })
  @ApiUnauthorizedResponse({ type: ErrorResponseDto, description: 'Missing, invalid, expired or revoked access token, or one that is not fresh' })
  @ApiForbiddenResponse({ type: ErrorResponseDto, description: 'The caller is not an admin' })
  @ApiNotFoundResponse({ type: ErrorResponseDto, description: 'No such user' })
  createPasswordResetLink(
    @CurrentUser() caller: AuthUser,
    @Param('id', new ParseUUIDPipe()) id: string,
    @Req() request: FastifyRequest,
  ): Promise<ResetLinkDto> {
    return this.resets.issueForAdmin(caller, id, request.ip);
  }
}
