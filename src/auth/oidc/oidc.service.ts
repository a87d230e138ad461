import { Injectable, Logger, NotFoundException, UnauthorizedException } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { randomBytes, randomUUID } from 'node:crypto';
import * as client from 'openid-client';
import { Repository } from 'typeorm';
import { DomainEventBus } from '../../common/events/domain-events.js';
import { isValidUsername } from '../../common/username.js';
import { AccountsConfig } from '../../config/accounts.config.js';
import { type OidcProviderConfig, OidcConfig } from '../../config/oidc.config.js';
import { OneTimeTokensService } from '../../one-time-tokens/one-time-tokens.service.js';
import { type User, UserStatus } from '../../users/user.entity.js';
import { UsersService } from '../../users/users.service.js';
import { EmailVerificationService } from '../email/email-verification.service.js';
import { type ClientInfo, type LoginOutcome, LoginService } from '../login/login.service.js';
import { bindingHash, type FlowCookie, FLOW_COOKIE_TTL_SECONDS, sameString } from './flow-cookie.js';
import { OidcClients, ProviderUnavailableError } from './oidc-clients.js';
import { safeReturnTo } from './return-to.js';
import { UserIdentity } from './user-identity.entity.js';
import { isEmailAddress } from '../../common/is-email-address.js';

/** Server-side record of a started flow: makes its `state` single-use. */
const STATE_PURPOSE = 'oidc.state';
/** The one-time login code the callback hands the web client (API.md: single-use, 60 s). */
const LOGIN_CODE_PURPOSE = 'oidc.login';
const LOGIN_CODE_TTL_SECONDS = 60;
const SCOPE = 'openid email profile';
const INVALID_CODE = 'Invalid, used or expired login code';

/**
 * The error codes the flow can end with at `/#/login?error=<code>` (the web client turns each
 * into a readable message).
 */
export type OidcErrorCode =
  /** Missing, forged or expired flow cookie, or a `state` that does not match it or was used. */
  | 'invalid_state'
  /** The user declined at the provider. */
  | 'access_denied'
  /** Any other error the provider sent back. */
  | 'provider_error'
  /** Discovery failed (down, unreachable): tried again on the next login. */
  | 'provider_unavailable'
  /** The code exchange or the ID token failed a check (signature, issuer, audience, nonce, expiry). */
  | 'login_failed'
  /** The provider's address matches an account, but the provider has not verified it. */
  | 'email_not_verified'
  /** The provider's verified address matches an account whose own address is unverified. */
  | 'account_email_not_verified'
  /** The account the address matches is already linked to another account at this provider. */
  | 'identity_conflict';

export class OidcRefusal extends Error {
  constructor(
    readonly code: OidcErrorCode,
    readonly userId: string | null = null,
  ) {
    super(code);
  }
}

export interface StartedFlow {
  /** The provider's authorization URL to send the browser to. */
  location: string;
  /** What the flow cookie carries (see flow-cookie.ts). */
  cookie: Omit<FlowCookie, 'e'>;
}

interface ProviderClaims {
  sub: string;
  email: string | null;
  emailVerified: boolean;
  name: string | null;
  usernameHints: string[];
}

/**
 * Sign in with an OpenID Connect provider: authorization code flow with PKCE (S256), `state`
 * and `nonce`, the ID token verified by openid-client against the provider's JWKS. The flow
 * ends in a one-time login code that only the browser holding the flow cookie can exchange,
 * and the exchange ends where every login ends: LoginService.decide.
 */
@Injectable()
export class OidcService {
  private readonly logger = new Logger(OidcService.name);

  constructor(
    @InjectRepository(UserIdentity) private readonly identities: Repository<UserIdentity>,
    private readonly config: OidcConfig,
    private readonly accounts: AccountsConfig,
    private readonly clients: OidcClients,
    private readonly oneTimeTokens: OneTimeTokensService,
    private readonly users: UsersService,
    private readonly logins: LoginService,
    private readonly events: DomainEventBus,
    private readonly emailVerification: EmailVerificationService,
  ) {}

  providers(): Array<{ id: string; name: string }> {
    return this.config.providers.map(({ id, name }) => ({ id, name }));
  }

