import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { chmodSync, existsSync, statSync, writeFileSync } from 'node:fs';
import { bearer, registerAndLogin, registerUser } from '../support/auth-helpers.js';
import { createTestApp, strongPassword, uniqueName, type TestApp } from '../support/test-app.js';
import { createTestDatabase, testDatabaseKind } from '../support/test-database.js';

const usesSqlite = testDatabaseKind() === 'sqlite';

/** What the service writes down about failed logins, and who may read its files. */
describe('stored secrets', () => {
  let t: TestApp;
  let admin: { accessToken: string };
  beforeAll(async () => {
    const username = uniqueName('admin');
    const password = strongPassword();
    t = await createTestApp({ env: { ADMIN_USERNAME: username, ADMIN_PASSWORD: password } });
    const response = await t.http().post('/api/auth/login').send({ username, password });
    admin = response.body;
  });
  afterAll(async () => {
    await t.close();
  });

  async function lastFailedLogin() {
    const response = await t.http().get('/api/audit?action=login.failed&limit=1').set(bearer(admin.accessToken));
    expect(response.status).toBe(200);
    return response.body.items[0] as { detail: { username?: string } | null; targetId: string | null };
  }

  it('keeps a failed login’s username when it is a valid username, existing or not', async () => {
    const user = await registerUser(t);
    expect((await t.http().post('/api/auth/login').send({ username: user.username, password: strongPassword() })).status).toBe(401);
    expect(await lastFailedLogin()).toMatchObject({ targetId: user.id, detail: { username: user.username } });
    expect((await t.http().post('/api/auth/login').send({ username: 'no_such_user', password: strongPassword() })).status).toBe(401);
    expect(await lastFailedLogin()).toMatchObject({ targetId: null, detail: { username: 'no_such_user' } });
  });

  it('does not keep what cannot be a username (often a password typed into the wrong field)', async () => {
    const user = await registerAndLogin(t);
    for (const typed of [user.password, 'my secret passphrase!', 'x'.repeat(40), 'q!', 'üser_name', "admin' --"]) {
      expect((await t.http().post('/api/auth/login').send({ username: typed, password: user.password })).status).toBe(401);
      const event = await lastFailedLogin();
      expect(event.detail?.username).toBeUndefined();
      const everything = JSON.stringify((await t.http().get('/api/audit?limit=100').set(bearer(admin.accessToken))).body);
      expect(everything).not.toContain(typed);
    }
  });

  (usesSqlite ? it : it.skip)('creates the SQLite database and its -wal/-shm files readable by the owner only', async () => {
    await registerAndLogin(t);
    const file = t.database.url.slice('sqlite:'.length);
    for (const path of [file, `${file}-wal`, `${file}-shm`]) {
      expect(existsSync(path)).toBe(true);
      expect({ path, mode: (statSync(path).mode & 0o777).toString(8) }).toEqual({ path, mode: '600' });
    }
  });

  (usesSqlite ? it : it.skip)('tightens a database file that was readable by others', async () => {
    const database = await createTestDatabase();
    const file = database.url.slice('sqlite:'.length);
    writeFileSync(file, '');
    chmodSync(file, 0o644);
    const second = await createTestApp({ database });
    try {
      expect((statSync(file).mode & 0o777).toString(8)).toBe('600');
    } finally {
      await second.close();
    }
  });
});
