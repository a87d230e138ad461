import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { Response } from 'supertest';
import { AuditEvent } from '../src/audit/audit-event.entity.js';
import { UserIdentity } from '../src/auth/oidc/user-identity.entity.js';
import { Passkey } from '../src/auth/passkeys/passkey.entity.js';
import { OneTimeToken } from '../src/one-time-tokens/one-time-token.entity.js';
import { User, UserStatus } from '../src/users/user.entity.js';
import { bearer, registerAndLogin } from './support/auth-helpers.js';
import { SoftAuthenticator } from './support/soft-authenticator.js';
import { startOidcProvider, type TestAccountClaims, type TestOidcProvider } from './support/oidc-provider.js';
import { createTestApp, strongPassword, type TestApp, uniqueName } from './support/test-app.js';

const APP_URL = 'http://localhost:3000';
const CALLBACK = `${APP_URL}/api/auth/oidc/test/callback`;
const claimsOf = (token: string) => JSON.parse(Buffer.from(token.split('.')[1], 'base64url').toString('utf8'));
const email = () => `${uniqueName('oidc')}@example.com`;

describe('Sign in with OpenID Connect', () => {
  let t: TestApp;
  let op: TestOidcProvider;

  beforeAll(async () => {
    op = await startOidcProvider(CALLBACK);
    t = await createTestApp({
      env: {
        APP_URL,
        OIDC_PROVIDERS: JSON.stringify([
          { id: 'test', name: 'Test OP', issuer: op.issuer, clientId: op.clientId, clientSecret: op.clientSecret },
          // Nothing listens on port 1: discovery fails.
          { id: 'down', name: 'Down', issuer: 'http://127.0.0.1:1', clientId: 'x', clientSecret: 'y' },
        ]),
      },
    });
  });
  afterAll(async () => {
    await t?.close();
    await op?.close();
  });

  const users = () => t.dataSource.getRepository(User);
  const identities = () => t.dataSource.getRepository(UserIdentity);
  const passkeys = () => t.dataSource.getRepository(Passkey);
  const auditRows = (action: string) => t.dataSource.getRepository(AuditEvent).findBy({ action });

  /** GET authorize: the provider URL and the flow cookie (`name=value`). */
  async function start(returnTo?: string) {
    const query = returnTo === undefined ? '' : `?returnTo=${encodeURIComponent(returnTo)}`;
    const response = await t.http().get(`/api/auth/oidc/test/authorize${query}`);
    expect(response.status).toBe(302);
    const setCookie = ([] as string[]).concat(response.headers['set-cookie'] ?? []);
    const flow = setCookie.find((cookie) => cookie.startsWith('oidc_flow='));
    expect(flow).toBeDefined();
    return { location: response.headers.location as string, cookie: flow!.split(';')[0], setCookie: flow! };
  }

  /** The service's callback, as the browser would follow the provider's redirect. */
  async function callback(url: URL, cookie?: string): Promise<Response> {
    const request = t.http().get(url.pathname + url.search);
    if (cookie) request.set('Cookie', cookie);
    const response = await request;
    expect(response.status).toBe(302);
    return response;
  }

  function landing(response: Response): { code?: string; returnTo?: string; error?: string } {
    const location = response.headers.location as string;
    if (location.startsWith(`${APP_URL}/#/login?`)) return { error: new URLSearchParams(location.split('?')[1]).get('error')! };
    expect(location.startsWith(`${APP_URL}/#/oidc?`)).toBe(true);
    const params = new URLSearchParams(location.split('?')[1]);
    return { code: params.get('code')!, returnTo: params.get('returnTo')! };
  }

  const exchange = (code: unknown, cookie?: string, headers: Record<string, string> = {}) => {
    const request = t.http().post('/api/auth/oidc/exchange').set(headers);
    if (cookie) request.set('Cookie', cookie);
    return request.send({ code });
  };

  /** authorize → provider (auto-login of `account`) → callback: the landing and the flow cookie. */
  async function loginAt(account: string, returnTo?: string) {
    const flow = await start(returnTo);
    const back = await op.authorize(flow.location, account);
    const response = await callback(back, flow.cookie);
    return { ...landing(response), cookie: flow.cookie, response };
  }

  /** A full login: answers the exchange's response. */
  async function fullLogin(account: string, headers: Record<string, string> = {}) {
    const landed = await loginAt(account);
    expect(landed.error).toBeUndefined();
    return exchange(landed.code, landed.cookie, headers);
  }

  const account = (claims: TestAccountClaims = {}) => op.addAccount({ email: email(), email_verified: true, ...claims });

  describe('providers and authorize', () => {
    it('lists the configured providers (id and name only)', async () => {
      const response = await t.http().get('/api/auth/oidc/providers');
      expect(response.status).toBe(200);
      expect(response.body).toEqual([
        { id: 'test', name: 'Test OP' },
        { id: 'down', name: 'Down' },
      ]);
    });

    it('redirects to the provider with PKCE S256, state and nonce, and sets a signed HttpOnly Lax flow cookie', async () => {
      const flow = await start('/account');
      const url = new URL(flow.location);
      expect(url.origin).toBe(op.issuer);
      expect(url.searchParams.get('client_id')).toBe(op.clientId);
      expect(url.searchParams.get('redirect_uri')).toBe(CALLBACK);
      expect(url.searchParams.get('response_type')).toBe('code');
      expect(url.searchParams.get('code_challenge_method')).toBe('S256');
      expect(url.searchParams.get('code_challenge')).toMatch(/^[A-Za-z0-9_-]{43}$/);
      expect(url.searchParams.get('state')).toMatch(/^[A-Za-z0-9_-]{43}$/);
      // openid-client's randomNonce(): 32 random bytes, base64url; a value of its own, not the state.
      expect(url.searchParams.get('nonce')).toMatch(/^[A-Za-z0-9_-]{43}$/);
      expect(url.searchParams.get('nonce')).not.toBe(url.searchParams.get('state'));
      expect(url.searchParams.get('scope')).toBe('openid email profile');
      expect(flow.setCookie).toMatch(/HttpOnly/i);
      expect(flow.setCookie).toMatch(/SameSite=Lax/i);
      expect(flow.setCookie).toMatch(/Path=\/api\/auth\/oidc/);
      expect(flow.setCookie).toMatch(/Max-Age=600/);
      // Neither the verifier nor the nonce is stored server-side; the state is, hashed.
      const stored = await t.dataSource.getRepository(OneTimeToken).findBy({ purpose: 'oidc.state' });
      expect(stored.some((row) => row.data?.includes(url.searchParams.get('nonce')!))).toBe(false);
    });

    it('answers 404 for an unknown provider', async () => {
      expect((await t.http().get('/api/auth/oidc/nope/authorize')).status).toBe(404);
      expect((await t.http().get('/api/auth/oidc/nope/callback?code=x&state=y')).status).toBe(404);
    });

    it('sends the browser to the login page when the provider cannot be discovered, and tries again next time', async () => {
      for (let i = 0; i < 2; i++) {
        const response = await t.http().get('/api/auth/oidc/down/authorize');
        expect(response.status).toBe(302);
        expect(response.headers.location).toBe(`${APP_URL}/#/login?error=provider_unavailable`);
      }
    });
  });

  describe('first login, returning user, linking', () => {
    it('creates a user on first login: username from the claims, the verified email, a fresh oidc token', async () => {
      const username = uniqueName('ada');
      const address = email();
      const sub = op.addAccount({ email: address, email_verified: true, name: 'Ada Lovelace', preferred_username: username });
      const landed = await loginAt(sub, '/account');
      expect(landed.returnTo).toBe('/account');
      const response = await exchange(landed.code, landed.cookie);
      expect(response.status).toBe(200);
      expect(response.body).toEqual({ accessToken: expect.any(String), refreshToken: expect.any(String), tokenType: 'Bearer', expiresIn: expect.any(Number) });
      const claims = claimsOf(response.body.accessToken);
      expect(claims.amr).toEqual(['oidc']);
      expect(claims.fresh).toBe(true);
      const me = await t.http().get('/api/users/me').set(bearer(response.body.accessToken));
      expect(me.body).toMatchObject({ username, name: 'Ada Lovelace', email: address, emailVerified: true });
      const user = await users().findOneByOrFail({ id: claims.sub });
      expect(user.passwordHash).toBeNull();
      const rows = await auditRows('oidc.linked');
      expect(rows.some((row) => row.targetId === claims.sub && row.detail?.created === 'true' && row.detail?.provider === 'test')).toBe(true);
    });

    it('recognizes a returning user by (provider, subject)', async () => {
      const sub = account();
      const first = await fullLogin(sub);
      const second = await fullLogin(sub);
      expect(claimsOf(second.body.accessToken).sub).toBe(claimsOf(first.body.accessToken).sub);
      expect(await identities().countBy({ provider: 'test', subject: sub })).toBe(1);
    });

    it('copies an unverified email as unverified, and makes taken usernames unique', async () => {
      const taken = await registerAndLogin(t);
      const address = email();
      const sub = op.addAccount({ email: address, email_verified: false, preferred_username: taken.username });
      const response = await fullLogin(sub);
      expect(response.status).toBe(200);
      const me = await t.http().get('/api/users/me').set(bearer(response.body.accessToken));
      expect(me.body).toMatchObject({ email: address, emailVerified: false });
      // As at registration, the unverified address gets a verification link.
      expect(await t.dataSource.getRepository(OneTimeToken).countBy({ purpose: 'email-verification', subject: me.body.id })).toBe(1);
      expect(me.body.username).not.toBe(taken.username);
      expect(me.body.username.startsWith(taken.username.slice(0, 23))).toBe(true);
    });

    it('never links by a look-alike address: a non-ASCII local part that lower-cases onto an account’s address is no address', async () => {
      const user = await registerAndLogin(t);
      const address = `kate-${email()}`;
      await users().update({ id: user.id }, { email: address, emailNormalized: address, emailVerified: true });
      // '\u212A' is the Kelvin sign, which lower-cases to 'k'.
      const response = await fullLogin(op.addAccount({ email: `\u212A${address.slice(1)}`, email_verified: true }));
      expect(response.status).toBe(200);
      const created = claimsOf(response.body.accessToken).sub;
      expect(created).not.toBe(user.id);
      expect(await users().findOneByOrFail({ id: created })).toMatchObject({ email: null, emailVerified: false });
      expect(await identities().countBy({ userId: user.id })).toBe(0);
    });

    it('links to the account whose verified email the provider verified too', async () => {
      const user = await registerAndLogin(t);
      const address = email();
      await users().update({ id: user.id }, { email: address, emailNormalized: address, emailVerified: true });
      const sub = op.addAccount({ email: address.toUpperCase(), email_verified: true });
      const response = await fullLogin(sub);
      expect(response.status).toBe(200);
      expect(claimsOf(response.body.accessToken).sub).toBe(user.id);
      const list = await t.http().get('/api/users/me/identities').set(bearer(user.accessToken));
      expect(list.status).toBe(200);
      expect(list.body).toEqual([{ provider: 'test', subject: sub, email: address.toUpperCase(), linkedAt: expect.any(String) }]);
      const rows = await auditRows('oidc.linked');
      expect(rows.some((row) => row.targetId === user.id && row.detail?.created === 'false')).toBe(true);
    });

    it('refuses an unverified provider email that matches an account (account takeover guard)', async () => {
      const user = await registerAndLogin(t);
      const address = email();
      await users().update({ id: user.id }, { email: address, emailNormalized: address, emailVerified: true });
      const sub = op.addAccount({ email: address, email_verified: false });
      const landed = await loginAt(sub);
      expect(landed.error).toBe('email_not_verified');
      expect(landed.response.headers['set-cookie']?.toString()).toMatch(/oidc_flow=;/);
      expect(await identities().countBy({ subject: sub })).toBe(0);
      const rows = await auditRows('oidc.failed');
      expect(rows.some((row) => row.targetId === user.id && row.detail?.reason === 'email_not_verified')).toBe(true);
    });

    it('refuses a verified provider email that matches an account whose own email is unverified', async () => {
      const user = await registerAndLogin(t);
      const address = email();
      await users().update({ id: user.id }, { email: address, emailNormalized: address, emailVerified: false });
      const landed = await loginAt(op.addAccount({ email: address, email_verified: true }));
      expect(landed.error).toBe('account_email_not_verified');
      expect(await identities().countBy({ userId: user.id })).toBe(0);
    });

    it('answers a password login of a passwordless account like a wrong password, and points its password change to a reset link', async () => {
      const response = await fullLogin(account({ preferred_username: uniqueName('nopw') }));
      const me = await t.http().get('/api/users/me').set(bearer(response.body.accessToken));
      const password = strongPassword();
      const unknown = await t.http().post('/api/auth/login').send({ username: uniqueName('ghost'), password });
      const login = await t.http().post('/api/auth/login').send({ username: me.body.username, password });
      expect(login.status).toBe(401);
      expect(login.body.message).toBe(unknown.body.message);
      const change = await t
        .http()
        .put('/api/users/me/password')
        .set(bearer(response.body.accessToken))
        .send({ currentPassword: password, newPassword: strongPassword() });
      expect(change.status).toBe(400);
      expect(change.body.message).toMatch(/reset link/);
    });
  });

  describe('a callback the service must refuse', () => {
    it('refuses a tampered state', async () => {
      const flow = await start();
      const back = await op.authorize(flow.location, account());
      back.searchParams.set('state', 'x'.repeat(43));
      expect(landing(await callback(back, flow.cookie)).error).toBe('invalid_state');
    });

    it('refuses a callback without the flow cookie, or with a forged one', async () => {
      const flow = await start();
      const back = await op.authorize(flow.location, account());
      expect(landing(await callback(back)).error).toBe('invalid_state');
      const forged = flow.cookie.replace(/.$/, (last) => (last === 'A' ? 'B' : 'A'));
      expect(landing(await callback(back, forged)).error).toBe('invalid_state');
    });

    it('refuses a replayed callback', async () => {
      const flow = await start();
      const back = await op.authorize(flow.location, account());
      expect(landing(await callback(back, flow.cookie)).code).toBeDefined();
      expect(landing(await callback(back, flow.cookie)).error).toBe('invalid_state');
    });

    it('refuses an ID token with another nonce', async () => {
      const flow = await start();
      const tampered = new URL(flow.location);
      tampered.searchParams.set('nonce', 'a-nonce-the-service-never-made');
      const back = await op.authorize(tampered.href, account());
      expect(landing(await callback(back, flow.cookie)).error).toBe('login_failed');
      const rows = await auditRows('oidc.failed');
      expect(rows.some((row) => row.detail?.reason === 'login_failed')).toBe(true);
    });

    it('ends at the login page when the user declines at the provider', async () => {
      const flow = await start();
      const back = await op.authorize(flow.location, 'deny');
      expect(back.searchParams.get('error')).toBe('access_denied');
      expect(landing(await callback(back, flow.cookie)).error).toBe('access_denied');
    });

    it('never answers 5xx to junk from the browser', async () => {
      const flow = await start();
      for (const query of ['', '?state=a&state=b', '?code=x&state=' + 'y'.repeat(5000), '?error=server_error', '?code[]=1&state[a]=2']) {
        const response = await t.http().get(`/api/auth/oidc/test/callback${query}`).set('Cookie', flow.cookie);
        expect(response.status).toBe(302);
        expect(landing(response).error).toBe('invalid_state');
      }
    });

    it('keeps returnTo on this origin', async () => {
      for (const evil of ['//evil.com', 'https://evil.com', '/\\evil.com', 'evil.com']) {
        const landed = await loginAt(account(), evil);
        expect(landed.returnTo).toBe('/');
      }
    });
  });

  describe('exchange', () => {
    it('is single-use', async () => {
      const landed = await loginAt(account());
      expect((await exchange(landed.code, landed.cookie)).status).toBe(200);
      const again = await exchange(landed.code, landed.cookie);
      expect(again.status).toBe(401);
    });

    it('expires after 60 seconds', async () => {
      const landed = await loginAt(account());
      const rows = await t.dataSource.getRepository(OneTimeToken).findBy({ purpose: 'oidc.login' });
      const issued = rows.find((row) => Math.abs(row.expiresAt.getTime() - row.createdAt.getTime() - 60_000) < 1000 && row.usedAt === null);
      expect(issued).toBeDefined();
      await t.dataSource.getRepository(OneTimeToken).update({ purpose: 'oidc.login' }, { expiresAt: new Date(Date.now() - 1000) });
      expect((await exchange(landed.code, landed.cookie)).status).toBe(401);
    });

    it('needs the flow cookie of the browser that started the login (and a stranger does not burn the code)', async () => {
      const landed = await loginAt(account());
      expect((await exchange(landed.code)).status).toBe(401);
      const other = await start();
      expect((await exchange(landed.code, other.cookie)).status).toBe(401);
      expect((await exchange(landed.code, landed.cookie)).status).toBe(200);
      const rows = await auditRows('oidc.failed');
      expect(rows.some((row) => row.detail?.reason === 'wrong_browser')).toBe(true);
      expect(rows.some((row) => row.detail?.reason === 'flow_cookie_missing')).toBe(true);
    });

    it('refuses malformed bodies with 400', async () => {
      const { cookie } = await start();
      for (const body of [{}, { code: 5 }, { code: null }, { code: ['a'] }, { code: '' }, { code: 'x'.repeat(129) }, { code: 'x', extra: 1 }]) {
        const response = await t.http().post('/api/auth/oidc/exchange').set('Cookie', cookie).send(body);
        expect(response.status).toBe(400);
      }
      const malformed = await t.http().post('/api/auth/oidc/exchange').set('Content-Type', 'application/json').send('{"code":');
      expect(malformed.status).toBe(400);
      const text = await t.http().post('/api/auth/oidc/exchange').set('Content-Type', 'text/plain').send('code');
      expect([400, 415]).toContain(text.status);
      expect((await exchange('not-a-real-code', cookie)).status).toBe(401);
    });

    it('sets the refresh cookie in cookie mode', async () => {
      const response = await fullLogin(account(), { 'X-Token-Transport': 'cookie' });
      expect(response.status).toBe(200);
      expect(response.body.refreshToken).toBeUndefined();
      expect(claimsOf(response.body.accessToken).amr).toEqual(['oidc']);
      const cookies = ([] as string[]).concat(response.headers['set-cookie'] ?? []).join('\n');
      expect(cookies).toMatch(/refresh_token=[^;]+;/);
      expect(cookies).toMatch(/csrf_token=/);
    });

    it('asks an account with two-factor login for its second step', async () => {
      const sub = account();
      const first = await fullLogin(sub);
      await users().update({ id: claimsOf(first.body.accessToken).sub }, { mfaEnabled: true });
      const response = await fullLogin(sub);
      expect(response.status).toBe(200);
      expect(response.body).toEqual({ mfaRequired: true, mfaToken: expect.any(String), methods: ['totp', 'recovery'], expiresIn: 300 });
    });

    it('refuses pending and disabled accounts with 403', async () => {
      for (const status of [UserStatus.Pending, UserStatus.Disabled]) {
        const sub = account();
        const first = await fullLogin(sub);
        await users().update({ id: claimsOf(first.body.accessToken).sub }, { status });
        expect((await fullLogin(sub)).status).toBe(403);
      }
    });

    it('audits the login', async () => {
      const response = await fullLogin(account());
      expect(response.status).toBe(200);
      const rows = await auditRows('oidc.linked');
      expect(rows.some((row) => row.targetId === claimsOf(response.body.accessToken).sub)).toBe(true);
    });
  });

  describe('identities', () => {
    it('refuses to unlink the only way to log in (409), and needs a fresh token', async () => {
      const response = await fullLogin(account());
      const token = response.body.accessToken;
      const list = await t.http().get('/api/users/me/identities').set(bearer(token));
      expect(list.body).toHaveLength(1);
      const refused = await t.http().delete('/api/users/me/identities/test').set(bearer(token));
      expect(refused.status).toBe(409);
      const refreshed = await t.http().post('/api/auth/refresh').set(bearer(response.body.refreshToken)).set('Content-Type', 'application/json');
      expect(refreshed.status).toBe(200);
      const stale = await t.http().delete('/api/users/me/identities/test').set(bearer(refreshed.body.accessToken));
      expect(stale.status).toBe(401);
      expect(stale.body.message).toMatch(/fresh/);
      expect((await t.http().get('/api/users/me/identities').set(bearer(token))).body).toHaveLength(1);
    });

    it('unlinks when the account keeps its password, and audits it', async () => {
      const user = await registerAndLogin(t);
      const address = email();
      await users().update({ id: user.id }, { email: address, emailNormalized: address, emailVerified: true });
      expect((await fullLogin(account({ email: address }))).status).toBe(200);
      const removed = await t.http().delete('/api/users/me/identities/test').set(bearer(user.accessToken));
      expect(removed.status).toBe(204);
      expect((await t.http().get('/api/users/me/identities').set(bearer(user.accessToken))).body).toEqual([]);
      const rows = await auditRows('oidc.unlinked');
      expect(rows.some((row) => row.targetId === user.id && row.detail?.provider === 'test')).toBe(true);
    });

    /** Registers a passkey for the caller through the API; answers its id. */
    async function addPasskey(token: string, name: string): Promise<string> {
      const authenticator = new SoftAuthenticator(t.config.webauthn.origin, t.config.webauthn.rpId);
      const options = await t.http().post('/api/auth/passkeys/registration/options').set(bearer(token));
      expect(options.status).toBe(200);
      const added = await t.http().post('/api/auth/passkeys/registration').set(bearer(token)).send({ response: authenticator.register(options.body), name });
      expect(added.status).toBe(201);
      return added.body.id as string;
    }

    it('a passwordless account: its provider can go while a passkey stays, then the last passkey cannot (409)', async () => {
      const token = (await fullLogin(account())).body.accessToken;
      const userId = claimsOf(token).sub;
      const passkeyId = await addPasskey(token, 'Only');
      expect((await t.http().delete('/api/users/me/identities/test').set(bearer(token))).status).toBe(204);
      const refused = await t.http().delete(`/api/auth/passkeys/${passkeyId}`).set(bearer(token));
      expect(refused.status).toBe(409);
      expect(refused.body).toEqual({ statusCode: 409, message: 'This is the account’s only way to log in', error: 'Conflict' });
      expect(await passkeys().findBy({ userId })).toEqual([expect.objectContaining({ id: passkeyId })]);
    });

    it('keeps one way to log in when its removals race: two passkeys and the provider at once', async () => {
      // Three rounds: on the old check-then-delete, every round removed all three.
      for (let round = 0; round < 3; round++) {
        const token = (await fullLogin(account())).body.accessToken;
        const userId = claimsOf(token).sub;
        const passkeyIds = [await addPasskey(token, 'Laptop'), await addPasskey(token, 'Phone')];
        const removals = [...passkeyIds.map((id) => `/api/auth/passkeys/${id}`), '/api/users/me/identities/test'];
        const statuses = await Promise.all(removals.map(async (path) => (await t.http().delete(path).set(bearer(token))).status));
        expect([...statuses].sort()).toEqual([204, 204, 409]);
        const left = (await passkeys().countBy({ userId })) + (await identities().countBy({ userId }));
        expect(left).toBe(1);
      }
    });

    it('removes a passkey once when two removals of it race: one 204, one 404, one audit line', async () => {
      const token = (await fullLogin(account())).body.accessToken;
      const userId = claimsOf(token).sub;
      const passkeyId = await addPasskey(token, 'Twice');
      const statuses = await Promise.all([0, 1].map(async () => (await t.http().delete(`/api/auth/passkeys/${passkeyId}`).set(bearer(token))).status));
      expect([...statuses].sort()).toEqual([204, 404]);
      expect(await passkeys().countBy({ userId })).toBe(0);
      expect((await auditRows('passkey.removed')).filter((row) => row.actorId === userId && row.detail?.passkeyId === passkeyId)).toHaveLength(1);
    });

    it('answers 404 for an identity the caller does not have, and leaves someone else’s alone', async () => {
      const owner = await fullLogin(account());
      const stranger = await registerAndLogin(t);
      for (const provider of ['test', 'unknown', 'x'.repeat(90), '%00']) {
        const response = await t.http().delete(`/api/users/me/identities/${provider}`).set(bearer(stranger.accessToken));
        expect(response.status).toBe(404);
      }
      expect(await identities().countBy({ userId: claimsOf(owner.body.accessToken).sub })).toBe(1);
      expect((await t.http().get('/api/users/me/identities')).status).toBe(401);
      expect((await t.http().delete('/api/users/me/identities/test')).status).toBe(401);
    });
  });
});
