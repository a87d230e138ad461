import { Controller, Delete, HttpCode, Param, ParseUUIDPipe, Req } from '@nestjs/common';
import {
  ApiBadRequestResponse,
  ApiBearerAuth,
  ApiForbiddenResponse,
  ApiNoContentResponse,
  ApiNotFoundResponse,
  ApiOperation,
  ApiTags,
  ApiUnauthorizedResponse,
} from '@nestjs/swagger';
import type { FastifyRequest } from 'fastify';
import type { AuthUser } from '../../common/auth-user.js';
import { CurrentUser } from '../../common/decorators/current-user.decorator.js';
import { Fresh } from '../../common/decorators/fresh.decorator.js';
import { Roles } from '../../common/decorators/roles.decorator.js';
import { Role } from '../../common/role.enum.js';
import { ErrorResponseDto } from './dto/error-response.dto.js';
import { MfaService } from './mfa.service.js';

/** Lives with the two-factor code (users/ imports nothing of auth/) but under /users/:id. */
@ApiTags('users')
@ApiBearerAuth()
@Controller('users')
export class MfaAdminController {
  constructor(private readonly mfa: MfaService) {}

  @Roles(Role.Admin)
  @Fresh()
  @Delete(':id/mfa')
  @HttpCode(204)
  @ApiOperation({
    operationId: 'resetUserMfa',
    summary: 'Reset a user’s two-factor login (admin)',
    description: 'Removes the user’s authenticator app and recovery codes, e.g. after they lost both; their passkeys stay. Audited as `mfa.reset`.',
  })
  @ApiNoContentResponse({ description: 'The user has no authenticator app or recovery codes any more' })
  @ApiBadRequestResponse({ type: ErrorResponseDto, description: 'The id is not a UUID' })
  @ApiUnauthorizedResponse({ type: ErrorResponseDto, description: 'Missing, invalid, expired or revoked access token, or one that is not fresh' })
  @ApiForbiddenResponse({ type: ErrorResponseDto, description: 'The caller is not an admin' })
  @ApiNotFoundResponse({ type: ErrorResponseDto, description: 'No such user' })
  reset(@CurrentUser() caller: AuthUser, @Param('id', new ParseUUIDPipe()) id: string, @Req() request: FastifyRequest): Promise<void> {
    return this.mfa.reset(caller, id, request.ip);
  }
}
