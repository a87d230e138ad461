import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { call, ensureBuilt, killAllServers, spawnServer, type SpawnedServer } from '../support/spawn-server.js';
import { strongPassword, uniqueName } from '../support/test-app.js';
import { createTestDatabase, type TestDatabase } from '../support/test-database.js';

type LogLine = Record<string, unknown>;

describe('request logs of the spawned service (LOG_LEVEL=info)', () => {
  let database: TestDatabase;
  let server: SpawnedServer;
  let lines: LogLine[];
  const secrets: string[] = [];
  const username = uniqueName('logs');
  const password = strongPassword();
  const newPassword = strongPassword();
  const wrongPassword = strongPassword();
  const tracedId = 'trace-42.abc:1_Z';
  const failedLoginId = 'failed-login-1';
  let generatedId = '';

  beforeAll(async () => {
    ensureBuilt();
    database = await createTestDatabase();
    server = await spawnServer({ DATABASE_URL: database.url, LOG_LEVEL: 'info' });
    secrets.push(password, newPassword, wrongPassword);

    expect((await call(server.url, 'POST', '/api/auth/register', { body: { username, password } })).status).toBe(201);
    const first = await call(server.url, 'POST', '/api/auth/login', { body: { username, password }, headers: { 'x-request-id': tracedId } });
    expect(first.status).toBe(200);
    expect(first.headers.get('x-request-id')).toBe(tracedId);
    secrets.push(first.body.accessToken, first.body.refreshToken);

    const me = await call(server.url, 'GET', '/api/users/me', { token: first.body.accessToken });
    expect(me.status).toBe(200);
    generatedId = me.headers.get('x-request-id') ?? '';

    const rotated = await call(server.url, 'POST', '/api/auth/refresh', { token: first.body.refreshToken });
    expect(rotated.status).toBe(200);
    secrets.push(rotated.body.accessToken, rotated.body.refreshToken);
    const rotatedAgain = await call(server.url, 'POST', '/api/auth/refresh', { body: { refreshToken: rotated.body.refreshToken } });
    expect(rotatedAgain.status).toBe(200);
    secrets.push(rotatedAgain.body.accessToken, rotatedAgain.body.refreshToken);

    // Cookie mode: the refresh token travels in a Set-Cookie header.
    const cookieLogin = await fetch(`${server.url}/api/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-token-transport': 'cookie' },
      body: JSON.stringify({ username, password }),
    });
    expect(cookieLogin.status).toBe(200);
    const cookieBody = (await cookieLogin.json()) as { accessToken: string };
    secrets.push(cookieBody.accessToken);
    for (const cookie of cookieLogin.headers.getSetCookie()) secrets.push(cookie.split(';')[0].split('=').slice(1).join('='));

    const fresh = await call(server.url, 'POST', '/api/auth/login', { body: { username, password } });
    secrets.push(fresh.body.accessToken, fresh.body.refreshToken);
    const changed = await call(server.url, 'PUT', '/api/users/me/password', {
      token: fresh.body.accessToken,
      body: { currentPassword: password, newPassword },
    });
    expect(changed.status).toBe(204);

    const failed = await call(server.url, 'POST', '/api/auth/login', {
      body: { username, password: wrongPassword },
      headers: { 'x-request-id': failedLoginId },
    });
    expect(failed.status).toBe(401);
    const forged = 'not.a.valid-token-0123456789abcdef';
    secrets.push(forged);
    expect((await call(server.url, 'GET', '/api/users/me', { token: forged })).status).toBe(401);

    // An id that is too long (or has odd characters) is replaced, never echoed or logged.
    const unsafe = await call(server.url, 'GET', '/api/health', { headers: { 'x-request-id': `${'a'.repeat(129)}` } });
    expect(unsafe.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);
    const spaced = await call(server.url, 'GET', '/api/health', { headers: { 'x-request-id': 'has space {"level":60}' } });
    expect(spaced.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);

    const exit = await server.stop('SIGTERM');
    expect(exit.code).toBe(0);
    lines = server
      .stdout()
      .split('\n')
      .filter(Boolean)
      .map((line) => JSON.parse(line) as LogLine);
  }, 180_000);

  afterAll(async () => {
    await killAllServers();
    await database.drop();
  });

  it('writes only JSON lines, nothing on stderr', () => {
    const raw = server.stdout().split('\n').filter(Boolean);
    expect(raw.length).toBeGreaterThan(10);
    expect(lines).toHaveLength(raw.length);
    expect(server.stderr()).toBe('');
  });

  it('never logs a password, a token, a cookie or an Authorization header', () => {
    const everything = server.stdout() + server.stderr();
    expect(secrets.length).toBeGreaterThan(10);
    for (const secret of secrets) {
      expect(secret.length).toBeGreaterThan(8);
      expect(everything).not.toContain(secret);
    }
    expect(everything).not.toMatch(/Bearer /i);
    expect(everything).not.toMatch(/authorization|set-cookie|"cookie"/i);
  });

  it('logs one line per request with request id, method, route, status and duration', () => {
    const requests = lines.filter((line) => line.msg === 'request completed');
    expect(requests.length).toBeGreaterThanOrEqual(12);
    for (const line of requests) {
      expect(line).toEqual(
        expect.objectContaining({
          level: 30,
          requestId: expect.stringMatching(/^[A-Za-z0-9._:-]{1,128}$/),
          method: expect.stringMatching(/^(GET|POST|PUT)$/),
          route: expect.stringMatching(/^\/api\//),
          status: expect.any(Number),
          durationMs: expect.any(Number),
        }),
      );
    }
    expect(requests).toContainEqual(
      expect.objectContaining({ requestId: tracedId, method: 'POST', route: '/api/auth/login', status: 200 }),
    );
    expect(requests).toContainEqual(
      expect.objectContaining({ requestId: generatedId, method: 'GET', route: '/api/users/me', status: 200 }),
    );
    expect(requests).toContainEqual(expect.objectContaining({ route: '/api/users/me/password', method: 'PUT', status: 204 }));
    expect(JSON.stringify(lines)).not.toContain('a'.repeat(129));
    expect(JSON.stringify(lines)).not.toContain('has space');
  });

  it('logs auth failures at warn with the reason, under the request id', () => {
    expect(lines).toContainEqual(
      expect.objectContaining({
        level: 40,
        requestId: failedLoginId,
        msg: 'Request refused',
        status: 401,
        reason: 'Invalid username or password',
      }),
    );
    expect(lines).toContainEqual(
      expect.objectContaining({ level: 40, msg: 'Request refused', status: 401, reason: 'Invalid access token' }),
    );
  });
});

describe('batched request logs', () => {
  let database: TestDatabase;
  let server: SpawnedServer;

  beforeAll(async () => {
    ensureBuilt();
    database = await createTestDatabase();
    server = await spawnServer({ DATABASE_URL: database.url, LOG_LEVEL: 'info' });
  }, 120_000);

  afterAll(async () => {
    await killAllServers();
    await database.drop();
  });

  it('reach stdout within a second on an idle service, without waiting for a full buffer or a shutdown', async () => {
    const requestId = 'idle-flush-1';
    expect((await call(server.url, 'GET', '/api/health', { headers: { 'x-request-id': requestId } })).status).toBe(200);
    const started = Date.now();
    while (!server.stdout().includes(`"requestId":"${requestId}"`) && Date.now() - started < 5000) {
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    expect(server.stdout()).toContain(`"requestId":"${requestId}"`);
    expect(Date.now() - started).toBeLessThan(1000);
  });

  it('lose nothing at shutdown: each of 300 requests has its line once the service has stopped', async () => {
    const ids = Array.from({ length: 300 }, (_, i) => `burst-${i}`);
    for (let i = 0; i < ids.length; i += 50) {
      await Promise.all(ids.slice(i, i + 50).map((id) => call(server.url, 'GET', '/api/health', { headers: { 'x-request-id': id } })));
    }
    expect((await server.stop('SIGTERM')).code).toBe(0);
    const logged = new Set(
      server
        .stdout()
        .split('\n')
        .filter(Boolean)
        .map((line) => (JSON.parse(line) as LogLine).requestId),
    );
    expect(ids.filter((id) => !logged.has(id))).toEqual([]);
  });
});