  provider(id: string): OidcProviderConfig {
    const provider = this.config.provider(id);
    if (!provider) throw new NotFoundException('Unknown OpenID Connect provider');
    return provider;
  }

  /** Throws ProviderUnavailableError when the provider cannot be discovered. */
  async start(provider: OidcProviderConfig, returnTo: unknown): Promise<StartedFlow> {
    const configuration = await this.clients.configuration(provider);
    const verifier = client.randomPKCECodeVerifier();
    const nonce = client.randomNonce();
    const { token: state } = await this.oneTimeTokens.issue(STATE_PURPOSE, null, FLOW_COOKIE_TTL_SECONDS, {
      provider: provider.id,
      returnTo: safeReturnTo(returnTo),
    });
    const url = client.buildAuthorizationUrl(configuration, {
      redirect_uri: this.config.callbackUrl(provider.id),
      scope: SCOPE,
      code_challenge: await client.calculatePKCECodeChallenge(verifier),
      code_challenge_method: 'S256',
      state,
      nonce,
    });
    return {
      location: url.href,
      cookie: { p: provider.id, s: state, v: verifier, n: nonce, b: randomBytes(32).toString('base64url') },
    };
  }

  /**
   * The provider sent the browser back. Answers where the browser goes next: the web client
   * with a login code, or its login page with an error code. Never throws for anything the
   * provider or the browser sent.
   */
  async callback(provider: OidcProviderConfig, query: Record<string, unknown>, flow: FlowCookie | undefined, client: ClientInfo): Promise<string> {
    try {
      const { userId, returnTo } = await this.finish(provider, query, flow, client.ip);
      const { token } = await this.oneTimeTokens.issue(LOGIN_CODE_PURPOSE, userId, LOGIN_CODE_TTL_SECONDS, {
        binding: bindingHash(flow!.b),
        provider: provider.id,
      });
      return `${this.config.appUrl}/#/oidc?code=${encodeURIComponent(token)}&returnTo=${encodeURIComponent(returnTo)}`;
    } catch (error) {
      const refusal = error instanceof OidcRefusal ? error : new OidcRefusal(this.unexpected(provider, error));
      await this.events.emit('oidc.failed', { provider: provider.id, reason: refusal.code, userId: refusal.userId, ip: client.ip });
      return this.loginPageWith(refusal.code);
    }
  }

  loginPageWith(code: OidcErrorCode): string {
    return `${this.config.appUrl}/#/login?error=${code}`;
  }

  /** POST /auth/oidc/exchange: the login code, from the browser that holds the flow cookie. */
  async exchange(code: string, flow: FlowCookie | undefined, client: ClientInfo): Promise<LoginOutcome> {
    const fail = async (reason: string, userId: string | null = null): Promise<never> => {
      await this.events.emit('oidc.failed', { provider: flow?.p ?? null, reason, userId, ip: client.ip });
      throw new UnauthorizedException(INVALID_CODE);
    };
    if (!flow) return fail('flow_cookie_missing');
    // Checked before the code is used up: a stolen code presented without the cookie does not burn it.
    const pending = await this.oneTimeTokens.peek(LOGIN_CODE_PURPOSE, code);
    if (!pending) return fail('invalid_code');
    const binding = pending.data?.binding;
    if (typeof binding !== 'string' || !sameString(binding, bindingHash(flow.b))) return fail('wrong_browser', pending.subject);
    const used = await this.oneTimeTokens.consume(LOGIN_CODE_PURPOSE, code);
    if (!used?.subject) return fail('invalid_code');
    const user = await this.users.findById(used.subject);
    if (!user) return fail('invalid_code');
    return this.logins.decide(user, ['oidc'], client);
  }

