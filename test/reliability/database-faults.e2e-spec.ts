import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { createRequire } from 'node:module';
import { bearer, login, registerAndLogin, type TestUser } from '../support/auth-helpers.js';
import { call, ensureBuilt, killAllServers, spawnServer, type SpawnedServer } from '../support/spawn-server.js';
import { startTcpProxy, type TcpProxy } from '../support/tcp-proxy.js';
import { createTestApp, strongPassword, uniqueName, type TestApp } from '../support/test-app.js';
import { createTestDatabase } from '../support/test-database.js';

/** A second, independent connection to the test's SQLite file (better-sqlite3 ships no types). */
interface SqliteConnection {
  exec(sql: string): void;
  close(): void;
  readonly inTransaction: boolean;
}
const Sqlite = createRequire(import.meta.url)('better-sqlite3') as new (file: string) => SqliteConnection;

const UNAVAILABLE = { statusCode: 503, message: 'Database unavailable, try again shortly', error: 'Service Unavailable' };
const HEALTH_DOWN = { statusCode: 503, status: 'error', database: 'down', message: 'Database unavailable', error: 'Service Unavailable' };
const FAIL_FAST_MS = 2000;

async function eventually<T>(probe: () => Promise<T>, done: (value: T) => boolean, timeoutMs = 10_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let value = await probe();
  while (!done(value) && Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 100));
    value = await probe();
  }
  return value;
}

const SERVER_URL = process.env.TEST_POSTGRES_URL ?? process.env.TEST_MYSQL_URL;

if (SERVER_URL) {
  const serverName = process.env.TEST_POSTGRES_URL ? 'PostgreSQL' : 'MariaDB';
  describe(`${serverName} unreachable: a proxy between the service and the database server is cut or stalled`, () => {
    let proxy: TcpProxy;
    let server: SpawnedServer;
    let drop: () => Promise<void>;
    const username = uniqueName('fault');
    const password = strongPassword();
    let accessToken: string;

    beforeAll(async () => {
      ensureBuilt();
      const database = await createTestDatabase();
      drop = () => database.drop();
      const direct = new URL(database.url);
      const defaultPort = direct.protocol === 'mysql:' ? 3306 : 5432;
      proxy = await startTcpProxy({ host: direct.hostname, port: Number(direct.port || defaultPort) });
      const proxied = new URL(database.url);
      proxied.hostname = '127.0.0.1';
      proxied.port = String(proxy.port);
      server = await spawnServer({ DATABASE_URL: proxied.toString() });
      expect((await call(server.url, 'POST', '/api/auth/register', { body: { username, password } })).status).toBe(201);
      const tokens = await call(server.url, 'POST', '/api/auth/login', { body: { username, password } });
      expect(tokens.status).toBe(200);
      accessToken = tokens.body.accessToken;
    }, 180_000);

    afterAll(async () => {
      await killAllServers();
      await proxy?.close();
      await drop?.();
    });

    /** Health, a protected route and login: each a 503 with a plain message, fast. */
    async function expectFailFast(): Promise<void> {
      const health = await call(server.url, 'GET', '/api/health');
      expect(health.status).toBe(503);
      expect(health.body).toEqual(HEALTH_DOWN);
      expect(health.ms).toBeLessThan(FAIL_FAST_MS);

      // Fail closed: without its session lookup a valid token must not get through.
      const me = await call(server.url, 'GET', '/api/users/me', { token: accessToken });
      expect(me.status).toBe(503);
      expect(me.body).toEqual(UNAVAILABLE);
      expect(me.ms).toBeLessThan(FAIL_FAST_MS);

      const loginAttempt = await call(server.url, 'POST', '/api/auth/login', { body: { username, password } });
      expect(loginAttempt.status).toBe(503);
      expect(loginAttempt.body).toEqual(UNAVAILABLE);
      expect(loginAttempt.ms).toBeLessThan(FAIL_FAST_MS);
    }

    async function expectRecovered(): Promise<void> {
      const health = await eventually(
        () => call(server.url, 'GET', '/api/health'),
        (response) => response.status === 200,
      );
      expect(health.status).toBe(200);
      expect(health.body).toEqual({ status: 'ok', database: 'up' });
      // Enough calls to go through every pooled connection: none may be left broken.
      for (let i = 0; i < 12; i++) {
        const me = await call(server.url, 'GET', '/api/users/me', { token: accessToken });
        expect(me.status).toBe(200);
        expect(me.body.username).toBe(username);
      }
      const again = await call(server.url, 'POST', '/api/auth/login', { body: { username, password } });
      expect(again.status).toBe(200);
      expect(again.body.accessToken).toEqual(expect.any(String));
      expect(server.isRunning()).toBe(true);
    }

    it('answers normally through the proxy', async () => {
      const me = await call(server.url, 'GET', '/api/users/me', { token: accessToken });
      expect(me.status).toBe(200);
      expect(me.body.username).toBe(username);
    });

    it('cut: 503 within 2 s for health, a protected route and login; the process stays up', async () => {
      await proxy.cut();
      await expectFailFast();
      const burst = await Promise.all(
        Array.from({ length: 20 }, () => call(server.url, 'GET', '/api/users/me', { token: accessToken })),
      );
      expect(burst.map((response) => response.status)).toEqual(Array(20).fill(503));
      expect(Math.max(...burst.map((response) => response.ms))).toBeLessThan(FAIL_FAST_MS);
      expect(server.isRunning()).toBe(true);
    });

    it('cut: recovers by itself once the database is reachable again', async () => {
      await proxy.restore();
      await expectRecovered();
    });

    it('stall (connections open, nothing delivered): 503 within 2 s, no hanging request', async () => {
      proxy.stall();
      await expectFailFast();
      expect(server.isRunning()).toBe(true);
    });

    it('stall: recovers by itself once traffic flows again', async () => {
      await proxy.restore();
      await expectRecovered();
    });
  });
} else {
  describe('SQLite busy: another connection holds the write lock', () => {
    let t: TestApp;
    let user: TestUser;
    let holder: SqliteConnection;

    beforeAll(async () => {
      t = await createTestApp();
      user = await registerAndLogin(t);
      holder = new Sqlite(t.database.url.slice('sqlite:'.length));
    });

    afterAll(async () => {
      if (holder?.inTransaction) holder.exec('ROLLBACK');
      holder?.close();
      await t.close();
    });

    it('a write that cannot get the lock within the busy timeout answers 503, then works once the lock is gone', async () => {
      holder.exec('BEGIN IMMEDIATE');
      const blocked = await t.http().post('/api/auth/login').send({ username: user.username, password: user.password });
      expect(blocked.status).toBe(503);
      expect(blocked.body).toEqual(UNAVAILABLE);

      // WAL: readers are not blocked by the writer, so the session check still answers.
      const me = await t.http().get('/api/users/me').set(bearer(user.accessToken));
      expect(me.status).toBe(200);
      expect(me.body.username).toBe(user.username);

      holder.exec('COMMIT');
      const tokens = await login(t, user.username, user.password);
      expect(tokens.accessToken).toEqual(expect.any(String));
    }, 20_000);
  });
}
