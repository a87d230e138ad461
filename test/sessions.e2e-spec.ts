import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import jwt from 'jsonwebtoken';
import { createSecretKey } from 'node:crypto';
import { SessionsService } from '../src/sessions/sessions.service.js';
import { bearer, login, registerAndLogin, type TestUser } from './support/auth-helpers.js';
import { createTestApp, strongPassword, TEST_JWT_SECRET, type TestApp } from './support/test-app.js';

const claimsOf = (token: string) => jwt.decode(token) as jwt.JwtPayload;

describe('sessions: refresh rotation, logout, fresh tokens', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp();
  });
  afterAll(async () => {
    await t.close();
  });

  const me = (token: string) => t.http().get('/api/users/me').set(bearer(token));
  const refresh = (token: string) => t.http().post('/api/auth/refresh').set(bearer(token));

  describe('POST /api/auth/refresh', () => {
    it('rotates, and a replayed refresh token revokes the whole session', async () => {
      const user = await registerAndLogin(t);
      const r1 = user.refreshToken;
      const second = await refresh(r1);
      expect(second.status).toBe(200);
      expect(second.body).toEqual({ accessToken: expect.any(String), refreshToken: expect.any(String), tokenType: 'Bearer', expiresIn: 900 });
      const r2 = second.body.refreshToken;
      expect(r2).not.toBe(r1);
      expect(claimsOf(second.body.accessToken)).toMatchObject({ fresh: false, typ: 'access', sid: claimsOf(r1).sid });

      const third = await t.http().post('/api/auth/refresh').send({ refreshToken: r2 });
      expect(third.status).toBe(200);
      const r3 = third.body.refreshToken;
      const access3 = third.body.accessToken;
      expect((await me(access3)).status).toBe(200);

      const replay = await refresh(r1);
      expect(replay.status).toBe(401);
      expect(replay.body).toMatchObject({ statusCode: 401, error: 'Unauthorized' });
      expect((await refresh(r3)).status).toBe(401);
      expect((await me(access3)).status).toBe(401);
      expect((await me(user.accessToken)).status).toBe(401);

      const audit = await t.dataSource.query("SELECT actor_id FROM audit_events WHERE action = 'refresh.reused' AND target_id = ?", [claimsOf(r1).sid]);
      expect(audit).toEqual([{ actor_id: user.id }]);
    });

    it('lets at most one of 8 concurrent refreshes with one token win, never 500', async () => {
      const user = await registerAndLogin(t);
      const responses = await Promise.all(Array.from({ length: 8 }, () => refresh(user.refreshToken)));
      const statuses = responses.map((r) => r.status);
      expect(statuses.filter((s) => s === 200).length).toBeLessThanOrEqual(1);
      expect(statuses.every((s) => s === 200 || s === 401)).toBe(true);
      expect(statuses.filter((s) => s === 401).length).toBeGreaterThanOrEqual(7);
    });

    it('rejects an access token, a garbage token, a missing token and a non-string body token', async () => {
      const user = await registerAndLogin(t);
      expect((await refresh(user.accessToken)).status).toBe(401);
      expect((await refresh('not.a.jwt')).status).toBe(401);
      expect((await t.http().post('/api/auth/refresh')).status).toBe(401);
      expect((await t.http().post('/api/auth/refresh').send({ refreshToken: 12 })).status).toBe(400);
      expect((await t.http().post('/api/auth/refresh').send({ refreshToken: user.refreshToken, extra: 1 })).status).toBe(400);
      // None of these consumed the real token.
      expect((await refresh(user.refreshToken)).status).toBe(200);
    });

    it('rejects an expired refresh token', async () => {
      const user = await registerAndLogin(t);
      const { exp: _exp, iat: _iat, iss: _iss, aud: _aud, ...claims } = claimsOf(user.refreshToken);
      const expired = jwt.sign({ ...claims, iat: Math.floor(Date.now() / 1000) - 100 }, createSecretKey(Buffer.from(TEST_JWT_SECRET)), {
        algorithm: 'HS256',
        expiresIn: 10,
        issuer: t.config.tokens.issuer,
        audience: t.config.tokens.audience,
      });
      expect((await refresh(expired)).status).toBe(401);
    });

    it('treats a session idle past the refresh lifetime as dead', async () => {
      const user = await registerAndLogin(t);
      await t.dataSource.query('UPDATE sessions SET expires_at = ? WHERE id = ?', [sqlTime(t, new Date(Date.now() - 1000)), claimsOf(user.accessToken).sid]);
      expect((await me(user.accessToken)).status).toBe(401);
      expect((await refresh(user.refreshToken)).status).toBe(401);
    });
  });

  describe('logout', () => {
    it('revokes this session only: its access and refresh tokens die, other sessions live', async () => {
      const user = await registerAndLogin(t);
      const other = await login(t, user.username, user.password);
      const response = await t.http().post('/api/auth/logout').set(bearer(user.accessToken));
      expect(response.status).toBe(204);
      expect(response.text).toBe('');
      expect((await me(user.accessToken)).status).toBe(401);
      expect((await refresh(user.refreshToken)).status).toBe(401);
      expect((await me(other.accessToken)).status).toBe(200);
      expect((await refresh(other.refreshToken)).status).toBe(200);
      expect((await t.http().post('/api/auth/logout').set(bearer(user.accessToken))).status).toBe(401);
    });

    it('logout-all revokes every session of the user and no one else’s', async () => {
      const user = await registerAndLogin(t);
      const other = await login(t, user.username, user.password);
      const bystander = await registerAndLogin(t);
      expect((await t.http().post('/api/auth/logout-all').set(bearer(user.accessToken))).status).toBe(204);
      expect((await me(user.accessToken)).status).toBe(401);
      expect((await me(other.accessToken)).status).toBe(401);
      expect((await refresh(other.refreshToken)).status).toBe(401);
      expect((await me(bystander.accessToken)).status).toBe(200);
    });

    it('needs an access token', async () => {
      const user = await registerAndLogin(t);
      expect((await t.http().post('/api/auth/logout')).status).toBe(401);
      expect((await t.http().post('/api/auth/logout').set(bearer(user.refreshToken))).status).toBe(401);
      expect((await t.http().post('/api/auth/logout-all').set(bearer(user.refreshToken))).status).toBe(401);
    });
  });

  describe('GET and DELETE /api/auth/sessions', () => {
    it('lists live sessions with the current one marked', async () => {
      const user = await registerAndLogin(t);
      const other = await t.http().post('/api/auth/login').set('User-Agent', 'second-device/1.0').send({ username: user.username, password: user.password });
      const gone = await login(t, user.username, user.password);
      await t.http().post('/api/auth/logout').set(bearer(gone.accessToken));
      const response = await t.http().get('/api/auth/sessions').set(bearer(user.accessToken));
      expect(response.status).toBe(200);
      expect(response.body).toHaveLength(2);
      const current = response.body.find((s: { current: boolean }) => s.current);
      expect(current).toEqual({
        id: claimsOf(user.accessToken).sid,
        createdAt: expect.any(String),
        lastUsedAt: expect.any(String),
        userAgent: null,
        ip: expect.any(String),
        current: true,
      });
      const second = response.body.find((s: { current: boolean }) => !s.current);
      expect(second).toMatchObject({ id: claimsOf(other.body.accessToken).sid, userAgent: 'second-device/1.0', current: false });
      expect(JSON.stringify(response.body)).not.toMatch(/jti|refresh/i);
    });

    it('revokes one of the caller’s sessions', async () => {
      const user = await registerAndLogin(t);
      const other = await login(t, user.username, user.password);
      const response = await t.http().delete(`/api/auth/sessions/${claimsOf(other.accessToken).sid}`).set(bearer(user.accessToken));
      expect(response.status).toBe(204);
      expect((await me(other.accessToken)).status).toBe(401);
      expect((await me(user.accessToken)).status).toBe(200);
    });

    it('answers 404 for another user’s session and leaves it alive', async () => {
      const user = await registerAndLogin(t);
      const victim = await registerAndLogin(t);
      const response = await t.http().delete(`/api/auth/sessions/${claimsOf(victim.accessToken).sid}`).set(bearer(user.accessToken));
      expect(response.status).toBe(404);
      expect(response.body).toEqual({ statusCode: 404, message: 'Session not found', error: 'Not Found' });
      expect((await me(victim.accessToken)).status).toBe(200);
      expect((await t.http().delete('/api/auth/sessions/00000000-0000-4000-8000-000000000000').set(bearer(user.accessToken))).status).toBe(404);
      expect((await t.http().delete('/api/auth/sessions/not-a-uuid').set(bearer(user.accessToken))).status).toBe(400);
      expect((await t.http().delete(`/api/auth/sessions/${claimsOf(victim.accessToken).sid}`)).status).toBe(401);
    });
  });

  describe('fresh tokens', () => {
    let user: TestUser;
    let stale: string;
    beforeAll(async () => {
      user = await registerAndLogin(t);
      stale = (await refresh(user.refreshToken)).body.accessToken;
      user = { ...user, ...(await login(t, user.username, user.password)) };
    });

    it('refuses a non-fresh token on fresh routes with a message about freshness', async () => {
      const change = await t.http().put('/api/users/me/password').set(bearer(stale)).send({ currentPassword: user.password, newPassword: strongPassword() });
      expect(change.status).toBe(401);
      expect(change.body.message).toMatch(/fresh/);
      const remove = await t.http().delete('/api/users/me').set(bearer(stale));
      expect(remove.status).toBe(401);
      expect(remove.body.message).toMatch(/fresh/);
      expect((await me(stale)).status).toBe(200);
      // Nothing changed: the old password still works.
      await login(t, user.username, user.password);
    });

    it('PUT /api/users/me/password checks the current password and the policy', async () => {
      const wrong = await t.http().put('/api/users/me/password').set(bearer(user.accessToken)).send({ currentPassword: 'not my password at all!', newPassword: strongPassword() });
      expect(wrong.status).toBe(401);
      expect(wrong.body.message).toBe('Current password is wrong');
      const weak = await t.http().put('/api/users/me/password').set(bearer(user.accessToken)).send({ currentPassword: user.password, newPassword: 'short' });
      expect(weak.status).toBe(400);
      expect(weak.body.message).toEqual(['newPassword must be at least 15 characters long']);
      const missing = await t.http().put('/api/users/me/password').set(bearer(user.accessToken)).send({ newPassword: strongPassword() });
      expect(missing.status).toBe(400);
      const both = await t.http().put('/api/users/me/password').set(bearer(user.accessToken)).send({ currentPassword: 7, newPassword: 'short' });
      expect(both.status).toBe(400);
      expect(both.body.message).toEqual(expect.arrayContaining([expect.stringMatching(/^currentPassword/), 'newPassword must be at least 15 characters long']));
      await login(t, user.username, user.password);
    });

    it('a password change keeps this session, kills the others and the old password', async () => {
      const account = await registerAndLogin(t);
      const other = await login(t, account.username, account.password);
      const newPassword = strongPassword();
      const response = await t.http().put('/api/users/me/password').set(bearer(account.accessToken)).send({ currentPassword: account.password, newPassword });
      expect(response.status).toBe(204);
      expect((await me(account.accessToken)).status).toBe(200);
      expect((await me(other.accessToken)).status).toBe(401);
      expect((await refresh(other.refreshToken)).status).toBe(401);
      const old = await t.http().post('/api/auth/login').send({ username: account.username, password: account.password });
      expect(old.status).toBe(401);
      await login(t, account.username, newPassword);
    });

    it('DELETE /api/users/me removes the user and their sessions', async () => {
      const account = await registerAndLogin(t);
      const response = await t.http().delete('/api/users/me').set(bearer(account.accessToken));
      expect(response.status).toBe(204);
      expect((await me(account.accessToken)).status).toBe(401);
      expect((await refresh(account.refreshToken)).status).toBe(401);
      expect((await t.http().post('/api/auth/login').send({ username: account.username, password: account.password })).status).toBe(401);
      expect(await t.dataSource.query('SELECT id FROM sessions WHERE user_id = ?', [account.id])).toEqual([]);
    });
  });

  it('purges sessions past their refresh lifetime', async () => {
    const user = await registerAndLogin(t);
    const sid = claimsOf(user.accessToken).sid;
    await t.dataSource.query('UPDATE sessions SET expires_at = ? WHERE id = ?', [sqlTime(t, new Date(Date.now() - 1000)), sid]);
    expect(await t.app.get(SessionsService).purgeExpired()).toBeGreaterThanOrEqual(1);
    expect(await t.dataSource.query('SELECT id FROM sessions WHERE id = ?', [sid])).toEqual([]);
  });
});

