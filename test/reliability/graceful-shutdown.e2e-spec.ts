import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { createConnection } from 'mysql2/promise';
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { connect, type Socket } from 'node:net';
import pg from 'pg';
import { call, ensureBuilt, killAllServers, spawnServer } from '../support/spawn-server.js';
import { strongPassword, uniqueName } from '../support/test-app.js';
import { createTestDatabase, type TestDatabase } from '../support/test-database.js';

const CONCURRENT_LOGINS = 30;

/** better-sqlite3 ships no types; this is all the test needs of it. */
interface SqliteConnection {
  prepare(sql: string): { get(...params: unknown[]): { n: number } };
  close(): void;
}
const Sqlite = createRequire(import.meta.url)('better-sqlite3') as new (file: string) => SqliteConnection;

/** A hand-written HTTP/1.1 request on its own connection; resolves with the raw response once the server closes it. */
function rawRequest(port: number, head: string): { socket: Socket; response: Promise<string> } {
  const socket = connect(port, '127.0.0.1');
  socket.write(head);
  let received = '';
  socket.setEncoding('utf8').on('data', (chunk: string) => (received += chunk));
  const response = new Promise<string>((resolve) => {
    socket.on('close', () => resolve(received));
    socket.on('error', () => undefined);
    // The response carries Content-Length: resolve as soon as it is complete.
    socket.on('data', () => {
      const [headers, rest] = received.split('\r\n\r\n');
      const length = Number(/content-length: (\d+)/i.exec(headers ?? '')?.[1]);
      if (rest !== undefined && Buffer.byteLength(rest) >= length) {
        resolve(received);
        socket.end();
      }
    });
  });
  return { socket, response };
}

async function sessionCount(database: TestDatabase, userId: string): Promise<number> {
  const sql = 'SELECT COUNT(*) AS n FROM sessions WHERE user_id = ?';
  if (database.kind === 'mysql') {
    const connection = await createConnection({ uri: database.url });
    try {
      const [rows] = await connection.query(sql, [userId]);
      return Number((rows as Array<{ n: number }>)[0].n);
    } finally {
      await connection.end();
    }
  }
  if (database.kind === 'postgres') {
    const client = new pg.Client({ connectionString: database.url });
    await client.connect();
    try {
      const { rows } = await client.query(sql.replace('?', '$1'), [userId]);
      return Number((rows as Array<{ n: string }>)[0].n);
    } finally {
      await client.end();
    }
  }
  const sqlite = new Sqlite(database.url.slice('sqlite:'.length));
  try {
    return Number(sqlite.prepare(sql).get(userId).n);
  } finally {
    sqlite.close();
  }
}

function logLines(stdout: string): Array<Record<string, unknown>> {
  return stdout
    .split('\n')
    .filter(Boolean)
    .map((line) => JSON.parse(line) as Record<string, unknown>);
}

