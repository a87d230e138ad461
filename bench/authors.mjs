// `npm run bench:authors`: does a list page cost the same at 100 authors and at 100,000?
// Builds if needed, starts the built service on a throw-away SQLite file, seeds 100,000
// authors for one user straight into the file, then times GET /api/authors one request at
// a time (median and p99 per case) at page 1 and page 2,000, by name and with a `q` filter.
//
//   npm run bench:authors [-- --requests 300 --warmup 50 --rows 100000 --no-build --json]
import Database from 'better-sqlite3';
import { execFileSync, spawn } from 'node:child_process';
import { randomBytes, randomUUID } from 'node:crypto';
import { mkdtempSync, openSync, readFileSync, rmSync } from 'node:fs';
import { Agent, request } from 'node:http';
import { createServer } from 'node:net';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const { values: options } = parseArgs({
  options: {
    requests: { type: 'string', default: '300' },
    warmup: { type: 'string', default: '50' },
    rows: { type: 'string', default: '100000' },
    'no-build': { type: 'boolean', default: false },
    json: { type: 'boolean', default: false },
  },
});
const REQUESTS = Number(options.requests);
const WARMUP = Number(options.warmup);
const ROWS = Number(options.rows);
const LIMIT = 20;
const DEEP_PAGE = 2000;
const TARGET_P99_MS = 20;
const TARGET_DEEP_RATIO = 5;
const PASSWORD = 'Bench-passphrase-for-authors-3141';

const log = (message) => process.stderr.write(`[bench:authors] ${message}\n`);
const workDir = mkdtempSync(join(tmpdir(), 'authors-bench-'));
let server;

function cleanup() {
  if (server && server.exitCode === null && server.signalCode === null) server.kill('SIGKILL');
  rmSync(workDir, { recursive: true, force: true });
}
process.on('exit', cleanup);
for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => process.exit(130));
// Bounded whatever happens: a hung server or request cannot keep the run alive.
setTimeout(() => {
  log('time limit reached; aborting');
  process.exit(1);
}, 10 * 60_000).unref();

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

function freePort() {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const { port } = probe.address();
      probe.close(() => resolve(port));
    });
  });
}

// One keep-alive connection, requests strictly one after another: latency, not throughput.
const agent = new Agent({ keepAlive: true, maxSockets: 1 });
let base;

function call(method, path, { token, body } = {}) {
  return new Promise((resolve, reject) => {
    const payload = body === undefined ? undefined : JSON.stringify(body);
    const headers = {};
    if (token) headers.authorization = `Bearer ${token}`;
    if (payload) Object.assign(headers, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(payload) });
    const req = request(`${base}${path}`, { method, agent, headers }, (response) => {
      const chunks = [];
      response.on('data', (chunk) => chunks.push(chunk));
      response.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8');
        resolve({ status: response.statusCode, body: text ? JSON.parse(text) : undefined });
      });
    });
    req.setTimeout(10_000, () => req.destroy(new Error(`${method} ${path} timed out`)));
    req.once('error', reject);
    req.end(payload);
  });
}

async function startServer(databaseFile) {
  const port = await freePort();
  base = `http://127.0.0.1:${port}`;
  const logFile = join(workDir, 'server.log');
  const out = openSync(logFile, 'a');
  server = spawn(process.execPath, [join(ROOT, 'dist/src/main.js')], {
    cwd: ROOT,
    env: {
      PATH: process.env.PATH,
      HOME: process.env.HOME,
      NODE_ENV: 'production',
      PORT: String(port),
      DATABASE_URL: `sqlite:${databaseFile}`,
      JWT_SECRET: randomBytes(48).toString('base64url'),
      ENCRYPTION_KEY: randomBytes(48).toString('base64url'),
      LOG_LEVEL: 'silent',
      THROTTLE_AUTH_LIMIT: '100000',
    },
    stdio: ['ignore', out, out],
  });
  const end = Date.now() + 60_000;
  while (Date.now() < end) {
    if (server.exitCode !== null) break;
    try {
      if ((await call('GET', '/api/health')).status === 200) return;
    } catch {
      // not listening yet
    }
    await sleep(100);
  }
  log(`server output:\n${readFileSync(logFile, 'utf8').slice(-4000)}`);
  throw new Error('the service did not start');
}

async function stopServer() {
  if (server.exitCode !== null || server.signalCode !== null) return;
  const exited = new Promise((resolve) => server.once('exit', resolve));
  server.kill('SIGTERM');
  await Promise.race([exited, sleep(10_000)]);
  if (server.exitCode === null && server.signalCode === null) server.kill('SIGKILL');
}

