import { Injectable } from '@nestjs/common';
import { PassportStrategy } from '@nestjs/passport';
import { ExtractJwt, Strategy } from 'passport-jwt';
import { AppConfig } from '../../config/app-config.js';
import { bearerTokenFrom, hasRequiredClaims } from '../bearer-token.js';
import { JWT_ALGORITHM, jwtKey } from '../jwt-key.js';
import type { RefreshClaims } from '../token-claims.js';
import { refreshTokenFromCookie } from '../token-cookies.js';

/** Refresh tokens, from `Authorization: Bearer`, the body's `refreshToken`, or the cookie-mode cookie. */
@Injectable()
export class JwtRefreshStrategy extends PassportStrategy(Strategy, 'jwt-refresh') {
  constructor(config: AppConfig) {
    super({
      jwtFromRequest: ExtractJwt.fromExtractors([
        bearerTokenFrom,
        ExtractJwt.fromBodyField('refreshToken'),
        refreshTokenFromCookie,
      ]),
      // passport-jwt hands the key to jsonwebtoken as is; its typings predate KeyObject.
      secretOrKey: jwtKey(config) as unknown as Buffer,
      algorithms: [JWT_ALGORITHM],
      issuer: config.jwtIssuer,
      audience: config.jwtAudience,
      ignoreExpiration: false,
    });
  }

  validate(claims: RefreshClaims): RefreshClaims | false {
    if (!hasRequiredClaims(claims, 'refresh')) return false;
    return { sub: claims.sub, sid: claims.sid, jti: claims.jti, typ: 'refresh' };
  }
}
