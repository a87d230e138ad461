import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { randomUUID } from 'node:crypto';
import { Author } from '../src/authors/author.entity.js';
import { bearer, login, registerAndLogin, registerUser, type TestUser } from './support/auth-helpers.js';
import { AppConfig } from '../src/config/app-config.js';
import { PasswordService } from '../src/passwords/password.service.js';
import { AdminBootstrapService } from '../src/users/admin-bootstrap.service.js';
import { UsersService } from '../src/users/users.service.js';
import { createTestApp, strongPassword, TEST_JWT_SECRET, uniqueName, type TestApp } from './support/test-app.js';

type Admin = TestUser;

/** An app whose first admin comes from ADMIN_USERNAME / ADMIN_PASSWORD (the start-up bootstrap). */
async function appWithAdmin(env: Record<string, string> = {}): Promise<{ t: TestApp; admin: Admin }> {
  const username = uniqueName('admin');
  const password = strongPassword();
  const t = await createTestApp({ env: { ADMIN_USERNAME: username, ADMIN_PASSWORD: password, ...env } });
  const tokens = await login(t, username, password);
  const me = await t.http().get('/api/users/me').set(bearer(tokens.accessToken));
  return { t, admin: { id: me.body.id, username, password, ...tokens } };
}

async function userRow(t: TestApp, id: string): Promise<{ role: string; status: string } | undefined> {
  const rows: Array<{ role: string; status: string }> = await t.dataSource.query('SELECT role, status FROM users WHERE id = ?', [id]);
  return rows[0];
}

async function nonFreshToken(t: TestApp, refreshToken: string): Promise<string> {
  const response = await t.http().post('/api/auth/refresh').set(bearer(refreshToken));
  expect(response.status).toBe(200);
  return response.body.accessToken;
}

describe('admin bootstrap from ADMIN_USERNAME / ADMIN_PASSWORD', () => {
  it('creates an active admin on an empty database, and nothing more on the next start', async () => {
    const { t, admin } = await appWithAdmin();
    try {
      const me = await t.http().get('/api/users/me').set(bearer(admin.accessToken));
      expect(me.status).toBe(200);
      expect(me.body).toMatchObject({ username: admin.username, role: 'admin', status: 'active' });

      // A second instance (or a restart) on the same database finds the admin and adds nobody.
      const second = await createTestApp({
        database: t.database,
        env: { ADMIN_USERNAME: uniqueName('other'), ADMIN_PASSWORD: strongPassword() },
      });
      await second.close({ keepDatabase: true });
      const [{ count }] = await t.dataSource.query('SELECT COUNT(*) AS count FROM users');
      expect(Number(count)).toBe(1);
    } finally {
      await t.close();
    }
  });

  it('promotes an existing account only when ADMIN_PASSWORD is its password', async () => {
    const first = await createTestApp();
    try {
      const squatter = await registerUser(first, uniqueName('root'));
      const owner = await registerUser(first, uniqueName('ops'));
      await first.close({ keepDatabase: true });

      // Someone registered the configured name first: without its password there is no promotion.
      const wrong = await createTestApp({
        database: first.database,
        env: { ADMIN_USERNAME: squatter.username, ADMIN_PASSWORD: strongPassword() },
      });
      expect(await userRow(wrong, squatter.id)).toEqual({ role: 'user', status: 'active' });
      await wrong.close({ keepDatabase: true });

      const right = await createTestApp({
        database: first.database,
        env: { ADMIN_USERNAME: owner.username, ADMIN_PASSWORD: owner.password },
      });
      try {
        expect(await userRow(right, owner.id)).toEqual({ role: 'admin', status: 'active' });
        const tokens = await login(right, owner.username, owner.password);
        expect((await right.http().get('/api/users').set(bearer(tokens.accessToken))).status).toBe(200);
      } finally {
        await right.close({ keepDatabase: true });
      }
    } finally {
      await first.database.drop();
    }
  });

  it('fails start-up on an ADMIN_PASSWORD that breaks the password policy, without echoing it', async () => {
    const t = await createTestApp();
    try {
      // The real services of a running app, with the configuration a misconfigured start would have.
      const config = new AppConfig({ JWT_SECRET: TEST_JWT_SECRET, ADMIN_USERNAME: uniqueName('admin'), ADMIN_PASSWORD: 'tooShort1' });
      const bootstrap = new AdminBootstrapService(config.admin, t.app.get(UsersService), t.app.get(PasswordService));
      const failure = bootstrap.onApplicationBootstrap();
      await expect(failure).rejects.toThrow(/^ADMIN_PASSWORD is not accepted by the password policy: password must be at least 15 characters/);
      await expect(failure).rejects.not.toThrow(/tooShort1/);
      expect(await t.dataSource.query('SELECT id FROM users')).toEqual([]);
    } finally {
      await t.close();
    }
  });
});

