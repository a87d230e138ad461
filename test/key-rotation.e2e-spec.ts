import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import jwt from 'jsonwebtoken';
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { call, ensureBuilt, freePort, killAllServers, spawnServer, type SpawnedServer } from './support/spawn-server.js';
import { strongPassword, TEST_ENCRYPTION_KEY, TEST_JWT_SECRET, uniqueName } from './support/test-app.js';
import { createTestDatabase, type TestDatabase } from './support/test-database.js';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const kidOf = (token: string) => jwt.decode(token, { complete: true })!.header.kid;

interface Session {
  id: string;
  accessToken: string;
  refreshToken: string;
}

/**
 * A key rotation on two running instances sharing one database and one key folder, the way
 * API.md describes it: add a key, old tokens keep working, the old file goes, its tokens stop.
 */
describe('signing key rotation on two running instances', () => {
  let folder: string;
  let keysDir: string;
  let database: TestDatabase;
  let a: SpawnedServer;
  let b: SpawnedServer;
  const env = () => ({ JWT_ALGORITHM: 'ES256', JWT_KEYS_DIR: keysDir, DATABASE_URL: database.url });

  /** `npm run keys:add` without npm: the kid is the only line on stdout. */
  const addKey = () => execFileSync(process.execPath, ['dist/src/cli/add-key.js'], { cwd: ROOT, env: { PATH: process.env.PATH, ...env() }, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] }).trim();

  async function signUp(server: SpawnedServer): Promise<Session> {
    const username = uniqueName('rot');
    const password = strongPassword();
    const registered = await call(server.url, 'POST', '/api/auth/register', { body: { username, password } });
    expect(registered.status).toBe(201);
    const loggedIn = await call(server.url, 'POST', '/api/auth/login', { body: { username, password } });
    expect(loggedIn.status).toBe(200);
    return { id: registered.body.id, ...loggedIn.body };
  }

  const me = async (server: SpawnedServer, token: string) => (await call(server.url, 'GET', '/api/users/me', { token })).status;
  const jwksKids = async (server: SpawnedServer) => {
    const response = await call(server.url, 'GET', '/.well-known/jwks.json');
    expect(response.status).toBe(200);
    return (response.body.keys as Array<{ kid: string }>).map((key) => key.kid).sort();
  };

  /** SIGHUP re-reads the folder; the signal is handled asynchronously, so wait (bounded) for the JWKS to show it. */
  async function reloadAndExpect(server: SpawnedServer, kids: string[]): Promise<void> {
    server.child.kill('SIGHUP');
    const deadline = Date.now() + 10_000;
    while (Date.now() < deadline) {
      if (JSON.stringify(await jwksKids(server)) === JSON.stringify([...kids].sort())) return;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    expect(await jwksKids(server)).toEqual([...kids].sort());
  }

  beforeAll(async () => {
    ensureBuilt();
    folder = mkdtempSync(join(tmpdir(), 'key-rotation-'));
    keysDir = join(folder, 'keys');
    database = await createTestDatabase();
  }, 300_000);
  afterAll(async () => {
    await killAllServers();
    await database.drop();
    rmSync(folder, { recursive: true, force: true });
  });

  it('goes through a full rotation without logging out anyone who refreshed', async () => {
    const oldKid = addKey();
    expect(oldKid).toMatch(/^[A-Za-z0-9_-]{43}$/);
    a = await spawnServer(env());
    b = await spawnServer(env());

    // Before: one key; tokens from A work on B.
    const early = await signUp(a);
    const idle = await signUp(b);
    expect(kidOf(early.accessToken)).toBe(oldKid);
    expect(await jwksKids(a)).toEqual([oldKid]);
    expect(await me(b, early.accessToken)).toBe(200);
    expect(await me(a, idle.accessToken)).toBe(200);

    // Add a key; only A is told. It signs with the new key, and B accepts those tokens at
    // once (an unknown kid makes it look at the folder again), serving the new key too.
    const newKid = addKey();
    expect(newKid).not.toBe(oldKid);
    await reloadAndExpect(a, [oldKid, newKid]);
    const late = await signUp(a);
    expect(kidOf(late.accessToken)).toBe(newKid);
    expect(kidOf(late.refreshToken)).toBe(newKid);
    expect(await me(b, late.accessToken)).toBe(200);
    expect(await jwksKids(b)).toEqual([oldKid, newKid].sort());

    // Old tokens keep working on both, and a refresh re-signs with the new key.
    expect(await me(a, early.accessToken)).toBe(200);
    expect(await me(b, early.accessToken)).toBe(200);
    const refreshed = await call(b.url, 'POST', '/api/auth/refresh', { body: { refreshToken: early.refreshToken } });
    expect(refreshed.status).toBe(200);
    expect(kidOf(refreshed.body.accessToken)).toBe(newKid);
    expect(kidOf(refreshed.body.refreshToken)).toBe(newKid);
    // `idle` never refreshes; its token was verified (and remembered) by both instances just now.
    expect(await me(a, idle.accessToken)).toBe(200);
    expect(await me(b, idle.accessToken)).toBe(200);

    // Remove the old key's file: its tokens are refused everywhere, the rest goes on.
    rmSync(join(keysDir, `${oldKid}.pem`));
    await reloadAndExpect(a, [newKid]);
    await reloadAndExpect(b, [newKid]);
    for (const server of [a, b]) {
      expect(await me(server, idle.accessToken)).toBe(401);
      expect(await me(server, early.accessToken)).toBe(401);
      expect(await me(server, refreshed.body.accessToken)).toBe(200);
      expect(await me(server, late.accessToken)).toBe(200);
    }
    const stale = await call(a.url, 'POST', '/api/auth/refresh', { body: { refreshToken: idle.refreshToken } });
    expect(stale.status).toBe(401);
    expect(stale.body).not.toHaveProperty('accessToken');
    const again = await call(b.url, 'POST', '/api/auth/refresh', { body: { refreshToken: refreshed.body.refreshToken } });
    expect(again.status).toBe(200);
    expect(kidOf(again.body.accessToken)).toBe(newKid);

    // A restart reads the same folder: the new key's tokens survive it.
    await b.stop();
    b = await spawnServer(env());
    expect(await me(b, again.body.accessToken)).toBe(200);
    expect(await me(b, idle.accessToken)).toBe(401);
  }, 120_000);

  it('keeps the current keys when a re-read finds a broken file, and picks the folder up once it is fixed', async () => {
    const [current] = await jwksKids(a);
    const session = await signUp(a);
    const broken = join(keysDir, 'broken.pem');
    writeFileSync(broken, 'not a key');
    a.child.kill('SIGHUP');
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(a.isRunning()).toBe(true);
    expect(await jwksKids(a)).toEqual([current]);
    expect(await me(a, session.accessToken)).toBe(200);
    rmSync(broken);
    const added = addKey();
    await reloadAndExpect(a, [current, added]);
  }, 60_000);

  it('stops the start-up naming a key file that does not load, and wants keys in production', async () => {
    const dir = join(folder, 'bad');
    mkdirSync(dir);
    const run = async (extra: Record<string, string>) =>
      spawnSync('sh', ['scripts/start.sh'], {
        cwd: ROOT,
        encoding: 'utf8',
        timeout: 60_000,
        env: { PATH: process.env.PATH, NODE_ENV: 'production', JWT_SECRET: TEST_JWT_SECRET, ENCRYPTION_KEY: TEST_ENCRYPTION_KEY, DATABASE_URL: database.url, PORT: String(await freePort()), JWT_ALGORITHM: 'ES256', JWT_KEYS_DIR: dir, ...extra },
      });

    const empty = await run({});
    expect(empty.status).toBe(1);
    expect(empty.stdout + empty.stderr).toContain(`JWT_KEYS_DIR ${dir} holds no *.pem key`);

    writeFileSync(join(dir, 'public.pem'), '-----BEGIN PUBLIC KEY-----\nMCowBQYDK2VwAyEAGb9ECWmEzf6FQbrBZ9w7lshQhqowtrbLDFw4rXAxZuE=\n-----END PUBLIC KEY-----\n');
    const notPrivate = await run({});
    expect(notPrivate.status).toBe(1);
    expect(notPrivate.stdout + notPrivate.stderr).toContain(`Key file ${join(dir, 'public.pem')} is not a PEM private key`);

    rmSync(join(dir, 'public.pem'));
    execFileSync(process.execPath, ['dist/src/cli/add-key.js'], { cwd: ROOT, env: { PATH: process.env.PATH, JWT_ALGORITHM: 'EdDSA', JWT_KEYS_DIR: dir }, stdio: 'ignore' });
    const mismatched = await run({});
    expect(mismatched.status).toBe(1);
    expect(mismatched.stdout + mismatched.stderr).toMatch(/Key file .*\.pem does not fit JWT_ALGORITHM=ES256: it is an EdDSA key/);
  }, 120_000);
});
