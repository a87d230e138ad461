import { BadRequestException, RequestMethod } from '@nestjs/common';
import cookie from '@fastify/cookie';
// reply.sendFile() (the web client's index.html for its own paths) comes from @fastify/static.
import type {} from '@fastify/static';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import { Logger } from 'nestjs-pino';
import { SwaggerModule } from '@nestjs/swagger';
import helmet, { type HelmetOptions } from 'helmet';
import { existsSync } from 'node:fs';
import { STATUS_CODES, type IncomingMessage, type ServerResponse } from 'node:http';
import { fileURLToPath } from 'node:url';
import { createOpenApiDocument } from './common/openapi/document.js';
import { AppConfig } from './config/app-config.js';
import { parseTrustProxy, type TrustProxy } from './config/trust-proxy.js';
import { requestIdFor } from './logging/request-id.js';

export const BODY_LIMIT_BYTES = 100 * 1024;
export const MAX_JSON_DEPTH = 32;

/**
 * Every API answer, errors included: no sniffing a JSON body into something executable, and
 * no browser or proxy may keep it (it carries tokens and account data).
 */
const API_HEADERS = { 'x-content-type-options': 'nosniff', 'cache-control': 'no-store' } as const;

/** The built web client; present after `npm run build`. */
const WEB_ROOT = fileURLToPath(new URL('../web', import.meta.url));

/** Nest's own body parsers would add form bodies; Fastify's built-in JSON parser is all the API takes. */
export const APP_OPTIONS = { bodyParser: false } as const;

/**
 * The HTTP adapter main.ts and the e2e tests both start from. It exists before the config
 * module, so it reads TRUST_PROXY itself (a bad value throws here, naming the variable).
 */
export function createAdapter(env: Record<string, string | undefined> = process.env): FastifyAdapter {
  return new FastifyAdapter({
    bodyLimit: BODY_LIMIT_BYTES,
    trustProxy: fastifyTrustProxy(parseTrustProxy(env.TRUST_PROXY)),
    requestIdHeader: false,
    genReqId: requestIdFor,
    // A malformed URL (bad percent-encoding, an over-long path parameter) is answered by the
    // router before any hook runs: answer it here, in Nest's error shape and uncacheable.
    frameworkErrors: (error: FastifyError, _request: FastifyRequest, reply: FastifyReply) => {
      const statusCode = error.statusCode ?? 400;
      reply
        .code(statusCode)
        .header('cache-control', 'no-store')
        .send({ statusCode, message: error.message, error: STATUS_CODES[statusCode] ?? 'Error' });
    },
  });
}

/** A hop count becomes the function Fastify builds for one: trust the nearest `hops` addresses. */
function fastifyTrustProxy(trust: TrustProxy): boolean | string[] | ((address: string, hop: number) => boolean) {
  return typeof trust === 'number' ? (_address, hop) => hop < trust : trust;
}