const FIRST = ['Hilary', 'Arundhati', 'Kazuo', 'Ben', 'Anne', 'Zadie', 'Iris', 'Salman', 'Margaret', 'Ian', 'Penelope', 'Julian', 'Bernardine', 'Douglas', 'Anna', 'Eleanor', 'Paul', 'Damon', 'Shehan', 'George'];
const LAST = ['Mantel', 'Roy', 'Ishiguro', 'Okri', 'Enright', 'Smith', 'Murdoch', 'Rushdie', 'Atwood', 'McEwan', 'Fitzgerald', 'Barnes', 'Evaristo', 'Stuart', 'Burns', 'Catton', 'Lynch', 'Galgut', 'Karunatilaka', 'Saunders', 'Coetzee', 'Byatt', 'Golding', 'Carey', 'Ondaatje'];
const WORDS = ['Wolf', 'Hall', 'Small', 'Things', 'Remains', 'Day', 'Famished', 'Road', 'Gathering', 'Sea', 'Blind', 'Assassin', 'Offshore', 'Sense', 'Ending', 'Girl', 'Woman', 'Other', 'Shuggie', 'Bain', 'Milkman', 'Luminaries', 'Prophet', 'Song', 'Promise'];
const COUNTRIES = ['United Kingdom', 'Ireland', 'India', 'Japan', 'Nigeria', 'Canada', 'South Africa', 'Sri Lanka', 'New Zealand', 'Australia'];

const nameOf = (i) => `${FIRST[i % FIRST.length]} ${LAST[(i * 7) % LAST.length]} ${i}`;