describe('admin routes', () => {
  let t: TestApp;
  let admin: Admin;
  let user: TestUser;

  beforeAll(async () => {
    ({ t, admin } = await appWithAdmin());
    user = await registerAndLogin(t);
  });
  afterAll(() => t.close());

  it.each(['/api/users', '/api/audit'])('GET %s answers 401 without a token and 403 to a user', async (path) => {
    const anonymous = await t.http().get(path);
    expect(anonymous.status).toBe(401);
    expect(anonymous.body).toMatchObject({ statusCode: 401, error: 'Unauthorized' });
    const asUser = await t.http().get(path).set(bearer(user.accessToken));
    expect(asUser.status).toBe(403);
    expect(asUser.body).toMatchObject({ statusCode: 403, error: 'Forbidden' });
  });

  describe('GET /api/users', () => {
    it('lists a page of users, newest first, without any secret', async () => {
      const response = await t.http().get('/api/users').set(bearer(admin.accessToken));
      expect(response.status).toBe(200);
      expect(response.body).toMatchObject({ total: 2, page: 1, limit: 20 });
      expect(response.body.items.map((item: { username: string }) => item.username)).toEqual([user.username, admin.username]);
      expect(Object.keys(response.body.items[0]).sort()).toEqual(
        ['createdAt', 'email', 'emailVerified', 'id', 'lastLoginAt', 'mfaEnabled', 'name', 'role', 'status', 'updatedAt', 'username'].sort(),
      );
      expect(response.text).not.toMatch(/argon2|password|hash/i);
    });

    it('filters by status and by a case-insensitive q on username or name, with LIKE wildcards taken literally', async () => {
      const suffix = randomUUID().slice(0, 6);
      const grace = await t.http().post('/api/auth/register').send({ username: `Grace_${suffix}`, password: strongPassword(), name: 'Rear Admiral Hopper' });
      expect(grace.status).toBe(201);
      const get = (query: string) => t.http().get(`/api/users?${query}`).set(bearer(admin.accessToken));

      const byUsername = await get(`q=gRACE_${suffix}`);
      expect(byUsername.status).toBe(200);
      expect(byUsername.body.items.map((item: { id: string }) => item.id)).toEqual([grace.body.id]);
      expect((await get('q=hoPPer')).body.items.map((item: { id: string }) => item.id)).toEqual([grace.body.id]);
      expect((await get('q=%25')).body).toMatchObject({ total: 0, items: [] });
      expect((await get(`q=grace${suffix}`)).body.total).toBe(0);
      // '_' is literal: it matches only names that really contain one.
      expect((await get(`q=e_${suffix}`)).body.total).toBe(1);

      const active = await get('status=active&limit=1');
      expect(active.body).toMatchObject({ total: 3, page: 1, limit: 1 });
      expect(active.body.items).toHaveLength(1);
      expect((await get('status=pending')).body).toMatchObject({ total: 0, items: [] });
    });

    it.each(['status=bogus', 'limit=0', 'limit=101', 'page=0', 'role=admin', `q=${'x'.repeat(101)}`])('rejects ?%s with 400', async (query) => {
      const response = await t.http().get(`/api/users?${query}`).set(bearer(admin.accessToken));
      expect(response.status).toBe(400);
      expect(response.body).toMatchObject({ statusCode: 400, error: 'Bad Request' });
    });
  });

  describe('GET /api/users/:id', () => {
    it('shows a user to admins and to the user, and answers 403 to anyone else', async () => {
      const other = await registerAndLogin(t);
      const asAdmin = await t.http().get(`/api/users/${other.id}`).set(bearer(admin.accessToken));
      expect(asAdmin.status).toBe(200);
      expect(asAdmin.body).toMatchObject({ id: other.id, username: other.username, role: 'user', status: 'active' });
      expect(asAdmin.body).not.toHaveProperty('passwordHash');

      const asSelf = await t.http().get(`/api/users/${other.id}`).set(bearer(other.accessToken));
      expect(asSelf.status).toBe(200);
      expect(asSelf.body.id).toBe(other.id);

      for (const id of [other.id, randomUUID()]) {
        const asUser = await t.http().get(`/api/users/${id}`).set(bearer(user.accessToken));
        expect(asUser.status).toBe(403);
        expect(asUser.body).toMatchObject({ statusCode: 403, error: 'Forbidden' });
      }
      expect((await t.http().get(`/api/users/${other.id}`)).status).toBe(401);
    });

    it('answers 404 to an admin for an unknown id and 400 for a non-uuid', async () => {
      const unknown = await t.http().get(`/api/users/${randomUUID()}`).set(bearer(admin.accessToken));
      expect(unknown.status).toBe(404);
      expect(unknown.body).toMatchObject({ statusCode: 404, message: 'User not found' });
      for (const token of [admin.accessToken, user.accessToken]) {
        const bad = await t.http().get('/api/users/not-a-uuid').set(bearer(token));
        expect(bad.status).toBe(400);
      }
    });
  });

  describe('PATCH /api/users/:id', () => {
    it('answers 401 without a token and 403 to a user, changing nothing', async () => {
      const target = await registerUser(t);
      expect((await t.http().patch(`/api/users/${target.id}`).send({ status: 'disabled' })).status).toBe(401);
      const asUser = await t.http().patch(`/api/users/${target.id}`).set(bearer(user.accessToken)).send({ status: 'disabled' });
      expect(asUser.status).toBe(403);
      const selfPromotion = await t.http().patch(`/api/users/${user.id}`).set(bearer(user.accessToken)).send({ role: 'admin' });
      expect(selfPromotion.status).toBe(403);
      expect(await userRow(t, target.id)).toEqual({ role: 'user', status: 'active' });
      expect(await userRow(t, user.id)).toEqual({ role: 'user', status: 'active' });
    });

    it('rejects unknown fields, bad enum values and bad ids with 400, and unknown ids with 404', async () => {
      const target = await registerUser(t);
      for (const body of [
        { name: 'x' },
        { username: 'renamed' },
        { passwordHash: 'x' },
        { id: randomUUID() },
        { role: 'superuser' },
        { status: 'deleted' },
        { status: 'disabled', role: 'admin', extra: 1 },
      ]) {
        const response = await t.http().patch(`/api/users/${target.id}`).set(bearer(admin.accessToken)).send(body);
        expect(response.status).toBe(400);
        expect(response.body).toMatchObject({ statusCode: 400, error: 'Bad Request' });
      }
      expect(await userRow(t, target.id)).toEqual({ role: 'user', status: 'active' });
      expect((await t.http().patch('/api/users/123').set(bearer(admin.accessToken)).send({ status: 'active' })).status).toBe(400);
      const unknown = await t.http().patch(`/api/users/${randomUUID()}`).set(bearer(admin.accessToken)).send({ status: 'active' });
      expect(unknown.status).toBe(404);
    });

    it('disabling kills the live token at once and blocks login; enabling lets the user log in again', async () => {
      const victim = await registerAndLogin(t);
      expect((await t.http().get('/api/users/me').set(bearer(victim.accessToken))).status).toBe(200);

      const disabled = await t.http().patch(`/api/users/${victim.id}`).set(bearer(admin.accessToken)).send({ status: 'disabled' });
      expect(disabled.status).toBe(200);
      expect(disabled.body).toMatchObject({ id: victim.id, status: 'disabled', role: 'user' });

      const stale = await t.http().get('/api/users/me').set(bearer(victim.accessToken));
      expect(stale.status).toBe(401);
      expect((await t.http().post('/api/auth/refresh').set(bearer(victim.refreshToken))).status).toBe(401);
      const [{ live }] = await t.dataSource.query('SELECT COUNT(*) AS live FROM sessions WHERE user_id = ? AND revoked_at IS NULL', [victim.id]);
      expect(Number(live)).toBe(0);

      const blocked = await t.http().post('/api/auth/login').send({ username: victim.username, password: victim.password });
      expect(blocked.status).toBe(403);
      // The status is told only to someone holding the password.
      const guess = await t.http().post('/api/auth/login').send({ username: victim.username, password: strongPassword() });
      expect(guess.status).toBe(401);

      const enabled = await t.http().patch(`/api/users/${victim.id}`).set(bearer(admin.accessToken)).send({ status: 'active' });
      expect(enabled.status).toBe(200);
      expect(enabled.body.status).toBe('active');
      // Re-enabling does not revive the sessions that existed before.
      expect((await t.http().get('/api/users/me').set(bearer(victim.accessToken))).status).toBe(401);
      const again = await login(t, victim.username, victim.password);
      expect((await t.http().get('/api/users/me').set(bearer(again.accessToken))).status).toBe(200);
    });

    it('promotion and demotion act on the user’s next request with the token they already hold', async () => {
      const member = await registerAndLogin(t);
      expect((await t.http().get('/api/users').set(bearer(member.accessToken))).status).toBe(403);

      const promoted = await t.http().patch(`/api/users/${member.id}`).set(bearer(admin.accessToken)).send({ role: 'admin' });
      expect(promoted.status).toBe(200);
      expect(promoted.body.role).toBe('admin');
      expect((await t.http().get('/api/users').set(bearer(member.accessToken))).status).toBe(200);

      const demoted = await t.http().patch(`/api/users/${member.id}`).set(bearer(admin.accessToken)).send({ role: 'user' });
      expect(demoted.status).toBe(200);
      expect(demoted.body.role).toBe('user');
      const after = await t.http().get('/api/users').set(bearer(member.accessToken));
      expect(after.status).toBe(403);
      expect(after.body).toMatchObject({ statusCode: 403, error: 'Forbidden' });
    });

    it('a role change or a disable with a token from /refresh answers 401 "fresh" and changes nothing; re-enabling does not need one', async () => {
      const target = await registerUser(t);
      const stale = await nonFreshToken(t, (await login(t, admin.username, admin.password)).refreshToken);

      const roleChange = await t.http().patch(`/api/users/${target.id}`).set(bearer(stale)).send({ role: 'admin' });
      expect(roleChange.status).toBe(401);
      expect(roleChange.body.message).toMatch(/fresh/);
      const both = await t.http().patch(`/api/users/${target.id}`).set(bearer(stale)).send({ role: 'admin', status: 'disabled' });
      expect(both.status).toBe(401);
      expect(await userRow(t, target.id)).toEqual({ role: 'user', status: 'active' });

      const disable = await t.http().patch(`/api/users/${target.id}`).set(bearer(stale)).send({ status: 'disabled' });
      expect(disable.status).toBe(401);
      expect(disable.body.message).toMatch(/fresh/);
      expect(await userRow(t, target.id)).toEqual({ role: 'user', status: 'active' });

      await t.dataSource.query("UPDATE users SET status = 'disabled' WHERE id = ?", [target.id]);
      const enable = await t.http().patch(`/api/users/${target.id}`).set(bearer(stale)).send({ status: 'active' });
      expect(enable.status).toBe(200);
      expect(await userRow(t, target.id)).toEqual({ role: 'user', status: 'active' });
    });
  });

  describe('DELETE /api/users/:id', () => {
    it('answers 401 without a token, 403 to a user and 401 "fresh" to a refreshed admin token, deleting nothing', async () => {
      const target = await registerUser(t);
      expect((await t.http().delete(`/api/users/${target.id}`)).status).toBe(401);
      const asUser = await t.http().delete(`/api/users/${target.id}`).set(bearer(user.accessToken));
      expect(asUser.status).toBe(403);
      const stale = await nonFreshToken(t, (await login(t, admin.username, admin.password)).refreshToken);
      const notFresh = await t.http().delete(`/api/users/${target.id}`).set(bearer(stale));
      expect(notFresh.status).toBe(401);
      expect(notFresh.body.message).toMatch(/fresh/);
      expect(await userRow(t, target.id)).toEqual({ role: 'user', status: 'active' });
    });

    it('deletes the user with their sessions and authors; the user’s token dies with them', async () => {
      const doomed = await registerAndLogin(t);
      const now = new Date();
      await t.dataSource.getRepository(Author).insert({
        id: randomUUID(),
        ownerId: doomed.id,
        name: 'Hilary Mantel',
        book: 'Wolf Hall',
        country: 'UK',
        bookerPrize: true,
        nameSearch: 'hilary mantel',
        bookSearch: 'wolf hall',
        createdAt: now,
        updatedAt: now,
      });

      const response = await t.http().delete(`/api/users/${doomed.id}`).set(bearer(admin.accessToken));
      expect(response.status).toBe(204);
      expect(response.text).toBe('');

      expect(await userRow(t, doomed.id)).toBeUndefined();
      const [{ sessions }] = await t.dataSource.query('SELECT COUNT(*) AS sessions FROM sessions WHERE user_id = ?', [doomed.id]);
      const [{ authors }] = await t.dataSource.query('SELECT COUNT(*) AS authors FROM authors WHERE owner_id = ?', [doomed.id]);
      expect([Number(sessions), Number(authors)]).toEqual([0, 0]);
      expect((await t.http().get('/api/users/me').set(bearer(doomed.accessToken))).status).toBe(401);

      const again = await t.http().delete(`/api/users/${doomed.id}`).set(bearer(admin.accessToken));
      expect(again.status).toBe(404);
      expect((await t.http().delete('/api/users/nope').set(bearer(admin.accessToken))).status).toBe(400);
    });
  });

  describe('mass assignment', () => {
    it.each([{ role: 'admin' }, { status: 'active' }, { id: randomUUID() }])('register with %j answers 400 and creates nobody', async (extra) => {
      const username = uniqueName('mass');
      const response = await t.http().post('/api/auth/register').send({ username, password: strongPassword(), ...extra });
      expect(response.status).toBe(400);
      const rows = await t.dataSource.query('SELECT id FROM users WHERE username_normalized = ?', [username.toLowerCase()]);
      expect(rows).toEqual([]);
    });

    it.each([{ role: 'admin' }, { status: 'disabled' }, { id: randomUUID() }, { name: 'Ok', role: 'admin' }])(
      'PATCH /api/users/me with %j answers 400 and changes nothing',
      async (body) => {
        const response = await t.http().patch('/api/users/me').set(bearer(user.accessToken)).send(body);
        expect(response.status).toBe(400);
        const me = await t.http().get('/api/users/me').set(bearer(user.accessToken));
        expect(me.body).toMatchObject({ id: user.id, role: 'user', status: 'active', name: null });
      },
    );
  });
});

