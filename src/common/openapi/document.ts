import type { INestApplication } from '@nestjs/common';
import {
  DocumentBuilder,
  SwaggerModule,
  type OpenAPIObject,
  type OperationObject,
  type ReferenceObject,
  type ResponseObject,
  type SchemaObject,
} from '@nestjs/swagger';
import { PUBLIC_MARK, RATE_LIMITED_MARK } from './decorators.js';
import { ErrorResponseDto } from './error-response.dto.js';
import { API_TAGS } from './tags.js';

/** The security scheme of the access token; also the name `@ApiBearerAuth()` uses by default. */
export const ACCESS_TOKEN_SCHEME = 'bearer';
export const REFRESH_TOKEN_SCHEME = 'refreshToken';
export const REFRESH_COOKIE_SCHEME = 'refreshCookie';
export const CSRF_HEADER_SCHEME = 'csrfToken';

const ERROR_SCHEMA: ReferenceObject = { $ref: `#/components/schemas/${ErrorResponseDto.name}` };
const HTTP_METHODS = ['get', 'put', 'post', 'delete', 'options', 'head', 'patch', 'trace'] as const;
/** Fastify parses a body on these methods, so any of them can meet malformed JSON, a huge body or a wrong media type. */
const BODY_METHODS = new Set(['post', 'put', 'patch', 'delete']);

/**
 * The document served at /docs-json. Decorators describe each route; the rules every route
 * shares (who may call it by default, the errors and headers that any route can answer) are
 * applied here once, so a new route cannot forget them.
 */
export function createOpenApiDocument(app: INestApplication): OpenAPIObject {
  const builder = new DocumentBuilder()
    .setTitle('Auth service')
    .setDescription(
      'Registration, login, rotating refresh tokens, sessions, roles and an owned authors resource. ' +
        'Send the access token as `Authorization: Bearer <token>`. Every request body is JSON; unknown fields are refused (400). ' +
        'Every answer carries an `X-Request-Id` header (the caller’s own when it sent a sane one).',
    )
    .setVersion('1.0')
    .setLicense('MIT', 'https://opensource.org/licenses/MIT')
    .addServer('/', 'The origin that serves this document')
    .addBearerAuth(
      { type: 'http', scheme: 'bearer', bearerFormat: 'JWT', description: 'The access token from login or refresh' },
      ACCESS_TOKEN_SCHEME,
    )
    .addBearerAuth(
      {
        type: 'http',
        scheme: 'bearer',
        bearerFormat: 'JWT',
        description: 'The refresh token as `Authorization: Bearer` (it may also come as `{"refreshToken"}` in the body)',
      },
      REFRESH_TOKEN_SCHEME,
    )
    .addApiKey(
      { type: 'apiKey', in: 'cookie', name: 'refresh_token', description: 'Cookie mode: the HttpOnly refresh cookie set by login' },
      REFRESH_COOKIE_SCHEME,
    )
    .addApiKey(
      {
        type: 'apiKey',
        in: 'header',
        name: 'X-CSRF-Token',
        description: 'Cookie mode: must equal the readable `csrf_token` cookie whenever the refresh cookie is used (else 403)',
      },
      CSRF_HEADER_SCHEME,
    );
  for (const [name, description] of Object.entries(API_TAGS)) builder.addTag(name, description);

  const document = SwaggerModule.createDocument(app, builder.build(), {
    extraModels: [ErrorResponseDto],
    operationIdFactory: (_controllerKey, methodKey) => methodKey,
  });
  return applyHouseRules(document);
}

/** Exported for the tests that prove the rules hold. */
export function applyHouseRules(document: OpenAPIObject): OpenAPIObject {
  document.components ??= {};
  document.components.headers = { ...document.components.headers, ...SHARED_HEADERS };

  for (const pathItem of Object.values(document.paths)) {
    for (const method of HTTP_METHODS) {
      const operation = pathItem[method];
      if (!operation) continue;
      const extensions = operation as unknown as Record<string, unknown>;
      const isPublic = Boolean(extensions[PUBLIC_MARK]);
      const rateLimited = Boolean(extensions[RATE_LIMITED_MARK]);
      delete extensions[PUBLIC_MARK];
      delete extensions[RATE_LIMITED_MARK];

      // A route's own @ApiSecurity wins; else the global guard wants an access token unless the route is @Public().
      if (!operation.security?.length) operation.security = isPublic ? [] : [{ [ACCESS_TOKEN_SCHEME]: [] }];

      const responses = operation.responses;
      if (!isPublic) addError(responses, 401, 'Missing, invalid, expired or revoked access token');
      if (BODY_METHODS.has(method)) {
        // A route that reads no body ignores one, but its JSON must still parse.
        addError(responses, 400, operation.requestBody ? 'Malformed JSON, or invalid or unknown fields' : 'Malformed JSON in the body (the route reads none)');
        addError(responses, 413, 'The body is larger than 100 KiB');
        addError(responses, 415, 'The body is not `application/json`');
      }
      // Every route reads the database (the session check alone does).
      addError(responses, 503, 'The database is unavailable; try again shortly');

      for (const [status, response] of Object.entries(responses)) {
        const answer = response as ResponseObject;
        const headers = (answer.headers ??= {});
        headers['X-Request-Id'] = { $ref: '#/components/headers/X-Request-Id' };
        if (Number(status) >= 400) answer.content ??= { 'application/json': { schema: ERROR_SCHEMA } };
        if (status === '429') headers['Retry-After'] = { $ref: '#/components/headers/Retry-After' };
        // Every answer after the limiter counted the request, a lockout's 429 among them.
        if (rateLimited) {
          for (const name of ['X-RateLimit-Limit', 'X-RateLimit-Remaining', 'X-RateLimit-Reset']) {
            headers[name] = { $ref: `#/components/headers/${name}` };
          }
        }
      }

      sortResponses(operation);
    }
  }

  // Request bodies: the validation pipe refuses unknown fields (forbidNonWhitelisted). Answers:
  // they carry exactly the documented fields, so a response validator catches a leaked one (a hash, a secret).
  for (const schema of Object.values(document.components.schemas ?? {}) as SchemaObject[]) {
    if (schema.type === 'object' && schema.properties && schema.additionalProperties === undefined) schema.additionalProperties = false;
  }
  return document;
}

function addError(responses: OperationObject['responses'], status: number, description: string): void {
  responses[status] ??= { description, content: { 'application/json': { schema: ERROR_SCHEMA } } };
}

function sortResponses(operation: OperationObject): void {
  const sorted = Object.keys(operation.responses).sort();
  operation.responses = Object.fromEntries(sorted.map((status) => [status, operation.responses[status]]));
}

const integerHeader = (description: string) => ({ description, schema: { type: 'integer' as const, minimum: 0 } });

const SHARED_HEADERS = {
  'X-Request-Id': {
    description: 'Identifies the request in the service’s logs: the caller’s own `X-Request-Id` when it sent a sane one',
    required: true,
    schema: { type: 'string' as const, example: '4f9c1e52-8f55-4d8e-9a43-0d9c2f2b7a11' },
  },
  'Retry-After': { ...integerHeader('Seconds to wait before trying again'), required: true },
  'X-RateLimit-Limit': integerHeader('Requests allowed per window for this client'),
  'X-RateLimit-Remaining': integerHeader('Requests left in the current window'),
  'X-RateLimit-Reset': integerHeader('Seconds until the window resets'),
};
