import { Controller, Get, Header } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { Public } from '../../common/decorators/public.decorator.js';
import { JwksDto } from './dto/jwks.dto.js';
import { KeyRing } from './key-ring.js';

/**
 * Resource servers cache the key set this long. A rotation waits at least one access-token
 * lifetime before an old key is removed, and JWKS clients fetch again on an unknown kid, so
 * a few minutes of staleness never refuses a valid token.
 */
const JWKS_MAX_AGE_SECONDS = 300;

/** The public keys, outside the /api prefix where JWKS clients look for them (app.setup.ts). */
@ApiTags('auth')
@Controller('.well-known')
export class JwksController {
  constructor(private readonly keys: KeyRing) {}

  @Public()
  @Get('jwks.json')
  @Header('Cache-Control', `public, max-age=${JWKS_MAX_AGE_SECONDS}`)
  @ApiOperation({
    summary: 'Public keys that verify access tokens (JWKS)',
    description: 'Every verifying key, chosen by the token\'s `kid`; empty when JWT_ALGORITHM is HS256.',
    operationId: 'getJwks',
    security: [],
  })
  @ApiOkResponse({ type: JwksDto })
  getJwks(): JwksDto {
    return { keys: [...this.keys.jwks] };
  }
}