  /** Checks the callback against the flow, redeems the code, and finds or makes the user. */
  private async finish(provider: OidcProviderConfig, query: Record<string, unknown>, flow: FlowCookie | undefined, ip?: string) {
    const state = query.state;
    if (!flow || flow.p !== provider.id || typeof state !== 'string' || !sameString(state, flow.s)) throw new OidcRefusal('invalid_state');
    const started = await this.oneTimeTokens.consume<{ provider: string; returnTo: string }>(STATE_PURPOSE, state);
    if (!started?.data || started.data.provider !== provider.id) throw new OidcRefusal('invalid_state');
    if (query.error !== undefined) throw new OidcRefusal(query.error === 'access_denied' ? 'access_denied' : 'provider_error');

    let configuration: client.Configuration;
    try {
      configuration = await this.clients.configuration(provider);
    } catch {
      throw new OidcRefusal('provider_unavailable');
    }
    const claims = await this.redeem(provider, configuration, query, flow);
    const user = await this.userFor(provider, claims, ip);
    return { userId: user.id, returnTo: safeReturnTo(started.data.returnTo) };
  }

  /** The code for tokens: openid-client checks state, iss, PKCE, and the ID token (JWKS signature, iss, aud, exp, nonce). */
  private async redeem(provider: OidcProviderConfig, configuration: client.Configuration, query: Record<string, unknown>, flow: FlowCookie): Promise<ProviderClaims> {
    const currentUrl = new URL(this.config.callbackUrl(provider.id));
    for (const [name, value] of Object.entries(query)) {
      if (typeof value === 'string') currentUrl.searchParams.set(name, value);
    }
    let tokens: Awaited<ReturnType<typeof client.authorizationCodeGrant>>;
    let idClaims: client.IDToken | undefined;
    try {
      tokens = await client.authorizationCodeGrant(configuration, currentUrl, {
        pkceCodeVerifier: flow.v,
        expectedState: flow.s,
        expectedNonce: flow.n,
        idTokenExpected: true,
      });
      idClaims = tokens.claims();
    } catch (error) {
      this.logger.warn(`OIDC code exchange with "${provider.id}" failed: ${describe(error)}`);
      throw new OidcRefusal('login_failed');
    }
    if (!idClaims || typeof idClaims.sub !== 'string' || idClaims.sub.length === 0 || idClaims.sub.length > 255) throw new OidcRefusal('login_failed');
    let claims: Record<string, unknown> = { ...idClaims };
    // Many providers put email and profile claims only in the UserInfo answer for the code flow.
    if (configuration.serverMetadata().userinfo_endpoint && (claims.email === undefined || claims.email_verified === undefined)) {
      try {
        const userInfo = await client.fetchUserInfo(configuration, tokens.access_token, idClaims.sub);
        claims = { ...userInfo, ...claims, sub: idClaims.sub };
        for (const field of ['email', 'email_verified', 'name', 'preferred_username', 'nickname', 'given_name']) {
          if (claims[field] === undefined && userInfo[field] !== undefined) claims[field] = userInfo[field];
        }
      } catch (error) {
        this.logger.warn(`OIDC UserInfo request to "${provider.id}" failed: ${describe(error)}`);
        throw new OidcRefusal('login_failed');
      }
    }
    return readClaims(claims);
  }

  /**
   * The identity's user if it is linked; else the account whose verified address the
   * provider vouches for too (linked now); else a new account. Anything in between (an
   * address only one side has verified) is refused: linking on it would hand the account
   * to whoever controls the provider's account.
   */
  private async userFor(provider: OidcProviderConfig, claims: ProviderClaims, ip?: string): Promise<User> {
    const linked = await this.identities.findOneBy({ provider: provider.id, subject: claims.sub });
    if (linked) {
      const user = await this.users.findById(linked.userId);
      if (user) {
        if (linked.email !== claims.email) await this.identities.update({ id: linked.id }, { email: claims.email });
        return user;
      }
    }
    const existing = claims.email ? await this.users.findByEmail(claims.email) : null;
    if (existing) {
      if (!claims.emailVerified) throw new OidcRefusal('email_not_verified', existing.id);
      if (!existing.emailVerified) throw new OidcRefusal('account_email_not_verified', existing.id);
      if (await this.identities.existsBy({ userId: existing.id, provider: provider.id })) throw new OidcRefusal('identity_conflict', existing.id);
      await this.link(existing.id, provider, claims);
      await this.events.emit('oidc.linked', { userId: existing.id, provider: provider.id, created: false, ip });
      return existing;
    }
    const user = await this.createUser(claims);
    try {
      await this.link(user.id, provider, claims);
    } catch (error) {
      // A concurrent first login with the same identity won: use its account, drop ours.
      await this.users.removeUnused(user.id);
      const winner = await this.identities.findOneBy({ provider: provider.id, subject: claims.sub });
      const winnerUser = winner ? await this.users.findById(winner.userId) : null;
      if (winnerUser) return winnerUser;
      throw error;
    }
    await this.events.emit('user.registered', { userId: user.id, username: user.username });
    await this.events.emit('oidc.linked', { userId: user.id, provider: provider.id, created: true, ip });
    // As at registration: an address the provider has not verified gets a verification link.
    if (!user.emailVerified) await this.emailVerification.sendLink(user, false);
    return user;
  }

