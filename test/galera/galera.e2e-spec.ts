import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { createConnection } from 'mysql2/promise';
import { bearer, login, registerAndLogin, type TestUser } from '../support/auth-helpers.js';
import { createTestApp, strongPassword, uniqueName, type TestApp } from '../support/test-app.js';
import type { TestDatabase } from '../support/test-database.js';

/**
 * Instances of the service bound to different nodes of a 3-node MariaDB Galera cluster
 * (`scripts/galera.sh start` prints TEST_GALERA_URLS). Skipped without a cluster.
 *
 * Caveat: these are in-process apps, and passport's strategy registry is process-wide, so the
 * access-token session check of every app runs on the last app's pool (node 3). Writes and
 * the refresh/registration paths do go through each app's own node.
 */
const URLS = (process.env.TEST_GALERA_URLS ?? '').split(',').filter(Boolean);
const GALERA_SCRIPT = fileURLToPath(new URL('../../scripts/galera.sh', import.meta.url));
const ROUNDS = 10;
/** How long the two surviving nodes may stall after the third is killed (evs.suspect_timeout 2 s + view change, on a busy machine). */
const SURVIVOR_STALL_MS = 10_000;

const galera = (...args: string[]) => execFileSync('bash', [GALERA_SCRIPT, ...args], { stdio: 'inherit', timeout: 180_000 });
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** One database on the cluster, as each node's URL (DDL on one node replicates to all). */
async function clusterDatabase(): Promise<{ name: string; on(node: number): TestDatabase; drop(): Promise<void> }> {
  const name = `authtest_galera_${randomBytes(4).toString('hex')}`;
  const admin = await createConnection({ uri: URLS[0] });
  await admin.query(`CREATE DATABASE \`${name}\` CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci`);
  await admin.end();
  const urlOf = (node: number) => {
    const url = new URL(URLS[node]);
    url.pathname = `/${name}`;
    return url.toString();
  };
  return {
    name,
    on: (node) => ({ url: urlOf(node), kind: 'mysql', drop: async () => undefined }),
    async drop() {
      const connection = await createConnection({ uri: URLS[0] });
      await connection.query(`DROP DATABASE IF EXISTS \`${name}\``);
      await connection.end();
    },
  };
}

async function nodeQuery(node: number, database: string, sql: string, values: unknown[] = []): Promise<any[]> {
  const url = new URL(URLS[node]);
  url.pathname = `/${database}`;
  const connection = await createConnection({ uri: url.toString() });
  try {
    await connection.query('SET SESSION wsrep_sync_wait = 1');
    const [rows] = await connection.query(sql, values);
    return rows as any[];
  } finally {
    await connection.end();
  }
}

let clients = 0;
/** A new client address for the per-client throttle. */
const client = () => ({ 'X-Forwarded-For': `10.${(++clients >> 16) & 255}.${(clients >> 8) & 255}.${clients & 255}` });

const describeGalera = URLS.length === 3 ? describe : describe.skip;

