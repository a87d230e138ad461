import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { createTestApp, type TestApp } from '../support/test-app.js';
import {
  baselineBody,
  fillPath,
  HOSTILE_IDS,
  HOSTILE_QUERY_VALUES,
  HOSTILE_VALUES,
  hostileBodies,
  HostileClient,
  readOperations,
  TWO_MEGABYTES,
  type Operation,
} from './hostile-support.js';

const IDENTITIES = ['admin', 'user'] as const;

/** Register, login and refresh ignore the access token, so one caller is enough there. */
const callers = (operation: Operation) =>
  /^\/api\/auth\/(register|login|refresh)$/.test(operation.path) ? (['user'] as const) : IDENTITIES;
const SLOW = 180_000;

/**
 * Every route in the OpenAPI document, driven with hostile input as an admin and as a
 * user: every answer must be below 500 and, when 4xx, in Nest's error shape. Routes other
 * engineers add are covered as soon as they appear in /docs-json.
 */
describe('hostile input on every documented route', () => {
  let t: TestApp;
  let client: HostileClient;
  let operations: Operation[];

  beforeAll(async () => {
    t = await createTestApp();
    client = new HostileClient(t);
    await client.init();
    const document = await t.http().get('/docs-json');
    expect(document.status).toBe(200);
    operations = readOperations(document.body);
  });
  afterAll(async () => {
    await t.close();
  });

  const report = () => {
    expect(client.failures).toEqual([]);
  };

  it('reads the routes from the OpenAPI document', () => {
    const routes = operations.map((operation) => `${operation.method.toUpperCase()} ${operation.path}`);
    expect(routes).toEqual(
      expect.arrayContaining(['POST /api/auth/register', 'POST /api/auth/login', 'POST /api/auth/refresh', 'GET /api/users/me', 'GET /api/health']),
    );
    expect(operations.filter((operation) => operation.body).length).toBeGreaterThanOrEqual(4);
  });

  it(
    'rejects malformed path ids without a 5xx',
    async () => {
      for (const operation of operations.filter((op) => op.pathParams.length > 0)) {
        for (const as of IDENTITIES) {
          for (const id of HOSTILE_IDS) {
            const body = operation.body ? JSON.stringify(baselineBody(operation.body, client[as])) : undefined;
            await client.send(operation, fillPath(operation.path, () => id), { as, raw: body, label: `id ${id.slice(0, 40)}` });
          }
        }
      }
      report();
    },
    SLOW,
  );

  it(
    'survives hostile values in every query parameter, and repeated or unknown parameters',
    async () => {
      for (const operation of operations.filter((op) => op.query.length > 0)) {
        for (const as of IDENTITIES) {
          const path = fillPath(operation.path, () => client.realId(operation.path, as));
          for (const { name } of operation.query) {
            for (const value of HOSTILE_QUERY_VALUES) {
              await client.send(operation, `${path}?${name}=${value}`, { as, label: `query ${name}` });
            }
            await client.send(operation, `${path}?${name}=1&${name}=2`, { as, label: `repeated ${name}` });
            await client.send(operation, `${path}?${name}[]=1&${name}[a]=2`, { as, label: `bracketed ${name}` });
          }
          const all = operation.query.map(({ name }) => `${name}=${encodeURIComponent("' OR 1=1 --")}`).join('&');
          await client.send(operation, `${path}?${all}`, { as, label: 'every parameter at once' });
          for (const extra of ['__proto__[role]=admin', 'constructor[prototype][x]=1', 'unknown=1', 'page=0&limit=0', 'page=-5&limit=1000', 'limit=100&page=99999999']) {
            await client.send(operation, `${path}?${extra}`, { as, label: `extra ${extra}` });
          }
        }
      }
      report();
    },
    SLOW,
  );

  it(
    'survives wrong types and hostile strings in every body field',
    async () => {
      for (const operation of operations.filter((op) => op.body?.properties)) {
        for (const as of callers(operation)) {
          for (const field of Object.keys(operation.body!.properties!)) {
            for (const value of HOSTILE_VALUES) {
              const path = fillPath(operation.path, () => client.realId(operation.path, as));
              const body = { ...baselineBody(operation.body, client[as]), [field]: value };
              await client.send(operation, path, { as, raw: JSON.stringify(body), label: `${field}=${JSON.stringify(value).slice(0, 40)}` });
            }
          }
        }
      }
      report();
    },
    SLOW,
  );

  it(
    'survives malformed, deeply nested, prototype-polluting and oversized bodies',
    async () => {
      for (const operation of operations.filter((op) => op.method !== 'get')) {
        for (const as of callers(operation)) {
          const path = fillPath(operation.path, () => client.realId(operation.path, as));
          const baseline = baselineBody(operation.body, client[as]);
          for (const { label, raw, parses } of hostileBodies(baseline)) {
            // A route without a body would simply run (log out, delete) on well-formed JSON.
            if (!operation.body && parses && !label.startsWith('deep')) continue;
            await client.send(operation, path, { as, raw, label });
          }
          const big = await client.send(operation, path, { as, raw: TWO_MEGABYTES, label: '2 MB body' });
          expect(big.status).toBe(413);
          for (const contentType of ['application/json; charset=utf-16', 'application/JSON', 'application/vnd.api+json', 'application/json-patch+json', 'text/json', 'application/octet-stream']) {
            await client.send(operation, path, { as, raw: JSON.stringify(baseline), contentType, label: `content-type ${contentType}` });
          }
        }
      }
      report();
    },
    SLOW,
  );

  it('never let a prototype-polluting body change the process', () => {
    expect(({} as Record<string, unknown>).role).toBeUndefined();
    expect(({} as Record<string, unknown>).isAdmin).toBeUndefined();
    expect(client.requests).toBeGreaterThan(1000);
  });

  it(
    'keeps the data intact: no admin was made from a body, no table was dropped',
    async () => {
      const admins: Array<{ id: string }> = await t.dataSource.query("SELECT id FROM users WHERE role = 'admin'");
      expect(admins.map((row) => row.id)).toEqual([client.admin.id]);
      const me = await t.http().get('/api/users/me').set('Authorization', `Bearer ${client.user.accessToken}`);
      expect(me.status).toBe(200);
      expect(me.body.role).toBe('user');
    },
    SLOW,
  );
});
