import { Controller, Delete, HttpCode, Param, ParseUUIDPipe, Req } from '@nestjs/common';
import { ApiBearerAuth, ApiNoContentResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { FastifyRequest } from 'fastify';
import type { AuthUser } from '../../common/auth-user.js';
import { CurrentUser } from '../../common/decorators/current-user.decorator.js';
import { Fresh } from '../../common/decorators/fresh.decorator.js';
import { Roles } from '../../common/decorators/roles.decorator.js';
import { Role } from '../../common/role.enum.js';
import { ApiErrors, ApiUuidParam } from '../../common/openapi/decorators.js';
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
  @ApiUuidParam()
  @ApiErrors({
    400: 'The id is not a UUID',
    401: 'Missing, invalid, expired or revoked access token, or one that is not fresh',
    403: 'The caller is not an admin',
    404: 'No such user',
  })
  reset(@CurrentUser() caller: AuthUser, @Param('id', new ParseUUIDPipe()) id: string, @Req() request: FastifyRequest): Promise<void> {
    return this.mfa.reset(caller, id, request.ip);
  }
}
