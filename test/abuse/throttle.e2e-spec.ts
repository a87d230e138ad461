import { afterAll, beforeAll, describe, expect, it, jest } from '@jest/globals';
import { getRepositoryToken } from '@nestjs/typeorm';
import type { Repository } from 'typeorm';
import { AbuseCounter } from '../../src/abuse/abuse-counter.entity.js';
import { FixedWindowCounter } from '../../src/abuse/fixed-window-counter.js';
import { registerUser } from '../support/auth-helpers.js';
import { createTestApp, strongPassword, uniqueName, type TestApp } from '../support/test-app.js';

const LIMIT = 4;
const THROTTLED = { statusCode: 429, message: 'Too many requests, try again later', error: 'Too Many Requests' };
const AUTH_POLICY = { scope: 'auth', limit: LIMIT, windowMs: 60_000, blockMs: 60_000 };

async function authHits(t: TestApp): Promise<number[]> {
  const rows: Array<{ hits: number | string }> = await t.dataSource.query("SELECT hits FROM abuse_counters WHERE scope = 'auth'");
  return rows.map((row) => Number(row.hits));
}

async function countRows(t: TestApp, sql: string, parameters: unknown[] = []): Promise<number> {
  const rows: unknown[] = await t.dataSource.query(sql, parameters);
  return rows.length;
}

describe('per-client throttle on login, register and refresh', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp({ env: { THROTTLE_AUTH_LIMIT: String(LIMIT) } });
  });
  afterAll(async () => {
    await t.close();
  });

  it(`allows ${LIMIT} auth requests a minute from one client, then answers 429 with Retry-After`, async () => {
    const user = await registerUser(t); // 1
    const ok = await t.http().post('/api/auth/login').send({ username: user.username, password: user.password }); // 2
    expect(ok.status).toBe(200);
    expect(ok.headers['x-ratelimit-limit']).toBe(String(LIMIT));
    expect(ok.headers['x-ratelimit-remaining']).toBe(String(LIMIT - 2));
    const refreshed = await t.http().post('/api/auth/refresh').send({ refreshToken: ok.body.refreshToken }); // 3
    expect(refreshed.status).toBe(200);
    const wrong = await t.http().post('/api/auth/login').send({ username: user.username, password: 'a-wrong-password-123' }); // 4
    expect(wrong.status).toBe(401);
    const jtiBefore = await t.dataSource.query('SELECT refresh_jti FROM sessions WHERE user_id = ?', [user.id]);

    for (const call of [
      () => t.http().post('/api/auth/login').send({ username: user.username, password: user.password }),
      () => t.http().post('/api/auth/refresh').send({ refreshToken: refreshed.body.refreshToken }),
      () => t.http().post('/api/auth/register').send({ username: uniqueName(), password: strongPassword() }),
      // The email routes share the budget: guessing link tokens or flooding forgot-password is throttled too.
      () => t.http().post('/api/auth/password/forgot').send({ email: 'someone@example.test' }),
      () => t.http().post('/api/auth/password/reset').send({ token: 'a'.repeat(43), newPassword: strongPassword() }),
      () => t.http().post('/api/auth/email/verify').send({ token: 'a'.repeat(43) }),
    ]) {
      const response = await call();
      expect(response.status).toBe(429);
      expect(response.body).toEqual(THROTTLED);
      const retryAfter = Number(response.headers['retry-after']);
      expect(Number.isInteger(retryAfter)).toBe(true);
      expect(retryAfter).toBeGreaterThan(0);
      expect(retryAfter).toBeLessThanOrEqual(60);
    }
    // The throttled calls did nothing: no new session, no new user, the old refresh token still valid.
    expect(await countRows(t, 'SELECT id FROM sessions WHERE user_id = ?', [user.id])).toBe(1);
    expect(await countRows(t, 'SELECT id FROM users')).toBe(1);
    expect(await t.dataSource.query('SELECT refresh_jti FROM sessions WHERE user_id = ?', [user.id])).toEqual(jtiBefore);
  });

  it('refuses a client already over its limit without writing to the database', async () => {
    const before = await authHits(t);
    expect(before).toEqual([LIMIT + 1]);
    for (let i = 0; i < 5; i++) {
      const response = await t.http().post('/api/auth/login').send({ username: 'nobody_here', password: 'whatever-password-1' });
      expect(response.status).toBe(429);
      expect(response.body).toEqual(THROTTLED);
      expect(Number(response.headers['retry-after'])).toBeGreaterThan(0);
    }
    // The refused requests were not counted: no row was written for them.
    expect(await authHits(t)).toEqual(before);
  });

  it('leaves every other route unthrottled', async () => {
    for (let i = 0; i < LIMIT * 3; i++) {
      const health = await t.http().get('/api/health');
      expect(health.status).toBe(200);
      expect(health.headers['x-ratelimit-limit']).toBeUndefined();
    }
    const me = await t.http().get('/api/users/me');
    expect(me.status).toBe(401);
  });

  it('opens again when the window has passed', async () => {
    // Age the window instead of waiting a minute.
    await t.dataSource.query("UPDATE abuse_counters SET window_ends_at = ?, blocked_until = ? WHERE scope = 'auth'", [
      pastTimestamp(t),
      pastTimestamp(t),
    ]);
    const response = await t.http().post('/api/auth/login').send({ username: 'nobody_here', password: 'whatever-password-1' });
    expect(response.status).toBe(401);
  });

  it('counts the hit, not a 500, when a purge deletes the window mid-count', async () => {
    const counter = t.app.get(FixedWindowCounter);
    const windows = t.app.get<Repository<AbuseCounter>>(getRepositoryToken(AbuseCounter));
    // Another instance's purge runs exactly between this hit's update and its read (whichever
    // read method the storage uses).
    const purgeThen = <T,>(read: (where: never) => Promise<T>) =>
      (async (where: never) => {
        await windows.delete(where as { keyHash: string });
        return read(where);
      }) as never;
    jest.spyOn(windows, 'findOneBy').mockImplementationOnce(purgeThen(windows.findOneBy.bind(windows)));
    jest.spyOn(windows, 'findOneByOrFail').mockImplementationOnce(purgeThen(windows.findOneByOrFail.bind(windows)));
    const state = await counter.hit(AUTH_POLICY, 'purge-race-client');
    expect(state).toMatchObject({ hits: 1, blocked: false });
    expect(await countRows(t, 'SELECT key_hash FROM abuse_counters WHERE hits = 1')).toBeGreaterThanOrEqual(1);
  });
});

