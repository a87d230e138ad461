import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Options } from 'pino-http';

/** Set by app.setup.ts's onRequest hook: the matched route pattern, e.g. /api/users/:id. */
export const ROUTE: unique symbol = Symbol('route');

declare module 'node:http' {
  interface IncomingMessage {
    [ROUTE]?: string;
  }
}

type LoggedRequest = IncomingMessage & { originalUrl?: string };

/**
 * Anything that might carry a secret, should it ever be logged as an object: a safety
 * net, since request lines below name their fields one by one and carry no headers or bodies.
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

/**
 * pino-http options for one JSON line per request: request id, method, route, status and
 * duration. The request logger carries only the id, so Nest's Logger calls made while
 * handling a request are tied to it without repeating the request.
 */
export function requestLogOptions(level: string): Options<LoggedRequest, ServerResponse> {
  return {
    level,
    redact: { paths: REDACTED_PATHS, censor: '[redacted]' },
    quietReqLogger: true,
    quietResLogger: true,
    customAttributeKeys: { reqId: 'requestId', responseTime: 'durationMs' },
    customLogLevel: (_request, response, error) => (error || response.statusCode >= 500 ? 'error' : 'info'),
    customSuccessMessage: (request, response) =>
      request.readableAborted || !response.writableEnded ? 'request aborted' : 'request completed',
    customErrorMessage: () => 'request failed',
    customSuccessObject: (request, response, value) => requestLine(request, response, value),
    // The cause of a 5xx is logged once, with its stack, by HttpErrorFilter under the same request id.
    customErrorObject: (request, response, _error, value) => requestLine(request, response, value),
  };
}

function requestLine(request: LoggedRequest, response: ServerResponse, value: { durationMs?: number }) {
  return {
    method: request.method,
    route: request[ROUTE] ?? pathOf(request),
    status: response.statusCode,
    durationMs: value.durationMs,
  };
}

/** Unmatched requests: the path alone, since a query string may hold anything a client typed. */
function pathOf(request: LoggedRequest): string {
  const url = request.originalUrl ?? request.url ?? '';
  const query = url.indexOf('?');
  return query === -1 ? url : url.slice(0, query);
}
