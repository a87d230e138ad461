import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import jwt from 'jsonwebtoken';
import { LiveSessionRepository } from '../src/sessions/live-session.repository.js';
import { SessionsService } from '../src/sessions/sessions.service.js';
import { bearer, registerAndLogin } from './support/auth-helpers.js';
import { createTestApp, type TestApp } from './support/test-app.js';

const sidOf = (token: string) => (jwt.decode(token) as jwt.JwtPayload).sid as string;

/** The per-request lookup, on whichever driver runs the tests (SQLite, or MariaDB with TEST_MYSQL_URL). */
describe('LiveSessionRepository', () => {
  let t: TestApp;
  let repository: LiveSessionRepository;
  beforeAll(async () => {
    t = await createTestApp();
    repository = t.app.get(LiveSessionRepository);
  });
  afterAll(async () => {
    await t.close();
  });

  it('reads the session and the user’s public columns as typed values', async () => {
    const user = await registerAndLogin(t);
    const found = await repository.find(sidOf(user.accessToken), user.id);
    const byId = await t.http().get(`/api/users/${user.id}`).set(bearer(user.accessToken));
    expect(byId.status).toBe(200);
    // The user exactly as the entity path prints it (same ISO strings), so /users/me and
    // /users/:id cannot differ in format on any database.
    expect(found).toEqual({ revoked: false, expiresAtMs: expect.any(Number), lastUsedAtMs: expect.any(Number), user: byId.body });
    expect(found!.user.createdAt).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
    // Stored instants, not shifted by a time zone: the session ends one refresh lifetime after now.
    expect(Math.abs(found!.expiresAtMs - (Date.now() + t.config.tokens.refreshTtlSeconds * 1000))).toBeLessThan(60_000);
    expect(Math.abs(found!.lastUsedAtMs - Date.now())).toBeLessThan(60_000);
  });

  it('answers nothing for an unknown session or another user’s session', async () => {
    const user = await registerAndLogin(t);
    const other = await registerAndLogin(t);
    expect(await repository.find('00000000-0000-4000-8000-000000000000', user.id)).toBeUndefined();
    expect(await repository.find(sidOf(user.accessToken), other.id)).toBeUndefined();
  });

  it('reports the row’s status and revocation as they are; the session check refuses them', async () => {
    const user = await registerAndLogin(t);
    const sid = sidOf(user.accessToken);
    await t.dataSource.query("UPDATE users SET status = 'disabled' WHERE id = ?", [user.id]);
    expect((await repository.find(sid, user.id))!.user.status).toBe('disabled');
    expect(await t.app.get(SessionsService).findLive(sid, user.id)).toBeUndefined();
    await t.dataSource.query("UPDATE users SET status = 'active' WHERE id = ?", [user.id]);
    expect((await t.app.get(SessionsService).findLive(sid, user.id))!.status).toBe('active');

    expect((await t.http().post('/api/auth/logout').set(bearer(user.accessToken))).status).toBe(204);
    expect((await repository.find(sid, user.id))!.revoked).toBe(true);
    expect(await t.app.get(SessionsService).findLive(sid, user.id)).toBeUndefined();
  });
});
