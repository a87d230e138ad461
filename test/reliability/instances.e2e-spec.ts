import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { call, ensureBuilt, killAllServers, spawnServer, type SpawnedServer } from '../support/spawn-server.js';
import { strongPassword, uniqueName } from '../support/test-app.js';
import { createTestDatabase, type TestDatabase } from '../support/test-database.js';

const MAX_FAILURES = 3;
const LOCKED = { statusCode: 429, message: 'Too many failed login attempts; try again later', error: 'Too Many Requests' };

/**
 * Two instances are two processes (spawnServer): passport keeps its strategies in one
 * process-wide registry, so two in-process apps would both run the access-token session check
 * on the second app's pool, and "seen by the other instance" would not be shown.
 */
describe('two instances on one database', () => {
  let database: TestDatabase;
  let a: SpawnedServer;
  let b: SpawnedServer;

  beforeAll(async () => {
    ensureBuilt();
    database = await createTestDatabase();
    const env = { LOGIN_MAX_FAILURES: String(MAX_FAILURES), LOGIN_LOCKOUT: '10m' };
    // One after the other: the first applies the migrations.
    a = await spawnServer({ ...env, DATABASE_URL: database.url });
    b = await spawnServer({ ...env, DATABASE_URL: database.url });
  }, 180_000);

  afterAll(async () => {
    await killAllServers();
    await database.drop();
  });

  async function register(on: SpawnedServer) {
    const username = uniqueName();
    const password = strongPassword();
    const response = await call(on.url, 'POST', '/api/auth/register', { body: { username, password } });
    expect(response.status).toBe(201);
    return { id: response.body.id as string, username, password };
  }

  async function login(on: SpawnedServer, username: string, password: string) {
    const response = await call(on.url, 'POST', '/api/auth/login', { body: { username, password } });
    expect(response.status).toBe(200);
    return response.body as { accessToken: string; refreshToken: string };
  }

  async function registerAndLogin(on: SpawnedServer) {
    const user = await register(on);
    return { ...user, ...(await login(on, user.username, user.password)) };
  }

  it('a logout on A is seen by B on the very next request, for the access and the refresh token', async () => {
    const user = await registerAndLogin(a);
    expect((await call(b.url, 'GET', '/api/users/me', { token: user.accessToken })).status).toBe(200);

    expect((await call(a.url, 'POST', '/api/auth/logout', { token: user.accessToken })).status).toBe(204);

    const me = await call(b.url, 'GET', '/api/users/me', { token: user.accessToken });
    expect(me.status).toBe(401);
    expect(me.body).toEqual({ statusCode: 401, message: 'Session expired or revoked', error: 'Unauthorized' });
    const refresh = await call(b.url, 'POST', '/api/auth/refresh', { token: user.refreshToken });
    expect(refresh.status).toBe(401);
    expect(refresh.body).not.toHaveProperty('accessToken');
  });

  it('a refresh token rotated on B cannot be replayed on A', async () => {
    const user = await registerAndLogin(a);
    const rotated = await call(b.url, 'POST', '/api/auth/refresh', { token: user.refreshToken });
    expect(rotated.status).toBe(200);
    const replay = await call(a.url, 'POST', '/api/auth/refresh', { token: user.refreshToken });
    expect(replay.status).toBe(401);
    expect(replay.body).not.toHaveProperty('accessToken');
    // Reuse revokes the whole session, on both instances.
    expect((await call(b.url, 'GET', '/api/users/me', { token: rotated.body.accessToken })).status).toBe(401);
    expect((await call(a.url, 'GET', '/api/users/me', { token: rotated.body.accessToken })).status).toBe(401);
  });

  it('failed logins on A lock the account on B', async () => {
    const user = await register(a);
    for (let i = 0; i < MAX_FAILURES; i++) {
      const failed = await call(a.url, 'POST', '/api/auth/login', {
        body: { username: user.username, password: `wrong-${i}-${strongPassword()}` },
      });
      expect(failed.status).toBe(401);
    }
    const locked = await call(b.url, 'POST', '/api/auth/login', { body: { username: user.username, password: user.password } });
    expect(locked.status).toBe(429);
    expect(locked.body).toEqual(LOCKED);
    expect(locked.body).not.toHaveProperty('accessToken');
  });

  it('an account created on B logs in on A', async () => {
    const user = await register(b);
    const tokens = await login(a, user.username, user.password);
    const me = await call(b.url, 'GET', '/api/users/me', { token: tokens.accessToken });
    expect(me.status).toBe(200);
    expect(me.body.id).toBe(user.id);
  });
});

describe('kill -9 and restart on the same database', () => {
  let database: TestDatabase;

  beforeAll(async () => {
    ensureBuilt();
    database = await createTestDatabase();
  }, 180_000);

  afterAll(async () => {
    await killAllServers();
    await database.drop();
  });

  it('keeps users, authors, sessions and revocations', async () => {
    const first = await spawnServer({ DATABASE_URL: database.url });
    const username = uniqueName('crash');
    const password = strongPassword();
    const registered = await call(first.url, 'POST', '/api/auth/register', { body: { username, password } });
    expect(registered.status).toBe(201);
    const kept = await call(first.url, 'POST', '/api/auth/login', { body: { username, password } });
    const revoked = await call(first.url, 'POST', '/api/auth/login', { body: { username, password } });
    expect([kept.status, revoked.status]).toEqual([200, 200]);
    const author = { name: 'Anna Burns', book: 'Milkman', country: 'United Kingdom', bookerPrize: true };
    const created = await call(first.url, 'POST', '/api/authors', { token: kept.body.accessToken, body: author });
    expect(created.status).toBe(201);
    expect((await call(first.url, 'POST', '/api/auth/logout', { token: revoked.body.accessToken })).status).toBe(204);

    // No chance to flush or close anything.
    expect(await first.stop('SIGKILL')).toEqual({ code: null, signal: 'SIGKILL' });
    const second = await spawnServer({ DATABASE_URL: database.url });

    const me = await call(second.url, 'GET', '/api/users/me', { token: kept.body.accessToken });
    expect(me.status).toBe(200);
    expect(me.body).toEqual(expect.objectContaining({ id: registered.body.id, username }));
    const gone = await call(second.url, 'GET', '/api/users/me', { token: revoked.body.accessToken });
    expect(gone.status).toBe(401);
    expect((await call(second.url, 'POST', '/api/auth/refresh', { token: revoked.body.refreshToken })).status).toBe(401);

    const authors = await call(second.url, 'GET', '/api/authors', { token: kept.body.accessToken });
    expect(authors.status).toBe(200);
    expect(authors.body.total).toBe(1);
    expect(authors.body.items[0]).toEqual(expect.objectContaining({ ...author, id: created.body.id, ownerId: registered.body.id }));

    // The surviving session still rotates, and the password still logs in.
    const rotated = await call(second.url, 'POST', '/api/auth/refresh', { token: kept.body.refreshToken });
    expect(rotated.status).toBe(200);
    expect((await call(second.url, 'POST', '/api/auth/login', { body: { username, password } })).status).toBe(200);
    expect((await second.stop('SIGTERM')).code).toBe(0);
  }, 60_000);
});
