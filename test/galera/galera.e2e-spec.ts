import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { isDeepStrictEqual } from 'node:util';
import { createConnection } from 'mysql2/promise';
import { call, ensureBuilt, killAllServers, spawnServer, type CallResult, type SpawnedServer } from '../support/spawn-server.js';
import { strongPassword, uniqueName } from '../support/test-app.js';

/**
 * Instances of the service bound to different nodes of a 3-node MariaDB Galera cluster
 * (`scripts/galera.sh start` prints TEST_GALERA_URLS). Skipped without a cluster.
 *
 * Each instance is a separate process (spawnServer, the built dist/): passport keeps its
 * strategies in one process-wide registry, so in-process apps would all run the access-token
 * session check on the last app's pool, and a killed node would fail every instance at once.
 */
const URLS = (process.env.TEST_GALERA_URLS ?? '').split(',').filter(Boolean);
const GALERA_SCRIPT = fileURLToPath(new URL('../../scripts/galera.sh', import.meta.url));
const ROUNDS = 10;
/** How long the two surviving nodes may stall after the third is killed (evs.suspect_timeout 2 s + view change, on a busy machine). */
const SURVIVOR_STALL_MS = 10_000;

const galera = (...args: string[]) => execFileSync('bash', [GALERA_SCRIPT, ...args], { stdio: 'inherit', timeout: 180_000 });
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** One database on the cluster, as each node's URL (DDL on one node replicates to all). */
async function clusterDatabase(): Promise<{ name: string; on(node: number): string; drop(): Promise<void> }> {
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
    on: urlOf,
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

const REVOKED = { statusCode: 401, message: 'Session expired or revoked', error: 'Unauthorized' };
const UNAVAILABLE = { statusCode: 503, message: 'Database unavailable, try again shortly', error: 'Service Unavailable' };

interface User {
  id: string;
  username: string;
  password: string;
  accessToken: string;
  refreshToken: string;
}

async function register(server: SpawnedServer, username = uniqueName(), password = strongPassword()) {
  const response = await call(server.url, 'POST', '/api/auth/register', { headers: client(), body: { username, password } });
  if (response.status !== 201) throw new Error(`register failed: ${response.status} ${JSON.stringify(response.body)}`);
  expect(response.body).toEqual(expect.objectContaining({ id: expect.any(String), username }));
  return { id: response.body.id as string, username, password };
}

async function login(server: SpawnedServer, username: string, password: string) {
  const response = await call(server.url, 'POST', '/api/auth/login', { headers: client(), body: { username, password } });
  if (response.status !== 200) throw new Error(`login failed: ${response.status} ${JSON.stringify(response.body)}`);
  return response.body as { accessToken: string; refreshToken: string };
}

async function registerAndLogin(server: SpawnedServer): Promise<User> {
  const user = await register(server);
  return { ...user, ...(await login(server, user.username, user.password)) };
}

const me = (server: SpawnedServer, token: string) => call(server.url, 'GET', '/api/users/me', { token });
const health = (server: SpawnedServer) => call(server.url, 'GET', '/api/health', { timeoutMs: 5000 });

/** Polls until `server`'s health answers 200 (or the time is up); returns the last status. */
async function healthyWithin(server: SpawnedServer, ms: number): Promise<number> {
  const deadline = Date.now() + ms;
  let status = 0;
  while (status !== 200 && Date.now() < deadline) {
    status = (await health(server).catch(() => ({ status: 0 }))).status;
    if (status !== 200) await sleep(200);
  }
  return status;
}

/** A request that failed without an HTTP answer (refused, reset, timed out) counts as status 0. */
const orZero = (request: Promise<CallResult>): Promise<CallResult> =>
  request.catch((error: unknown) => ({ status: 0, body: String(error), headers: new Headers(), ms: 0 }));

const describeGalera = URLS.length === 3 ? describe : describe.skip;

describeGalera('instances on a 3-node MariaDB Galera cluster', () => {
  let cluster: Awaited<ReturnType<typeof clusterDatabase>>;
  /** servers[i] is bound to node i + 1. */
  const servers: SpawnedServer[] = [];

  beforeAll(async () => {
    ensureBuilt();
    cluster = await clusterDatabase();
    // One after the other: the first applies the migrations, the others find them applied.
    // Each simulated client has its own address (X-Forwarded-For), as real ones do: one shared
    // per-client throttle row, bumped from three nodes at once, would measure the throttle.
    for (let node = 0; node < 3; node++) {
      servers.push(
        await spawnServer({ DATABASE_URL: cluster.on(node), TRUST_PROXY: '1', LOG_LEVEL: process.env.GALERA_LOG_LEVEL ?? 'error' }),
      );
    }
  }, 240_000);

  afterAll(async () => {
    // A failed test may have left nodes down: bring them back (running ones are skipped).
    galera('restart', '1', '2', '3');
    await killAllServers();
    await cluster?.drop();
  }, 120_000);

  /** An admin registered through servers[node], promoted through that node's own connection (another may be down). */
  async function makeAdmin(node: number): Promise<User> {
    const admin = await register(servers[node]);
    await nodeQuery(node, cluster.name, "UPDATE users SET role = 'admin' WHERE id = ?", [admin.id]);
    return { ...admin, ...(await login(servers[node], admin.username, admin.password)) };
  }

  it('a logout on node 1 is refused on the very next request through node 2, every time', async () => {
    for (let round = 0; round < ROUNDS; round++) {
      const user = await registerAndLogin(servers[0]);
      const logout = await call(servers[0].url, 'POST', '/api/auth/logout', { token: user.accessToken });
      expect(logout.status).toBe(204);
      const after = await me(servers[1], user.accessToken);
      expect(after.status).toBe(401);
      expect(after.body).toEqual(REVOKED);
      const refresh = await call(servers[1].url, 'POST', '/api/auth/refresh', { token: user.refreshToken });
      expect(refresh.status).toBe(401);
      expect(refresh.body).toEqual(REVOKED);
    }
  }, 120_000);

  it('a password change on node 2 revokes the other sessions for the next request through node 3', async () => {
    for (let round = 0; round < ROUNDS; round++) {
      const user = await registerAndLogin(servers[1]);
      const other = await login(servers[1], user.username, user.password);
      expect((await me(servers[2], other.accessToken)).status).toBe(200);
      const change = await call(servers[1].url, 'PUT', '/api/users/me/password', {
        token: user.accessToken,
        body: { currentPassword: user.password, newPassword: strongPassword() },
      });
      expect(change.status).toBe(204);
      const after = await me(servers[2], other.accessToken);
      expect(after.status).toBe(401);
      expect(after.body).toEqual(REVOKED);
    }
  }, 120_000);

  it('a disable on node 3 is refused on the very next request through node 1', async () => {
    const admin = await makeAdmin(2);
    for (let round = 0; round < ROUNDS; round++) {
      const user = await registerAndLogin(servers[2]);
      expect((await me(servers[0], user.accessToken)).status).toBe(200);
      const patch = await call(servers[2].url, 'PATCH', `/api/users/${user.id}`, { token: admin.accessToken, body: { status: 'disabled' } });
      expect(patch.status).toBe(200);
      expect(patch.body).toEqual(expect.objectContaining({ id: user.id, status: 'disabled' }));
      const after = await me(servers[0], user.accessToken);
      expect(after.status).toBe(401);
      expect(after.body).toEqual(REVOKED);
    }
  }, 120_000);

  it('concurrent refreshes of one token through two nodes: at most one 200, never a 5xx', async () => {
    let winners = 0;
    for (let round = 0; round < ROUNDS; round++) {
      const user = await registerAndLogin(servers[0]);
      const responses = await Promise.all(
        [servers[0], servers[1], servers[0], servers[1]].map((server) => call(server.url, 'POST', '/api/auth/refresh', { token: user.refreshToken })),
      );
      const statuses = responses.map((response) => response.status);
      expect(statuses.filter((status) => status !== 200 && status !== 401)).toEqual([]);
      expect(statuses.filter((status) => status === 200).length).toBeLessThanOrEqual(1);
      for (const response of responses) {
        if (response.status === 200) {
          expect(response.body).toEqual(expect.objectContaining({ accessToken: expect.any(String), refreshToken: expect.any(String) }));
        } else {
          expect(response.body).toEqual(expect.objectContaining({ statusCode: 401, error: 'Unauthorized' }));
          expect(response.body).not.toHaveProperty('accessToken');
        }
      }
      winners += statuses.filter((status) => status === 200).length;
    }
    // Not every round may be lost: a refresh token that can never be used is not "at most one".
    expect(winners).toBeGreaterThan(0);
  }, 120_000);

  it('concurrent registrations of one name through all three nodes: one 201, the rest 409', async () => {
    for (let round = 0; round < ROUNDS; round++) {
      const username = uniqueName('race');
      const responses = await Promise.all(
        [0, 1, 2, 0, 1, 2].map((node) =>
          call(servers[node].url, 'POST', '/api/auth/register', { headers: client(), body: { username, password: strongPassword() } }),
        ),
      );
      const statuses = responses.map((response) => response.status).sort();
      expect(statuses).toEqual([201, 409, 409, 409, 409, 409]);
      for (const response of responses.filter((response) => response.status === 409)) {
        expect(response.body).toEqual({ statusCode: 409, message: 'Username is already taken', error: 'Conflict' });
      }
      const created = responses.find((response) => response.status === 201)!;
      const rows = await nodeQuery(0, cluster.name, 'SELECT id FROM users WHERE username_normalized = ?', [username]);
      expect(rows).toEqual([{ id: created.body.id }]);
    }
  }, 180_000);

  it('a node killed under load: only its instance answers 503 (for a few seconds elsewhere at most), nothing is lost', async () => {
    const users = await Promise.all(servers.map((server) => registerAndLogin(server)));
    /** Per instance: the names it registered (201) while the load ran. */
    const registered = servers.map(() => [] as string[]);
    const revoked: User[] = [];
    /** Per instance: answers other than the expected 201/200 or a 503 (with the 503 body), and when 503s were seen. */
    const unexpected = servers.map(() => [] as string[]);
    const unavailableAt = servers.map(() => [] as number[]);
    let running = true;
    const load = servers.map(async (server, i) => {
      while (running) {
        const username = uniqueName('load');
        const created = await orZero(
          call(server.url, 'POST', '/api/auth/register', { headers: client(), body: { username, password: users[i].password + 'x' } }),
        );
        const session = await orZero(me(server, users[i].accessToken));
        for (const [response, ok] of [
          [created, 201],
          [session, 200],
        ] as const) {
          if (response.status === 503) {
            unavailableAt[i].push(Date.now());
            if (!isDeepStrictEqual(response.body, UNAVAILABLE)) unexpected[i].push(`503 ${JSON.stringify(response.body)}`);
          } else if (response.status !== ok) {
            unexpected[i].push(`${response.status} ${JSON.stringify(response.body)}`);
          }
        }
        if (created.status === 201) registered[i].push(username);
        // Node 3's instance answers its 503s fast; do not spin on them.
        if (created.status === 503) await sleep(50);
      }
    });
    let killedAt = 0;
    let survivorsBackMs = 0;
    try {
      await sleep(2000);
      killedAt = Date.now();
      galera('kill', '3');
      // The survivors carry on within a few seconds: three /me answers in a row are 200.
      const deadline = killedAt + SURVIVOR_STALL_MS;
      for (const i of [0, 1]) {
        let streak = 0;
        while (streak < 3 && Date.now() < deadline) {
          const session = await orZero(me(servers[i], users[i].accessToken));
          streak = session.status === 200 ? streak + 1 : 0;
          if (session.status !== 200) await sleep(100);
        }
        expect(streak).toBe(3);
      }
      survivorsBackMs = Date.now() - killedAt;
      // Revocations while node 3 is down must hold once it is back: a logout on each survivor,
      // and a disable through node 1.
      for (const server of [servers[0], servers[1]]) {
        const user = await registerAndLogin(server);
        expect((await call(server.url, 'POST', '/api/auth/logout', { token: user.accessToken })).status).toBe(204);
        revoked.push(user);
      }
      const admin = await makeAdmin(0);
      const disabled = await registerAndLogin(servers[1]);
      const patch = await call(servers[0].url, 'PATCH', `/api/users/${disabled.id}`, { token: admin.accessToken, body: { status: 'disabled' } });
      expect(patch.status).toBe(200);
      revoked.push(disabled);
      // Node 3's instance is still cut off: its health says so.
      const down = await health(servers[2]);
      expect(down.status).toBe(503);
      expect(down.body).toMatchObject({ status: 'error', database: 'down' });
      await sleep(2000);
    } finally {
      running = false;
      await Promise.all(load);
    }
    // eslint-disable-next-line no-console
    console.log(
      `kill node 3: survivors back after ${survivorsBackMs} ms; 503s per instance ${unavailableAt.map((at) => at.length).join('/')}; ` +
        `registrations ${registered.map((names) => names.length).join('/')}`,
    );
    // What an unexpected answer was, from the instance's own error log.
    unexpected.forEach((answers, i) => {
      if (answers.length > 0) console.log(`instance ${i + 1}: ${answers.join('; ')}\n${servers[i].stdout().split('\n').filter((line) => /"level":(50|60)/.test(line)).join('\n')}`);
    });

    // Only 503s, never another status or a hang; the instance on the dead node answered 503.
    expect(unexpected).toEqual([[], [], []]);
    expect(unavailableAt[2].length).toBeGreaterThan(0);
    expect(registered[0].length).toBeGreaterThan(0);
    expect(registered[1].length).toBeGreaterThan(0);
    // The survivors' 503s (if any) fall in the few seconds the cluster takes to evict node 3.
    for (const i of [0, 1]) {
      for (const at of unavailableAt[i]) expect(at - killedAt).toBeLessThan(SURVIVOR_STALL_MS);
      expect((await me(servers[i], users[i].accessToken)).status).toBe(200);
    }

    galera('restart', '3');
    // Node 3's instance recovers by itself, and the node has everything the others wrote.
    expect(await healthyWithin(servers[2], 15_000)).toBe(200);
    for (const user of revoked) {
      const after = await me(servers[2], user.accessToken);
      expect(after.status).toBe(401);
      expect(after.body).toEqual(REVOKED);
      expect((await call(servers[2].url, 'POST', '/api/auth/refresh', { token: user.refreshToken })).status).toBe(401);
    }
    const all = registered.flat();
    const found = await nodeQuery(2, cluster.name, 'SELECT COUNT(*) AS n FROM users WHERE username_normalized IN (?)', [
      all.map((name) => name.toLowerCase()),
    ]);
    expect(Number(found[0].n)).toBe(all.length);
    // Registrations made through the survivors while node 3 was down log in through node 3.
    for (const i of [0, 1]) {
      const last = registered[i][registered[i].length - 1];
      const tokens = await login(servers[2], last, users[i].password + 'x');
      expect((await me(servers[2], tokens.accessToken)).status).toBe(200);
    }
    // Every load user's session holds on every instance.
    for (const user of users) {
      for (const server of servers) {
        const session = await me(server, user.accessToken);
        expect(session.status).toBe(200);
        expect(session.body).toEqual(expect.objectContaining({ id: user.id, username: user.username }));
      }
    }
  }, 240_000);

  it('health tells a non-Primary node (SELECT 1 works, tables do not) from a healthy one', async () => {
    // Whatever an earlier failure left behind: all three nodes up (running ones are skipped).
    galera('restart', '1', '2', '3');
    for (const server of servers) {
      expect(await healthyWithin(server, 15_000)).toBe(200);
      const up = await health(server);
      expect(up.status).toBe(200);
      expect(up.body).toEqual({ status: 'ok', database: 'up' });
    }
    galera('kill', '2');
    galera('kill', '3');
    // Node 1 alone (1 of 3) leaves the Primary component once it declares the others gone; until
    // then its causal reads merely stall (a probe timeout, also a 503), so wait for the state itself.
    let state = '';
    for (let attempt = 0; attempt < 100 && state !== 'non-Primary'; attempt++) {
      await sleep(200);
      const direct = await createConnection({ uri: URLS[0] });
      const [rows] = await direct.query("SHOW STATUS LIKE 'wsrep_cluster_status'");
      await direct.end();
      state = (rows as Array<{ Value: string }>)[0]?.Value ?? '';
    }
    expect(state).toBe('non-Primary');
    const down = await health(servers[0]);
    expect(down.status).toBe(503);
    expect(down.body).toEqual({ statusCode: 503, status: 'error', database: 'down', message: 'Database unavailable', error: 'Service Unavailable' });
    // Fast, not a probe timeout: the table read is refused at once.
    expect(down.ms).toBeLessThan(1500);
    // What a `SELECT 1` probe would have missed: the node answers it, but not a table read.
    const direct = await createConnection({ uri: URLS[0] });
    try {
      await expect(direct.query('SELECT 1 AS one')).resolves.toBeDefined();
      await expect(direct.query(`SELECT id FROM \`${cluster.name}\`.users LIMIT 1`)).rejects.toMatchObject({ errno: 1047 });
    } finally {
      await direct.end();
    }
    const refused = await call(servers[0].url, 'POST', '/api/auth/register', { headers: client(), body: { username: uniqueName(), password: strongPassword() } });
    expect(refused.status).toBe(503);
    expect(refused.body).toEqual(UNAVAILABLE);

    // Both lost nodes in one go: together with node 1 they have quorum again.
    galera('restart', '2', '3');
    for (const server of servers) expect(await healthyWithin(server, 15_000)).toBe(200);
    const user = await registerAndLogin(servers[0]);
    for (const server of servers) expect((await me(server, user.accessToken)).status).toBe(200);
  }, 240_000);
});
