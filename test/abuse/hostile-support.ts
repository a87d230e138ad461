import { expect } from '@jest/globals';
import { randomUUID } from 'node:crypto';
import type { Response } from 'supertest';
import { login, registerUser } from '../support/auth-helpers.js';
import { strongPassword, uniqueName, type TestApp } from '../support/test-app.js';

/** What the hostile and fuzz suites know about one route, read from the OpenAPI document. */
export interface Operation {
  method: 'get' | 'post' | 'put' | 'patch' | 'delete';
  path: string;
  pathParams: string[];
  query: Array<{ name: string; schema: Schema }>;
  body?: Schema;
}

export interface Schema {
  type?: string;
  format?: string;
  pattern?: string;
  enum?: unknown[];
  example?: unknown;
  properties?: Record<string, Schema>;
  required?: string[];
  $ref?: string;
  allOf?: Schema[];
}

type OpenApi = { paths: Record<string, Record<string, any>>; components?: { schemas?: Record<string, Schema> } };

export function readOperations(document: OpenApi): Operation[] {
  const resolve = (schema: Schema | undefined): Schema | undefined => {
    if (!schema) return undefined;
    if (schema.$ref) return resolve(document.components?.schemas?.[schema.$ref.split('/').pop()!]);
    if (schema.allOf) {
      const parts = schema.allOf.map(resolve);
      return {
        type: 'object',
        properties: Object.assign({}, ...parts.map((part) => part?.properties ?? {})),
        required: parts.flatMap((part) => part?.required ?? []),
      };
    }
    return schema;
  };
  const operations: Operation[] = [];
  for (const [path, methods] of Object.entries(document.paths)) {
    for (const [method, operation] of Object.entries(methods)) {
      if (!['get', 'post', 'put', 'patch', 'delete'].includes(method)) continue;
      const parameters: Array<{ name: string; in: string; schema: Schema }> = operation.parameters ?? [];
      operations.push({
        method: method as Operation['method'],
        path,
        pathParams: parameters.filter((p) => p.in === 'path').map((p) => p.name),
        query: parameters.filter((p) => p.in === 'query').map((p) => ({ name: p.name, schema: resolve(p.schema) ?? {} })),
        body: resolve(operation.requestBody?.content?.['application/json']?.schema),
      });
    }
  }
  return operations;
}

/** Wrong types, edge sizes, encodings and injection strings for a JSON field. */
export const HOSTILE_VALUES: unknown[] = [
  0, -1, 1.5, 1e308, 2 ** 64, true, false, null,
  [], ['a'], [[[]]], {}, { a: 1 }, { $gt: '' },
  '', ' ', 'x'.repeat(10_000), '😀'.repeat(200),
  'nul\u0000byte', 'ctrl\u0001\u0007\u001b[31m\u007f', 'line\r\nbreak\ttab', '\u202eevil\u200b\ufeff',
  'lone\ud800surrogate', 'Z\u0334\u0321a\u0338l\u0337g\u0335o',
  "' OR '1'='1", "'; DROP TABLE users; --", "admin'--", '1; SELECT SLEEP(5)', "%' AND 1=1 AND '%'='",
  '\\', '%_', '../../etc/passwd', '<script>alert(1)</script>', '${7*7}{{7*7}}',
  '00000000-0000-0000-0000-000000000000', 'NaN', '1e309', 'true', 'null',
  'admin', 'disabled', '2024-13-45T25:61:61Z',
];

/** Hostile query-string values, already URL-encoded. */
export const HOSTILE_QUERY_VALUES: string[] = [
  '', 'abc', '0', '-1', '1.5', '1e3', '1e309', '99999999999999999999999', 'NaN', 'Infinity', '0x10', '%201', '1%20',
  '%00', 'a%00b', '%0d%0aX-Injected:%201', encodeURIComponent('x'.repeat(5_000)), encodeURIComponent('😀'.repeat(50)),
  encodeURIComponent("' OR '1'='1"), encodeURIComponent("'; DROP TABLE users; --"), '%25', '_', '%5C', 'true', 'TRUE',
  '%5B%5D', '%7B%7D', '__proto__', 'constructor', '%ED%A0%80', '%zz', '%', '-createdAt', 'name', 'active', 'admin',
  '00000000-0000-0000-0000-000000000000', randomUUID(),
];