describe('the last active admin', () => {
  let t: TestApp;
  let admin: Admin;

  beforeAll(async () => {
    ({ t, admin } = await appWithAdmin());
  });
  afterAll(() => t.close());

  it('cannot be demoted, disabled or deleted, not even by themself', async () => {
    const demote = await t.http().patch(`/api/users/${admin.id}`).set(bearer(admin.accessToken)).send({ role: 'user' });
    expect(demote.status).toBe(409);
    expect(demote.body).toMatchObject({ statusCode: 409, error: 'Conflict', message: 'This change would leave no active admin' });
    const disable = await t.http().patch(`/api/users/${admin.id}`).set(bearer(admin.accessToken)).send({ status: 'disabled' });
    expect(disable.status).toBe(409);
    const pending = await t.http().patch(`/api/users/${admin.id}`).set(bearer(admin.accessToken)).send({ status: 'pending' });
    expect(pending.status).toBe(409);
    const remove = await t.http().delete(`/api/users/${admin.id}`).set(bearer(admin.accessToken));
    expect(remove.status).toBe(409);
    const removeMe = await t.http().delete('/api/users/me').set(bearer(admin.accessToken));
    expect(removeMe.status).toBe(409);

    expect(await userRow(t, admin.id)).toEqual({ role: 'admin', status: 'active' });
    expect((await t.http().get('/api/users').set(bearer(admin.accessToken))).status).toBe(200);
  });

  it('a disabled admin does not count: with the only other admin disabled, the last active one is still protected', async () => {
    const second = await registerAndLogin(t);
    expect((await t.http().patch(`/api/users/${second.id}`).set(bearer(admin.accessToken)).send({ role: 'admin' })).status).toBe(200);
    expect((await t.http().patch(`/api/users/${second.id}`).set(bearer(admin.accessToken)).send({ status: 'disabled' })).status).toBe(200);
    expect((await t.http().patch(`/api/users/${admin.id}`).set(bearer(admin.accessToken)).send({ role: 'user' })).status).toBe(409);
    expect((await t.http().delete(`/api/users/${second.id}`).set(bearer(admin.accessToken))).status).toBe(204);
  });

  it('of two admins stepping down at the same moment, exactly one succeeds', async () => {
    for (let round = 0; round < 3; round++) {
      const other = await registerAndLogin(t);
      expect((await t.http().patch(`/api/users/${other.id}`).set(bearer(admin.accessToken)).send({ role: 'admin' })).status).toBe(200);
      // Each passes the role guard; only the transaction's locked count can stop the second.
      const [mine, theirs] = await Promise.all([
        t.http().patch(`/api/users/${admin.id}`).set(bearer(admin.accessToken)).send({ role: 'user' }),
        t.http().patch(`/api/users/${other.id}`).set(bearer(other.accessToken)).send({ role: 'user' }),
      ]);
      expect([mine.status, theirs.status].sort()).toEqual([200, 409]);
      const [{ admins }] = await t.dataSource.query("SELECT COUNT(*) AS admins FROM users WHERE role = 'admin' AND status = 'active'");
      expect(Number(admins)).toBe(1);
      if (mine.status === 200) admin = other;
    }
  });

  it('with a second admin, an admin may step down and delete their own account', async () => {
    const other = await registerAndLogin(t);
    expect((await t.http().patch(`/api/users/${other.id}`).set(bearer(admin.accessToken)).send({ role: 'admin' })).status).toBe(200);
    const stepDown = await t.http().patch(`/api/users/${admin.id}`).set(bearer(admin.accessToken)).send({ role: 'user' });
    expect(stepDown.status).toBe(200);
    expect(stepDown.body.role).toBe('user');
    // Now the other one is the last admin.
    expect((await t.http().delete('/api/users/me').set(bearer(other.accessToken))).status).toBe(409);
    expect((await t.http().delete('/api/users/me').set(bearer(admin.accessToken))).status).toBe(204);
    expect(await userRow(t, admin.id)).toBeUndefined();
  });
});

