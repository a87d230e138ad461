import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { bearer, registerUser } from './support/auth-helpers.js';
import { createTestApp, type TestApp } from './support/test-app.js';

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

const cookieHeader = (cookies: Cookies) =>
  Object.entries(cookies)
    .map(([name, { value }]) => `${name}=${value}`)
    .join('; ');

describe('cookie mode for refresh tokens (X-Token-Transport: cookie)', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp();
  });
  afterAll(async () => {
    await t.close();
  });

  async function cookieLogin() {
    const user = await registerUser(t);
    const response = await t.http().post('/api/auth/login').set('X-Token-Transport', 'cookie').send({ username: user.username, password: user.password });
    expect(response.status).toBe(200);
    return { user, response, cookies: parseSetCookie(response.headers['set-cookie']) };
  }

  it('login sets an HttpOnly refresh cookie scoped to /api/auth and a readable CSRF cookie, and leaves the token out of the body', async () => {
    const { response, cookies } = await cookieLogin();
    expect(response.body).toEqual({ accessToken: expect.any(String), tokenType: 'Bearer', expiresIn: 900 });
    expect(cookies.refresh_token.value.split('.')).toHaveLength(3);
    expect(cookies.refresh_token.attributes).toEqual(expect.arrayContaining(['httponly', 'samesite=strict', 'path=/api/auth']));
    expect(cookies.refresh_token.attributes).not.toContain('secure');
    expect(cookies.csrf_token.value.length).toBeGreaterThanOrEqual(32);
    expect(cookies.csrf_token.attributes).toEqual(expect.arrayContaining(['samesite=strict', 'path=/']));
    expect(cookies.csrf_token.attributes).not.toContain('httponly');
  });

  it('marks the cookies Secure, with the __Host- prefix and Path=/, when the service is not plain-http localhost', async () => {
    const user = await registerUser(t);
    const response = await t
      .http()
      .post('/api/auth/login')
      .set('Host', 'auth.example.com')
      .set('X-Token-Transport', 'cookie')
      .send({ username: user.username, password: user.password });
    const cookies = parseSetCookie(response.headers['set-cookie']);
    // __Host- cookies can only come from this host over https, so a sibling subdomain cannot plant one.
    expect(cookies['__Host-refresh_token'].attributes).toEqual(expect.arrayContaining(['secure', 'httponly', 'path=/']));
    expect(cookies['__Host-csrf_token'].attributes).toEqual(expect.arrayContaining(['secure', 'path=/']));
    expect(cookies.refresh_token).toBeUndefined();
    for (const { attributes } of Object.values(cookies)) expect(attributes.some((a) => a.startsWith('domain='))).toBe(false);
  });

  it('refresh with the cookie needs the matching X-CSRF-Token header', async () => {
    const { cookies } = await cookieLogin();
    const missing = await t.http().post('/api/auth/refresh').set('Cookie', cookieHeader(cookies)).set('X-Token-Transport', 'cookie');
    expect(missing.status).toBe(403);
    expect(missing.body).toMatchObject({ statusCode: 403, error: 'Forbidden' });
    const wrong = await t.http().post('/api/auth/refresh').set('Cookie', cookieHeader(cookies)).set('X-CSRF-Token', 'guess').set('X-Token-Transport', 'cookie');
    expect(wrong.status).toBe(403);
    // An Authorization header that carries no bearer token does not excuse the cookie from the check.
    const basic = await t.http().post('/api/auth/refresh').set('Cookie', cookieHeader(cookies)).set('Authorization', 'Basic dXNlcjpwYXNz');
    expect(basic.status).toBe(403);

    const ok = await t
      .http()
      .post('/api/auth/refresh')
      .set('Cookie', cookieHeader(cookies))
      .set('X-CSRF-Token', cookies.csrf_token.value)
      .set('X-Token-Transport', 'cookie');
    expect(ok.status).toBe(200);
    expect(ok.body).toEqual({ accessToken: expect.any(String), tokenType: 'Bearer', expiresIn: 900 });
    const rotated = parseSetCookie(ok.headers['set-cookie']);
    expect(rotated.refresh_token.value).not.toBe(cookies.refresh_token.value);
    expect((await t.http().get('/api/users/me').set(bearer(ok.body.accessToken))).status).toBe(200);

    // The rotated-away cookie is a reuse: the session dies.
    const replay = await t.http().post('/api/auth/refresh').set('Cookie', cookieHeader(cookies)).set('X-CSRF-Token', cookies.csrf_token.value);
    expect(replay.status).toBe(401);
    expect((await t.http().get('/api/users/me').set(bearer(ok.body.accessToken))).status).toBe(401);
  });

  it('logout needs the CSRF header when the cookie is present, revokes the session and clears the cookies', async () => {
    const { response, cookies } = await cookieLogin();
    const access = response.body.accessToken;
    const refused = await t.http().post('/api/auth/logout').set(bearer(access)).set('Cookie', cookieHeader(cookies));
    expect(refused.status).toBe(403);
    expect((await t.http().get('/api/users/me').set(bearer(access))).status).toBe(200);

    const done = await t.http().post('/api/auth/logout').set(bearer(access)).set('Cookie', cookieHeader(cookies)).set('X-CSRF-Token', cookies.csrf_token.value);
    expect(done.status).toBe(204);
    const cleared = parseSetCookie(done.headers['set-cookie']);
    expect(cleared.refresh_token.value).toBe('');
    expect(cleared.refresh_token.attributes).toContain('path=/api/auth');
    expect(cleared.csrf_token.value).toBe('');
    expect((await t.http().get('/api/users/me').set(bearer(access))).status).toBe(401);
    const after = await t.http().post('/api/auth/refresh').set('Cookie', cookieHeader(cookies)).set('X-CSRF-Token', cookies.csrf_token.value);
    expect(after.status).toBe(401);
  });

  it('bearer mode is unchanged: no cookies, the refresh token in the body', async () => {
    const user = await registerUser(t);
    const response = await t.http().post('/api/auth/login').send({ username: user.username, password: user.password });
    expect(response.headers['set-cookie']).toBeUndefined();
    expect(response.body.refreshToken).toEqual(expect.any(String));
    const refreshed = await t.http().post('/api/auth/refresh').set(bearer(response.body.refreshToken));
    expect(refreshed.status).toBe(200);
    expect(refreshed.headers['set-cookie']).toBeUndefined();
    expect(refreshed.body.refreshToken).toEqual(expect.any(String));
  });

  it('is documented in the OpenAPI document', async () => {
    const document = (await t.http().get('/docs-json')).body;
    const refresh = document.paths['/api/auth/refresh'].post;
    const headers = (refresh.parameters as Array<{ name: string; in: string }>).map((p) => p.name);
    expect(headers).toContain('X-Token-Transport');
    // The cookie and its CSRF header are one way to authenticate a refresh, so they are one security requirement.
    const schemes = document.components.securitySchemes;
    const cookieWay = (refresh.security as Array<Record<string, string[]>>).find((requirement) =>
      Object.keys(requirement).some((name) => schemes[name].in === 'cookie'),
    );
    expect(Object.keys(cookieWay ?? {}).map((name) => [schemes[name].in, schemes[name].name])).toEqual(
      expect.arrayContaining([
        ['cookie', 'refresh_token'],
        ['header', 'X-CSRF-Token'],
      ]),
    );
    expect(document.paths['/api/auth/refresh'].post.responses).toHaveProperty(['403']);
  });
});
