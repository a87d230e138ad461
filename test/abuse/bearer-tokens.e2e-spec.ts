import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import jwt from 'jsonwebtoken';
import { MAX_AUTHORIZATION_LENGTH } from '../../src/auth/bearer-token.js';
import { bearer, registerAndLogin, type TestUser } from '../support/auth-helpers.js';
import { createTestApp, TEST_JWT_SECRET, type TestApp } from '../support/test-app.js';

/** Only `Bearer <jwt>` is a token; a token must carry every claim the service issues. */
describe('bearer header shape and required claims', () => {
  let t: TestApp;
  let user: TestUser;
  beforeAll(async () => {
    t = await createTestApp();
    user = await registerAndLogin(t);
  });
  afterAll(async () => {
    await t.close();
  });

  const me = (authorization: string) => t.http().get('/api/users/me').set('Authorization', authorization);
  const sign = (payload: object, options: jwt.SignOptions = {}) =>
    jwt.sign(payload, TEST_JWT_SECRET, { algorithm: 'HS256', issuer: t.config.tokens.issuer, audience: t.config.tokens.audience, ...options });

  it('accepts the Bearer scheme in any letter case', async () => {
    for (const scheme of ['Bearer', 'bearer', 'BEARER', 'bEaReR']) {
      const response = await me(`${scheme} ${user.accessToken}`);
      expect({ scheme, status: response.status }).toEqual({ scheme, status: 200 });
    }
  });

  it('refuses a valid token with junk after it, two spaces, two tokens or another scheme', async () => {
    const token = user.accessToken;
    const variants = [
      `Bearer ${token} junk`,
      `Bearer ${token} ${'x'.repeat(3_000)}`,
      `Bearer  ${token}`,
      `Bearer\t${token}`,
      `Bearer ${token},${token}`,
      `Bearer ${token} ${token}`,
      `Bearer=${token}`,
      `Token ${token}`,
      `JWT ${token}`,
      token,
      `Bearer ${token}.extra`,
      `Bearer ${token.replace(/\./g, '..')}`,
      `Bearer "${token}"`,
    ];
    for (const authorization of variants) {
      const response = await me(authorization);
      expect({ authorization: authorization.slice(0, 40), status: response.status }).toEqual({ authorization: authorization.slice(0, 40), status: 401 });
      expect(response.body).toMatchObject({ statusCode: 401, error: 'Unauthorized' });
    }
    // The real token still works: the refusals above were about the header's shape.
    expect((await t.http().get('/api/users/me').set(bearer(token))).status).toBe(200);
  });

  it('refuses an oversized header before verifying anything', async () => {
    const [header, payload, signature] = user.accessToken.split('.');
    const padded = `Bearer ${header}.${payload}${'A'.repeat(MAX_AUTHORIZATION_LENGTH)}.${signature}`;
    expect((await me(padded)).status).toBe(401);
  });

  it('refuses padded headers, so none of them reaches the verified-token cache', async () => {
    for (let i = 0; i < 200; i++) {
      expect((await me(`Bearer ${user.accessToken} ${'p'.repeat(15_000)}${i}`)).status).toBe(401);
    }
  });

  describe('a well-signed access token that lacks a claim', () => {
    let claims: jwt.JwtPayload;
    beforeAll(() => {
      claims = jwt.decode(user.accessToken) as jwt.JwtPayload;
    });

    it('is refused without exp (it would never expire)', async () => {
      const { exp: _exp, iss: _iss, aud: _aud, ...rest } = claims;
      const forever = sign(rest);
      expect((jwt.decode(forever) as jwt.JwtPayload).exp).toBeUndefined();
      const response = await me(`Bearer ${forever}`);
      expect(response.status).toBe(401);
      expect(response.body).toMatchObject({ statusCode: 401, error: 'Unauthorized' });
    });

    it('is refused without iat', async () => {
      const { exp: _exp, iat: _iat, iss: _iss, aud: _aud, ...rest } = claims;
      expect((await me(`Bearer ${sign(rest, { noTimestamp: true, expiresIn: 300 })}`)).status).toBe(401);
    });

    it.each(['sub', 'sid', 'jti', 'typ'])('is refused without %s', async (claim) => {
      const { exp: _exp, iat: _iat, iss: _iss, aud: _aud, ...rest } = claims;
      const { [claim]: _dropped, ...without } = rest;
      expect((await me(`Bearer ${sign(without, { expiresIn: 300 })}`)).status).toBe(401);
    });

    it('is refused with empty or non-string ids', async () => {
      const { exp: _exp, iat: _iat, iss: _iss, aud: _aud, ...rest } = claims;
      expect((await me(`Bearer ${sign({ ...rest, jti: '' }, { expiresIn: 300 })}`)).status).toBe(401);
      expect((await me(`Bearer ${sign({ ...rest, jti: 7 }, { expiresIn: 300 })}`)).status).toBe(401);
    });

    it('while the same claims with all of them are accepted (the refusals above mean something)', async () => {
      const { exp: _exp, iat: _iat, iss: _iss, aud: _aud, ...rest } = claims;
      expect((await me(`Bearer ${sign(rest, { expiresIn: 300 })}`)).status).toBe(200);
    });
  });

  describe('a well-signed refresh token that lacks a claim', () => {
    it('is refused without exp, and without iat, and the session keeps working', async () => {
      const owner = await registerAndLogin(t);
      const { exp: _exp, iat: _iat, iss: _iss, aud: _aud, ...rest } = jwt.decode(owner.refreshToken) as jwt.JwtPayload;
      const forever = sign(rest);
      const refused = await t.http().post('/api/auth/refresh').set(bearer(forever));
      expect(refused.status).toBe(401);
      expect(refused.body).toMatchObject({ statusCode: 401, error: 'Unauthorized' });
      expect((await t.http().post('/api/auth/refresh').send({ refreshToken: forever })).status).toBe(401);
      expect((await t.http().post('/api/auth/refresh').set(bearer(sign(rest, { noTimestamp: true, expiresIn: 300 })))).status).toBe(401);
      // Refused before reaching the session: the real refresh token still rotates.
      expect((await t.http().post('/api/auth/refresh').set(bearer(owner.refreshToken))).status).toBe(200);
    });

    it('is refused with junk after it in the Authorization header', async () => {
      const owner = await registerAndLogin(t);
      const response = await t.http().post('/api/auth/refresh').set('Authorization', `Bearer ${owner.refreshToken} junk`);
      expect(response.status).toBe(401);
      expect((await t.http().post('/api/auth/refresh').set('Authorization', `bearer ${owner.refreshToken}`)).status).toBe(200);
    });
  });
});
