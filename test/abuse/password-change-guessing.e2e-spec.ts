import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { bearer, registerAndLogin, type TestUser } from '../support/auth-helpers.js';
import { createTestApp, strongPassword, type TestApp } from '../support/test-app.js';

const MAX_FAILURES = 5;
const LOCKED = { statusCode: 429, message: 'Too many failed login attempts; try again later', error: 'Too Many Requests' };
const THROTTLED = { statusCode: 429, message: 'Too many requests, try again later', error: 'Too Many Requests' };

function changePassword(t: TestApp, user: TestUser, currentPassword: string, newPassword = strongPassword()) {
  return t.http().put('/api/users/me/password').set(bearer(user.accessToken)).send({ currentPassword, newPassword });
}

describe('guessing the current password on PUT /api/users/me/password', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp({ env: { LOGIN_MAX_FAILURES: String(MAX_FAILURES), LOGIN_LOCKOUT: '10m' } });
  });
  afterAll(() => t.close());

  it('locks the account like failed logins: 40 wrong guesses, then the right one answers 429 with Retry-After', async () => {
    const user = await registerAndLogin(t);
    const statuses: number[] = [];
    for (let i = 0; i < 40; i++) statuses.push((await changePassword(t, user, `wrong-guess-number-${i}-xyz`)).status);
    expect(statuses.slice(0, MAX_FAILURES)).toEqual(Array(MAX_FAILURES).fill(401));
    expect(statuses.slice(MAX_FAILURES)).toEqual(Array(40 - MAX_FAILURES).fill(429));

    const right = await changePassword(t, user, user.password);
    expect(right.status).toBe(429);
    expect(right.body).toEqual(LOCKED);
    expect(Number(right.headers['retry-after'])).toBeGreaterThan(0);

    // The password did not change, and the login shares the lock.
    const login = await t.http().post('/api/auth/login').send({ username: user.username, password: user.password });
    expect(login.status).toBe(429);
    expect(login.body).toEqual(LOCKED);

    // Each checked guess is audited, and the lock once.
    const failed = await t.dataSource.query("SELECT actor_id, target_id FROM audit_events WHERE action = 'password.failed' AND target_id = ?", [
      user.id,
    ]);
    expect(failed).toHaveLength(MAX_FAILURES);
    expect(failed[0]).toEqual({ actor_id: user.id, target_id: user.id });
    const locks: Array<{ detail: string }> = await t.dataSource.query("SELECT detail FROM audit_events WHERE action = 'login.locked'");
    expect(locks.map((row) => JSON.parse(row.detail).username)).toContain(user.username);
  });

  it('shares one counter with login: failed logins count toward the password change and the reverse', async () => {
    const user = await registerAndLogin(t);
    for (let i = 0; i < MAX_FAILURES - 2; i++) {
      expect((await t.http().post('/api/auth/login').send({ username: user.username.toUpperCase(), password: `nope-${i}-guess-xyz` })).status).toBe(401);
    }
    expect((await changePassword(t, user, 'wrong-guess-one-xyz')).status).toBe(401);
    expect((await changePassword(t, user, 'wrong-guess-two-xyz')).status).toBe(401);
    expect((await changePassword(t, user, user.password)).status).toBe(429);
  });

  it('a right current password resets the count, and the change still works', async () => {
    const user = await registerAndLogin(t);
    for (let i = 0; i < MAX_FAILURES - 1; i++) expect((await changePassword(t, user, `wrong-guess-${i}-xyz`)).status).toBe(401);
    const newPassword = strongPassword();
    expect((await changePassword(t, user, user.password, newPassword)).status).toBe(204);
    for (let i = 0; i < MAX_FAILURES - 1; i++) {
      expect((await t.http().post('/api/auth/login').send({ username: user.username, password: `wrong-${i}-xyz-guess` })).status).toBe(401);
    }
    expect((await t.http().post('/api/auth/login').send({ username: user.username, password: newPassword })).status).toBe(200);
  });
});

describe('the per-client throttle covers the password change', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp({ env: { THROTTLE_AUTH_LIMIT: '4' } });
  });
  afterAll(() => t.close());

  it('counts password changes in the client budget shared with login', async () => {
    const user = await registerAndLogin(t); // register and login: 2 of 4
    expect((await changePassword(t, user, 'wrong-guess-one-xyz')).status).toBe(401); // 3
    expect((await changePassword(t, user, 'wrong-guess-two-xyz')).status).toBe(401); // 4
    const refused = await changePassword(t, user, user.password);
    expect(refused.status).toBe(429);
    expect(refused.body).toEqual(THROTTLED);
    expect(Number(refused.headers['retry-after'])).toBeGreaterThan(0);
    const login = await t.http().post('/api/auth/login').send({ username: user.username, password: user.password });
    expect(login.status).toBe(429);
  });
});
