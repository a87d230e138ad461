import { Injectable } from '@nestjs/common';
import { JwtService } from '@nestjs/jwt';
import { randomUUID } from 'node:crypto';
import type { Role } from '../common/role.enum.js';
import { AppConfig } from '../config/app-config.js';
import type { TokenPairDto } from './dto/token-pair.dto.js';
import type { AccessClaims, RefreshClaims } from './token-claims.js';

export interface PairRequest {
  userId: string;
  sessionId: string;
  refreshJti: string;
  role: Role;
  fresh: boolean;
  /** The refresh token expires then at the latest: the session's current expiry (see SessionsService). */
  refreshExpiresAt?: Date;
}

@Injectable()
export class TokensService {
  constructor(
    private readonly jwt: JwtService,
    private readonly config: AppConfig,
  ) {}

  issuePair(request: PairRequest): TokenPairDto & { refreshToken: string } {
    const access: AccessClaims = {
      sub: request.userId,
      sid: request.sessionId,
      jti: randomUUID(),
      role: request.role,
      fresh: request.fresh,
      typ: 'access',
    };
    const refresh: RefreshClaims = {
      sub: request.userId,
      sid: request.sessionId,
      jti: request.refreshJti,
      typ: 'refresh',
    };
    return {
      accessToken: this.jwt.sign(access, { expiresIn: this.config.accessTtlSeconds }),
      refreshToken: this.jwt.sign(refresh, { expiresIn: this.refreshLifetime(request.refreshExpiresAt) }),
      tokenType: 'Bearer',
      expiresIn: this.config.accessTtlSeconds,
    };
  }

  /** Seconds until the session's expiry, never more than JWT_REFRESH_TTL (at least 1: jsonwebtoken refuses 0). */
  refreshLifetime(expiresAt?: Date): number {
    if (!expiresAt) return this.config.refreshTtlSeconds;
    const remaining = Math.floor((expiresAt.getTime() - Date.now()) / 1000);
    return Math.max(1, Math.min(this.config.refreshTtlSeconds, remaining));
  }
}
