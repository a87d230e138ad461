import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import jwt from 'jsonwebtoken';
import { createSecretKey } from 'node:crypto';
import { bearer, registerAndLogin, type TestUser } from './support/auth-helpers.js';
import { createTestApp, TEST_JWT_SECRET, type TestApp } from './support/test-app.js';

/** Every token names its key (`kid`); the strategies pick the verification key by it. */
describe('the key ring', () => {
  let t: TestApp;
  let user: TestUser;
  const key = createSecretKey(Buffer.from(TEST_JWT_SECRET));
  const resign = (token: string, header: Partial<jwt.JwtHeader>) => {
    const { payload } = jwt.decode(token, { complete: true }) as jwt.Jwt;
    return jwt.sign(payload as object, key, { algorithm: 'HS256', header: { alg: 'HS256', ...header } });
  };

  beforeAll(async () => {
    t = await createTestApp();
    user = await registerAndLogin(t);
  });
  afterAll(async () => {
    await t.close();
  });

  it('gives access and refresh tokens the same kid, which does not change between logins', async () => {
    const access = jwt.decode(user.accessToken, { complete: true })!;
    const refresh = jwt.decode(user.refreshToken, { complete: true })!;
    expect(access.header).toEqual({ alg: 'HS256', typ: 'JWT', kid: expect.stringMatching(/^[A-Za-z0-9_-]{16}$/) });
    expect(refresh.header.kid).toBe(access.header.kid);
    const again = await registerAndLogin(t);
    expect(jwt.decode(again.accessToken, { complete: true })!.header.kid).toBe(access.header.kid);
  });

  it('refuses an access token with an unknown kid, even when its signature is right', async () => {
    const unknown = resign(user.accessToken, { kid: 'not-a-key-of-this-ring' });
    const response = await t.http().get('/api/users/me').set(bearer(unknown));
    expect(response.status).toBe(401);
    expect(response.body).toMatchObject({ statusCode: 401, message: 'Invalid access token' });
    // Control: the same claims under the ring's kid are accepted.
    const kid = jwt.decode(user.accessToken, { complete: true })!.header.kid!;
    expect((await t.http().get('/api/users/me').set(bearer(resign(user.accessToken, { kid })))).status).toBe(200);
  });

  it('refuses a kid that is not a string', async () => {
    const numeric = resign(user.accessToken, { kid: 7 as unknown as string });
    expect((await t.http().get('/api/users/me').set(bearer(numeric))).status).toBe(401);
  });

  it('refuses a refresh token with an unknown kid without consuming the session', async () => {
    const fresh = await registerAndLogin(t);
    const unknown = resign(fresh.refreshToken, { kid: 'not-a-key-of-this-ring' });
    const refused = await t.http().post('/api/auth/refresh').send({ refreshToken: unknown });
    expect(refused.status).toBe(401);
    expect(refused.body.message).toBe('Invalid or expired refresh token');
    const rotated = await t.http().post('/api/auth/refresh').send({ refreshToken: fresh.refreshToken });
    expect(rotated.status).toBe(200);
    expect(jwt.decode(rotated.body.accessToken, { complete: true })!.header.kid).toBeDefined();
  });

  it('still accepts a token minted before tokens carried a kid', async () => {
    const legacy = resign(user.accessToken, {});
    expect(jwt.decode(legacy, { complete: true })!.header.kid).toBeUndefined();
    expect((await t.http().get('/api/users/me').set(bearer(legacy))).status).toBe(200);
  });
});