describeGalera('instances on a 3-node MariaDB Galera cluster', () => {
  let cluster: Awaited<ReturnType<typeof clusterDatabase>>;
  /** apps[i] is bound to node i + 1. */
  const apps: TestApp[] = [];

  beforeAll(async () => {
    cluster = await clusterDatabase();
    // One after the other: the first applies the migrations, the others find them applied.
    // Each simulated client has its own address (X-Forwarded-For), as real ones do: one shared
    // per-client throttle row, bumped from three nodes at once, would measure the throttle.
    for (let node = 0; node < 3; node++) {
      apps.push(await createTestApp({ database: cluster.on(node), env: { TRUST_PROXY: '1', LOG_LEVEL: process.env.GALERA_LOG_LEVEL ?? 'silent' } }));
    }
  }, 180_000);

  afterAll(async () => {
    // A failed test may have left nodes down: bring them back (running ones are skipped).
    galera('restart', '1', '2', '3');
    for (const app of apps) await app.close({ keepDatabase: true }).catch(() => undefined);
    await cluster?.drop();
  }, 60_000);

  async function makeAdmin(on: TestApp): Promise<TestUser> {
    const admin = await registerAndLogin(on);
    await on.dataSource.query("UPDATE users SET role = 'admin' WHERE id = ?", [admin.id]);
    return { ...admin, ...(await login(on, admin.username, admin.password)) };
  }

  it('a logout on node 1 is refused on the very next request through node 2, every time', async () => {
    for (let round = 0; round < ROUNDS; round++) {
      const user = await registerAndLogin(apps[0]);
      expect((await apps[0].http().post('/api/auth/logout').set(bearer(user.accessToken))).status).toBe(204);
      const me = await apps[1].http().get('/api/users/me').set(bearer(user.accessToken));
      expect(me.status).toBe(401);
      expect(me.body).toEqual({ statusCode: 401, message: 'Session expired or revoked', error: 'Unauthorized' });
    }
  }, 120_000);

  it('a password change on node 2 revokes the other sessions for the next request through node 3', async () => {
    for (let round = 0; round < ROUNDS; round++) {
      const user = await registerAndLogin(apps[1]);
      const other = await login(apps[1], user.username, user.password);
      const change = await apps[1]
        .http()
        .put('/api/users/me/password')
        .set(bearer(user.accessToken))
        .send({ currentPassword: user.password, newPassword: strongPassword() });
      expect(change.status).toBe(204);
      const me = await apps[2].http().get('/api/users/me').set(bearer(other.accessToken));
      expect(me.status).toBe(401);
    }
  }, 120_000);

  it('a disable on node 3 is refused on the very next request through node 1', async () => {
    const admin = await makeAdmin(apps[2]);
    for (let round = 0; round < ROUNDS; round++) {
      const user = await registerAndLogin(apps[2]);
      const patch = await apps[2]
        .http()
        .patch(`/api/users/${user.id}`)
        .set(bearer(admin.accessToken))
        .send({ status: 'disabled' });
      expect(patch.status).toBe(200);
      const me = await apps[0].http().get('/api/users/me').set(bearer(user.accessToken));
      expect(me.status).toBe(401);
    }
  }, 120_000);

  it('concurrent refreshes of one token through two nodes: at most one 200, never a 5xx', async () => {
    for (let round = 0; round < ROUNDS; round++) {
      const user = await registerAndLogin(apps[0]);
      const responses = await Promise.all(
        [apps[0], apps[1], apps[0], apps[1]].map((app) => app.http().post('/api/auth/refresh').set(bearer(user.refreshToken))),
      );
      const statuses = responses.map((response) => response.status);
      expect(statuses.every((status) => status === 200 || status === 401)).toBe(true);
      expect(statuses.filter((status) => status === 200).length).toBeLessThanOrEqual(1);
    }
  }, 120_000);

  it('concurrent registrations of one name through all three nodes: one 201, the rest 409', async () => {
    for (let round = 0; round < ROUNDS; round++) {
      const username = uniqueName('race');
      const responses = await Promise.all(
        [0, 1, 2, 0, 1, 2].map((node) =>
          apps[node].http().post('/api/auth/register').set(client()).send({ username, password: strongPassword() }),
        ),
      );
      const statuses = responses.map((response) => response.status).sort();
      expect(statuses).toEqual([201, 409, 409, 409, 409, 409]);
      const rows = await nodeQuery(0, cluster.name, 'SELECT id FROM users WHERE username_normalized = ?', [username]);
      expect(rows).toHaveLength(1);
    }
  }, 180_000);

  // Skipped until the suite runs its instances as separate processes (spawnServer): passport
  // keeps strategies in one process-wide registry by name, so in one Jest process every app's
  // 'jwt' strategy is the last app's (node 3's), and killing node 3 fails /me on all of them.
  it.skip('a node killed under load: only its instance answers 503 (for a few seconds elsewhere at most), nothing is lost', async () => {
    const users = await Promise.all(apps.map((app) => registerAndLogin(app)));
    const registered: string[] = [];
    const revoked: TestUser[] = [];
    /** Per instance: the 5xx statuses and when 503s were seen. */
    const fives = apps.map(() => [] as number[]);
    const unavailableAt = apps.map(() => [] as number[]);
    let running = true;
    const load = apps.map(async (app, i) => {
      while (running) {
        const username = uniqueName('load');
        const register = await app
          .http()
          .post('/api/auth/register')
          .set(client())
          .send({ username, password: users[i].password + 'x' });
        const me = await app.http().get('/api/users/me').set(bearer(users[i].accessToken));
        for (const status of [register.status, me.status]) {
          if (status >= 500) fives[i].push(status);
          if (status === 503) unavailableAt[i].push(Date.now());
        }
        if (register.status === 201) registered.push(username);
        if (register.status !== 201 && register.status !== 503) throw new Error(`register answered ${register.status}`);
        if (me.status !== 200 && me.status !== 503) throw new Error(`/me answered ${me.status}`);
      }
    });
    let killedAt = 0;
    try {
      await sleep(2000);
      killedAt = Date.now();
      galera('kill', '3');
      // The survivors carry on within a few seconds: three /me answers in a row are 200.
      const deadline = Date.now() + SURVIVOR_STALL_MS;
      for (const i of [0, 1]) {
        let streak = 0;
        while (streak < 3 && Date.now() < deadline) {
          const me = await apps[i].http().get('/api/users/me').set(bearer(users[i].accessToken));
          streak = me.status === 200 ? streak + 1 : 0;
          if (me.status !== 200) await sleep(100);
        }
        expect(streak).toBe(3);
      }
      // Logouts while node 3 is down must hold once it is back.
      for (const app of [apps[0], apps[1]]) {
        const user = await registerAndLogin(app);
        expect((await app.http().post('/api/auth/logout').set(bearer(user.accessToken))).status).toBe(204);
        revoked.push(user);
      }
      await sleep(2000);
    } finally {
      running = false;
      await Promise.all(load);
    }

    // Only 503s, never another 5xx; the instance on the dead node answered 503.
    expect(fives.flat().every((status) => status === 503)).toBe(true);
    expect(unavailableAt[2].length).toBeGreaterThan(0);
    // The survivors' 503s (if any) fall in the few seconds the cluster takes to evict node 3.
    for (const i of [0, 1]) {
      for (const at of unavailableAt[i]) expect(at - killedAt).toBeLessThan(SURVIVOR_STALL_MS);
      const me = await apps[i].http().get('/api/users/me').set(bearer(users[i].accessToken));
      expect(me.status).toBe(200);
    }

    galera('restart', '3');
    // Node 3's instance recovers by itself, and the node has everything the others wrote.
    let health = 0;
    for (let attempt = 0; attempt < 50 && health !== 200; attempt++) {
      health = (await apps[2].http().get('/api/health')).status;
      if (health !== 200) await sleep(200);
    }
    expect(health).toBe(200);
    for (const user of revoked) {
      expect((await apps[2].http().get('/api/users/me').set(bearer(user.accessToken))).status).toBe(401);
    }
    const found = await nodeQuery(2, cluster.name, 'SELECT COUNT(*) AS n FROM users WHERE username_normalized IN (?)', [
      registered.map((name) => name.toLowerCase()),
    ]);
    expect(Number(found[0].n)).toBe(registered.length);
    expect((await apps[2].http().get('/api/users/me').set(bearer(users[2].accessToken))).status).toBe(200);
  }, 240_000);

  it('health tells a non-Primary node (SELECT 1 works, tables do not) from a healthy one', async () => {
    expect((await apps[0].http().get('/api/health')).status).toBe(200);
    galera('kill', '2');
    galera('kill', '3');
    let health = await apps[0].http().get('/api/health');
    for (let attempt = 0; attempt < 100 && health.status === 200; attempt++) {
      await sleep(200);
      health = await apps[0].http().get('/api/health');
    }
    expect(health.status).toBe(503);
    expect(health.body).toMatchObject({ status: 'error', database: 'down' });
    // What a `SELECT 1` probe would have missed: the node answers it, but not a table read.
    const direct = await createConnection({ uri: URLS[0] });
    try {
      await expect(direct.query('SELECT 1 AS one')).resolves.toBeDefined();
      await expect(direct.query(`SELECT id FROM \`${cluster.name}\`.users LIMIT 1`)).rejects.toMatchObject({ errno: 1047 });
    } finally {
      await direct.end();
    }
    const register = await apps[0].http().post('/api/auth/register').send({ username: uniqueName(), password: strongPassword() });
    expect(register.status).toBe(503);

    // Both lost nodes in one go: together with node 1 they have quorum again.
    galera('restart', '2', '3');
    for (const app of apps) {
      let status = 0;
      for (let attempt = 0; attempt < 50 && status !== 200; attempt++) {
        status = (await app.http().get('/api/health')).status;
        if (status !== 200) await sleep(200);
      }
      expect(status).toBe(200);
    }
  }, 240_000);
});
