import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { bearer, registerAndLogin } from '../support/auth-helpers.js';
import { createTestApp, uniqueName, type TestApp } from '../support/test-app.js';

/** Astral-plane characters: one code point, two UTF-16 units each. */
const EMOJI = ['😀', '🦊', '🌲', '🚲', '🎻', '🍋', '🧭', '🪁'];
const emojiPassword = (codePoints: number) => Array.from({ length: codePoints }, (_, i) => EMOJI[i % EMOJI.length]).join('');

describe('password policy (NIST SP 800-63B)', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp();
  });
  afterAll(async () => {
    await t.close();
  });

  async function register(password: string, username = uniqueName()) {
    const response = await t.http().post('/api/auth/register').send({ username, password });
    const rows: unknown[] = await t.dataSource.query('SELECT id FROM users WHERE username_normalized = ?', [username.toLowerCase()]);
    return { response, stored: rows.length, username };
  }

  function expectRejected(response: { status: number; body: unknown }, message: string) {
    expect(response.status).toBe(400);
    expect(response.body).toEqual({ statusCode: 400, message: [message], error: 'Bad Request' });
  }

  it('refuses 14 code points, even though they are 28 UTF-16 units', async () => {
    const password = emojiPassword(14);
    expect(password.length).toBe(28);
    const { response, stored } = await register(password);
    expectRejected(response, 'password must be at least 15 characters long');
    expect(stored).toBe(0);
  });

  it('accepts 15 code points, and the password then logs in', async () => {
    const password = emojiPassword(15);
    const { response, stored, username } = await register(password);
    expect(response.status).toBe(201);
    expect(response.body.username).toBe(username);
    expect(stored).toBe(1);
    const login = await t.http().post('/api/auth/login').send({ username, password });
    expect(login.status).toBe(200);
    // A password that differs only in its last code point is a different password.
    const wrong = await t.http().post('/api/auth/login').send({ username, password: emojiPassword(14) + '🐙' });
    expect(wrong.status).toBe(401);
  });

  it('accepts 128 code points and refuses 129', async () => {
    expect((await register(emojiPassword(128))).response.status).toBe(201);
    const { response, stored } = await register(emojiPassword(129));
    expectRejected(response, 'password must be at most 128 characters long');
    expect(stored).toBe(0);
  });

  it('refuses a common password from the bundled list, in any letter case', async () => {
    for (const password of ['123456789qwerty', '123456789QWERTY', 'qazwsxedcrfvtgb']) {
      const { response, stored } = await register(password);
      expectRejected(response, 'password is too common; choose a less predictable one');
      expect(stored).toBe(0);
    }
  });

  it('refuses a password that contains the username, in any letter case', async () => {
    const username = uniqueName('Marguerite');
    for (const password of [`my name is ${username} ok`, `${username.toUpperCase()}-and-then-some`]) {
      const { response, stored } = await register(password, username);
      expectRejected(response, 'password must not contain the username');
      expect(stored).toBe(0);
    }
  });

  it('accepts a 64-character passphrase with spaces and no composition rules', async () => {
    const password = 'the quiet river carries old boats past the mill before sunrise x';
    expect([...password].length).toBe(64);
    const { response, username } = await register(password);
    expect(response.status).toBe(201);
    expect((await t.http().post('/api/auth/login').send({ username, password })).status).toBe(200);
  });

  it('applies to a password change as well, and a refused change keeps the old password', async () => {
    const user = await registerAndLogin(t);
    for (const [newPassword, message] of [
      [emojiPassword(14), 'newPassword must be at least 15 characters long'],
      ['123456789qwerty', 'newPassword is too common; choose a less predictable one'],
      [`xx-${user.username}-xx-yy-zz`, 'newPassword must not contain the username'],
      [emojiPassword(129), 'newPassword must be at most 128 characters long'],
    ]) {
      const response = await t
        .http()
        .put('/api/users/me/password')
        .set(bearer(user.accessToken))
        .send({ currentPassword: user.password, newPassword });
      expectRejected(response, message);
    }
    expect((await t.http().post('/api/auth/login').send({ username: user.username, password: user.password })).status).toBe(200);
  });
});
