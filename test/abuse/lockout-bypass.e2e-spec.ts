import { afterAll, afterEach, beforeAll, describe, expect, it, jest } from '@jest/globals';
import { randomBytes } from 'node:crypto';
import { PasswordService } from '../../src/passwords/password.service.js';
import { registerUser } from '../support/auth-helpers.js';
import { createTestApp, strongPassword, type TestApp } from '../support/test-app.js';

const MAX_FAILURES = 3;
const INVALID_LOGIN = { statusCode: 401, message: 'Invalid username or password', error: 'Unauthorized' };
const LOCKED = { statusCode: 429, message: 'Too many failed login attempts; try again later', error: 'Too Many Requests' };

/**
 * Spellings that name no account: not valid usernames (API.md: 3-32 ASCII letters, digits,
 * ".", "_", "-"), though a MySQL/MariaDB collation that ignores accents and pads spaces
 * compares several of them equal to the real name.
 */
function foreignSpellings(name: string): Record<string, string> {
  return {
    'trailing spaces': `${name}   `,
    'trailing tab': `${name}\t`,
    'leading space': ` ${name}`,
    'accent on o': name.replace('o', 'ô'),
    'accent on i': name.replace('i', 'í'),
    'umlaut on a': name.replace('a', 'ä'),
    'combining accent': name.replace('o', 'o\u0302'),
    'fullwidth r': name.replace('r', '\uff52'),
    'zero-width space': name.replace('_', '\u200b_'),
    'dotless i': name.replace('i', 'ı'),
  };
}

function attempt(t: TestApp, username: string, password: string) {
  return t.http().post('/api/auth/login').send({ username, password });
}

describe('lockout cannot be bypassed by another spelling of the username', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp({ env: { LOGIN_MAX_FAILURES: String(MAX_FAILURES), LOGIN_LOCKOUT: '10m' } });
  });
  afterAll(() => t.close());
  afterEach(() => {
    jest.restoreAllMocks();
  });

  const newAdminLike = () => registerUser(t, `root_admin_${randomBytes(3).toString('hex')}`);

  it('lets no spelling other than the username (in any letter case) reach the account, and each costs a dummy verify', async () => {
    const user = await newAdminLike();
    const passwords = t.app.get(PasswordService);
    for (const [label, spelling] of Object.entries(foreignSpellings(user.username))) {
      const verify = jest.spyOn(passwords, 'verify');
      const dummy = jest.spyOn(passwords, 'verifyDummy');
      const response = await attempt(t, spelling, user.password);
      expect({ label, status: response.status, body: response.body }).toEqual({ label, status: 401, body: INVALID_LOGIN });
      // Exactly one argon2 verify, and it is the dummy's (verifyDummy runs it through verify).
      expect({ label, verify: verify.mock.calls.length, dummy: dummy.mock.calls.length }).toEqual({ label, verify: 1, dummy: 1 });
      jest.restoreAllMocks();
    }
    // Letter case is the same account.
    expect((await attempt(t, user.username.toUpperCase(), user.password)).status).toBe(200);
  });

  it('keeps a locked account locked whatever spelling is typed', async () => {
    const user = await newAdminLike();
    for (let i = 0; i < MAX_FAILURES; i++) {
      expect((await attempt(t, user.username, `wrong-password-number-${i}-xyz`)).status).toBe(401);
    }
    for (const spelling of [user.username, user.username.toUpperCase(), user.username.replace('r', 'R')]) {
      const response = await attempt(t, spelling, user.password);
      expect(response.status).toBe(429);
      expect(response.body).toEqual(LOCKED);
      expect(Number(response.headers['retry-after'])).toBeGreaterThan(0);
    }
    for (const [label, spelling] of Object.entries(foreignSpellings(user.username))) {
      const response = await attempt(t, spelling, user.password);
      expect({ label, status: response.status }).toEqual({ label, status: 401 });
      expect(response.body).not.toHaveProperty('accessToken');
    }
    const sessions = await t.dataSource.query('SELECT id FROM sessions WHERE user_id = ?', [user.id]);
    expect(sessions).toHaveLength(0);
  });

  it('counts failures of every letter case on one counter', async () => {
    const user = await newAdminLike();
    const spellings = [user.username.toUpperCase(), user.username, user.username.replace('a', 'A')];
    for (const spelling of spellings) expect((await attempt(t, spelling, 'a-wrong-password-here-1')).status).toBe(401);
    expect((await attempt(t, user.username, user.password)).status).toBe(429);
  });

  it('locks a foreign spelling on its own counter, so its answers look like any unknown name', async () => {
    const spelling = `ghost_${randomBytes(3).toString('hex')}   `;
    for (let i = 0; i < MAX_FAILURES; i++) expect((await attempt(t, spelling, 'a-wrong-password-here-1')).status).toBe(401);
    const response = await attempt(t, spelling, 'a-wrong-password-here-1');
    expect(response.status).toBe(429);
    expect(response.body).toEqual(LOCKED);
  });

  it('keeps usernames unique by their normalized key, not by a collation', async () => {
    const user = await newAdminLike();
    const sameKey = await t.http().post('/api/auth/register').send({ username: user.username.toUpperCase(), password: strongPassword() });
    expect(sameKey.status).toBe(409);
    for (const spelling of [user.username.replace('o', 'ô'), `${user.username} `]) {
      const response = await t.http().post('/api/auth/register').send({ username: spelling, password: strongPassword() });
      expect(response.status).toBe(400);
    }
    // The key column compares bytes: an accented key (which the API can never store) is another key.
    const rows = await t.dataSource.query('SELECT id FROM users WHERE username_normalized = ?', [user.username.replace('o', 'ô')]);
    expect(rows).toHaveLength(0);
  });
});
