import { Injectable } from '@nestjs/common';
import { PassportStrategy } from '@nestjs/passport';
import { ExtractJwt, Strategy } from 'passport-jwt';
import { bearerTokenFrom, hasRequiredClaims } from '../bearer-token.js';
import type { RefreshClaims } from '../token-claims.js';
import { refreshTokenFromCookie } from '../token-cookies.js';
import { KeyRing } from '../tokens/key-ring.js';

/** Refresh tokens, from `Authorization: Bearer`, the body's `refreshToken`, or the cookie-mode cookie. */
@Injectable()
export class JwtRefreshStrategy extends PassportStrategy(Strategy, 'jwt-refresh') {
  constructor(keys: KeyRing) {
    super({
      jwtFromRequest: ExtractJwt.fromExtractors([
        bearerTokenFrom,
        ExtractJwt.fromBodyField('refreshToken'),
        refreshTokenFromCookie,
      ]),
      ...keys.verificationOptions(),
      ignoreExpiration: false,
    });
  }

  validate(claims: RefreshClaims): RefreshClaims | false {
    if (!hasRequiredClaims(claims, 'refresh')) return false;
    return { sub: claims.sub, sid: claims.sid, jti: claims.jti, typ: 'refresh' };
  }
}
