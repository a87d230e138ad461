import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import argon2 from 'argon2';
import { ARGON2_OPTIONS } from '../../src/passwords/password.service.js';
import { passwordProblem, visibleLength } from '../../src/passwords/password-strength.js';
import { bearer, registerAndLogin } from '../support/auth-helpers.js';
import { createTestApp, uniqueName, type TestApp } from '../support/test-app.js';

const TOO_EASY = /^password is too easy to guess: it .+; add unrelated words or characters that follow no pattern$/;

/** Patterned passwords, invisible padding and Unicode forms (API.md: password rules; NIST SP 800-63B). */
describe('password patterns and normalization', () => {
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

  async function expectRefused(password: string, message: RegExp | string) {
    const { response, stored } = await register(password);
    expect({ password, status: response.status }).toEqual({ password, status: 400 });
    expect(response.body).toMatchObject({ statusCode: 400, error: 'Bad Request' });
    expect(response.body.message).toHaveLength(1);
    if (typeof message === 'string') expect(response.body.message[0]).toBe(message);
    else expect(response.body.message[0]).toMatch(message);
    expect(stored).toBe(0);
  }

  it.each([
    ['aaaaaaaaaaaaaaa', /repeats a character/],
    ['123456789012345', TOO_EASY],
    ['qwertyuiopasdfg', TOO_EASY],
    ['password123456789', /common word, name or password, with little added/],
  ])('refuses %j and says what to change', async (password, message) => {
    await expectRefused(password, message);
    await expectRefused(password, TOO_EASY);
  });

  it.each([
    ['repetition', 'abcabcabcabcabcabc', /repeats/],
    ['a repeated year', '19841984198419841984', /repeats/],
    ['a letter sequence', 'abcdefghijklmnop', /sequence/],
    ['a reversed sequence', 'zyxwvutsrqponmlk', /sequence/],
    ['a keyboard walk', 'zaq12wsxcde34rfv', TOO_EASY],
    ['a padded common word', 'Password!!!!!!!!', /common word/],
    ['a padded name', 'dragon12345678901', /common word/],
    ['a word repeated', 'monkeymonkeymonkey', TOO_EASY],
  ])('refuses %s', async (_kind, password, message) => {
    await expectRefused(password, message);
  });

  it('does not count characters that render as nothing toward the length', async () => {
    const zeroWidth = 'Vq7#mZ' + '\u200b\u200c\u200d\u2060\ufeff\u00ad\u200e\u200f\ufe0f'.repeat(2);
    expect([...zeroWidth].length).toBeGreaterThanOrEqual(15);
    expect(visibleLength(zeroWidth)).toBe(6);
    await expectRefused(zeroWidth, 'password must be at least 15 characters long (characters that show nothing do not count)');
  });

  it('accepts passphrases and random strings, and the password then logs in', async () => {
    for (const password of ['the quiet river carries old boats past the mill', 'Tr0ub4dor&3-xyzzy-plover', 'correct horse battery staple x']) {
      const { response, username } = await register(password);
      expect({ password, status: response.status }).toEqual({ password, status: 201 });
      expect((await t.http().post('/api/auth/login').send({ username, password })).status).toBe(200);
    }
  });

  it('applies to a password change as well, with the field named', async () => {
    const user = await registerAndLogin(t);
    const response = await t.http().put('/api/users/me/password').set(bearer(user.accessToken)).send({ currentPassword: user.password, newPassword: 'aaaaaaaaaaaaaaaa' });
    expect(response.status).toBe(400);
    expect(response.body.message[0]).toMatch(/^newPassword is too easy to guess: it repeats/);
  });

  it('answers a long hostile password quickly (the scorer runs on the event loop)', () => {
    for (const password of ['1!3$5^7*9(0)2@4#'.repeat(8), 'a1'.repeat(64), '4@5$1!0o3e7t'.repeat(10)]) {
      const started = performance.now();
      passwordProblem(password, { minLength: 15 });
      expect(performance.now() - started).toBeLessThan(1500);
    }
  });

  describe('Unicode normalization (NFKC)', () => {
    it('lets a password typed in another form log in: full-width letters, decomposed accents, ligatures', async () => {
      const cases = [
        ['Ｑｕｉｅｔ－ｈａｒｂｏｒ－ｍａｐｌｅ－７', 'Quiet-harbor-maple-7'],
        ['Cafe\u0301-de-l’e\u0301te\u0301-sur-la-plage', 'Café-de-l’été-sur-la-plage'],
        ['\ufb01ve-\ufb02oating-\ufb00erry-boats-9', 'five-floating-fferry-boats-9'],
      ];
      for (const [typedAtRegistration, typedAtLogin] of cases) {
        const { response, username } = await register(typedAtRegistration);
        expect(response.status).toBe(201);
        expect((await t.http().post('/api/auth/login').send({ username, password: typedAtLogin })).status).toBe(200);
        expect((await t.http().post('/api/auth/login').send({ username, password: typedAtRegistration })).status).toBe(200);
      }
    });

    it('keeps an old hash of the raw form working, and re-hashes it in the normalized form on login', async () => {
      const raw = 'Ｂｒｉｇｈｔ－ｏｔｔｅｒ－ｃａｎｏｅ－４２';
      const normalized = raw.normalize('NFKC');
      expect(normalized).not.toBe(raw);
      const { response, username } = await register('Placeholder-river-stone-88');
      expect(response.status).toBe(201);
      // As stored before normalization: argon2 of the password exactly as typed.
      const legacy = await argon2.hash(raw, ARGON2_OPTIONS);
      await t.dataSource.query('UPDATE users SET password_hash = ? WHERE id = ?', [legacy, response.body.id]);

      expect((await t.http().post('/api/auth/login').send({ username, password: 'Bright-otter-canoe-43' })).status).toBe(401);
      const stored = async () => ((await t.dataSource.query('SELECT password_hash FROM users WHERE id = ?', [response.body.id])) as Array<{ password_hash: string }>)[0].password_hash;
      expect(await stored()).toBe(legacy);

      expect((await t.http().post('/api/auth/login').send({ username, password: raw })).status).toBe(200);
      const upgraded = await stored();
      expect(upgraded).not.toBe(legacy);
      expect(await argon2.verify(upgraded, normalized)).toBe(true);
      // Now the ASCII form works too, and the hash stays as it is.
      expect((await t.http().post('/api/auth/login').send({ username, password: normalized })).status).toBe(200);
      expect(await stored()).toBe(upgraded);
    });
  });
});
