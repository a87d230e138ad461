import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import argon2 from 'argon2';
import { ARGON2_OPTIONS } from '../../src/passwords/password.service.js';
import { registerUser } from '../support/auth-helpers.js';
import { createTestApp, type TestApp } from '../support/test-app.js';

const CONFIGURED = { m: ARGON2_OPTIONS.memoryCost, t: ARGON2_OPTIONS.timeCost, p: ARGON2_OPTIONS.parallelism };

/** The cost parameters of a PHC-format argon2 hash, e.g. `$argon2id$v=19$m=19456,p=1,t=2$...`. */
function parameters(hash: string): Record<string, number> {
  return Object.fromEntries(hash.split('$')[3].split(',').map((pair) => [pair.split('=')[0], Number(pair.split('=')[1])]));
}

describe('re-hash on login when the stored hash is weaker than the configured parameters', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp();
  });
  afterAll(async () => {
    await t.close();
  });

  const storedHash = async (id: string): Promise<string> => {
    const rows: Array<{ password_hash: string }> = await t.dataSource.query('SELECT password_hash FROM users WHERE id = ?', [id]);
    return rows[0].password_hash;
  };

  it('upgrades a weak hash after a correct password, and only then', async () => {
    const user = await registerUser(t);
    expect(parameters(await storedHash(user.id))).toEqual(CONFIGURED);
    const weak = await argon2.hash(user.password, { type: argon2.argon2id, memoryCost: 4096, timeCost: 1, parallelism: 1 });
    await t.dataSource.query('UPDATE users SET password_hash = ? WHERE id = ?', [weak, user.id]);

    // A wrong password leaves the weak hash alone.
    expect((await t.http().post('/api/auth/login').send({ username: user.username, password: 'not-it-at-all-12345' })).status).toBe(401);
    expect(await storedHash(user.id)).toBe(weak);

    const login = await t.http().post('/api/auth/login').send({ username: user.username, password: user.password });
    expect(login.status).toBe(200);
    const upgraded = await storedHash(user.id);
    expect(upgraded).not.toBe(weak);
    expect(upgraded).toMatch(/^\$argon2id\$/);
    expect(parameters(upgraded)).toEqual(CONFIGURED);
    expect(argon2.needsRehash(upgraded, ARGON2_OPTIONS)).toBe(false);
    expect(await argon2.verify(upgraded, user.password)).toBe(true);

    // The password still works, and a second login leaves the upgraded hash as it is.
    expect((await t.http().post('/api/auth/login').send({ username: user.username, password: user.password })).status).toBe(200);
    expect(await storedHash(user.id)).toBe(upgraded);
  });

  it('upgrades an argon2i hash to argon2id', async () => {
    const user = await registerUser(t);
    const other = await argon2.hash(user.password, { type: argon2.argon2i, memoryCost: 19456, timeCost: 2, parallelism: 1 });
    await t.dataSource.query('UPDATE users SET password_hash = ? WHERE id = ?', [other, user.id]);
    expect((await t.http().post('/api/auth/login').send({ username: user.username, password: user.password })).status).toBe(200);
    expect(await storedHash(user.id)).toMatch(/^\$argon2id\$/);
  });
});
