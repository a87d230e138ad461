import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { bearer, registerAndLogin } from './support/auth-helpers.js';
import { createTestApp, strongPassword, uniqueName, type TestApp } from './support/test-app.js';

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

/**
 * Lengths are checked as MySQL and PostgreSQL count a varchar (code points): class-validator's
 * MaxLength skips emoji variation selectors, and 'İ' lower-cases to two code points in the
 * stored lookup form, so values it let through overflowed their columns there (500; SQLite,
 * which does not check lengths, stored them).
 */
describe('text that fits the API’s limits fits the database', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp();
  });
  afterAll(async () => {
    await t.close();
  });

  const tooLongName = 'a\uFE0F'.repeat(60); // 120 code points; MaxLength counted 60
  const longestName = 'a\uFE0F'.repeat(50); // 100 code points
  const tooLongLookup = `${'a'.repeat(64)}@${'İ'.repeat(60)}.${'İ'.repeat(60)}.com`; // 190 as given, 310 lower-cased

  it('register: a name or address that would not fit is a 400 naming the field, and creates nobody', async () => {
    for (const [field, extra] of [['name', { name: tooLongName }], ['email', { email: tooLongLookup }]] as const) {
      const username = uniqueName();
      const response = await t.http().post('/api/auth/register').send({ username, password: strongPassword(), ...extra });
      expect(response.status).toBe(400);
      expect(response.body.message).toEqual(expect.arrayContaining([expect.stringMatching(new RegExp(`^${field}`))]));
      expect(await t.dataSource.query('SELECT id FROM users WHERE username_normalized = ?', [username])).toEqual([]);
    }
    const fits = await t.http().post('/api/auth/register').send({ username: uniqueName(), password: strongPassword(), name: longestName });
    expect(fits.status).toBe(201);
    expect(fits.body.name).toBe(longestName);
  });

  it('PATCH /users/me and PUT /users/me/email: the same limits, and nothing changes', async () => {
    const user = await registerAndLogin(t);
    const name = await t.http().patch('/api/users/me').set(bearer(user.accessToken)).send({ name: tooLongName });
    expect(name.status).toBe(400);
    expect(name.body.message).toEqual(['name must be shorter than or equal to 100 characters']);
    const email = await t.http().put('/api/users/me/email').set(bearer(user.accessToken)).send({ email: tooLongLookup });
    expect(email.status).toBe(400);
    const me = await t.http().get('/api/users/me').set(bearer(user.accessToken));
    expect(me.body).toMatchObject({ name: null, email: null });
    expect((await t.http().patch('/api/users/me').set(bearer(user.accessToken)).send({ name: longestName })).status).toBe(200);
  });
});
