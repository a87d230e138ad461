// `npm run bench`: builds the service, runs it on a throw-away SQLite file (and MySQL or
// PostgreSQL when BENCH_MYSQL_URL or BENCH_POSTGRES_URL is set), seeds it, and drives it over loopback with autocannon next to a
// bare node:http reference server and the argon2 ceiling, all measured in the same run.
//
//   npm run bench [-- --duration 10 --connections 50 --json --scenarios me,authors,login,storm,defaultlog,es256]
//
// A ratio (/me to the reference, login to the argon2 ceiling) is measured in alternating
// rounds, the two sides back to back, and the median of the per-round ratios is reported:
// on a shared machine the speed drifts by ±10 % between runs of a few seconds, and a
// baseline measured once at the start would carry that drift into the ratio.
//
// /me (at LOG_LEVEL=silent and at the default info) runs in the same rounds as three floors:
// the JWT reference (node:http + jsonwebtoken), NestJS + Fastify with one plain route, and
// NestJS + Fastify behind a global passport-jwt guard (bench/nest-baseline.mjs).
//
// metrics: a pair of services, METRICS_PORT set against unset, /me in alternating rounds:
// what the Prometheus metrics cost.
//
// es256: a second pair of services, JWT_ALGORITHM=ES256 against the HS256 default, /me and
// logins in alternating rounds; and what one signature check costs each way, measured here,
// to show why /me does not pay it (the service verifies a token string once per process).
import autocannon from 'autocannon';
import { execFileSync, fork, spawn } from 'node:child_process';
import { createPrivateKey, createPublicKey, createSecretKey, randomBytes, randomUUID } from 'node:crypto';
import { mkdtempSync, openSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { cpus, tmpdir, totalmem } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const ALL_SCENARIOS = ['me', 'authors', 'login', 'storm', 'defaultlog', 'es256', 'metrics'];

const { values: options } = parseArgs({
  options: {
    duration: { type: 'string', default: '10' },
    rounds: { type: 'string', default: '5' },
    warmup: { type: 'string', default: '3' },
    connections: { type: 'string', default: '50' },
    'login-connections': { type: 'string', default: '8' },
    scenarios: { type: 'string', default: ALL_SCENARIOS.join(',') },
    'no-sqlite': { type: 'boolean', default: false },
    'no-build': { type: 'boolean', default: false },
    dist: { type: 'string', default: 'dist' },
    'cpu-prof': { type: 'string' },
    'node-args': { type: 'string', default: '' },
    'service-env': { type: 'string', multiple: true, default: [] },
    json: { type: 'boolean', default: false },
    help: { type: 'boolean', default: false },
  },
});
if (options.help) {
  console.log(`usage: npm run bench -- [--duration s] [--rounds n] [--warmup s] [--connections n] [--login-connections n]
       [--scenarios ${ALL_SCENARIOS.join(',')}] [--no-sqlite] [--no-build] [--dist dir] [--cpu-prof dir]
       [--node-args "--flag ..."] [--service-env NAME=value ...] [--json]
BENCH_MYSQL_URL=mysql://root@127.0.0.1:3306 also benchmarks MySQL, BENCH_POSTGRES_URL=postgres://postgres@127.0.0.1:5432
PostgreSQL (a throw-away database is created and dropped).`);
  process.exit(0);
}

const DURATION = positive(options.duration, 'duration');
/** A paired scenario's DURATION is split into this many alternating rounds per side. */
const ROUNDS = Math.round(positive(options.rounds, 'rounds'));
const WARMUP = Math.max(0, Number(options.warmup) || 0);
const CONNECTIONS = positive(options.connections, 'connections');
const LOGIN_CONNECTIONS = positive(options['login-connections'], 'login-connections');
const SCENARIOS = new Set(options.scenarios.split(',').map((s) => s.trim()));
const ARGON2_IN_FLIGHT = 4;
/** A different built copy (a snapshot of dist/) can be benchmarked with --dist; it is not rebuilt. */
const DIST = resolve(ROOT, options.dist);
const AUTHORS = 1000;
const LOGIN_USERS = 8;
const PASSWORD = 'Bench-passphrase-for-load-2718';
const JWT_SECRET = randomBytes(48).toString('base64url');
// The service's throttle and lockout exist to stop one client hammering logins, which is
// exactly what the login scenarios do on purpose; raise both for the bench process only.
const BENCH_LIMITS = { THROTTLE_AUTH_LIMIT: '100000', LOGIN_MAX_FAILURES: '1000' };

const log = (message) => process.stderr.write(`[bench] ${message}\n`);
const children = new Set();
const workDir = mkdtempSync(join(tmpdir(), 'nest-auth-bench-'));

function positive(value, name) {
  const number = Number(value);
  if (!Number.isFinite(number) || number <= 0) throw new Error(`--${name} must be a positive number`);
  return number;
}

// ---------------------------------------------------------------- cleanup and bounds
function killChildren() {
  for (const child of children) {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  }
  children.clear();
}
function cleanup() {
  killChildren();
  rmSync(workDir, { recursive: true, force: true });
}
process.on('exit', cleanup);
for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP']) {
  process.on(signal, () => {
    log(`${signal}: stopping`);
    process.exit(130);
  });
}
// Whatever happens, the run ends: a hung child or a stuck request cannot keep it alive.
const scenarioSeconds = (WARMUP + DURATION) * 12 + DURATION * 2;
const deadline = setTimeout(
  () => {
    log('time limit reached; aborting');
    process.exit(1);
  },
  (scenarioSeconds * 2 + 600) * 1000,
);
deadline.unref();

