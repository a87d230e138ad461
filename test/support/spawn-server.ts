import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { createServer } from 'node:net';
import { fileURLToPath } from 'node:url';
import { TEST_ENCRYPTION_KEY, TEST_JWT_SECRET } from './test-app.js';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const STARTUP_TIMEOUT_MS = 30_000;

export interface Exit {
  code: number | null;
  signal: NodeJS.Signals | null;
}

/** `sh scripts/start.sh` (what `npm start` and the Docker image run) as a child process: the real entry point, signals and all. */
export interface SpawnedServer {
  readonly url: string;
  readonly port: number;
  readonly child: ChildProcess;
  /** Everything the process wrote to stdout so far. */
  stdout(): string;
  stderr(): string;
  readonly exited: Promise<Exit>;
  isRunning(): boolean;
  /** Waits (bounded) for the process to end; SIGKILLs it and rejects when it does not. */
  waitForExit(timeoutMs?: number): Promise<Exit>;
  /** Sends the signal and waits (bounded) for the process to end. */
  stop(signal?: NodeJS.Signals, timeoutMs?: number): Promise<Exit>;
}

const running = new Set<SpawnedServer>();
let built = false;

/** Compiles dist/ once per test file when it is missing or older than the sources (call it in a beforeAll with a long timeout). */
export function ensureBuilt(): void {
  if (built) return;
  execFileSync(process.execPath, ['scripts/build-if-needed.mjs'], { cwd: ROOT, stdio: 'inherit' });
  built = true;
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

/**
 * Starts the built service with `env` on top of test defaults (quiet logs, the test JWT
 * secret, no throttling) and resolves once /api/health answers 200.
 */
export async function spawnServer(env: Record<string, string>, options: { port?: number } = {}): Promise<SpawnedServer> {
  ensureBuilt();
  const port = options.port ?? (await freePort());
  const child = spawn('sh', ['scripts/start.sh'], {
    cwd: ROOT,
    env: {
      PATH: process.env.PATH ?? '',
      NODE_ENV: 'test',
      JWT_SECRET: TEST_JWT_SECRET,
      ENCRYPTION_KEY: TEST_ENCRYPTION_KEY,
      THROTTLE_AUTH_LIMIT: '100000',
      LOGIN_MAX_FAILURES: '1000',
      LOG_LEVEL: 'silent',
      ...env,
      PORT: String(port),
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  let err = '';
  child.stdout!.setEncoding('utf8').on('data', (chunk: string) => (out += chunk));
  child.stderr!.setEncoding('utf8').on('data', (chunk: string) => (err += chunk));
  const exited = new Promise<Exit>((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })));

  const server: SpawnedServer = {
    url: `http://127.0.0.1:${port}`,
    port,
    child,
    stdout: () => out,
    stderr: () => err,
    exited,
    isRunning: () => child.exitCode === null && child.signalCode === null,
    stop(signal = 'SIGTERM', timeoutMs = 15_000) {
      if (server.isRunning()) child.kill(signal);
      return server.waitForExit(timeoutMs);
    },
    async waitForExit(timeoutMs = 15_000) {
      let timer: NodeJS.Timeout | undefined;
      const timedOut = new Promise<never>((_, reject) => {
        timer = setTimeout(() => {
          child.kill('SIGKILL');
          reject(new Error(`server did not exit within ${timeoutMs} ms`));
        }, timeoutMs);
      });
      try {
        return await Promise.race([exited, timedOut]);
      } finally {
        clearTimeout(timer);
      }
    },
  };
  running.add(server);
  void exited.then(() => running.delete(server));

  const deadline = Date.now() + STARTUP_TIMEOUT_MS;
  while (Date.now() < deadline) {
    if (!server.isRunning()) break;
    const status = await fetch(`${server.url}/api/health`).then(
      (response) => response.status,
      () => 0,
    );
    if (status === 200) return server;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  child.kill('SIGKILL');
  throw new Error(`server did not become healthy on port ${port}\nstdout:\n${out}\nstderr:\n${err}`);
}

/** For afterAll: no child outlives its test file. */
export async function killAllServers(): Promise<void> {
  await Promise.all([...running].map((server) => server.stop('SIGKILL', 5000).catch(() => undefined)));
}

export interface CallResult {
  status: number;
  body: any;
  headers: Headers;
  /** Wall-clock time to the full response, in ms. */
  ms: number;
}

/** One JSON request to a spawned server, timed; never hangs longer than `timeoutMs`. */
export async function call(
  baseUrl: string,
  method: string,
  path: string,
  options: { token?: string; body?: unknown; headers?: Record<string, string>; timeoutMs?: number } = {},
): Promise<CallResult> {
  const headers: Record<string, string> = { ...options.headers };
  if (options.token) headers.authorization = `Bearer ${options.token}`;
  if (options.body !== undefined) headers['content-type'] = 'application/json';
  const started = performance.now();
  const response = await fetch(baseUrl + path, {
    method,
    headers,
    body: options.body === undefined ? undefined : JSON.stringify(options.body),
    signal: AbortSignal.timeout(options.timeoutMs ?? 10_000),
  });
  const text = await response.text();
  const ms = performance.now() - started;
  let body: unknown = text;
  try {
    body = text ? JSON.parse(text) : undefined;
  } catch {
    // Not JSON: keep the text.
  }
  return { status: response.status, body, headers: response.headers, ms };
}