/** Resolves once the server's stdout holds a log line with this message (its logs are flushed every 250 ms). */
async function waitForLogLine(server: { stdout(): string }, message: string, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!server.stdout().includes(`"msg":${JSON.stringify(message)}`)) {
    if (Date.now() > deadline) throw new Error(`no log line "${message}" within ${timeoutMs} ms:\n${server.stdout()}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

describe('graceful shutdown of the spawned service', () => {
  let database: TestDatabase;

  beforeAll(async () => {
    ensureBuilt();
    database = await createTestDatabase();
  }, 180_000);

  afterAll(async () => {
    await killAllServers();
    await database.drop();
  });

  it('the start script leaves node itself as the process, with its memory settings', async () => {
    const server = await spawnServer({ DATABASE_URL: database.url });
    try {
      // exec: the pid the supervisor signals is node's, not a shell's that would swallow SIGTERM.
      const commandLine = readFileSync(`/proc/${server.child.pid}/cmdline`, 'utf8').split('\0');
      expect(commandLine[0]).toMatch(/(^|\/)node$/);
      expect(commandLine).toContain('--max-semi-space-size=4');
      expect(readFileSync(`/proc/${server.child.pid}/environ`, 'utf8').split('\0')).toContain('MALLOC_ARENA_MAX=1');
    } finally {
      expect((await server.stop('SIGTERM')).code).toBe(0);
    }
  });

  it('SIGTERM mid-request: in-flight requests complete normally, new ones are refused, the database is closed, exit 0', async () => {
    const server = await spawnServer({ DATABASE_URL: database.url, LOG_LEVEL: 'info' });
    const username = uniqueName('drain');
    const password = strongPassword();
    const registered = await call(server.url, 'POST', '/api/auth/register', { body: { username, password } });
    expect(registered.status).toBe(201);

    // A request the server is certainly handling when the signal lands: headers and half
    // the body are in, the rest follows after the signal.
    const body = JSON.stringify({ username, password });
    const slow = rawRequest(server.port, `POST /api/auth/login HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\n\r\n${body.slice(0, 10)}`);
    await new Promise((resolve) => setTimeout(resolve, 300));
    // And a burst of logins (argon2 work each) racing the signal.
    const burst = Array.from({ length: CONCURRENT_LOGINS }, () =>
      call(server.url, 'POST', '/api/auth/login', { body: { username, password }, timeoutMs: 20_000 }).then(
        (response) => response.status,
        () => 'refused' as const,
      ),
    );
    await new Promise((resolve) => setTimeout(resolve, 100));
    server.child.kill('SIGTERM');
    // The signal is handled when the event loop gets to it, which under a loaded CI machine can
    // be well after the kill: ask again only once the server says it is draining.
    await waitForLogLine(server, 'SIGTERM received: finishing in-flight requests (at most 10s)');
    const late = await call(server.url, 'GET', '/api/health').then(
      (response) => response.status,
      () => 'refused' as const,
    );
    slow.socket.write(body.slice(10));

    const slowResponse = await slow.response;
    const statuses = await Promise.all(burst);
    const exit = await server.waitForExit(15_000);

    expect(slowResponse).toMatch(/^HTTP\/1\.1 200 /);
    expect(slowResponse).toContain('"tokenType":"Bearer"');
    // A burst request either completed, or was turned away before any work was done on it.
    for (const status of statuses) expect([200, 503, 'refused']).toContain(status);
    expect([503, 'refused']).toContain(late);
    expect(exit).toEqual({ code: 0, signal: null });
    // SQLite folds its write-ahead log back into the file when the last connection closes cleanly.
    if (database.kind === 'sqlite') expect(existsSync(`${database.url.slice('sqlite:'.length)}-wal`)).toBe(false);
    // Every login the server started created a session and its client got the 200: none was cut off.
    const answered = statuses.filter((status) => status === 200).length + 1;
    expect(await sessionCount(database, registered.body.id)).toBe(answered);
    const messages = logLines(server.stdout()).map((line) => line.msg);
    expect(messages).toContain('SIGTERM received: finishing in-flight requests (at most 10s)');
    expect(messages[messages.length - 1]).toBe('Stopped');
  }, 40_000);

  it('a request still open at SHUTDOWN_TIMEOUT is cut and the process exits 1, not hanging', async () => {
    const server = await spawnServer({ DATABASE_URL: database.url, LOG_LEVEL: 'info', SHUTDOWN_TIMEOUT: '1s' });
    // A client that sends headers and half a body, then goes quiet: the request never ends by itself.
    const socket = connect(server.port, '127.0.0.1');
    await new Promise<void>((resolve) => socket.once('connect', () => resolve()));
    socket.write('POST /api/auth/login HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{"user');
    socket.on('error', () => undefined);
    await new Promise((resolve) => setTimeout(resolve, 200));

    const started = Date.now();
    const exit = await server.stop('SIGTERM', 10_000);
    const took = Date.now() - started;
    socket.destroy();

    expect(exit).toEqual({ code: 1, signal: null });
    expect(took).toBeGreaterThanOrEqual(900);
    expect(took).toBeLessThan(4000);
    const messages = logLines(server.stdout()).map((line) => line.msg);
    expect(messages).toContain('Requests still open after 1s: closing their connections');
  }, 30_000);
});
