import { Injectable } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import type { AuthMethod } from '../../common/auth-method.js';
import type { Role } from '../../common/role.enum.js';
import type { SessionTransport } from '../../sessions/session.entity.js';
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
  /** The session's transport, fixed at login: a cookie session's refresh token never goes in a body. */
  transport: SessionTransport;
  /** The refresh token expires then at the latest: the session's current expiry (see SessionsService). */
  refreshExpiresAt: Date;
}

/**
 * A token pair as minted (the refresh token always, whatever transport then carries it), with
 * what its delivery needs: the session's transport, and for the cookie its id and lifetime.
 */
export type IssuedTokens = TokenPairDto & {
  refreshToken: string;
  sessionId: string;
  transport: SessionTransport;
  refreshExpiresIn: number;
};

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
    const refreshExpiresIn = this.refreshLifetime(request.refreshExpiresAt);
    return {
      accessToken: this.keys.sign(access, this.config.accessTtlSeconds),
      refreshToken: this.keys.sign(refresh, refreshExpiresIn),
      tokenType: 'Bearer',
      expiresIn: this.config.accessTtlSeconds,
      sessionId: request.sessionId,
      transport: request.transport,
      refreshExpiresIn,
    };
  }

  /** Seconds until the session's expiry, never more than JWT_REFRESH_TTL (at least 1: jsonwebtoken refuses 0). */
  private refreshLifetime(expiresAt: Date): number {
    const remaining = Math.floor((expiresAt.getTime() - Date.now()) / 1000);
    return Math.max(1, Math.min(this.config.refreshTtlSeconds, remaining));
  }
}