/** Hostile path ids, already URL-encoded. */
export const HOSTILE_IDS: string[] = [
  'not-a-uuid', '1', '0', '-1', 'null', 'undefined', '00000000-0000-0000-0000-000000000000', randomUUID(),
  randomUUID().toUpperCase(), 'x'.repeat(2_000), encodeURIComponent("' OR 1=1 --"), '%00', 'a%00b',
  '%2e%2e%2f%2e%2e%2fetc%2fpasswd', '..', '%F0%9F%98%80', '%ED%A0%80', '%zz', `${randomUUID()}%20OR%201=1`,
  `{${randomUUID()}}`, '__proto__', 'constructor',
];

const deepArray = (depth: number) => '['.repeat(depth) + ']'.repeat(depth);
const deepObject = (depth: number) => '{"a":'.repeat(depth) + '1' + '}'.repeat(depth);

/** Whole request bodies that are malformed, oddly shaped or abusive, as raw text or bytes. */
export function hostileBodies(baseline: Record<string, unknown>): Array<{ label: string; raw: string | Buffer; parses: boolean }> {
  const base = JSON.stringify(baseline);
  const withKey = (key: string, value: string) => (base === '{}' ? `{"${key}":${value}}` : base.replace(/^\{/, `{"${key}":${value},`));
  const bodies: Array<{ label: string; raw: string | Buffer }> = [
    { label: 'empty', raw: '' },
    { label: 'whitespace', raw: '   ' },
    { label: 'null', raw: 'null' },
    { label: 'true', raw: 'true' },
    { label: 'number', raw: '42' },
    { label: 'string', raw: '"just a string"' },
    { label: 'array', raw: '[]' },
    { label: 'array of objects', raw: `[${base}]` },
    { label: 'truncated', raw: base.slice(0, Math.max(1, base.length - 3)) },
    { label: 'unquoted keys', raw: '{a:1}' },
    { label: 'single quotes', raw: "{'a':1}" },
    { label: 'trailing comma', raw: base.replace(/\}$/, ',}') },
    { label: 'two documents', raw: `${base}${base}` },
    { label: 'NaN', raw: '{"a":NaN}' },
    { label: 'huge number', raw: withKey('a', '1e999') },
    { label: 'BOM', raw: `\ufeff${base}` },
    { label: 'NUL byte', raw: `\u0000${base}` },
    { label: 'invalid UTF-8', raw: Buffer.concat([Buffer.from(base.replace(/\}$/, ',"x":"')), Buffer.from([0xff, 0xfe, 0xc3]), Buffer.from('"}')]) },
    { label: 'lone surrogate escape', raw: withKey('a', '"\\ud800"') },
    { label: '__proto__', raw: withKey('__proto__', '{"role":"admin","isAdmin":true}') },
    { label: 'constructor.prototype', raw: withKey('constructor', '{"prototype":{"role":"admin"}}') },
    { label: 'prototype key', raw: withKey('prototype', '{"role":"admin"}') },
    { label: 'duplicate keys', raw: base.replace(/\}$/, ',"name":"a","name":{"$ne":1}}') },
    { label: 'unknown fields', raw: withKey('role', '"admin"') },
    { label: 'many keys', raw: `{${Array.from({ length: 5_000 }, (_, i) => `"k${i}":1`).join(',')}}` },
    { label: 'deep arrays 10,000', raw: deepArray(10_000) },
    { label: 'deep objects 10,000', raw: deepObject(10_000) },
    { label: 'deep arrays 45,000', raw: deepArray(45_000) },
    { label: 'deep value in a field', raw: withKey('name', deepObject(10_000)) },
    { label: 'deep array in a field', raw: withKey('username', deepArray(10_000)) },
  ];
  return bodies.map((body) => ({ ...body, parses: parsesAsJson(body.raw) }));
}

