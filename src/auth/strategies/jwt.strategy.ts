import { Injectable } from '@nestjs/common';
import { PassportStrategy } from '@nestjs/passport';
import { Strategy } from 'passport-jwt';
import type { AuthUser } from '../../common/auth-user.js';
import { AppConfig } from '../../config/app-config.js';
import { SessionsService } from '../../sessions/sessions.service.js';
import { bearerTokenFrom, hasRequiredClaims } from '../bearer-token.js';
import { JWT_ALGORITHM, jwtKey } from '../jwt-key.js';
import type { AccessClaims } from '../token-claims.js';
import { VerifiedTokens } from '../verified-tokens.js';

/** passport's typings name Express's request; here it is Fastify's, and only its headers are read. */
type PassportRequest = Parameters<Strategy['authenticate']>[0];

/** About one entry per active client; ~5 MB when full. */
const VERIFIED_TOKENS_CAPACITY = 10_000;

/** Access tokens: pinned algorithm, exp, iss, aud, typ, then the live-session lookup. */
@Injectable()
export class JwtStrategy extends PassportStrategy(Strategy, 'jwt') {
  private readonly verified = new VerifiedTokens(VERIFIED_TOKENS_CAPACITY);

  constructor(
    config: AppConfig,
    private readonly sessions: SessionsService,
  ) {
    super({
      jwtFromRequest: bearerTokenFrom,
      // passport-jwt hands the key to jsonwebtoken as is; its typings predate KeyObject.
      secretOrKey: jwtKey(config) as unknown as Buffer,
      algorithms: [JWT_ALGORITHM],
      issuer: config.jwtIssuer,
      audience: config.jwtAudience,
      ignoreExpiration: false,
      passReqToCallback: true,
    });
  }

  /**
   * passport-jwt verifies every token with jsonwebtoken; a token string it accepted before
   * skips that (see VerifiedTokens): only tokens that passed validate()'s claim checks are
   * remembered, and the session and user checks run in full every time.
   */
  override authenticate(request: PassportRequest, options?: object): void {
    const token = bearerTokenFrom(request);
    const claims = token ? this.verified.get(token) : undefined;
    if (!claims) return super.authenticate(request, options);
    this.liveUser(claims).then(
      (user) => (user ? this.success(user) : this.fail(undefined, 401)),
      (error: Error) => this.error(error),
    );
  }

  /** Called by passport-jwt after jsonwebtoken accepted the token. */
  async validate(request: PassportRequest, claims: AccessClaims): Promise<AuthUser | false> {
    if (!hasRequiredClaims(claims, 'access')) return false;
    this.verified.remember(bearerTokenFrom(request)!, claims);
    return this.liveUser(claims);
  }

  /** The per-request part: the session must be live and its user active; role from the database. */
  private async liveUser(claims: AccessClaims): Promise<AuthUser | false> {
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