// ---------------------------------------------------------------- processes
function freePort() {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

async function waitFor(check, child, what, timeoutMs = 60_000) {
  const end = Date.now() + timeoutMs;
  while (Date.now() < end) {
    if (child.exitCode !== null || child.signalCode !== null) throw new Error(`${what} exited during start-up`);
    try {
      if (await check()) return;
    } catch {
      // not up yet
    }
    await sleep(100);
  }
  throw new Error(`${what} did not start within ${timeoutMs / 1000} s`);
}

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

async function startService({ label, databaseUrl, env = {} }) {
  const port = await freePort();
  const logFile = join(workDir, `${label}.log`);
  const out = openSync(logFile, 'a');
  const nodeArgs = options['node-args'].split(' ').filter(Boolean);
  if (options['cpu-prof']) nodeArgs.push('--cpu-prof', `--cpu-prof-dir=${options['cpu-prof']}`, `--cpu-prof-name=${label}.cpuprofile`);
  const childEnv = {
    PATH: process.env.PATH,
    HOME: process.env.HOME,
    NODE_ENV: 'production',
    PORT: String(port),
    DATABASE_URL: databaseUrl,
    JWT_SECRET,
    ENCRYPTION_KEY: randomBytes(48).toString('base64url'),
    ...BENCH_LIMITS,
    ...Object.fromEntries(options['service-env'].map((pair) => [pair.slice(0, pair.indexOf('=')), pair.slice(pair.indexOf('=') + 1)])),
    ...env,
  };
  for (const [name, value] of Object.entries(childEnv)) if (value === undefined) delete childEnv[name];
  // Started as `npm start` and the Docker image start it (its exec leaves node with this pid).
  const child = spawn('sh', [join(ROOT, 'scripts/start.sh'), ...nodeArgs, join(DIST, 'src/main.js')], { cwd: ROOT, env: childEnv, stdio: ['ignore', out, out] });
  children.add(child);
  const base = `http://127.0.0.1:${port}`;
  const rss = { peakPolledKb: 0, timer: undefined };
  rss.timer = setInterval(() => {
    const kb = procStatusKb(child.pid, 'VmRSS');
    if (kb > rss.peakPolledKb) rss.peakPolledKb = kb;
  }, 100);
  try {
    await waitFor(async () => (await fetch(`${base}/api/health`)).status === 200, child, `service (${label})`);
  } catch (error) {
    clearInterval(rss.timer);
    log(`service output (${logFile}):\n${readFileSync(logFile, 'utf8').slice(-4000)}`);
    throw error;
  }
  return {
    base,
    port,
    child,
    /** Peak resident set size in MB: the kernel's high-water mark, or our 100 ms polling if larger. */
    peakRssMb() {
      return Math.max(procStatusKb(child.pid, 'VmHWM'), rss.peakPolledKb) / 1024;
    },
    async stop() {
      clearInterval(rss.timer);
      if (child.exitCode === null) {
        const exited = new Promise((resolve) => child.once('exit', resolve));
        child.kill('SIGTERM');
        await Promise.race([exited, sleep(15_000)]);
        if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
      }
      children.delete(child);
    },
  };
}

function procStatusKb(pid, field) {
  try {
    const match = readFileSync(`/proc/${pid}/status`, 'utf8').match(new RegExp(`^${field}:\\s+(\\d+) kB`, 'm'));
    return match ? Number(match[1]) : 0;
  } catch {
    return 0;
  }
}

async function startReference() {
  const child = fork(join(ROOT, 'bench/reference-server.mjs'), [], {
    cwd: ROOT,
    env: { PATH: process.env.PATH, JWT_SECRET, PORT: String(await freePort()) },
    stdio: ['ignore', 'ignore', 'inherit', 'ipc'],
  });
  children.add(child);
  const { port } = await new Promise((resolve, reject) => {
    child.once('message', resolve);
    child.once('exit', () => reject(new Error('reference server exited during start-up')));
  });
  return {
    base: `http://127.0.0.1:${port}`,
    pid: child.pid,
    async stop() {
      child.kill('SIGTERM');
      children.delete(child);
    },
  };
}

/** NestJS + Fastify alone (`plain`) or with a global passport-jwt guard (`passport`): see nest-baseline.mjs. */
async function startNestBaseline(mode) {
  const child = fork(join(ROOT, 'bench/nest-baseline.mjs'), [mode], {
    cwd: ROOT,
    env: { PATH: process.env.PATH, JWT_SECRET, PORT: String(await freePort()), NODE_ENV: 'production' },
    stdio: ['ignore', 'ignore', 'inherit', 'ipc'],
  });
  children.add(child);
  const { port } = await new Promise((resolve, reject) => {
    child.once('message', resolve);
    child.once('exit', () => reject(new Error(`the Nest baseline (${mode}) exited during start-up`)));
  });
  return {
    base: `http://127.0.0.1:${port}`,
    async stop() {
      child.kill('SIGTERM');
      children.delete(child);
    },
  };
}

/** The argon2 ceiling child; `run(seconds)` measures one slice (see lib-argon2-ceiling.mjs). */
async function startCeiling() {
  const child = fork(join(ROOT, 'bench/lib-argon2-ceiling.mjs'), [String(DURATION), String(ARGON2_IN_FLIGHT), join(DIST, 'src/passwords/password.service.js')], {
    cwd: ROOT,
    env: { PATH: process.env.PATH, UV_THREADPOOL_SIZE: String(Math.max(ARGON2_IN_FLIGHT, 4)) },
    stdio: ['ignore', 'ignore', 'inherit', 'ipc'],
  });
  children.add(child);
  const exited = new Promise((_, reject) => child.once('exit', (code) => reject(new Error(`argon2 ceiling exited with ${code}`))));
  const nextMessage = () => Promise.race([new Promise((resolve) => child.once('message', resolve)), exited]);
  await nextMessage(); // ready
  return {
    async run(seconds) {
      const reply = nextMessage();
      child.send({ seconds });
      const result = await reply;
      return { ...result, rps: result.verificationsPerSecond };
    },
    async stop() {
      child.kill('SIGTERM');
      children.delete(child);
    },
  };
}

// ---------------------------------------------------------------- MySQL throw-away database
async function createMysqlDatabase(serverUrl) {
  const mysql = await import('mysql2/promise');
  const url = new URL(serverUrl);
  if (!['127.0.0.1', 'localhost', '::1', '[::1]'].includes(url.hostname)) {
    throw new Error('BENCH_MYSQL_URL must point at a loopback MySQL server (127.0.0.1)');
  }
  const name = `bench_${randomBytes(6).toString('hex')}`;
  const admin = await mysql.createConnection({
    host: url.hostname,
    port: Number(url.port || 3306),
    user: decodeURIComponent(url.username),
    password: decodeURIComponent(url.password),
  });
  await admin.query(`CREATE DATABASE \`${name}\` CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci`);
  const databaseUrl = new URL(serverUrl);
  databaseUrl.pathname = `/${name}`;
  return {
    url: databaseUrl.toString(),
    async drop() {
      await admin.query(`DROP DATABASE IF EXISTS \`${name}\``);
      await admin.end();
    },
  };
}

// ---------------------------------------------------------------- PostgreSQL throw-away database
async function createPostgresDatabase(serverUrl) {
  const { default: pg } = await import('pg');
  const url = new URL(serverUrl);
  if (!['127.0.0.1', 'localhost', '::1', '[::1]'].includes(url.hostname)) {
    throw new Error('BENCH_POSTGRES_URL must point at a loopback PostgreSQL server (127.0.0.1)');
  }
  const name = `bench_${randomBytes(6).toString('hex')}`;
  url.pathname = '/postgres';
  const admin = new pg.Client({ connectionString: url.toString() });
  await admin.connect();
  await admin.query(`CREATE DATABASE "${name}" ENCODING 'UTF8' TEMPLATE template0`);
  const databaseUrl = new URL(serverUrl);
  databaseUrl.pathname = `/${name}`;
  return {
    url: databaseUrl.toString(),
    async drop() {
      await admin.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
      await admin.end();
    },
  };
}

// ---------------------------------------------------------------- seeding
async function api(base, method, path, { token, body } = {}) {
  const response = await fetch(base + path, {
    method,
    headers: {
      ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      ...(token ? { authorization: `Bearer ${token}` } : {}),
    },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await response.text();
  return { status: response.status, body: text ? JSON.parse(text) : undefined };
}

async function expectStatus(promise, status, what) {
  const response = await promise;
  if (response.status !== status) throw new Error(`${what}: expected ${status}, got ${response.status} ${JSON.stringify(response.body)}`);
  return response.body;
}

async function seed(service, databaseUrl, { authors = SCENARIOS.has('authors') } = {}) {
  const base = service.base;
  const main = await expectStatus(api(base, 'POST', '/api/auth/register', { body: { username: 'bench_main', password: PASSWORD } }), 201, 'register');
  const loginUsers = [];
  for (let i = 1; i <= LOGIN_USERS; i++) {
    const username = `bench_login_${i}`;
    await expectStatus(api(base, 'POST', '/api/auth/register', { body: { username, password: PASSWORD } }), 201, 'register');
    loginUsers.push(username);
  }
  const tokens = await expectStatus(
    api(base, 'POST', '/api/auth/login', { body: { username: 'bench_main', password: PASSWORD } }),
    200,
    'login',
  );
  if (!authors) return { accessToken: tokens.accessToken, userId: main.id, loginUsers, authorsVia: 'none' };
  const probe = await api(base, 'GET', '/api/authors?limit=1', { token: tokens.accessToken });
  let authorsVia;
  if (probe.status === 200) {
    authorsVia = 'api';
    let next = 0;
    const worker = async () => {
      while (next < AUTHORS) {
        const i = next++;
        await expectStatus(api(base, 'POST', '/api/authors', { token: tokens.accessToken, body: author(i) }), 201, 'create author');
      }
    };
    await Promise.all(Array.from({ length: 8 }, worker));
  } else if (probe.status === 404) {
    authorsVia = 'database';
    await insertAuthors(databaseUrl, main.id);
  } else {
    throw new Error(`GET /api/authors answered ${probe.status}`);
  }
  return { accessToken: tokens.accessToken, userId: main.id, loginUsers, authorsVia };
}

const COUNTRIES = ['United Kingdom', 'Ireland', 'Nigeria', 'India', 'Canada', 'Australia', 'New Zealand', 'South Africa'];
function author(i) {
  return { name: `Author ${String(i).padStart(4, '0')}`, book: `Book number ${i}`, country: COUNTRIES[i % COUNTRIES.length], bookerPrize: i % 7 === 0 };
}

/** Without the authors API yet, the rows go straight into the table with the same columns. */
async function insertAuthors(databaseUrl, ownerId) {
  const start = Date.now();
  const rows = Array.from({ length: AUTHORS }, (_, i) => {
    const a = author(i);
    const at = new Date(start + i);
    return [randomUUID(), ownerId, a.name, a.book, a.country, a.bookerPrize ? 1 : 0, a.name.toLowerCase(), a.book.toLowerCase(), at, at];
  });
  const sql =
    'INSERT INTO authors (id, owner_id, name, book, country, booker_prize, name_search, book_search, created_at, updated_at) ' +
    'VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)';
  if (databaseUrl.startsWith('mysql://')) {
    const mysql = await import('mysql2/promise');
    const connection = await mysql.createConnection({ uri: databaseUrl, timezone: 'Z' });
    await connection.beginTransaction();
    for (const row of rows) await connection.execute(sql, row);
    await connection.commit();
    await connection.end();
  } else if (databaseUrl.startsWith('postgres')) {
    const { default: pg } = await import('pg');
    const client = new pg.Client({ connectionString: databaseUrl });
    await client.connect();
    let n = 0;
    const text = sql.replace(/\?/g, () => `$${++n}`);
    await client.query('BEGIN');
    for (const row of rows) await client.query(text, [...row.slice(0, 5), row[5] === 1, ...row.slice(6)]);
    await client.query('COMMIT');
    await client.end();
  } else {
    const { default: Database } = await import('better-sqlite3');
    const db = new Database(databaseUrl.slice('sqlite:'.length), { timeout: 5000 });
    const insert = db.prepare(sql);
    const sqliteTime = (date) => date.toISOString().replace('T', ' ').replace('Z', '');
    db.transaction(() => {
      for (const row of rows) insert.run(...row.slice(0, 8), sqliteTime(row[8]), sqliteTime(row[9]));
    })();
    db.close();
  }
}

// ---------------------------------------------------------------- load
function cannon(opts) {
  return new Promise((resolve, reject) => {
    autocannon({ timeout: 10, ...opts }, (error, result) => (error ? reject(error) : resolve(result)));
  });
}

/** `pid`: the server process, whose CPU time per request is reported too (it does not depend on contention). */
async function measure(opts, pid) {
  if (WARMUP > 0) await cannon({ ...opts, duration: WARMUP });
  const cpuBefore = procCpuMs(pid);
  const result = summarize(await cannon({ ...opts, duration: DURATION }));
  if (pid) result.cpuUsPerRequest = round(((procCpuMs(pid) - cpuBefore) * 1000) / Math.max(1, result.requests));
  return result;
}

/**
 * A scenario and its baseline(s) in ROUNDS alternating rounds (baselines first), after a
 * warm-up of each. The scenario's figures cover all its rounds (p99: the worst round's); a
 * ratio is the median of the per-round ratios. `baseline` is `(seconds) => {rps, ...}`, or an
 * object of named ones: then `versus` holds the ratio to each, and `ratio`/`baseline` are
 * the first one's.
 */
async function measurePaired(opts, pid, baseline) {
  const baselines = typeof baseline === 'function' ? { baseline } : baseline;
  const names = Object.keys(baselines);
  if (WARMUP > 0) {
    for (const name of names) await baselines[name](WARMUP);
    await cannon({ ...opts, duration: WARMUP });
  }
  const slice = DURATION / ROUNDS;
  const rounds = [];
  const cpuMs = { run: 0 };
  for (let i = 0; i < ROUNDS; i++) {
    const bases = {};
    for (const name of names) bases[name] = await baselines[name](slice);
    const cpuBefore = procCpuMs(pid);
    const run = summarize(await cannon({ ...opts, duration: slice }));
    cpuMs.run += procCpuMs(pid) - cpuBefore;
    rounds.push({ bases, run });
  }
  const runs = rounds.map((r) => r.run);
  const requests = sum(runs.map((r) => r.requests));
  const versus = Object.fromEntries(
    names.map((name) => {
      const ratios = rounds.map((r) => r.run.rps / r.bases[name].rps);
      const bases = rounds.map((r) => r.bases[name]);
      return [
        name,
        {
          ratio: round(median(ratios), 3),
          roundRatios: ratios.map((ratio) => round(ratio, 3)),
          rps: round(median(bases.map((b) => b.rps)), 1),
          p50: median(bases.map((b) => b.p50 ?? 0)),
          p99: Math.max(...bases.map((b) => b.p99 ?? 0)),
        },
      ];
    }),
  );
  const first = versus[names[0]];
  return {
    rps: round(requests / DURATION),
    p50: median(runs.map((r) => r.p50)),
    p99: Math.max(...runs.map((r) => r.p99)),
    max: Math.max(...runs.map((r) => r.max)),
    requests,
    non2xx: sum(runs.map((r) => r.non2xx)),
    errors: sum(runs.map((r) => r.errors)),
    timeouts: sum(runs.map((r) => r.timeouts)),
    cpuUsPerRequest: pid ? round((cpuMs.run * 1000) / Math.max(1, requests)) : undefined,
    ratio: first.ratio,
    roundRatios: first.roundRatios,
    baseline: { rps: first.rps, p50: first.p50, p99: first.p99 },
    ...(names.length > 1 ? { versus } : {}),
  };
}

const sum = (values) => values.reduce((total, value) => total + value, 0);
function median(values) {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
}

/** User + system CPU time of a process in ms, from /proc (Linux); 0 elsewhere. */
function procCpuMs(pid) {
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
    return ((Number(fields[11]) + Number(fields[12])) * 1000) / 100;
  } catch {
    return 0;
  }
}

function summarize(result) {
  return {
    rps: round(result.requests.average),
    p50: result.latency.p50,
    p99: result.latency.p99,
    max: result.latency.max,
    requests: result.requests.total,
    non2xx: result.non2xx,
    errors: result.errors,
    timeouts: result.timeouts,
  };
}

function getOptions(base, path, token) {
  return { url: base + path, connections: CONNECTIONS, headers: { authorization: `Bearer ${token}` } };
}

function loginOptions(base, users) {
  let next = 0;
  const bodies = users.map((username) => JSON.stringify({ username, password: PASSWORD }));
  return {
    url: base,
    connections: LOGIN_CONNECTIONS,
    requests: [
      {
        method: 'POST',
        path: '/api/auth/login',
        headers: { 'content-type': 'application/json' },
        setupRequest: (request) => ({ ...request, body: bodies[next++ % bodies.length] }),
      },
    ],
  };
}

const round = (value, digits = 0) => Math.round(value * 10 ** digits) / 10 ** digits;

// ---------------------------------------------------------------- one database
/** `newDatabase()` gives each service start its own empty database: no state carries over between runs. */
async function benchDatabase(name, newDatabase, reference, ceiling) {
  const database = await newDatabase();
  try {
    return await benchOn(name, database.url, newDatabase, reference, ceiling);
  } finally {
    await database.drop();
  }
}

/**
 * /me and logins on an ES256 service, each in alternating rounds with the same on an HS256
 * one (both fresh, both on this database kind). Target: /me at >= 0.9x. An ES256 signature
 * check costs far more than an HMAC, but the service checks a token string once per process
 * (src/auth/verified-tokens.ts), so the cost per request should not show; the CPU per request
 * of both and the signature-check costs measured here show whether it does.
 */
async function benchEs256(name, newDatabase) {
  log(`${name}: ES256 against HS256 (two services, alternating rounds)`);
  const keysDir = join(workDir, `keys-${name}`);
  execFileSync(process.execPath, [join(DIST, 'src/cli/add-key.js')], {
    cwd: ROOT,
    env: { PATH: process.env.PATH, JWT_ALGORITHM: 'ES256', JWT_KEYS_DIR: keysDir },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  const hsDatabase = await newDatabase();
  const esDatabase = await newDatabase();
  const hs = await startService({ label: `${name}-hs256`, databaseUrl: hsDatabase.url, env: { LOG_LEVEL: 'silent' } });
  const es = await startService({ label: `${name}-es256`, databaseUrl: esDatabase.url, env: { LOG_LEVEL: 'silent', JWT_ALGORITHM: 'ES256', JWT_KEYS_DIR: keysDir } });
  try {
    const hsSeed = await seed(hs, hsDatabase.url, { authors: false });
    const esSeed = await seed(es, esDatabase.url, { authors: false });
    const alg = JSON.parse(Buffer.from(esSeed.accessToken.split('.')[0], 'base64url').toString()).alg;
    if (alg !== 'ES256') throw new Error(`the ES256 service signed with ${alg}`);
    const hsCpu = { ms: 0, requests: 0 };
    const hsMe = getOptions(hs.base, '/api/users/me', hsSeed.accessToken);
    const meBaseline = async (seconds) => {
      const before = procCpuMs(hs.child.pid);
      const result = summarize(await cannon({ ...hsMe, duration: seconds }));
      hsCpu.ms += procCpuMs(hs.child.pid) - before;
      hsCpu.requests += result.requests;
      return result;
    };
    const me = await measurePaired(getOptions(es.base, '/api/users/me', esSeed.accessToken), es.child.pid, meBaseline);
    me.baseline.cpuUsPerRequest = round((hsCpu.ms * 1000) / Math.max(1, hsCpu.requests));
    const loginBaseline = async (seconds) => summarize(await cannon({ ...loginOptions(hs.base, hsSeed.loginUsers), duration: seconds }));
    const login = await measurePaired(loginOptions(es.base, esSeed.loginUsers), undefined, loginBaseline);
    return { me, login, signatureCheckUs: await signatureCheckCost(esSeed.accessToken, keysDir, hsSeed.accessToken), peakRssMb: round(es.peakRssMb(), 1) };
  } finally {
    await Promise.all([hs.stop(), es.stop()]);
    await hsDatabase.drop();
    await esDatabase.drop();
  }
}

/** µs per jsonwebtoken.verify of a real access token of each kind, in this process: what a request would pay without the cache. */
async function signatureCheckCost(es256Token, keysDir, hs256Token) {
  const { default: jsonwebtoken } = await import('jsonwebtoken');
  const pem = readFileSync(join(keysDir, readdirSync(keysDir).find((file) => file.endsWith('.pem'))));
  const publicKey = createPublicKey(createPrivateKey(pem));
  const secret = createSecretKey(Buffer.from(JWT_SECRET));
  const options = { issuer: 'nest-auth-service', audience: 'nest-auth-service' };
  const time = (token, key, algorithm) => {
    const runs = 2000;
    for (let i = 0; i < 200; i++) jsonwebtoken.verify(token, key, { ...options, algorithms: [algorithm] });
    const started = process.hrtime.bigint();
    for (let i = 0; i < runs; i++) jsonwebtoken.verify(token, key, { ...options, algorithms: [algorithm] });
    return round(Number(process.hrtime.bigint() - started) / 1000 / runs, 1);
  };
  return { es256: time(es256Token, publicKey, 'ES256'), hs256: time(hs256Token, secret, 'HS256') };
}

/** The same service with METRICS_PORT set and unset, /me in alternating rounds: what metrics cost. */
async function benchMetrics(name, newDatabase) {
  log(`${name}: GET /api/users/me with metrics on against metrics off`);
  const offDatabase = await newDatabase();
  const onDatabase = await newDatabase();
  const off = await startService({ label: `${name}-metrics-off`, databaseUrl: offDatabase.url, env: { LOG_LEVEL: 'silent' } });
  const metricsPort = await freePort();
  const on = await startService({ label: `${name}-metrics-on`, databaseUrl: onDatabase.url, env: { LOG_LEVEL: 'silent', METRICS_PORT: String(metricsPort) } });
  try {
    const offSeed = await seed(off, offDatabase.url, { authors: false });
    const onSeed = await seed(on, onDatabase.url, { authors: false });
    const offMe = getOptions(off.base, '/api/users/me', offSeed.accessToken);
    const me = await measurePaired(getOptions(on.base, '/api/users/me', onSeed.accessToken), on.child.pid, async (seconds) =>
      summarize(await cannon({ ...offMe, duration: seconds })),
    );
    // The scrape must show this very traffic, or the "on" side measured nothing.
    const scrape = await (await fetch(`http://127.0.0.1:${metricsPort}/metrics`)).text();
    const counted = [...scrape.matchAll(/^http_request_duration_seconds_count\{[^}]*route="\/api\/users\/me"[^}]*status="200"[^}]*\} (\d+)/gm)].reduce((total, m) => total + Number(m[1]), 0);
    if (counted < me.requests) throw new Error(`the metrics endpoint counted ${counted} requests to /me, the bench sent ${me.requests}`);
    return { me, counted };
  } finally {
    await Promise.all([off.stop(), on.stop()]);
    await offDatabase.drop();
    await onDatabase.drop();
  }
}

async function benchOn(name, databaseUrl, newDatabase, reference, ceiling) {
  log(`${name}: starting the service (LOG_LEVEL=silent)`);
  const service = await startService({ label: name, databaseUrl, env: { LOG_LEVEL: 'silent' } });
  const result = { database: name, logLevel: 'silent' };
  try {
    const seeded = await seed(service, databaseUrl);
    result.authorsSeededVia = seeded.authorsVia;
    const me = getOptions(service.base, '/api/users/me', seeded.accessToken);
    if (SCENARIOS.has('me')) {
      log(`${name}: GET /api/users/me`);
      result.me = await measurePaired(me, service.child.pid, reference.floors);
      result.me.ratioToReference = result.me.ratio;
    }
    if (SCENARIOS.has('authors')) {
      if (seeded.authorsVia === 'api') {
        log(`${name}: GET /api/authors?limit=20 (${AUTHORS} authors)`);
        result.authors = await measure(getOptions(service.base, '/api/authors?limit=20', seeded.accessToken), service.child.pid);
      } else {
        result.authors = { skipped: 'this build has no GET /api/authors' };
      }
    }
    if (SCENARIOS.has('login')) {
      log(`${name}: POST /api/auth/login at concurrency ${LOGIN_CONNECTIONS}`);
      result.login = await measurePaired(loginOptions(service.base, seeded.loginUsers), undefined, ceiling.run);
      result.login.ratioToArgon2 = result.login.ratio;
    }
    if (SCENARIOS.has('storm')) {
      log(`${name}: GET /api/users/me during a login storm`);
      if (WARMUP > 0) await Promise.all([cannon({ ...me, duration: WARMUP }), cannon({ ...loginOptions(service.base, seeded.loginUsers), duration: WARMUP })]);
      const [meDuring, loginDuring] = await Promise.all([
        cannon({ ...me, duration: DURATION }),
        cannon({ ...loginOptions(service.base, seeded.loginUsers), duration: DURATION }),
      ]);
      result.storm = { me: summarize(meDuring), login: summarize(loginDuring) };
    }
    result.peakRssMb = round(service.peakRssMb(), 1);
  } finally {
    await service.stop();
  }

  if (SCENARIOS.has('defaultlog')) {
    // The production default log level (request logging on) costs something per request: show it.
    log(`${name}: GET /api/users/me at the production default log level`);
    const database = await newDatabase();
    const logged = await startService({ label: `${name}-default-log`, databaseUrl: database.url, env: { LOG_LEVEL: undefined } });
    try {
      const seeded = await seed(logged, database.url, { authors: false });
      result.meDefaultLogLevel = await measurePaired(getOptions(logged.base, '/api/users/me', seeded.accessToken), logged.child.pid, reference.floors);
      result.meDefaultLogLevel.ratioToReference = result.meDefaultLogLevel.ratio;
      result.meDefaultLogLevel.peakRssMb = round(logged.peakRssMb(), 1);
    } finally {
      await logged.stop();
      await database.drop();
    }
  }
  return result;
}

// ---------------------------------------------------------------- report
function checks(db) {
  const list = [];
  const add = (name, value, ok, target) => list.push({ name, value, target, ok });
  if (db.me) {
    add('/me (silent) ratio to reference', db.me.ratioToReference, db.me.ratioToReference >= 0.55, '>= 0.55');
    add('/me p99 ms', db.me.p99, db.me.p99 < 50, '< 50');
  }
  if (db.meDefaultLogLevel?.versus) {
    const versus = db.meDefaultLogLevel.versus;
    add('/me (info) ratio to reference', versus.reference.ratio, versus.reference.ratio >= 0.45, '>= 0.45');
    add('/me (info) ratio to Nest + passport-jwt', versus.nestPassport.ratio, versus.nestPassport.ratio >= 1.2, '>= 1.20');
  }
  if (db.metrics) {
    add('/me metrics on ratio to off', db.metrics.me.ratio, db.metrics.me.ratio >= 0.97, '>= 0.97');
    if (db.metrics.me.non2xx || db.metrics.me.errors || db.metrics.me.timeouts) add('metrics failed requests', db.metrics.me.non2xx + db.metrics.me.errors, false, '0');
  }
  if (db.login) add('login ratio to argon2', db.login.ratioToArgon2, db.login.ratioToArgon2 >= 0.85, '>= 0.85');
  if (db.storm) add('/me p99 ms during logins', db.storm.me.p99, db.storm.me.p99 < 100, '< 100');
  if (db.peakRssMb !== undefined) add('peak RSS MB', db.peakRssMb, db.peakRssMb < 200, '< 200');
  if (db.es256) {
    add('ES256 /me ratio to HS256 /me', db.es256.me.ratio, db.es256.me.ratio >= 0.9, '>= 0.90');
    if (db.es256.login) add('ES256 login ratio to HS256 login', db.es256.login.ratio, db.es256.login.ratio >= 0.9, '>= 0.90');
    for (const run of [db.es256.me, db.es256.login].filter(Boolean)) {
      if (run.non2xx || run.errors || run.timeouts) add('es256 failed requests', run.non2xx + run.errors + run.timeouts, false, '0');
    }
  }
  for (const key of ['me', 'authors', 'login', 'meDefaultLogLevel']) {
    const run = db[key];
    if (run && (run.non2xx || run.errors || run.timeouts)) add(`${key} failed requests`, run.non2xx + run.errors + run.timeouts, false, '0');
  }
  if (db.storm) {
    const failed = db.storm.me.non2xx + db.storm.me.errors + db.storm.login.non2xx + db.storm.login.errors;
    if (failed) add('storm failed requests', failed, false, '0');
  }
  return list;
}

function table(report) {
  const lines = [];
  const pad = (value, width) => String(value).padStart(width);
  const row = (label, r, extra = '') =>
    `${label.padEnd(44)}${pad(r.rps, 9)}${pad(r.p50 ?? '', 8)}${pad(r.p99 ?? '', 8)}${pad(r.cpuUsPerRequest ?? '', 8)}   ${extra}`;
  const m = report.machine;
  lines.push(`Service benchmark: ${m.cpus} x ${m.cpuModel}, ${m.memoryGb} GB, node ${m.node}`);
  lines.push(
    `${report.settings.duration} s per scenario after ${report.settings.warmup} s warm-up (ratios: ${report.settings.rounds} alternating rounds per side), ` +
      `${report.settings.connections} connections ` +
      `(login: ${report.settings.loginConnections}), loopback; bench service env: ${Object.entries(BENCH_LIMITS)
        .map(([k, v]) => `${k}=${v}`)
        .join(' ')} so throttling and lockout do not cap the login scenarios; ` +
      `started with scripts/start.sh as npm start and the Docker image are (malloc and young-generation settings)`,
  );
  lines.push('');
  lines.push(`${'scenario'.padEnd(44)}${pad('req/s', 9)}${pad('p50 ms', 8)}${pad('p99 ms', 8)}${pad('CPU µs', 8)}   vs ceiling`);
  const argon2Label = `argon2id verify, m=${report.argon2.params.m} t=${report.argon2.params.t} p=${report.argon2.params.p}, ${report.argon2.inFlight} in flight`;
  const rounds = (r) => `median of ${r.roundRatios.length} rounds: ${r.roundRatios.join(' ')}`;
  const FLOORS = { reference: 'floor: node:http + jsonwebtoken', nestPlain: 'floor: Nest + Fastify, plain route', nestPassport: 'floor: Nest + Fastify + passport-jwt' };
  /** The floors /me ran beside, then /me with its ratio to each. */
  const floorRows = (run, label) => {
    const versus = run.versus ?? { reference: { ...run.baseline, ratio: run.ratio, roundRatios: run.roundRatios } };
    for (const [name, floor] of Object.entries(versus)) lines.push(row(FLOORS[name] ?? name, floor, 'in the same alternating rounds'));
    lines.push(row(label, run, ''));
    for (const [name, floor] of Object.entries(versus)) lines.push(`${''.padEnd(6)}${floor.ratio} x ${FLOORS[name]?.slice(7) ?? name} (${rounds(floor)})`);
  };
  for (const db of report.databases) {
    lines.push(`--- ${db.database}${db.authorsSeededVia === 'none' ? '' : ` (authors seeded via ${db.authorsSeededVia})`}`);
    if (db.me) floorRows(db.me, 'GET /api/users/me (LOG_LEVEL=silent)');
    if (db.authors?.skipped) lines.push(`${'GET /api/authors?limit=20'.padEnd(44)}  skipped: ${db.authors.skipped}`);
    else if (db.authors) lines.push(row('GET /api/authors?limit=20', db.authors));
    if (db.login) {
      lines.push(`${argon2Label.padEnd(44)}${pad(db.login.baseline.rps, 9)}${''.padEnd(24)}   alternating with the next row`);
      lines.push(row(`POST /api/auth/login (concurrency ${report.settings.loginConnections})`, db.login, `${db.login.ratioToArgon2} x argon2 (${rounds(db.login)})`));
    }
    if (db.storm) {
      lines.push(row('GET /api/users/me during login storm', db.storm.me));
      lines.push(row('  logins/s during that storm', db.storm.login));
    }
    if (db.meDefaultLogLevel) floorRows(db.meDefaultLogLevel, 'GET /api/users/me (default LOG_LEVEL=info)');
    if (db.metrics) {
      lines.push(row('GET /api/users/me, metrics off', db.metrics.me.baseline, 'alternating with the next row'));
      lines.push(row('GET /api/users/me, METRICS_PORT set', db.metrics.me, `${db.metrics.me.ratio} x metrics off (${rounds(db.metrics.me)})`));
    }
    if (db.peakRssMb !== undefined) lines.push(`peak RSS of the service: ${db.peakRssMb} MB`);
    if (db.es256) {
      const es = db.es256;
      lines.push(row('GET /api/users/me, HS256 service', es.me.baseline, 'alternating with the next row'));
      lines.push(row('GET /api/users/me, ES256 service', es.me, `${es.me.ratio} x HS256 (${rounds(es.me)})`));
      if (es.login) {
        lines.push(row('POST /api/auth/login, HS256 service', es.login.baseline, 'alternating with the next row'));
        lines.push(row('POST /api/auth/login, ES256 service', es.login, `${es.login.ratio} x HS256 (${rounds(es.login)})`));
      }
      const extra = round(es.signatureCheckUs.es256 - es.signatureCheckUs.hs256, 1);
      lines.push(
        `one signature check (jsonwebtoken.verify): ES256 ${es.signatureCheckUs.es256} µs, HS256 ${es.signatureCheckUs.hs256} µs; ` +
          `checked on every request, /me would cost ~${extra} µs CPU more with ES256; measured: ${es.me.cpuUsPerRequest} vs ${es.me.baseline.cpuUsPerRequest} µs per request`,
      );
    }
    for (const check of db.checks) lines.push(`  ${check.ok ? 'ok  ' : 'MISS'} ${check.name}: ${check.value} (target ${check.target})`);
  }
  return lines.join('\n');
}

// ---------------------------------------------------------------- main
async function main() {
  if (!options['no-build'] && DIST === resolve(ROOT, 'dist')) {
    log('building if needed');
    execFileSync(process.execPath, ['scripts/build-if-needed.mjs'], { cwd: ROOT, stdio: ['ignore', process.stderr, process.stderr] });
  }

  const report = {
    machine: {
      cpus: cpus().length,
      cpuModel: cpus()[0]?.model?.trim() ?? 'unknown',
      memoryGb: round(totalmem() / 2 ** 30, 1),
      node: process.version,
      platform: `${process.platform}-${process.arch}`,
    },
    settings: { duration: DURATION, rounds: ROUNDS, warmup: WARMUP, connections: CONNECTIONS, loginConnections: LOGIN_CONNECTIONS, benchEnv: BENCH_LIMITS },
    startedAt: new Date().toISOString(),
  };

  log('starting the reference server and the argon2 ceiling (measured in rounds next to each scenario)');
  const reference = await startReference();
  const referenceOptions = getOptions(reference.base, '/', await referenceToken());
  reference.measure = async (seconds) => {
    const result = summarize(await cannon({ ...referenceOptions, duration: seconds }));
    if (result.non2xx) throw new Error('the reference server rejected the token');
    return result;
  };
  // /me is measured against three floors in the same rounds: the JWT reference, Nest + Fastify
  // with one plain route, and the same behind a global passport-jwt guard.
  const token = await referenceToken();
  const nestPlain = await startNestBaseline('plain');
  const nestPassport = await startNestBaseline('passport');
  const measureAt = (base, path) => async (seconds) => {
    const result = summarize(await cannon({ ...getOptions(base, path, token), duration: seconds }));
    if (result.non2xx) throw new Error(`${base}${path} rejected the token`);
    return result;
  };
  reference.floors = {
    reference: reference.measure,
    nestPlain: measureAt(nestPlain.base, '/api/users/me'),
    nestPassport: measureAt(nestPassport.base, '/api/users/me'),
  };
  const ceiling = await startCeiling();
  report.argon2 = await ceiling.run(1);
  try {
    report.databases = await benchDatabases(reference, ceiling);
  } finally {
    await reference.stop();
    await nestPlain.stop();
    await nestPassport.stop();
    await ceiling.stop();
  }
  for (const db of report.databases) db.checks = checks(db);
  report.allTargetsMet = report.databases.every((db) => db.checks.every((check) => check.ok));

  if (options.json) process.stdout.write(JSON.stringify(report, null, 2) + '\n');
  else console.log(table(report));
}

async function benchDatabases(reference, ceiling) {
  const databases = [];
  if (!options['no-sqlite']) {
    let files = 0;
    const newSqlite = async () => {
      const file = join(workDir, `bench-${++files}.db`);
      return { url: `sqlite:${file}`, drop: async () => {} };
    };
    databases.push(await benchDatabase('sqlite', newSqlite, reference, ceiling));
    if (SCENARIOS.has('es256')) databases.at(-1).es256 = await benchEs256('sqlite', newSqlite);
    if (SCENARIOS.has('metrics')) databases.at(-1).metrics = await benchMetrics('sqlite', newSqlite);
  }
  if (process.env.BENCH_MYSQL_URL) {
    const newMysql = () => createMysqlDatabase(process.env.BENCH_MYSQL_URL);
    databases.push(await benchDatabase('mysql', newMysql, reference, ceiling));
    if (SCENARIOS.has('es256')) databases.at(-1).es256 = await benchEs256('mysql', newMysql);
  }
  if (process.env.BENCH_POSTGRES_URL) {
    databases.push(
      await benchDatabase('postgres', () => createPostgresDatabase(process.env.BENCH_POSTGRES_URL), reference, ceiling),
    );
  }
  return databases;
}

/** A token shaped like the service's access tokens, signed with the same secret. */
async function referenceToken() {
  const { default: jsonwebtoken } = await import('jsonwebtoken');
  return jsonwebtoken.sign(
    { sub: randomUUID(), sid: randomUUID(), jti: randomUUID(), role: 'user', fresh: true, typ: 'access' },
    JWT_SECRET,
    { algorithm: 'HS256', expiresIn: '15m', issuer: 'nest-auth-service', audience: 'nest-auth-service' },
  );
}

main().then(
  () => process.exit(0),
  (error) => {
    log(`failed: ${error.stack ?? error}`);
    for (const file of readdirSync(workDir).filter((name) => name.endsWith('.log'))) {
      log(`last lines of the service's output (${file}):\n${readFileSync(join(workDir, file), 'utf8').slice(-3000)}`);
    }
    process.exit(1);
  },
);
