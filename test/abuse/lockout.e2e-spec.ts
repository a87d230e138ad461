import { afterAll, afterEach, beforeAll, describe, expect, it, jest } from '@jest/globals';
import { PasswordService } from '../../src/passwords/password.service.js';
import { registerUser } from '../support/auth-helpers.js';
import { createTestApp, uniqueName, type TestApp } from '../support/test-app.js';

const MAX_FAILURES = 3;
const LOCKOUT_SECONDS = 600;
const INVALID_LOGIN = { statusCode: 401, message: 'Invalid username or password', error: 'Unauthorized' };
const LOCKED = { statusCode: 429, message: 'Too many failed login attempts; try again later', error: 'Too Many Requests' };
const ENV = { LOGIN_MAX_FAILURES: String(MAX_FAILURES), LOGIN_LOCKOUT: '10m' };

function attempt(t: TestApp, username: string, password: string) {
  return t.http().post('/api/auth/login').send({ username, password });
}

async function failTimes(t: TestApp, username: string, times: number): Promise<void> {
  for (let i = 0; i < times; i++) {
    const response = await attempt(t, username, `wrong-password-number-${i}-xyz`);
    expect(response.status).toBe(401);
    expect(response.body).toEqual(INVALID_LOGIN);
  }
}

async function lockEvents(t: TestApp, username: string): Promise<Array<Record<string, unknown>>> {
  const rows: Array<{ detail: string }> = await t.dataSource.query("SELECT detail FROM audit_events WHERE action = 'login.locked'");
  return rows.map((row) => JSON.parse(row.detail) as Record<string, unknown>).filter((detail) => detail.username === username);
}

