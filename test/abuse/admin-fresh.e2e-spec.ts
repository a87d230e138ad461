import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { bearer, login, registerUser } from '../support/auth-helpers.js';
import { createTestApp, strongPassword, uniqueName, type TestApp } from '../support/test-app.js';

/**
 * A stolen admin refresh token mints non-fresh access tokens for days: with one, nothing that
 * takes access away or hands out power may happen. Approving and re-enabling may.
 */
describe('admin changes that need a fresh token', () => {
  let t: TestApp;
  let admin: { id: string; username: string; password: string };
  let stale: string;
  beforeAll(async () => {
    const username = uniqueName('admin');
    const password = strongPassword();
    t = await createTestApp({ env: { ADMIN_USERNAME: username, ADMIN_PASSWORD: password, REQUIRE_APPROVAL: 'true' } });
    const tokens = await login(t, username, password);
    admin = { id: (await t.http().get('/api/users/me').set(bearer(tokens.accessToken))).body.id, username, password };
    const refreshed = await t.http().post('/api/auth/refresh').set(bearer(tokens.refreshToken));
    expect(refreshed.status).toBe(200);
    stale = refreshed.body.accessToken;
  });
  afterAll(async () => {
    await t.close();
  });

  async function row(id: string) {
    const rows: Array<{ role: string; status: string }> = await t.dataSource.query('SELECT role, status FROM users WHERE id = ?', [id]);
    return rows[0];
  }

  async function secondAdmin() {
    const other = await registerUser(t);
    await t.dataSource.query("UPDATE users SET role = 'admin', status = 'active' WHERE id = ?", [other.id]);
    const tokens = await login(t, other.username, other.password);
    return { ...other, ...tokens };
  }

  it('refuses to disable another admin with a refreshed token; their sessions stay alive', async () => {
    const victim = await secondAdmin();
    const response = await t.http().patch(`/api/users/${victim.id}`).set(bearer(stale)).send({ status: 'disabled' });
    expect(response.status).toBe(401);
    expect(response.body).toMatchObject({ statusCode: 401, error: 'Unauthorized', message: expect.stringMatching(/fresh/) });
    expect(await row(victim.id)).toEqual({ role: 'admin', status: 'active' });
    expect((await t.http().get('/api/users/me').set(bearer(victim.accessToken))).status).toBe(200);
  });

  it('refuses to send an active account back to pending, to demote and to promote', async () => {
    const victim = await secondAdmin();
    for (const body of [{ status: 'pending' }, { role: 'user' }, { role: 'admin' }, { status: 'active', role: 'user' }]) {
      const response = await t.http().patch(`/api/users/${victim.id}`).set(bearer(stale)).send(body);
      expect({ body, status: response.status }).toEqual({ body, status: 401 });
    }
    expect(await row(victim.id)).toEqual({ role: 'admin', status: 'active' });
  });

  it('refuses DELETE with a refreshed token', async () => {
    const victim = await registerUser(t);
    expect((await t.http().delete(`/api/users/${victim.id}`).set(bearer(stale))).status).toBe(401);
    expect(await row(victim.id)).toBeDefined();
  });

  it('answers the fresh 401 before revealing whether the target exists', async () => {
    const response = await t.http().patch('/api/users/00000000-0000-4000-8000-000000000000').set(bearer(stale)).send({ status: 'disabled' });
    expect(response.status).toBe(401);
  });

  it('approves a pending account and re-enables a disabled one with a refreshed token', async () => {
    const pending = await registerUser(t);
    expect(await row(pending.id)).toEqual({ role: 'user', status: 'pending' });
    const approved = await t.http().patch(`/api/users/${pending.id}`).set(bearer(stale)).send({ status: 'active' });
    expect(approved.status).toBe(200);
    expect(approved.body).toMatchObject({ status: 'active', role: 'user' });

    await t.dataSource.query("UPDATE users SET status = 'disabled' WHERE id = ?", [pending.id]);
    const enabled = await t.http().patch(`/api/users/${pending.id}`).set(bearer(stale)).send({ status: 'active' });
    expect(enabled.status).toBe(200);
    expect(await row(pending.id)).toEqual({ role: 'user', status: 'active' });
  });

  it('lets a fresh token disable (the refusals above were about freshness)', async () => {
    const victim = await secondAdmin();
    const fresh = (await login(t, admin.username, admin.password)).accessToken;
    const response = await t.http().patch(`/api/users/${victim.id}`).set(bearer(fresh)).send({ status: 'disabled' });
    expect(response.status).toBe(200);
    expect((await t.http().get('/api/users/me').set(bearer(victim.accessToken))).status).toBe(401);
  });
});