  private async link(userId: string, provider: OidcProviderConfig, claims: ProviderClaims): Promise<void> {
    await this.identities.insert({ id: randomUUID(), userId, provider: provider.id, subject: claims.sub, email: claims.email, linkedAt: new Date() });
  }

  /** A unique username from the claims: the first usable hint, else "user", with a random suffix when taken. */
  private async createUser(claims: ProviderClaims): Promise<User> {
    const base = usernameBase(claims.usernameHints);
    const status = this.accounts.requireApproval ? UserStatus.Pending : UserStatus.Active;
    for (let attempt = 0; attempt < 8; attempt++) {
      const username = attempt === 0 ? base : `${base.slice(0, 23)}-${randomBytes(4).toString('hex')}`;
      if (await this.users.findByUsername(username)) continue;
      try {
        return await this.users.createPasswordless({ username, name: claims.name, email: claims.email, emailVerified: claims.emailVerified, status });
      } catch (error) {
        // Taken in between (username, or the address by a concurrent registration): try again,
        // then without the address rather than fail the login.
        if (claims.email && (await this.users.findByEmail(claims.email))) throw new OidcRefusal(claims.emailVerified ? 'account_email_not_verified' : 'email_not_verified');
        if (attempt === 7) throw error;
      }
    }
    throw new Error('No free username found');
  }

  private unexpected(provider: OidcProviderConfig, error: unknown): OidcErrorCode {
    if (error instanceof ProviderUnavailableError) return 'provider_unavailable';
    this.logger.error(`OIDC login with "${provider.id}" failed unexpectedly: ${describe(error)}`);
    return 'login_failed';
  }
}

function describe(error: unknown): string {
  if (error instanceof Error) {
    const code = (error as { code?: unknown }).code;
    return `${error.name}${typeof code === 'string' ? ` (${code})` : ''}: ${error.message}`;
  }
  return String(error);
}

const asString = (value: unknown): string | null => (typeof value === 'string' && value.trim() !== '' ? value.trim() : null);

function readClaims(claims: Record<string, unknown>): ProviderClaims {
  const email = asString(claims.email);
  // The rules a typed address meets: an address a user could not register with never links or names an account.
  const usableEmail = isEmailAddress(email) ? email : null;
  const name = asString(claims.name);
  return {
    sub: claims.sub as string,
    email: usableEmail,
    // Some providers send the flag as a string.
    emailVerified: usableEmail !== null && (claims.email_verified === true || claims.email_verified === 'true'),
    name: name ? stripControls(name).slice(0, 100) || null : null,
    usernameHints: [claims.preferred_username, claims.nickname, usableEmail?.split('@')[0], claims.given_name, name]
      .map(asString)
      .filter((hint): hint is string => hint !== null),
  };
}

const stripControls = (value: string) => value.replace(/[\u0000-\u001f\u007f]/g, '');

/** The first hint that makes a valid username once reduced to letters, digits, ".", "_" and "-". */
export function usernameBase(hints: string[]): string {
  for (const hint of hints) {
    const local = hint.includes('@') ? hint.split('@')[0] : hint;
    const candidate = local
      .normalize('NFKD')
      .replace(/[\u0300-\u036f]/g, '')
      .replace(/\s+/g, '.')
      .replace(/[^A-Za-z0-9._-]+/g, '')
      .replace(/^[._-]+|[._-]+$/g, '')
      .slice(0, 32);
    if (isValidUsername(candidate)) return candidate;
  }
  return 'user';
}
