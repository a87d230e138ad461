import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { bearer, registerAndLogin } from './support/auth-helpers.js';
import { createTestApp, type TestApp } from './support/test-app.js';

/**
 * GET /users/me answers from the per-request session lookup (no second query), so it must
 * match what the repository reads for the same user, and still see every change at once.
 */
describe('GET /api/users/me from the session lookup', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp();
  });
  afterAll(async () => {
    await t.close();
  });

  it('answers exactly what GET /api/users/:id reads through the repository, field for field', async () => {
    const user = await registerAndLogin(t);
    await t.http().patch('/api/users/me').set(bearer(user.accessToken)).send({ name: 'Zoë Ünïcode' }).expect(200);

    const me = await t.http().get('/api/users/me').set(bearer(user.accessToken));
    const byId = await t.http().get(`/api/users/${user.id}`).set(bearer(user.accessToken));
    expect(me.status).toBe(200);
    expect(byId.status).toBe(200);
    expect(me.body).toEqual(byId.body);
    expect(me.body).toEqual({
      id: user.id,
      username: user.username,
      name: 'Zoë Ünïcode',
      email: null,
      emailVerified: false,
      role: 'user',
      status: 'active',
      createdAt: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/),
      updatedAt: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/),
      lastLoginAt: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/),
      mfaEnabled: false,
    });
    // The timestamps are the stored instants (UTC), not shifted by a time zone on either driver.
    expect(Math.abs(Date.parse(me.body.lastLoginAt) - Date.now())).toBeLessThan(60_000);
    expect(me.body.passwordHash).toBeUndefined();
  });

  it('shows a change made in the database on the very next request, and a revoked session never again', async () => {
    const user = await registerAndLogin(t);
    await t.dataSource.query('UPDATE users SET name = ?, role = ? WHERE id = ?', ['Renamed in SQL', 'admin', user.id]);

    const me = await t.http().get('/api/users/me').set(bearer(user.accessToken));
    expect(me.status).toBe(200);
    expect(me.body).toMatchObject({ id: user.id, name: 'Renamed in SQL', role: 'admin' });

    await t.http().post('/api/auth/logout').set(bearer(user.accessToken)).expect(204);
    const after = await t.http().get('/api/users/me').set(bearer(user.accessToken));
    expect(after.status).toBe(401);
    expect(after.body).toEqual({ statusCode: 401, message: expect.any(String), error: 'Unauthorized' });
  });

  it('refuses the token of a user disabled directly in the database', async () => {
    const user = await registerAndLogin(t);
    await t.dataSource.query("UPDATE users SET status = 'disabled' WHERE id = ?", [user.id]);
    const me = await t.http().get('/api/users/me').set(bearer(user.accessToken));
    expect(me.status).toBe(401);
    expect(me.body.username).toBeUndefined();
  });
});
