import { exportJWK, generateKeyPair } from 'jose';
import { randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Configuration, default as Provider } from 'oidc-provider';

/** What a test account tells the service about itself. */
export interface TestAccountClaims {
  email?: string;
  email_verified?: boolean;
  name?: string;
  preferred_username?: string;
}

export interface TestOidcProvider {
  issuer: string;
  clientId: string;
  clientSecret: string;
  /** Adds an account the provider can log in; answers its `sub`. */
  addAccount(claims: TestAccountClaims): string;
  /** Logs in this account when an authorization request names no `login_hint`. */
  defaultAccount?: string;
  /**
   * Follows an authorization URL through the provider (interaction, auto-login of `accountId`,
   * auto-consent) and answers the URL it redirects back to (the service's callback).
   * `accountId: 'deny'` makes the user decline (error=access_denied).
   */
  authorize(authorizationUrl: string, accountId: string): Promise<URL>;
  close(): Promise<void>;
}

/**
 * A real OpenID Provider (panva's oidc-provider) on 127.0.0.1 and a random port, with one
 * confidential client whose redirect_uri is the service's callback. Its interaction step logs
 * in the account named by `login_hint` (or `defaultAccount`) without a form, and consent is
 * granted for the client up front, so a login is a chain of redirects a test can follow.
 */
export async function startOidcProvider(redirectUri: string): Promise<TestOidcProvider> {
  const accounts = new Map<string, TestAccountClaims>();
  let provider: Provider | undefined;
  const server: Server = createServer((req, res) => {
    if (!provider) {
      res.statusCode = 503;
      res.end();
      return;
    }
    if (req.url?.startsWith('/interaction/')) {
      void interact(provider, req, res).catch((error: Error) => {
        res.statusCode = 500;
        res.end(error.message);
      });
      return;
    }
    void provider.callback()(req, res);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const issuer = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const clientId = 'nest-auth-service';
  const clientSecret = randomBytes(24).toString('base64url');
  const { privateKey } = await generateKeyPair('RS256', { extractable: true });

  const harness: TestOidcProvider = {
    issuer,
    clientId,
    clientSecret,
    addAccount(claims) {
      const id = `acct-${randomBytes(6).toString('hex')}`;
      accounts.set(id, claims);
      return id;
    },
    authorize: (url, accountId) => follow(url, accountId, redirectUri),
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };

  const configuration: Configuration = {
    clients: [{ client_id: clientId, client_secret: clientSecret, redirect_uris: [redirectUri], grant_types: ['authorization_code'], response_types: ['code'] }],
    jwks: { keys: [{ ...(await exportJWK(privateKey)), alg: 'RS256', use: 'sig', kid: 'test-key' }] },
    cookies: { keys: [randomBytes(16).toString('hex')] },
    pkce: { required: () => true },
    ttl: { AccessToken: 600, AuthorizationCode: 60, IdToken: 600, Interaction: 600, Session: 600, Grant: 600 },
    claims: { openid: ['sub'], email: ['email', 'email_verified'], profile: ['name', 'preferred_username'] },
    features: { devInteractions: { enabled: false } },
    interactions: { url: (_ctx, interaction) => `/interaction/${interaction.uid}` },
    findAccount: (_ctx, sub) => {
      const claims = accounts.get(sub);
      return claims ? { accountId: sub, claims: () => ({ sub, ...claims }) } : undefined;
    },
    // The test client is first-party: its scopes are granted without a consent screen.
    loadExistingGrant: async (ctx) => {
      const accountId = ctx.oidc.session?.accountId;
      const client = ctx.oidc.client;
      if (!accountId || !client) return undefined;
      const grant = new ctx.oidc.provider.Grant({ clientId: client.clientId, accountId });
      grant.addOIDCScope('openid email profile');
      await grant.save();
      return grant;
    },
  };
  // Its warnings (Node 20 is older than it likes, the in-memory adapter) are expected for a test provider.
  provider = await withoutProviderWarnings(async () => {
    const { default: OidcProvider } = await import('oidc-provider');
    return new OidcProvider(issuer, configuration);
  });

  async function interact(op: Provider, req: IncomingMessage, res: ServerResponse): Promise<void> {
    const details = await op.interactionDetails(req, res);
    const hint = typeof details.params.login_hint === 'string' ? details.params.login_hint : harness.defaultAccount;
    if (hint === 'deny' || !hint) {
      await op.interactionFinished(req, res, { error: 'access_denied', error_description: 'The user declined' }, { mergeWithLastSubmission: false });
      return;
    }
    await op.interactionFinished(req, res, { login: { accountId: hint } }, { mergeWithLastSubmission: false });
  }

  return harness;
}

/** Follows redirects with a cookie jar until one leaves the provider for `redirectUri`. */
async function follow(start: string, accountId: string, redirectUri: string): Promise<URL> {
  const jar = new Map<string, string>();
  let url = new URL(start);
  if (accountId) url.searchParams.set('login_hint', accountId);
  for (let hop = 0; hop < 10; hop++) {
    const response = await fetch(url, {
      redirect: 'manual',
      headers: { cookie: [...jar].map(([name, value]) => `${name}=${value}`).join('; ') },
    });
    for (const cookie of response.headers.getSetCookie()) {
      const [pair] = cookie.split(';');
      const index = pair.indexOf('=');
      jar.set(pair.slice(0, index), pair.slice(index + 1));
    }
    const location = response.headers.get('location');
    await response.arrayBuffer();
    if (!location) throw new Error(`The provider answered ${response.status} at ${url.pathname} without a redirect`);
    url = new URL(location, url);
    if (url.href.startsWith(redirectUri)) return url;
  }
  throw new Error('Too many redirects at the provider');
}

async function withoutProviderWarnings<T>(work: () => Promise<T>): Promise<T> {
  const warn = console.warn;
  console.warn = (...args: unknown[]) => {
    if (!String(args[0]).startsWith('oidc-provider WARNING')) warn(...args);
  };
  try {
    return await work();
  } finally {
    console.warn = warn;
  }
}