/** Everything main.ts applies to the app, so the e2e tests see exactly production behaviour. */
export async function setupApp(app: NestFastifyApplication): Promise<void> {
  const config = app.get(AppConfig);
  const http = config.http;
  // JWKS clients look for the key set at the origin's well-known path, not under /api.
  app.setGlobalPrefix('api', { exclude: [{ path: '.well-known/jwks.json', method: RequestMethod.GET }] });
  app.useLogger(app.get(Logger));
  // No enableShutdownHooks(): main.ts owns the signals (graceful shutdown); a test process must not exit on them.

  const fastify = app.getHttpAdapter().getInstance();
  // JSON only: form and text bodies would let a plain HTML form post to the API.
  fastify.removeContentTypeParser(['text/plain']);
  // class-transformer and class-validator recurse into nested values: a 10,000-level body
  // would overflow the stack (a 500), so deep nesting is refused while parsing.
  const parseJson = fastify.getDefaultJsonParser('error', 'error');
  fastify.removeContentTypeParser('application/json');
  fastify.addContentTypeParser('application/json', { parseAs: 'string' }, (request, body, done) => {
    // Many clients send `Content-Type: application/json` with no body on logout or refresh:
    // that is "no body", not malformed JSON. Routes that need a body still answer 400.
    if ((body as string).trim() === '') return done(null, undefined);
    parseJson(request, body as string, (error: Error | null, value?: unknown) => {
      if (error) return done(error);
      if (nestedDeeperThan(value, MAX_JSON_DEPTH)) {
        return done(new BadRequestException(`JSON body is nested deeper than ${MAX_JSON_DEPTH} levels`));
      }
      done(null, value);
    });
  });

  await app.register(cookie);
  // helmet's full set (CSP, frame options, COOP, ...) governs documents: the web client's
  // pages, the explorer and static files. A JSON answer is never rendered as a page, so it
  // gets only what applies to it (API_HEADERS): ~650 bytes less on every API call.
  const documentHeaders = helmetHeaders({
    contentSecurityPolicy: {
      directives: {
        defaultSrc: ["'self'"],
        scriptSrc: ["'self'"],
        // The OpenAPI explorer sets inline styles; scripts stay same-origin only.
        styleSrc: ["'self'", "'unsafe-inline'"],
        imgSrc: ["'self'", 'data:'],
        connectSrc: ["'self'"],
        frameAncestors: ["'none'"],
        formAction: ["'self'"],
        objectSrc: ["'none'"],
        baseUri: ["'self'"],
        // The service may be run on plain http (localhost, behind a TLS proxy); do not force https.
        upgradeInsecureRequests: null,
      },
    },
  });
  const servesClient = existsSync(WEB_ROOT);
  // One hook for what every answer carries; a hook per concern cost each request a few µs.
  fastify.addHook('onRequest', (request, reply, done) => {
    // The id the request line is logged under (genReqId above), for support requests.
    reply.header('x-request-id', request.id);
    if (isApiPath(request.url)) {
      reply.headers(API_HEADERS);
    } else if (request.url.startsWith('/.well-known/')) {
      reply.header('x-content-type-options', 'nosniff');
    } else {
      reply.headers(documentHeaders);
      // The web client routes with real paths (History API): /login typed or reloaded must
      // load the client, not a JSON 404. Only page loads that match nothing else get it;
      // the API and the docs keep their own 404s, and files that do not exist stay 404s.
      if (servesClient && isClientPageLoad(request.method, request.url, request.headers.accept, request.is404)) {
        void reply.sendFile('index.html');
        return;
      }
    }
    done();
  });

  if (http.corsOrigins.length > 0) {
    app.enableCors({
      origin: http.corsOrigins,
      credentials: true,
      // The CORS plugin's default (GET, HEAD, POST) would fail the preflight of PUT, PATCH and DELETE.
      methods: ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE'],
      // Lets a cross-origin SPA tell the user how long a lockout or throttle lasts.
      exposedHeaders: ['Retry-After'],
    });
  }

  if (config.docs.enabled) {
    const document = createOpenApiDocument(app);
    SwaggerModule.setup('docs', app, document, { jsonDocumentUrl: 'docs-json' });
  }

  if (servesClient) {
    // wildcard: false registers a route per built file, so any other path is a 404 the hook above can see.
    app.useStaticAssets({ root: WEB_ROOT, prefix: '/', index: ['index.html'], wildcard: false });
  }
}

/** A browser asking for a page at a path no route or file answers, outside the API and docs. */
export function isClientPageLoad(method: string, url: string, accept: string | undefined, is404: boolean): boolean {
  if (!is404 || (method !== 'GET' && method !== 'HEAD')) return false;
  if (!accept || !/\btext\/html\b/.test(accept)) return false;
  const path = url.split('?')[0] ?? '';
  // /metrics lives on METRICS_PORT only: the public port answers it 404 even to a browser.
  if (/^\/(api|docs|docs-json|metrics)(\/|$)/.test(path) || path.startsWith('/.well-known/')) return false;
  // A missing file (anything with an extension) is a real 404, not a client route.
  return !/\.[^/]*$/.test(path);
}

/**
 * helmet's headers for these options, computed once: they depend on nothing in the
 * request, and @fastify/helmet rebuilds the whole helmet middleware on every request.
 */
function helmetHeaders(options: HelmetOptions): Record<string, string> {
  const headers: Record<string, string> = {};
  const response = {
    setHeader: (name: string, value: string) => (headers[name.toLowerCase()] = String(value)),
    removeHeader: () => undefined,
  };
  helmet(options)({} as IncomingMessage, response as unknown as ServerResponse, (error?: unknown) => {
    if (error) throw error;
  });
  return headers;
}

function isApiPath(url: string): boolean {
  return url === '/api' || url.startsWith('/api/') || url.startsWith('/api?');
}

/** Iterative, so measuring a hostile body cannot itself overflow the stack. */
function nestedDeeperThan(value: unknown, limit: number): boolean {
  const pending: Array<[unknown, number]> = [[value, 1]];
  while (pending.length > 0) {
    const [current, depth] = pending.pop()!;
    if (current === null || typeof current !== 'object') continue;
    if (depth > limit) return true;
    for (const child of Object.values(current)) pending.push([child, depth + 1]);
  }
  return false;
}