function parsesAsJson(raw: string | Buffer): boolean {
  try {
    JSON.parse(raw.toString());
    return true;
  } catch {
    return false;
  }
}

export const TWO_MEGABYTES = JSON.stringify({ name: 'x'.repeat(2 * 1024 * 1024) });

/** A body that satisfies the schema's required fields, so one mutated field is what the route sees. */
export function baselineBody(schema: Schema | undefined, context: { username: string }): Record<string, unknown> {
  const body: Record<string, unknown> = {};
  for (const name of schema?.required ?? []) {
    const property = schema?.properties?.[name] ?? {};
    body[name] = baselineValue(name, property, context);
  }
  return body;
}

function baselineValue(name: string, property: Schema, context: { username: string }): unknown {
  if (property.enum?.length) return property.enum[0];
  if (property.type === 'boolean') return false;
  if (property.type === 'number' || property.type === 'integer') return 1;
  if (property.format === 'uuid') return randomUUID();
  if (name === 'username') return property.pattern ? uniqueName('h') : context.username;
  if (property.format === 'password') return strongPassword();
  if (typeof property.example === 'string') return property.example;
  return `hostile ${name}`;
}

export interface Identity {
  label: 'admin' | 'user';
  id: string;
  username: string;
  password: string;
  accessToken: string;
  sessionId: string;
}

/**
 * Sends requests and collects every answer that breaks the contract: a 5xx, a 4xx without
 * Nest's error shape, or any response carrying a password hash. Keeps an admin and a user
 * token alive, re-creating them when a request logged them out, disabled or deleted them.
 */
export class HostileClient {
  readonly failures: string[] = [];
  requests = 0;
  admin!: Identity;
  user!: Identity;
  authorId = randomUUID();

  constructor(private readonly t: TestApp) {}

  async init(): Promise<void> {
    this.admin = await this.identity('admin');
    this.user = await this.identity('user');
    await this.ensureAuthor();
  }

  token(label: 'admin' | 'user' | 'anonymous'): string | undefined {
    return label === 'anonymous' ? undefined : this[label].accessToken;
  }

  /** The id a path parameter should carry to reach a real record. */
  realId(path: string, label: 'admin' | 'user' | 'anonymous'): string {
    if (path.includes('/sessions/')) return label === 'admin' ? this.admin.sessionId : this.user.sessionId;
    if (path.includes('/authors/')) return this.authorId;
    if (path.includes('/users/')) return this.user.id;
    return randomUUID();
  }

  async send(
    operation: Pick<Operation, 'method'>,
    url: string,
    options: { as: 'admin' | 'user' | 'anonymous'; raw?: string | Buffer; contentType?: string; label: string },
  ): Promise<Response> {
    let request = this.t.http()[operation.method](url);
    const token = this.token(options.as);
    if (token) request = request.set('Authorization', `Bearer ${token}`);
    if (options.raw !== undefined) request = request.set('Content-Type', options.contentType ?? 'application/json').send(options.raw);
    this.requests++;
    let response: Response;
    try {
      response = await request;
    } catch (error) {
      this.failures.push(`${options.label}: request failed: ${(error as Error).message}`);
      throw error;
    }
    this.check(response, `${operation.method.toUpperCase()} ${url.slice(0, 160)} as ${options.as} [${options.label}]`);
    if (operation.method !== 'get' && response.status < 300) await this.ensureAlive(options.as);
    return response;
  }

