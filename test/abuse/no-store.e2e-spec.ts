import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { bearer, registerAndLogin } from '../support/auth-helpers.js';
import { createTestApp, type TestApp } from '../support/test-app.js';

/** Tokens and account data must not be kept by a browser cache or a shared proxy (API.md: Conventions). */
describe('Cache-Control: no-store on every /api response', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp({ env: { THROTTLE_AUTH_LIMIT: '6' } });
  });
  afterAll(async () => {
    await t.close();
  });

  it('on token answers, account data and successes without a body', async () => {
    const user = await registerAndLogin(t);
    const login = await t.http().post('/api/auth/login').set('X-Forwarded-For', '198.51.100.1').send({ username: user.username, password: user.password });
    expect(login.status).toBe(200);
    expect(login.headers['cache-control']).toBe('no-store');
    const me = await t.http().get('/api/users/me').set(bearer(user.accessToken));
    expect(me.status).toBe(200);
    expect(me.headers['cache-control']).toBe('no-store');
    const health = await t.http().get('/api/health');
    expect(health.headers['cache-control']).toBe('no-store');
    const logout = await t.http().post('/api/auth/logout').set(bearer(user.accessToken));
    expect(logout.status).toBe(204);
    expect(logout.headers['cache-control']).toBe('no-store');
  });

  it('on errors: 400, 401, 404, 413, 415 and 429', async () => {
    const answers = [
      await t.http().post('/api/auth/register').send({ username: 'x' }),
      await t.http().get('/api/users/me'),
      await t.http().get('/api/no-such-route'),
      await t.http().get('/api'),
      await t.http().post('/api/auth/register').set('Content-Type', 'application/json').send('{"a":"' + 'x'.repeat(200 * 1024) + '"}'),
      await t.http().post('/api/auth/register').set('Content-Type', 'text/plain').send('hello'),
    ];
    expect(answers.map((answer) => answer.status)).toEqual([400, 401, 404, 404, 413, 415]);
    for (const answer of answers) expect(answer.headers['cache-control']).toBe('no-store');

    let throttled;
    for (let i = 0; i < 5; i++) throttled = await t.http().post('/api/auth/register').send({});
    expect(throttled!.status).toBe(429);
    expect(throttled!.headers['cache-control']).toBe('no-store');
  });

  it('on malformed URLs the router refuses before any hook (bad percent-encoding, over-long ids)', async () => {
    for (const path of ['/api/users/%zz', '/api/authors/%ED%A0%80', `/api/authors/${'x'.repeat(200)}`]) {
      const response = await t.http().get(path);
      expect({ path: path.slice(0, 30), status: response.status < 500 && response.status >= 400 }).toEqual({ path: path.slice(0, 30), status: true });
      expect(response.body).toMatchObject({ statusCode: response.status, error: expect.any(String), message: expect.any(String) });
      expect(response.headers['cache-control']).toBe('no-store');
    }
  });

  it('leaves the web client and the public key set cacheable', async () => {
    const docs = await t.http().get('/docs-json');
    expect(docs.status).toBe(200);
    expect(docs.headers['cache-control']).not.toBe('no-store');
  });
});
