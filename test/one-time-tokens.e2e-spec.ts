import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { createHash } from 'node:crypto';
import { OneTimeToken } from '../src/one-time-tokens/one-time-token.entity.js';
import { OneTimeTokensService } from '../src/one-time-tokens/one-time-tokens.service.js';
import { registerUser } from './support/auth-helpers.js';
import { createTestApp, type TestApp } from './support/test-app.js';

const sha256 = (token: string) => createHash('sha256').update(token).digest('hex');

/** On whichever driver runs the tests (SQLite, or MariaDB with TEST_MYSQL_URL). */
describe('OneTimeTokensService', () => {
  let t: TestApp;
  let tokens: OneTimeTokensService;
  const rows = () => t.dataSource.getRepository(OneTimeToken);
  beforeAll(async () => {
    t = await createTestApp();
    tokens = t.app.get(OneTimeTokensService);
  });
  afterAll(async () => {
    await t.close();
  });

  it('issues a random base64url token and stores only its hash, with purpose, subject, expiry and data', async () => {
    const user = await registerUser(t);
    const before = Date.now();
    const issued = await tokens.issue('email.verify', user.id, 3600, { email: 'ada@example.com' });
    expect(issued.token).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(Math.abs(issued.expiresAt.getTime() - (before + 3600_000))).toBeLessThan(5_000);
    const stored = await rows().findOneByOrFail({ tokenHash: sha256(issued.token) });
    expect(stored).toMatchObject({ purpose: 'email.verify', subject: user.id, usedAt: null, data: '{"email":"ada@example.com"}' });
    expect(stored.expiresAt.getTime()).toBe(issued.expiresAt.getTime());
    const all = JSON.stringify(await t.dataSource.query('SELECT * FROM one_time_tokens'));
    expect(all).not.toContain(issued.token);
    expect((await tokens.issue('email.verify', user.id, 3600)).token).not.toBe(issued.token);
  });

  it('gives the subject and data once, then never again', async () => {
    const user = await registerUser(t);
    const { token } = await tokens.issue('password.reset', user.id, 3600, { step: 1 });
    expect(await tokens.consume('password.reset', token)).toEqual({ subject: user.id, data: { step: 1 } });
    expect(await tokens.consume('password.reset', token)).toBeUndefined();
    expect((await rows().findOneByOrFail({ tokenHash: sha256(token) })).usedAt).toBeInstanceOf(Date);
  });

  it('works without a subject or data', async () => {
    const { token } = await tokens.issue('oidc.state', null, 600);
    expect(await tokens.consume('oidc.state', token)).toEqual({ subject: null, data: null });
  });

  it('refuses another purpose without using the token up', async () => {
    const user = await registerUser(t);
    const { token } = await tokens.issue('password.reset', user.id, 3600);
    expect(await tokens.consume('email.verify', token)).toBeUndefined();
    expect(await tokens.consume('password.reset', token)).toEqual({ subject: user.id, data: null });
  });

  it('refuses an expired token', async () => {
    const user = await registerUser(t);
    const { token } = await tokens.issue('password.reset', user.id, 3600);
    await rows().update({ tokenHash: sha256(token) }, { expiresAt: new Date(Date.now() - 1000) });
    expect(await tokens.consume('password.reset', token)).toBeUndefined();
  });

  it('refuses unknown, empty, oversized and non-string tokens', async () => {
    expect(await tokens.consume('password.reset', 'A'.repeat(43))).toBeUndefined();
    expect(await tokens.consume('password.reset', '')).toBeUndefined();
    expect(await tokens.consume('password.reset', 'A'.repeat(10_000))).toBeUndefined();
    expect(await tokens.consume('password.reset', 42 as unknown as string)).toBeUndefined();
  });

  it('gives exactly one of many concurrent uses the token', async () => {
    const user = await registerUser(t);
    for (let round = 0; round < 5; round++) {
      const { token } = await tokens.issue('mfa.login', user.id, 300, { round });
      const results = await Promise.all(Array.from({ length: 12 }, () => tokens.consume('mfa.login', token)));
      const winners = results.filter((result) => result !== undefined);
      expect(winners).toEqual([{ subject: user.id, data: { round } }]);
    }
  });

  it('voids every token of a purpose for one subject, and only those', async () => {
    const user = await registerUser(t);
    const other = await registerUser(t);
    const older = await tokens.issue('password.reset', user.id, 3600);
    const newer = await tokens.issue('password.reset', user.id, 3600);
    const otherPurpose = await tokens.issue('email.verify', user.id, 3600);
    const otherUser = await tokens.issue('password.reset', other.id, 3600);
    await tokens.voidAll('password.reset', user.id);
    expect(await tokens.consume('password.reset', older.token)).toBeUndefined();
    expect(await tokens.consume('password.reset', newer.token)).toBeUndefined();
    expect(await tokens.consume('email.verify', otherPurpose.token)).toEqual({ subject: user.id, data: null });
    expect(await tokens.consume('password.reset', otherUser.token)).toEqual({ subject: other.id, data: null });
    // A newer link issued after the void works.
    const newest = await tokens.issue('password.reset', user.id, 3600);
    expect(await tokens.consume('password.reset', newest.token)).toEqual({ subject: user.id, data: null });
  });

  it('purges expired rows and keeps live ones', async () => {
    const user = await registerUser(t);
    const live = await tokens.issue('password.reset', user.id, 3600);
    const dead = await tokens.issue('password.reset', user.id, 3600);
    await rows().update({ tokenHash: sha256(dead.token) }, { expiresAt: new Date(Date.now() - 1000) });
    expect(await tokens.purgeExpired()).toBeGreaterThanOrEqual(1);
    expect(await rows().findOneBy({ tokenHash: sha256(dead.token) })).toBeNull();
    expect(await rows().findOneBy({ tokenHash: sha256(live.token) })).not.toBeNull();
  });

  it('deletes a user’s tokens with the user', async () => {
    const user = await registerUser(t);
    const { token } = await tokens.issue('password.reset', user.id, 3600);
    await t.dataSource.query('DELETE FROM users WHERE id = ?', [user.id]);
    expect(await rows().findOneBy({ tokenHash: sha256(token) })).toBeNull();
    expect(await tokens.consume('password.reset', token)).toBeUndefined();
  });
});
