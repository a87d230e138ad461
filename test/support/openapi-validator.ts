import type { OpenAPIObject } from '@nestjs/swagger';
import { Ajv, type ValidateFunction } from 'ajv';
import addFormatsModule from 'ajv-formats';
import type { FastifyInstance } from 'fastify';

// ajv-formats is CommonJS; under nodenext its default import is the module object.
const addFormats = addFormatsModule as unknown as (ajv: Ajv) => Ajv;

/** One answer as it left the server. */
export interface ObservedResponse {
  method: string;
  /** The route template as OpenAPI writes it: /api/authors/{id}. */
  path: string;
  status: number;
  headers: Record<string, string | string[] | number | undefined>;
  body: string;
}

/** Headers of the contract: whenever an answer carries one, the document must declare it for that answer. */
const CONTRACT_HEADERS = ['x-request-id', 'retry-after', 'x-ratelimit-limit', 'x-ratelimit-remaining', 'x-ratelimit-reset', 'set-cookie'];

interface HeaderObject {
  required?: boolean;
  schema?: object;
  $ref?: string;
}
interface ResponseObject {
  headers?: Record<string, HeaderObject>;
  content?: Record<string, { schema?: object }>;
}

/**
 * Checks answers against an OpenAPI 3.0 document with Ajv: the status must be listed for
 * the operation, the body must match the listed media type's schema, and the headers of the
 * contract must be declared (and the required ones present and well-formed).
 */
export class ResponseValidator {
  private readonly ajv: Ajv;
  private readonly compiled = new Map<string, ValidateFunction>();

  constructor(private readonly document: OpenAPIObject) {
    // strict: false lets OpenAPI-only keywords (example, xml, ...) through; `nullable` is built in.
    this.ajv = new Ajv({ strict: false, allErrors: true, validateSchema: false });
    addFormats(this.ajv);
    this.ajv.addFormat('password', true);
    this.ajv.addSchema(document as object, 'openapi');
  }

  /** Problems found with one answer; empty when it matches the document. */
  check(observed: ObservedResponse): string[] {
    const where = `${observed.method} ${observed.path} → ${observed.status}`;
    const pathItem = this.document.paths[observed.path] as Record<string, { responses?: Record<string, ResponseObject> }> | undefined;
    if (!pathItem) return [`${where}: the path is not in the document`];
    // Fastify answers HEAD for every GET route: the GET operation describes it.
    const method = observed.method.toLowerCase() === 'head' ? 'get' : observed.method.toLowerCase();
    const operation = pathItem[method];
    if (!operation) return [`${where}: the method is not in the document`];
    const status = String(observed.status);
    const response = operation.responses?.[status] ?? operation.responses?.default;
    if (!response) return [`${where}: status ${status} is not documented`];
    const pointer = `#/paths/${escapePointer(observed.path)}/${method}/responses/${operation.responses?.[status] ? status : 'default'}`;
    return [
      ...this.checkHeaders(where, pointer, response, observed.headers),
      ...(observed.method.toLowerCase() === 'head' ? [] : this.checkBody(where, pointer, response, observed)),
    ];
  }

  private checkHeaders(where: string, pointer: string, response: ResponseObject, headers: ObservedResponse['headers']): string[] {
    const problems: string[] = [];
    const declared = new Map(Object.entries(response.headers ?? {}).map(([name, header]) => [name.toLowerCase(), { name, header }]));
    for (const name of CONTRACT_HEADERS) {
      if (headers[name] !== undefined && !declared.has(name)) problems.push(`${where}: header ${name} is sent but not documented`);
    }
    for (const [lower, { name, header }] of declared) {
      const resolved = header.$ref ? this.resolve<HeaderObject>(header.$ref) : header;
      const value = headers[lower];
      if (value === undefined) {
        if (resolved.required) problems.push(`${where}: required header ${name} is missing`);
        continue;
      }
      if (!resolved.schema || Array.isArray(value)) continue;
      const validate = this.validator(`${pointer}/headers/${escapePointer(name)}`, header.$ref ? `${header.$ref}/schema` : undefined);
      const schemaType = (resolved.schema as { type?: string }).type;
      const typed = schemaType === 'integer' || schemaType === 'number' ? Number(value) : String(value);
      if (!validate(typed)) problems.push(`${where}: header ${name}=${value} ${this.ajv.errorsText(validate.errors)}`);
    }
    return problems;
  }