/** Straight into the file in one transaction, as the service would store them (search copies, spread timestamps). */
function seed(databaseFile, ownerId) {
  const db = new Database(databaseFile);
  db.pragma('busy_timeout = 5000');
  const insert = db.prepare(
    `INSERT INTO authors (id, owner_id, name, book, country, booker_prize, name_search, book_search, created_at, updated_at)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
  );
  const start = Date.now() - ROWS * 60_000;
  const stamp = (ms) => new Date(ms).toISOString().replace('T', ' ').replace('Z', '');
  db.transaction(() => {
    for (let i = 0; i < ROWS; i++) {
      const name = nameOf(i);
      const book = `The ${WORDS[(i * 3) % WORDS.length]} of ${WORDS[(i * 11) % WORDS.length]} ${i}`;
      // About a minute apart and not in insertion order (7919 is coprime with 10^n).
      const at = stamp(start + ((i * 7919) % ROWS) * 60_000 + (i % 1000));
      insert.run(randomUUID(), ownerId, name, book, COUNTRIES[i % COUNTRIES.length], i % 13 === 0 ? 1 : 0, name.toLowerCase(), book.toLowerCase(), at, at);
    }
  })();
  // The plans the list queries get (the service's SQL shape: a covering-index id page, then the rows by id).
  const plan = (sql, ...params) =>
    db
      .prepare(`EXPLAIN QUERY PLAN ${sql}`)
      .all(...params)
      .map((row) => row.detail)
      .join('; ');
  const plans = {
    'page ids, -createdAt': plan(
      'SELECT id FROM authors WHERE owner_id = ? ORDER BY created_at DESC, id DESC LIMIT 20 OFFSET 39980',
      ownerId,
    ),
    'page ids, name': plan(
      'SELECT id FROM authors WHERE owner_id = ? ORDER BY name_search ASC, book_search ASC LIMIT 20 OFFSET 39980',
      ownerId,
    ),
    count: plan('SELECT COUNT(*) FROM authors WHERE owner_id = ?', ownerId),
    'page ids, q': plan(
      `SELECT id FROM authors WHERE owner_id = ? AND (name_search LIKE ? ESCAPE '!' OR book_search LIKE ? ESCAPE '!')
       ORDER BY created_at DESC, id DESC LIMIT 20`,
      ownerId,
      '%mantel%',
      '%mantel%',
    ),
  };
  db.close();
  return plans;
}

function percentile(sorted, p) {
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];
}

async function measure(label, path, token) {
  const first = await call('GET', path, { token });
  if (first.status !== 200) throw new Error(`${label}: ${first.status} ${JSON.stringify(first.body)}`);
  for (let i = 0; i < WARMUP; i++) await call('GET', path, { token });
  const times = [];
  for (let i = 0; i < REQUESTS; i++) {
    const started = process.hrtime.bigint();
    const response = await call('GET', path, { token });
    times.push(Number(process.hrtime.bigint() - started) / 1e6);
    if (response.status !== 200) throw new Error(`${label}: ${response.status}`);
  }
  times.sort((a, b) => a - b);
  return {
    label,
    path,
    items: first.body.items.length,
    total: first.body.total,
    medianMs: percentile(times, 50),
    p99Ms: percentile(times, 99),
    maxMs: times[times.length - 1],
  };
}

async function main() {
  if (!options['no-build']) execFileSync(process.execPath, [join(ROOT, 'scripts/build-if-needed.mjs')], { cwd: ROOT, stdio: 'inherit' });
  const databaseFile = join(workDir, 'bench.db');
  log(`starting the service on ${databaseFile}`);
  await startServer(databaseFile);

  const username = `bench_${randomBytes(4).toString('hex')}`;
  const registered = await call('POST', '/api/auth/register', { body: { username, password: PASSWORD } });
  if (registered.status !== 201) throw new Error(`register: ${registered.status} ${JSON.stringify(registered.body)}`);
  const loggedIn = await call('POST', '/api/auth/login', { body: { username, password: PASSWORD } });
  if (loggedIn.status !== 200) throw new Error(`login: ${loggedIn.status} ${JSON.stringify(loggedIn.body)}`);
  const token = loggedIn.body.accessToken;

  const seedStarted = Date.now();
  const plans = seed(databaseFile, registered.body.id);
  log(`seeded ${ROWS} authors in ${((Date.now() - seedStarted) / 1000).toFixed(1)} s`);

  const list = (query) => `/api/authors?limit=${LIMIT}&${query}`;
  const cases = [
    ['-createdAt, page 1', list('sort=-createdAt&page=1')],
    [`-createdAt, page ${DEEP_PAGE}`, list(`sort=-createdAt&page=${DEEP_PAGE}`)],
    ['name, page 1', list('sort=name&page=1')],
    [`name, page ${DEEP_PAGE}`, list(`sort=name&page=${DEEP_PAGE}`)],
    ['q=mantel (4% match), page 1', list('sort=-createdAt&q=mantel&page=1')],
    [`q=${nameOf(4242).toLowerCase()} (1 match)`, list(`sort=-createdAt&q=${encodeURIComponent(nameOf(4242).toLowerCase())}&page=1`)],
    ['country + bookerPrize, page 1', list('sort=-createdAt&country=Japan&bookerPrize=true&page=1')],
  ];
  const results = [];
  for (const [label, path] of cases) {
    const result = await measure(label, path, token);
    results.push(result);
    log(`${label}: median ${result.medianMs.toFixed(2)} ms, p99 ${result.p99Ms.toFixed(2)} ms`);
  }
  await stopServer();

  const byLabel = Object.fromEntries(results.map((result) => [result.label, result]));
  const ratios = {
    '-createdAt': byLabel[`-createdAt, page ${DEEP_PAGE}`].medianMs / byLabel['-createdAt, page 1'].medianMs,
    name: byLabel[`name, page ${DEEP_PAGE}`].medianMs / byLabel['name, page 1'].medianMs,
  };
  const indexed = results.filter((result) => !result.label.startsWith('q='));
  const verdict = {
    indexedP99UnderTarget: indexed.every((result) => result.p99Ms < TARGET_P99_MS),
    deepPagesWithinRatio: Object.values(ratios).every((ratio) => ratio <= TARGET_DEEP_RATIO),
  };
  const machine = `${cpus().length} × ${cpus()[0]?.model ?? 'unknown CPU'}, Node ${process.version}`;

  if (options.json) {
    console.log(JSON.stringify({ rows: ROWS, requests: REQUESTS, warmup: WARMUP, machine, results, ratios, verdict, plans }, null, 2));
    return;
  }
  console.log(`\n${ROWS} authors for one user, SQLite, ${REQUESTS} sequential requests per case after ${WARMUP} warm-up; ${machine}\n`);
  console.log('| case | items | total | median ms | p99 ms | max ms |');
  console.log('|---|---:|---:|---:|---:|---:|');
  for (const r of results) {
    console.log(`| ${r.label} | ${r.items} | ${r.total} | ${r.medianMs.toFixed(2)} | ${r.p99Ms.toFixed(2)} | ${r.maxMs.toFixed(2)} |`);
  }
  console.log(`\npage ${DEEP_PAGE} / page 1 (median): -createdAt ${ratios['-createdAt'].toFixed(2)}×, name ${ratios.name.toFixed(2)}×`);
  console.log(`indexed sorts p99 < ${TARGET_P99_MS} ms: ${verdict.indexedP99UnderTarget ? 'yes' : 'NO'}; deep page ≤ ${TARGET_DEEP_RATIO}× page 1: ${verdict.deepPagesWithinRatio ? 'yes' : 'NO'}`);
  console.log('\nquery plans:');
  for (const [name, detail] of Object.entries(plans)) console.log(`  ${name}: ${detail}`);
}

main().then(
  () => process.exit(0),
  (error) => {
    log(error instanceof Error ? (error.stack ?? error.message) : String(error));
    process.exit(1);
  },
);
