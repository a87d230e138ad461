import { Injectable } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import type { AuthMethod } from '../../common/auth-method.js';
import type { Role } from '../../common/role.enum.js';
import { TokensConfig } from '../../config/tokens.config.js';
import type { TokenPairDto } from '../dto/token-pair.dto.js';
import type { AccessClaims, RefreshClaims } from '../token-claims.js';
import { KeyRing } from './key-ring.js';

export interface PairRequest {
  userId: string;
  sessionId: string;
  refreshJti: string;
  role: Role;
  fresh: boolean;
  amr: AuthMethod[];
}

/** A token pair as minted: the refresh token always, whatever transport then carries it. */
export type IssuedTokens = TokenPairDto & { refreshToken: string };

/** Mints the access and refresh tokens of a session; the key ring signs them. */
@Injectable()
export class TokensService {
  constructor(
    private readonly keys: KeyRing,
    private readonly config: TokensConfig,
  ) {}

  issuePair(request: PairRequest): IssuedTokens {
    const access: AccessClaims = {
      sub: request.userId,
      sid: request.sessionId,
      jti: randomUUID(),
      role: request.role,
      fresh: request.fresh,
      amr: request.amr,
      typ: 'access',
    };
    const refresh: RefreshClaims = {
      sub: request.userId,
      sid: request.sessionId,
      jti: request.refreshJti,
      typ: 'refresh',
    };
    return {
      accessToken: this.keys.sign(access, this.config.accessTtlSeconds),
      refreshToken: this.keys.sign(refresh, this.config.refreshTtlSeconds),
      tokenType: 'Bearer',
      expiresIn: this.config.accessTtlSeconds,
    };
  }
}
