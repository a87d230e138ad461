import { Injectable } from '@nestjs/common';
import { PassportStrategy } from '@nestjs/passport';
import { Strategy } from 'passport-jwt';
import type { AuthUser } from '../../common/auth-user.js';
import { SessionsService } from '../../sessions/sessions.service.js';
import { bearerTokenFrom, hasRequiredClaims } from '../bearer-token.js';
import type { AccessClaims } from '../token-claims.js';
import { KeyRing } from '../tokens/key-ring.js';
import { VerifiedTokens } from '../verified-tokens.js';

/** passport's typings name Express's request; here it is Fastify's, and only its headers are read. */
type PassportRequest = Parameters<Strategy['authenticate']>[0];

/** About one entry per active client; ~5 MB when full. */
const VERIFIED_TOKENS_CAPACITY = 10_000;

/** Access tokens: key by kid, pinned algorithm, exp, iss, aud, typ, then the live-session lookup. */
@Injectable()
export class JwtStrategy extends PassportStrategy(Strategy, 'jwt') {
  private readonly verified = new VerifiedTokens(VERIFIED_TOKENS_CAPACITY);

  constructor(
    keys: KeyRing,
    private readonly sessions: SessionsService,
  ) {
    super({
      jwtFromRequest: bearerTokenFrom,
      ...keys.verificationOptions(),
      ignoreExpiration: false,
      passReqToCallback: true,
    });
    keys.onChange(() => this.verified.clear());
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
    const user = await this.sessions.findLive(claims.sid, claims.sub);
    if (!user) return false;
    return { id: user.id, username: user.username, role: user.role, sessionId: claims.sid, fresh: claims.fresh === true, profile: user };
  }
}
