import { Controller, Delete, Get, HttpCode, Param, Req } from '@nestjs/common';
import { ApiNoContentResponse, ApiOkResponse, ApiOperation, ApiParam, ApiTags } from '@nestjs/swagger';
import type { FastifyRequest } from 'fastify';
import type { AuthUser } from '../../common/auth-user.js';
import { CurrentUser } from '../../common/decorators/current-user.decorator.js';
import { Fresh } from '../../common/decorators/fresh.decorator.js';
import { ApiErrors } from '../../common/openapi/decorators.js';
import { UserIdentityDto } from './dto/user-identity.dto.js';
import { IdentitiesService } from './identities.service.js';

const FRESH_401 = 'Missing, invalid, expired or revoked access token, or one that is not fresh';

@ApiTags('users')
@Controller('users/me/identities')
export class IdentitiesController {
  constructor(private readonly identities: IdentitiesService) {}

  @Get()
  @ApiOperation({ operationId: 'listIdentities', summary: 'The caller’s linked OpenID Connect identities', description: 'Oldest link first.' })
  @ApiOkResponse({ type: [UserIdentityDto], description: 'The caller’s identities' })
  list(@CurrentUser() caller: AuthUser): Promise<UserIdentityDto[]> {
    return this.identities.list(caller.id);
  }

  @Fresh()
  @Delete(':provider')
  @HttpCode(204)
  @ApiOperation({
    operationId: 'unlinkIdentity',
    summary: 'Unlink the caller’s identity at a provider',
    description: 'That provider account can no longer log in to this one (a later login with it makes a new account or links again by verified email).',
  })
  @ApiParam({ name: 'provider', description: 'The provider id of the identity', schema: { type: 'string', maxLength: 64 } })
  @ApiNoContentResponse({ description: 'Unlinked' })
  @ApiErrors({
    401: FRESH_401,
    404: 'No identity of this provider is linked to the caller’s account',
    409: 'The account’s only way to log in (no password, no passkey, no other identity)',
  })
  unlink(@CurrentUser() caller: AuthUser, @Param('provider') provider: string, @Req() request: FastifyRequest): Promise<void> {
    return this.identities.unlink(caller.id, provider, request.ip);
  }
}
