import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import jwt from 'jsonwebtoken';
import { validateEnvironment } from '../../src/config/env.validation.js';
import { bearer, registerUser } from '../support/auth-helpers.js';
import { createTestApp, type TestApp } from '../support/test-app.js';

type Cookies = Record<string, { value: string; attributes: string[] }>;

function parseSetCookie(header: string[] | string | undefined): Cookies {
  const lines = header === undefined ? [] : Array.isArray(header) ? header : [header];
  return Object.fromEntries(
    lines.map((line) => {
      const [pair, ...attributes] = line.split(';').map((part) => part.trim());
      const [name, ...value] = pair.split('=');
      return [name, { value: value.join('='), attributes: attributes.map((a) => a.toLowerCase()) }];
    }),
  );
}

const cookieHeader = (cookies: Record<string, string>) =>
  Object.entries(cookies)
    .map(([name, value]) => `${name}=${value}`)
    .join('; ');

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Cookie sessions keep their refresh token out of bodies, their CSRF token is theirs, and every session ends. */
describe('cookie sessions and session lifetime', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp();
  });
  afterAll(async () => {
    await t.close();
  });

  async function cookieSession(app = t) {
    const user = await registerUser(app);
    const response = await app.http().post('/api/auth/login').set('X-Token-Transport', 'cookie').send({ username: user.username, password: user.password });
    expect(response.status).toBe(200);
    const cookies = parseSetCookie(response.headers['set-cookie']);
    return { user, accessToken: response.body.accessToken as string, refresh: cookies.refresh_token.value, csrf: cookies.csrf_token.value };
  }

  describe('a cookie session never returns its refresh token in a body', () => {
    it('refreshing with the cookie and CSRF header but without X-Token-Transport', async () => {
      const session = await cookieSession();
      const response = await t.http().post('/api/auth/refresh').set('Cookie', cookieHeader({ refresh_token: session.refresh, csrf_token: session.csrf })).set('X-CSRF-Token', session.csrf);
      expect(response.status).toBe(200);
      expect(response.body).toEqual({ accessToken: expect.any(String), tokenType: 'Bearer', expiresIn: 900 });
      const rotated = parseSetCookie(response.headers['set-cookie']);
      expect(rotated.refresh_token.value.split('.')).toHaveLength(3);
      expect(rotated.refresh_token.value).not.toBe(session.refresh);
      expect(rotated.refresh_token.attributes).toEqual(expect.arrayContaining(['httponly', 'samesite=strict', 'path=/api/auth']));
    });

    it('refreshing with its refresh token as a Bearer header or in the body, or with X-Token-Transport: bearer', async () => {
      let session = await cookieSession();
      for (const send of [
        (refresh: string) => t.http().post('/api/auth/refresh').set(bearer(refresh)),
        (refresh: string) => t.http().post('/api/auth/refresh').send({ refreshToken: refresh }),
        (refresh: string) => t.http().post('/api/auth/refresh').set(bearer(refresh)).set('X-Token-Transport', 'bearer'),
      ]) {
        const response = await send(session.refresh);
        expect(response.status).toBe(200);
        expect(response.body.refreshToken).toBeUndefined();
        expect(JSON.stringify(response.body)).not.toMatch(/refresh/i);
        const rotated = parseSetCookie(response.headers['set-cookie']);
        session = { ...session, refresh: rotated.refresh_token.value };
      }
    });

    it('a bearer session moves to cookie mode when a refresh asks for it, and never back', async () => {
      const user = await registerUser(t);
      const login = await t.http().post('/api/auth/login').send({ username: user.username, password: user.password });
      const plain = await t.http().post('/api/auth/refresh').set(bearer(login.body.refreshToken));
      expect(plain.body.refreshToken).toEqual(expect.any(String));
      const moved = await t.http().post('/api/auth/refresh').send({ refreshToken: plain.body.refreshToken }).set('X-Token-Transport', 'cookie');
      expect(moved.status).toBe(200);
      expect(moved.body.refreshToken).toBeUndefined();
      const cookies = parseSetCookie(moved.headers['set-cookie']);
      expect(cookies.refresh_token.attributes).toEqual(expect.arrayContaining(['httponly', 'path=/api/auth']));
      const { sid } = jwt.decode(moved.body.accessToken) as { sid: string };
      expect(await t.dataSource.query('SELECT transport FROM sessions WHERE id = ?', [sid])).toEqual([{ transport: 'cookie' }]);
      // From now on it is a cookie session: the cookie and CSRF header refresh it, and no body carries its token.
      const next = await t
        .http()
        .post('/api/auth/refresh')
        .set('Cookie', cookieHeader({ refresh_token: cookies.refresh_token.value, csrf_token: cookies.csrf_token.value }))
        .set('X-CSRF-Token', cookies.csrf_token.value)
        .set('X-Token-Transport', 'bearer');
      expect(next.status).toBe(200);
      expect(next.body.refreshToken).toBeUndefined();
      const rotated = parseSetCookie(next.headers['set-cookie']).refresh_token.value;
      const asBearer = await t.http().post('/api/auth/refresh').set(bearer(rotated)).set('X-Token-Transport', 'bearer');
      expect(asBearer.status).toBe(200);
      expect(asBearer.body.refreshToken).toBeUndefined();
    });

    it('remembers the transport in the session row', async () => {
      const session = await cookieSession();
      const { sid } = jwt.decode(session.accessToken) as { sid: string };
      const rows: Array<{ transport: string }> = await t.dataSource.query('SELECT transport FROM sessions WHERE id = ?', [sid]);
      expect(rows).toEqual([{ transport: 'cookie' }]);
    });
  });

  describe('the CSRF token belongs to its session', () => {
    it('refuses another session’s CSRF token, even with that session’s CSRF cookie beside it', async () => {
      const victim = await cookieSession();
      const attacker = await cookieSession();
      expect(attacker.csrf).not.toBe(victim.csrf);
      const response = await t
        .http()
        .post('/api/auth/refresh')
        .set('Cookie', cookieHeader({ refresh_token: victim.refresh, csrf_token: attacker.csrf }))
        .set('X-CSRF-Token', attacker.csrf);
      expect(response.status).toBe(403);
      expect(response.body).toMatchObject({ statusCode: 403, error: 'Forbidden' });
      expect(response.headers['set-cookie']).toBeUndefined();
      // Refused before rotating: the victim's own refresh still works.
      const own = await t.http().post('/api/auth/refresh').set('Cookie', cookieHeader({ refresh_token: victim.refresh, csrf_token: victim.csrf })).set('X-CSRF-Token', victim.csrf);
      expect(own.status).toBe(200);
    });

    it('refuses a planted CSRF cookie with a matching header (cookie tossing)', async () => {
      const victim = await cookieSession();
      const planted = 'A'.repeat(43);
      const response = await t.http().post('/api/auth/refresh').set('Cookie', cookieHeader({ refresh_token: victim.refresh, csrf_token: planted })).set('X-CSRF-Token', planted);
      expect(response.status).toBe(403);
    });

    it('keeps the same CSRF token across rotations of one session', async () => {
      const session = await cookieSession();
      const response = await t.http().post('/api/auth/refresh').set('Cookie', cookieHeader({ refresh_token: session.refresh, csrf_token: session.csrf })).set('X-CSRF-Token', session.csrf);
      expect(parseSetCookie(response.headers['set-cookie']).csrf_token.value).toBe(session.csrf);
    });

    it('refuses logout with the refresh cookie and another session’s CSRF token', async () => {
      const victim = await cookieSession();
      const attacker = await cookieSession();
      const response = await t.http().post('/api/auth/logout').set(bearer(victim.accessToken)).set('Cookie', cookieHeader({ refresh_token: victim.refresh })).set('X-CSRF-Token', attacker.csrf);
      expect(response.status).toBe(403);
      expect((await t.http().get('/api/users/me').set(bearer(victim.accessToken))).status).toBe(200);
    });
  });

  describe('__Host- cookies where the browser allows them', () => {
    it('uses __Host- names over https (behind a trusted proxy) and ignores plain-named cookies there', async () => {
      const proxied = await createTestApp({ env: { TRUST_PROXY: 'loopback' } });
      try {
        const user = await registerUser(proxied);
        const login = await proxied
          .http()
          .post('/api/auth/login')
          .set('X-Forwarded-Proto', 'https')
          .set('Host', 'auth.example.com')
          .set('X-Token-Transport', 'cookie')
          .send({ username: user.username, password: user.password });
        const cookies = parseSetCookie(login.headers['set-cookie']);
        expect(Object.keys(cookies).sort()).toEqual(['__Host-csrf_token', '__Host-refresh_token']);
        expect(cookies['__Host-refresh_token'].attributes).toEqual(expect.arrayContaining(['secure', 'httponly', 'samesite=strict', 'path=/']));
        const refresh = cookies['__Host-refresh_token'].value;
        const csrf = cookies['__Host-csrf_token'].value;

        const https = () => proxied.http().post('/api/auth/refresh').set('X-Forwarded-Proto', 'https').set('Host', 'auth.example.com');
        // A cookie under the plain name could have been planted by a sibling subdomain: not read here.
        const planted = await https().set('Cookie', cookieHeader({ refresh_token: refresh, csrf_token: csrf })).set('X-CSRF-Token', csrf);
        expect(planted.status).toBe(401);
        const ok = await https().set('Cookie', cookieHeader({ '__Host-refresh_token': refresh, '__Host-csrf_token': csrf })).set('X-CSRF-Token', csrf);
        expect(ok.status).toBe(200);
        expect(ok.body.refreshToken).toBeUndefined();
      } finally {
        await proxied.close();
      }
    });
  });

  describe('SESSION_MAX_AGE', () => {
    it('is validated at start-up', () => {
      expect(() => validateEnvironment({ SESSION_MAX_AGE: 'forever' })).toThrow(/SESSION_MAX_AGE/);
      expect(() => validateEnvironment({ SESSION_MAX_AGE: '30d' })).not.toThrow();
    });

    it('ends every session at login + SESSION_MAX_AGE, however often it is refreshed', async () => {
      const short = await createTestApp({ env: { SESSION_MAX_AGE: '3s', JWT_REFRESH_TTL: '7d' } });
      try {
        const user = await registerUser(short);
        const login = await short.http().post('/api/auth/login').send({ username: user.username, password: user.password });
        const claims = jwt.decode(login.body.refreshToken) as jwt.JwtPayload;
        expect(claims.exp! - claims.iat!).toBeLessThanOrEqual(3);
        const end = claims.iat! + 3;

        let refreshToken = login.body.refreshToken as string;
        let accessToken = login.body.accessToken as string;
        for (let i = 0; i < 2; i++) {
          await sleep(800);
          const rotated = await short.http().post('/api/auth/refresh').set(bearer(refreshToken));
          expect(rotated.status).toBe(200);
          // Rotation does not extend the session: the new refresh token ends when the session does.
          expect((jwt.decode(rotated.body.refreshToken) as jwt.JwtPayload).exp).toBeLessThanOrEqual(end + 1);
          ({ refreshToken, accessToken } = rotated.body);
        }
        const cookieLogin = await short.http().post('/api/auth/login').set('X-Token-Transport', 'cookie').send({ username: user.username, password: user.password });
        const maxAge = Number(/max-age=(\d+)/i.exec(String(cookieLogin.headers['set-cookie']))![1]);
        expect(maxAge).toBeLessThanOrEqual(3);

        await sleep(Math.max(0, (end + 1) * 1000 - Date.now()));
        const late = await short.http().post('/api/auth/refresh').set(bearer(refreshToken));
        expect(late.status).toBe(401);
        // The access token has 15 minutes left on paper, but its session is over.
        expect((await short.http().get('/api/users/me').set(bearer(accessToken))).status).toBe(401);
      } finally {
        await short.close();
      }
    });
  });
});