  private check(response: Response, label: string): void {
    if (response.status >= 500) {
      this.failures.push(`${label} → ${response.status} ${response.text.slice(0, 200)}`);
      return;
    }
    if (response.headers['cache-control'] !== 'no-store') {
      this.failures.push(`${label} → ${response.status} without Cache-Control: no-store`);
    }
    if (/\$argon2|passwordHash|password_hash/.test(response.text)) {
      this.failures.push(`${label} → ${response.status} leaks a password hash`);
    }
    if (response.status >= 400) {
      const body = response.body as { statusCode?: unknown; message?: unknown; error?: unknown };
      const messageOk =
        typeof body?.message === 'string' || (Array.isArray(body?.message) && body.message.every((m) => typeof m === 'string'));
      if (body?.statusCode !== response.status || !messageOk || typeof body?.error !== 'string') {
        this.failures.push(`${label} → ${response.status} without Nest's error shape: ${response.text.slice(0, 200)}`);
      }
    }
  }

  /** Re-logs in or re-creates whichever identity a successful mutation broke (checked in the database: cheap). */
  async ensureAlive(requestedBy: 'admin' | 'user' | 'anonymous'): Promise<void> {
    for (const label of ['admin', 'user'] as const) {
      const rows: Array<{ revoked_at: unknown; role: string; status: string }> = await this.t.dataSource.query(
        'SELECT s.revoked_at, u.role, u.status FROM sessions s INNER JOIN users u ON u.id = s.user_id WHERE s.id = ?',
        [this[label].sessionId],
      );
      // Only the admin may change roles: re-creating the identity below must not hide a
      // request that promoted the user with the user's own (or no) token.
      if (label === 'user' && rows.length === 1 && rows[0].role !== 'user' && requestedBy !== 'admin') {
        this.failures.push(`a request sent as ${requestedBy} changed the user's role to ${rows[0].role}`);
      }
      const alive = rows.length === 1 && rows[0].revoked_at === null && rows[0].role === label && rows[0].status === 'active';
      if (!alive) this[label] = await this.identity(label, this[label]);
    }
    await this.ensureAuthor();
  }

  private async ensureAuthor(): Promise<void> {
    const rows: unknown[] = await this.t.dataSource.query('SELECT id FROM authors WHERE id = ? AND owner_id = ?', [this.authorId, this.user.id]);
    if (rows.length === 1) return;
    const created = await this.t
      .http()
      .post('/api/authors')
      .set('Authorization', `Bearer ${this.user.accessToken}`)
      .send({ name: uniqueName('Author'), book: 'A Book', country: 'Wales', bookerPrize: false });
    expect(created.status).toBe(201);
    this.authorId = created.body.id;
  }

  private async identity(label: 'admin' | 'user', previous?: Identity): Promise<Identity> {
    let account = previous;
    const rows: Array<{ status: string }> = account
      ? await this.t.dataSource.query('SELECT status FROM users WHERE id = ?', [account.id])
      : [];
    if (!account || rows.length === 0) {
      account = { ...(await registerUser(this.t, uniqueName(label))), label, accessToken: '', sessionId: '' };
    }
    await this.t.dataSource.query("UPDATE users SET role = ?, status = 'active' WHERE id = ?", [label, account.id]);
    const tokens = await login(this.t, account.username, account.password);
    const claims = JSON.parse(Buffer.from(tokens.accessToken.split('.')[1], 'base64url').toString()) as { sid: string };
    return { ...account, accessToken: tokens.accessToken, sessionId: claims.sid };
  }
}

/** Fills a path template with ids. */
export function fillPath(path: string, id: (name: string) => string): string {
  return path.replace(/\{([^}]+)\}/g, (_, name: string) => id(name));
}

/** mulberry32: a small seeded PRNG, so a fuzz failure replays exactly. */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let value = state;
    value = Math.imul(value ^ (value >>> 15), value | 1);
    value ^= value + Math.imul(value ^ (value >>> 7), value | 61);
    return ((value ^ (value >>> 14)) >>> 0) / 4294967296;
  };
}