  private checkBody(where: string, pointer: string, response: ResponseObject, observed: ObservedResponse): string[] {
    const mediaTypes = Object.keys(response.content ?? {});
    if (observed.body.length === 0) {
      return mediaTypes.length > 0 && observed.status !== 204 ? [`${where}: the body is empty, the document promises ${mediaTypes.join(', ')}`] : [];
    }
    const contentType = String(observed.headers['content-type'] ?? '').split(';')[0].trim().toLowerCase();
    if (!mediaTypes.includes(contentType)) {
      return [`${where}: content type "${contentType}" is not documented (${mediaTypes.join(', ') || 'no body'})`];
    }
    if (!response.content?.[contentType]?.schema || contentType !== 'application/json') return [];
    const validate = this.validator(`${pointer}/content/${escapePointer(contentType)}/schema`);
    let body: unknown;
    try {
      body = JSON.parse(observed.body);
    } catch {
      return [`${where}: the body is not JSON`];
    }
    return validate(body) ? [] : [`${where}: body ${this.ajv.errorsText(validate.errors, { dataVar: 'body' })}: ${observed.body.slice(0, 300)}`];
  }

  private validator(pointer: string, refOverride?: string): ValidateFunction {
    const ref = refOverride ? `openapi${refOverride}` : `openapi${pointer}`;
    let validate = this.compiled.get(ref);
    if (!validate) {
      validate = this.ajv.compile({ $ref: ref });
      this.compiled.set(ref, validate);
    }
    return validate;
  }

  private resolve<T>(ref: string): T {
    let node: unknown = this.document;
    for (const part of ref.replace(/^#\//, '').split('/')) {
      node = (node as Record<string, unknown>)[part.replace(/~1/g, '/').replace(/~0/g, '~')];
    }
    return node as T;
  }
}

function escapePointer(segment: string): string {
  return segment.replace(/~/g, '~0').replace(/\//g, '~1');
}

/** Suites start many apps with the same document: compile its schemas once. */
const validators = new Map<string, ResponseValidator>();

function validatorFor(document: OpenAPIObject): ResponseValidator {
  const key = JSON.stringify(document);
  let validator = validators.get(key);
  if (!validator) {
    validator = new ResponseValidator(document);
    validators.set(key, validator);
  }
  return validator;
}

/** Violations seen by the hook; test/support/openapi-jest-setup.ts fails the test that caused them. */
const violations: string[] = [];

export function takeViolations(): string[] {
  return violations.splice(0, violations.length);
}

/**
 * Checks every /api answer the app sends against `document`. The problems are collected
 * rather than thrown, so the answer reaches the test unchanged and the test fails afterwards
 * with the contract's complaint, not with a mangled response.
 */
export function validateResponses(fastify: FastifyInstance, document: OpenAPIObject, sink: string[] = violations): void {
  const validator = validatorFor(document);
  fastify.addHook('onSend', (request, reply, payload, done) => {
    const route = request.routeOptions.url;
    // Routes outside the API (the explorer, the web client) and unmatched paths are not in the document.
    if (route?.startsWith('/api')) {
      const body = typeof payload === 'string' ? payload : Buffer.isBuffer(payload) ? payload.toString('utf8') : payload == null ? '' : null;
      if (body !== null) {
        const problems = validator.check({
          method: request.method,
          path: route.replace(/:(\w+)/g, '{$1}'),
          status: reply.statusCode,
          headers: reply.getHeaders(),
          body,
        });
        sink.push(...problems);
      }
    }
    done(null, payload);
  });
}