describe('per-account login lockout', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp({ env: ENV });
  });
  afterAll(async () => {
    await t.close();
  });
  afterEach(() => {
    jest.restoreAllMocks();
  });

  it(`locks after ${MAX_FAILURES} failures: 429 with Retry-After even for the right password`, async () => {
    const user = await registerUser(t);
    await failTimes(t, user.username, MAX_FAILURES);

    const locked = await attempt(t, user.username, user.password);
    expect(locked.status).toBe(429);
    expect(locked.body).toEqual(LOCKED);
    const retryAfter = Number(locked.headers['retry-after']);
    expect(Number.isInteger(retryAfter)).toBe(true);
    expect(retryAfter).toBeGreaterThan(LOCKOUT_SECONDS - 30);
    expect(retryAfter).toBeLessThanOrEqual(LOCKOUT_SECONDS);
    expect(locked.body).not.toHaveProperty('accessToken');

    // Other letter case is the same account.
    expect((await attempt(t, user.username.toUpperCase(), user.password)).status).toBe(429);
    // The lock is recorded once, however many attempts hit it.
    expect(await lockEvents(t, user.username)).toHaveLength(1);
    const sessions = await t.dataSource.query('SELECT id FROM sessions WHERE user_id = ?', [user.id]);
    expect(sessions).toHaveLength(0);
  });

  it('spends no argon2 work on a locked attempt', async () => {
    const user = await registerUser(t);
    await failTimes(t, user.username, MAX_FAILURES);
    const verify = jest.spyOn(t.app.get(PasswordService), 'verify');
    expect((await attempt(t, user.username, user.password)).status).toBe(429);
    expect((await attempt(t, user.username, 'another-wrong-guess-123')).status).toBe(429);
    expect(verify).not.toHaveBeenCalled();
    // The spy does see the password checks of an account that is not locked.
    const other = await registerUser(t);
    expect((await attempt(t, other.username, other.password)).status).toBe(200);
    expect(verify).toHaveBeenCalledTimes(1);
  });

  it('opens again once the lock expires, and starts counting afresh', async () => {
    const user = await registerUser(t);
    await failTimes(t, user.username, MAX_FAILURES);
    expect((await attempt(t, user.username, user.password)).status).toBe(429);

    // Move the lock (and its window) into the past instead of sleeping through it.
    const past = pastTimestamp(t);
    await t.dataSource.query("UPDATE abuse_counters SET window_ends_at = ?, blocked_until = ? WHERE scope = 'lockout'", [past, past]);

    await failTimes(t, user.username, MAX_FAILURES - 1);
    const response = await attempt(t, user.username, user.password);
    expect(response.status).toBe(200);
    expect(response.body.accessToken).toEqual(expect.any(String));
  });

  it('resets the count on a successful login', async () => {
    const user = await registerUser(t);
    await failTimes(t, user.username, MAX_FAILURES - 1);
    expect((await attempt(t, user.username, user.password)).status).toBe(200);
    // Without the reset, the next failure would be the third in a row and lock.
    await failTimes(t, user.username, MAX_FAILURES - 1);
    expect((await attempt(t, user.username, user.password)).status).toBe(200);
    expect(await lockEvents(t, user.username)).toHaveLength(0);
  });

  it('locks one account only', async () => {
    const victim = await registerUser(t);
    const bystander = await registerUser(t);
    await failTimes(t, victim.username, MAX_FAILURES);
    expect((await attempt(t, victim.username, victim.password)).status).toBe(429);
    const response = await attempt(t, bystander.username, bystander.password);
    expect(response.status).toBe(200);
    expect(response.body.accessToken).toEqual(expect.any(String));
  });

  it('locks unknown usernames alike, so a lock does not reveal that an account exists', async () => {
    const ghost = uniqueName('ghost');
    await failTimes(t, ghost, MAX_FAILURES);
    const response = await attempt(t, ghost, 'any-password-at-all-1234');
    expect(response.status).toBe(429);
    expect(response.body).toEqual(LOCKED);
    expect(Number(response.headers['retry-after'])).toBeGreaterThan(0);
    // No raw username is stored in the counter table.
    const rows: Array<Record<string, unknown>> = await t.dataSource.query("SELECT * FROM abuse_counters WHERE scope = 'lockout'");
    expect(rows.length).toBeGreaterThan(0);
    expect(JSON.stringify(rows)).not.toContain(ghost);
  });

  it('counts concurrent failures atomically: a burst gets at most the budget of password checks', async () => {
    const user = await registerUser(t);
    const verify = jest.spyOn(t.app.get(PasswordService), 'verify');
    const responses = await Promise.all(
      Array.from({ length: 12 }, (_, i) => attempt(t, user.username, `parallel-guess-number-${i}`)),
    );
    const statuses = responses.map((response) => response.status);
    expect(statuses.every((status) => status === 401 || status === 429)).toBe(true);
    expect(statuses.filter((status) => status === 401).length).toBeLessThanOrEqual(MAX_FAILURES);
    expect(verify.mock.calls.length).toBeLessThanOrEqual(MAX_FAILURES);
    expect(verify.mock.calls.length).toBeGreaterThanOrEqual(1);
    expect(await lockEvents(t, user.username)).toHaveLength(1);
    expect((await attempt(t, user.username, user.password)).status).toBe(429);
  });
});

describe('lockout across instances', () => {
  let first: TestApp;
  let second: TestApp;
  beforeAll(async () => {
    first = await createTestApp({ env: ENV });
    second = await createTestApp({ env: ENV, database: first.database });
  });
  afterAll(async () => {
    await second.close({ keepDatabase: true });
    await first.close();
  });

  it('shares one failure count between two instances on one database', async () => {
    const user = await registerUser(first);
    await failTimes(first, user.username, MAX_FAILURES - 1);
    await failTimes(second, user.username, 1);
    for (const instance of [first, second]) {
      const response = await attempt(instance, user.username, user.password);
      expect(response.status).toBe(429);
      expect(response.body).toEqual(LOCKED);
    }
    expect(await lockEvents(first, user.username)).toHaveLength(1);
  });
});

/** A datetime(3) value in the past, in the text form SQLite stores (MySQL accepts it too). */
function pastTimestamp(t: TestApp): string | Date {
  const past = new Date(Date.now() - 1000);
  return t.database.kind === 'sqlite' ? past.toISOString().replace('T', ' ').replace('Z', '') : past;
}