describe('approval (REQUIRE_APPROVAL=true)', () => {
  let t: TestApp;
  let admin: Admin;

  beforeAll(async () => {
    ({ t, admin } = await appWithAdmin({ REQUIRE_APPROVAL: 'true' }));
  });
  afterAll(() => t.close());

  it('a new account is pending and cannot log in until an admin approves it', async () => {
    const username = uniqueName('newbie');
    const password = strongPassword();
    const registered = await t.http().post('/api/auth/register').send({ username, password });
    expect(registered.status).toBe(201);
    expect(registered.body).toMatchObject({ username, status: 'pending', role: 'user' });

    const early = await t.http().post('/api/auth/login').send({ username, password });
    expect(early.status).toBe(403);
    expect(early.body).not.toHaveProperty('accessToken');

    const pending = await t.http().get('/api/users?status=pending').set(bearer(admin.accessToken));
    expect(pending.body.items.map((item: { id: string }) => item.id)).toEqual([registered.body.id]);

    const approved = await t.http().patch(`/api/users/${registered.body.id}`).set(bearer(admin.accessToken)).send({ status: 'active' });
    expect(approved.status).toBe(200);
    expect(approved.body).toMatchObject({ id: registered.body.id, status: 'active', role: 'user' });

    const tokens = await login(t, username, password);
    expect((await t.http().get('/api/users/me').set(bearer(tokens.accessToken))).body).toMatchObject({ username, status: 'active' });
  });

  it('the bootstrap admin is active despite REQUIRE_APPROVAL', async () => {
    expect(await userRow(t, admin.id)).toEqual({ role: 'admin', status: 'active' });
  });
});
