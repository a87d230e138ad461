import { afterAll, beforeAll, describe, expect, it, jest } from '@jest/globals';
import jwt from 'jsonwebtoken';
import { LoginService } from '../src/auth/login/login.service.js';
import { UsersService } from '../src/users/users.service.js';
import { bearer, registerAndLogin, registerUser } from './support/auth-helpers.js';
import { createTestApp, type TestApp } from './support/test-app.js';

const claimsOf = (token: string) => jwt.decode(token) as jwt.JwtPayload;

/** Every login ends in one decision; `fresh` and `amr` come from it, not from the route. */
describe('the login decision', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp();
  });
  afterAll(async () => {
    await t.close();
  });

  const sessionAmr = async (sid: string) =>
    ((await t.dataSource.query('SELECT amr FROM sessions WHERE id = ?', [sid])) as Array<{ amr: string }>)[0]?.amr;

  it('marks a password login ["pwd"] and fresh, and the session remembers its amr', async () => {
    const user = await registerAndLogin(t);
    const access = claimsOf(user.accessToken);
    expect(access).toMatchObject({ amr: ['pwd'], fresh: true, typ: 'access' });
    expect(claimsOf(user.refreshToken).amr).toBeUndefined();
    expect(await sessionAmr(access.sid)).toBe('pwd');
  });

  it('gives refreshed tokens the session’s amr, never fresh', async () => {
    const user = await registerAndLogin(t);
    const first = await t.http().post('/api/auth/refresh').send({ refreshToken: user.refreshToken });
    expect(first.status).toBe(200);
    expect(claimsOf(first.body.accessToken)).toMatchObject({ amr: ['pwd'], fresh: false });
    const second = await t.http().post('/api/auth/refresh').send({ refreshToken: first.body.refreshToken });
    expect(second.status).toBe(200);
    expect(claimsOf(second.body.accessToken)).toMatchObject({ amr: ['pwd'], fresh: false });
  });

  describe('for an account with a second factor', () => {
    const logins = () => t.app.get(LoginService);
    let restore: () => void;
    beforeAll(() => {
      // Stand in for an enrolled account, to test the decision apart from the enrolment.
      const spy = jest.spyOn(LoginService.prototype as unknown as { secondFactorsOf(): Promise<string[]> }, 'secondFactorsOf');
      spy.mockResolvedValue(['totp', 'recovery']);
      restore = () => spy.mockRestore();
    });
    afterAll(() => restore());

    it('answers a challenge after the password, and opens no session', async () => {
      const registered = await registerUser(t);
      const user = (await t.app.get(UsersService).findById(registered.id))!;
      const outcome = await logins().decide(user, ['pwd'], {});
      expect(outcome).toEqual({
        outcome: 'second-factor-required',
        challenge: { userId: user.id, amr: ['pwd'], methods: ['totp', 'recovery'], mfaToken: expect.any(String), expiresIn: 300 },
      });
      const rows = (await t.dataSource.query('SELECT id FROM sessions WHERE user_id = ?', [user.id])) as unknown[];
      expect(rows).toHaveLength(0);
      // The route hands out no tokens for it, only the challenge.
      const response = await t.http().post('/api/auth/login').send({ username: registered.username, password: registered.password });
      expect(response.status).toBe(200);
      expect(response.body).toEqual({ mfaRequired: true, mfaToken: expect.any(String), methods: ['totp', 'recovery'], expiresIn: 300 });
      expect(response.body.accessToken).toBeUndefined();
      expect(response.body.refreshToken).toBeUndefined();
      expect(((await t.dataSource.query('SELECT id FROM sessions WHERE user_id = ?', [user.id])) as unknown[]).length).toBe(0);
    });

    it('completes once the second step adds its factor: fresh, with both methods, kept on refresh', async () => {
      const registered = await registerUser(t);
      const user = (await t.app.get(UsersService).findById(registered.id))!;
      const tokens = await logins().completeMultiFactor(user, ['pwd', 'otp'], {});
      const access = claimsOf(tokens.accessToken);
      expect(access).toMatchObject({ sub: user.id, amr: ['pwd', 'otp'], fresh: true });
      expect(await sessionAmr(access.sid)).toBe('pwd otp');
      expect((await t.http().get('/api/users/me').set(bearer(tokens.accessToken))).status).toBe(200);
      const refreshed = await t.http().post('/api/auth/refresh').send({ refreshToken: tokens.refreshToken });
      expect(refreshed.status).toBe(200);
      expect(claimsOf(refreshed.body.accessToken)).toMatchObject({ amr: ['pwd', 'otp'], fresh: false });
    });
  });
});
