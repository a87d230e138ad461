import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { execSync, spawn } from 'node:child_process';
import { bearer, login } from './support/auth-helpers.js';
import { createTestApp, strongPassword, TEST_JWT_SECRET, uniqueName, type TestApp } from './support/test-app.js';
import { createTestDatabase, type TestDatabase } from './support/test-database.js';

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs a command with `input` on its stdin (closed afterwards, so it is never a terminal). */
function run(command: string, args: string[], env: Record<string, string>, input = ''): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { env: { ...process.env, ...env }, stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk) => (stdout += chunk));
    child.stderr.on('data', (chunk) => (stderr += chunk));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
    child.stdin.end(input);
  });
}

describe('npm run user:create', () => {
  let database: TestDatabase;
  let env: Record<string, string>;
  let t: TestApp | undefined;
  const createUser = (args: string[], input?: string) => run('node', ['dist/src/cli/create-user.js', ...args], env, input);

  beforeAll(async () => {
    execSync('node scripts/build-if-needed.mjs', { stdio: 'inherit' });
    database = await createTestDatabase();
    env = { NODE_ENV: 'test', DATABASE_URL: database.url, JWT_SECRET: TEST_JWT_SECRET, ADMIN_USERNAME: '', ADMIN_PASSWORD: '' };
  }, 300_000);
  afterAll(async () => {
    if (t) await t.close();
    else if (database) await database.drop();
  });

  it('creates an admin who can log in and administer, from a password on stdin', async () => {
    const username = uniqueName('root');
    const password = strongPassword();
    const result = await run('npm', ['run', '--silent', 'user:create', '--', '--username', username, '--admin', '--name', 'Ada Lovelace', '--password-stdin'], env, `${password}\n`);
    expect(result.stderr).not.toContain(password);
    expect(result.code).toBe(0);
    const created = result.stdout.match(/^Created admin (\S+) with id ([0-9a-f-]{36})$/m);
    expect(created?.[1]).toBe(username);

    // The CLI ran the migrations on the empty database; a server on it sees the admin.
    t = await createTestApp({ database });
    const tokens = await login(t, username, password);
    const me = await t.http().get('/api/users/me').set(bearer(tokens.accessToken));
    expect(me.body).toMatchObject({ id: created?.[2], username, name: 'Ada Lovelace', role: 'admin', status: 'active' });
    const users = await t.http().get('/api/users').set(bearer(tokens.accessToken));
    expect(users.status).toBe(200);
    expect(users.body.total).toBe(1);
  }, 120_000);

  it('creates a regular active user without --admin, keeping the password exactly as given but for one newline', async () => {
    const username = uniqueName('plain');
    const password = `  ${strongPassword()} `;
    const result = await createUser(['--username', username, '--password-stdin'], `${password}\n`);
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(new RegExp(`^Created user ${username} with id [0-9a-f-]{36}\\n$`));
    const tokens = await login(t!, username, password);
    expect((await t!.http().get('/api/users').set(bearer(tokens.accessToken))).status).toBe(403);
  }, 60_000);

  it('prints the broken password rule and exits 1, creating nobody', async () => {
    const username = uniqueName('weak');
    const result = await createUser(['--username', username, '--admin', '--password-stdin'], 'short-one\n');
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('password must be at least 15 characters long');
    expect(result.stdout).toBe('');
    expect(await t!.dataSource.query('SELECT id FROM users WHERE username_normalized = ?', [username])).toEqual([]);
  }, 60_000);

  it('refuses a taken username, whatever its case, with exit code 1', async () => {
    const username = uniqueName('dup');
    expect((await createUser(['--username', username, '--password-stdin'], strongPassword())).code).toBe(0);
    const again = await createUser(['--username', username.toUpperCase(), '--admin', '--password-stdin'], strongPassword());
    expect(again.code).toBe(1);
    expect(again.stderr).toContain('already taken');
    const rows: Array<{ role: string }> = await t!.dataSource.query('SELECT role FROM users WHERE username_normalized = ?', [username]);
    expect(rows).toEqual([{ role: 'user' }]);
  }, 60_000);

  it.each([
    ['no password source and no terminal', ['--username', 'nobody_here']],
    ['no --username', ['--admin', '--password-stdin']],
    ['an unknown option', ['--username', 'nobody_here', '--role', 'admin', '--password-stdin']],
  ])('exits 2 with the usage for %s', async (_case, args) => {
    const result = await createUser(args, strongPassword());
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('Usage: npm run user:create');
    expect(result.stdout).toBe('');
  }, 60_000);
});