describe('throttle across instances', () => {
  let first: TestApp;
  let second: TestApp;
  beforeAll(async () => {
    first = await createTestApp({ env: { THROTTLE_AUTH_LIMIT: String(LIMIT) } });
    second = await createTestApp({ env: { THROTTLE_AUTH_LIMIT: String(LIMIT) }, database: first.database });
  });
  afterAll(async () => {
    await second.close({ keepDatabase: true });
    await first.close();
  });

  it('counts one budget for a client across instances sharing the database', async () => {
    const attempt = (t: TestApp) => t.http().post('/api/auth/login').send({ username: 'nobody_here', password: 'whatever-password-1' });
    for (const instance of [first, second, first, second]) expect((await attempt(instance)).status).toBe(401);
    expect((await attempt(first)).status).toBe(429);
    expect((await attempt(second)).status).toBe(429);
  });

  it('lets no more than the limit through under concurrent requests', async () => {
    await first.dataSource.query('DELETE FROM abuse_counters');
    const responses = await Promise.all(
      Array.from({ length: 10 }, (_, i) =>
        (i % 2 ? first : second).http().post('/api/auth/login').send({ username: 'nobody_here', password: 'whatever-password-1' }),
      ),
    );
    const statuses = responses.map((response) => response.status);
    expect(statuses.every((status) => status === 401 || status === 429)).toBe(true);
    const passed = statuses.filter((status) => status === 401).length;
    expect(passed).toBeGreaterThanOrEqual(1);
    expect(passed).toBeLessThanOrEqual(LIMIT);
    // Requests that reach an instance after it saw the block are refused uncounted.
    const [hits] = await authHits(first);
    expect(hits).toBeGreaterThan(LIMIT);
    expect(hits).toBeLessThanOrEqual(10);
  });

  it('loses no hit under concurrent counting on two instances', async () => {
    const policy = { ...AUTH_POLICY, scope: 'concurrency', limit: 1000 };
    await Promise.all(Array.from({ length: 20 }, (_, i) => (i % 2 ? first : second).app.get(FixedWindowCounter).hit(policy, 'shared-key')));
    const rows: Array<{ hits: number | string }> = await first.dataSource.query("SELECT hits FROM abuse_counters WHERE scope = 'concurrency'");
    expect(rows.map((row) => Number(row.hits))).toEqual([20]);
  });
});

/** A datetime(3) value in the past, in the text form SQLite stores (MySQL accepts it too). */
function pastTimestamp(t: TestApp): string | Date {
  const past = new Date(Date.now() - 120_000);
  return t.database.kind === 'sqlite' ? past.toISOString().replace('T', ' ').replace('Z', '') : past;
}
