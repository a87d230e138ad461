import { Injectable } from '@nestjs/common';
import { PassportStrategy } from '@nestjs/passport';
import { ExtractJwt, Strategy } from 'passport-jwt';
import type { AuthUser } from '../../common/auth-user.js';
import { AppConfig } from '../../config/app-config.js';
import { SessionsService } from '../../sessions/sessions.service.js';
import { JWT_ALGORITHM, jwtKey } from '../jwt-key.js';
import type { AccessClaims } from '../token-claims.js';

/** Access tokens: pinned algorithm, exp, iss, aud, typ, then the live-session lookup. */
@Injectable()
export class JwtStrategy extends PassportStrategy(Strategy, 'jwt') {
  constructor(
    config: AppConfig,
    private readonly sessions: SessionsService,
  ) {
    super({
      jwtFromRequest: ExtractJwt.fromAuthHeaderAsBearerToken(),
      // passport-jwt hands the key to jsonwebtoken as is; its typings predate KeyObject.
      secretOrKey: jwtKey(config) as unknown as Buffer,
      algorithms: [JWT_ALGORITHM],
      issuer: config.jwtIssuer,
      audience: config.jwtAudience,
      ignoreExpiration: false,
    });
  }

  async validate(claims: AccessClaims): Promise<AuthUser | false> {
    if (claims.typ !== 'access' || typeof claims.sid !== 'string' || typeof claims.sub !== 'string') return false;
    const live = await this.sessions.findLive(claims.sid, claims.sub);
    if (!live) return false;
    return {
      id: live.userId,
      username: live.username,
      role: live.role,
      sessionId: claims.sid,
      fresh: claims.fresh === true,
      profile: { name: live.name, createdAt: live.createdAt, updatedAt: live.updatedAt, lastLoginAt: live.lastLoginAt },
    };
  }
}