describe('sessions across instances and restarts', () => {
  it('a logout on one instance is seen by another on the same database at once', async () => {
    const a = await createTestApp();
    const b = await createTestApp({ database: a.database });
    try {
      const user = await registerAndLogin(a);
      expect((await b.http().get('/api/users/me').set(bearer(user.accessToken))).status).toBe(200);
      expect((await a.http().post('/api/auth/logout').set(bearer(user.accessToken))).status).toBe(204);
      expect((await b.http().get('/api/users/me').set(bearer(user.accessToken))).status).toBe(401);
      expect((await b.http().post('/api/auth/refresh').set(bearer(user.refreshToken))).status).toBe(401);
    } finally {
      await b.close({ keepDatabase: true });
      await a.close();
    }
  });

  it('revocations survive a restart of the app', async () => {
    const first = await createTestApp();
    const revoked = await registerAndLogin(first);
    const live = await registerAndLogin(first);
    await first.http().post('/api/auth/logout').set(bearer(revoked.accessToken));
    await first.close({ keepDatabase: true });
    const second = await createTestApp({ database: first.database });
    try {
      expect((await second.http().get('/api/users/me').set(bearer(revoked.accessToken))).status).toBe(401);
      expect((await second.http().post('/api/auth/refresh').set(bearer(revoked.refreshToken))).status).toBe(401);
      expect((await second.http().get('/api/users/me').set(bearer(live.accessToken))).status).toBe(200);
    } finally {
      await second.close();
    }
  });
});

/** A Date as each driver stores timestamps: TypeORM's UTC text on SQLite, a Date on MySQL and PostgreSQL. */
function sqlTime(t: TestApp, date: Date): string | Date {
  return t.database.kind === 'sqlite' ? date.toISOString().replace('T', ' ').replace('Z', '') : date;
}
