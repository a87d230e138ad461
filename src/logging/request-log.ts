import type { FastifyInstance, FastifyRequest } from 'fastify';
import pino, { type DestinationStream, type Logger as Pino } from 'pino';
import type { Options } from 'pino-http';

/** Log lines wait in memory until this many bytes are pending, or the timer below fires. */
const LOG_BUFFER_BYTES = 4096;
/** ...so a line reaches stdout at most this long after it was logged, even on an idle service. */
const LOG_FLUSH_INTERVAL_MS = 250;

/**
 * Anything that might carry a secret, should it ever be logged as an object: a safety
 * net, since request lines name their fields one by one and carry no headers or bodies.
 */
const REDACTED_PATHS = [
  'password',
  'currentPassword',
  'newPassword',
  'accessToken',
  'refreshToken',
  'token',
  'authorization',
  'cookie',
  '*.password',
  '*.currentPassword',
  '*.newPassword',
  '*.accessToken',
  '*.refreshToken',
  '*.token',
  '*.authorization',
  '*.cookie',
  '*.headers.authorization',
  '*.headers.cookie',
  '*.headers["set-cookie"]',
];

/** The root pino logger nestjs-pino builds, which Nest's Logger writes through too. */
export function pinoOptions(level: string): Options {
  return { level, redact: { paths: REDACTED_PATHS, censor: '[redacted]' } };
}

/**
 * Where the lines go: stdout, written in batches. A write per line (pino's default) was a
 * system call per request, the larger part of what logging at `info` cost GET /api/users/me.
 * Nothing is lost: the buffer is flushed on a short timer, and synchronously when the
 * process exits (pino registers that for every asynchronous destination) or the app closes.
 * With logging off there is nothing to batch, and the default destination stays.
 */
export function logDestination(level: string): DestinationStream | undefined {
  if (level === 'silent') return undefined;
  return pino.destination({ dest: 1, sync: false, minLength: LOG_BUFFER_BYTES, periodicFlush: LOG_FLUSH_INTERVAL_MS });
}

/** Called once per completed request with its route template, e.g. by the latency histogram. */
export type RequestObserver = (method: string, route: string, status: number, seconds: number) => void;

/**
 * One JSON line per request: request id, method, route, status and duration. Done in a
 * Fastify onResponse hook rather than pino-http's middleware, which would add a middleware
 * layer, a child logger and three response listeners to every request of the hot path. The
 * answer's X-Request-Id header is set with the other common headers (app.setup.ts).
 */
export function logRequests(fastify: FastifyInstance, root: Pino, observe?: RequestObserver): void {
  // The lines below name their fields one by one and none can hold a secret, so they skip
  // the redaction safety net: its wildcard paths walk every field of every line, which cost
  // GET /api/users/me about a tenth of its throughput at the default log level.
  const log = root.child({}, { redact: [] });
  fastify.addHook('onResponse', (request, reply, done) => {
    const status = reply.statusCode;
    // The route pattern (/api/users/:id), not the ids in the path; unmatched requests share
    // one metrics label, so scanners cannot grow the histogram without bound.
    if (observe) observe(request.method, request.routeOptions.url ?? 'unmatched', status, reply.elapsedTime / 1000);
    const level = status >= 500 ? 'error' : 'info';
    if (log.isLevelEnabled(level)) {
      log[level](
        {
          requestId: request.id,
          method: request.method,
          route: request.routeOptions.url ?? pathOf(request),
          status,
          durationMs: Math.round(reply.elapsedTime * 10) / 10,
        },
        'request completed',
      );
    }
    done();
  });
}

/** Unmatched requests: the path alone, since a query string may hold anything a client typed. */
function pathOf(request: FastifyRequest): string {
  const query = request.url.indexOf('?');
  return query === -1 ? request.url : request.url.slice(0, query);
}
