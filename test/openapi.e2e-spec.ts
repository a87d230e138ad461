import type { OpenAPIObject } from '@nestjs/swagger';
import { execFile } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { promisify } from 'node:util';
import { bearer, registerAndLogin } from './support/auth-helpers.js';
import { ResponseValidator, type ObservedResponse } from './support/openapi-validator.js';
import { createTestApp, strongPassword, uniqueName, type TestApp } from './support/test-app.js';

const run = promisify(execFile);
const METHODS = ['get', 'put', 'post', 'delete', 'patch'] as const;

type Operation = {
  operationId?: string;
  summary?: string;
  description?: string;
  tags?: string[];
  security?: unknown[];
  parameters?: Array<{ name: string; in: string; schema?: { format?: string } }>;
  requestBody?: { content: Record<string, { schema: { $ref?: string } }> };
  responses: Record<string, { headers?: Record<string, unknown>; content?: Record<string, { schema: { $ref?: string } }> }>;
};

function operations(document: OpenAPIObject): Array<[string, string, Operation]> {
  return Object.entries(document.paths).flatMap(([path, item]) =>
    METHODS.filter((method) => item[method]).map((method) => [path, method, item[method] as unknown as Operation] as [string, string, Operation]),
  );
}

describe('OpenAPI document', () => {
  let t: TestApp;
  let document: OpenAPIObject;

  beforeAll(async () => {
    t = await createTestApp();
    document = (await t.http().get('/docs-json').expect(200)).body;
  });
  afterAll(() => t.close());

  it('describes every route by the shared rules', () => {
    const declaredTags = new Set((document.tags ?? []).map((tag) => tag.description && tag.name));
    const ids = operations(document).map(([, , operation]) => operation.operationId);
    expect(new Set(ids).size).toBe(ids.length);
    for (const [path, method, operation] of operations(document)) {
      const where = `${method.toUpperCase()} ${path}`;
      expect([where, operation.operationId]).toEqual([where, expect.stringMatching(/^[a-z][A-Za-z]{2,30}$/)]);
      expect([where, operation.summary && operation.description]).toEqual([where, expect.any(String)]);
      expect([where, operation.tags?.every((tag) => declaredTags.has(tag))]).toEqual([where, true]);
      expect([where, Array.isArray(operation.security)]).toEqual([where, true]);
      for (const parameter of operation.parameters ?? []) {
        if (parameter.in === 'path' && parameter.name === 'id') expect([where, parameter.schema?.format]).toEqual([where, 'uuid']);
      }
      for (const [status, response] of Object.entries(operation.responses)) {
        expect([where, status, Object.keys(response.headers ?? {})]).toEqual([where, status, expect.arrayContaining(['X-Request-Id'])]);
        if (Number(status) >= 400) expect([where, status, Boolean(response.content?.['application/json']?.schema)]).toEqual([where, status, true]);
      }
      if (operation.security?.length) expect([where, Object.keys(operation.responses)]).toEqual([where, expect.arrayContaining(['401'])]);
      if (operation.requestBody) {
        expect([where, Object.keys(operation.responses)]).toEqual([where, expect.arrayContaining(['400', '413', '415'])]);
        const ref = operation.requestBody.content['application/json'].schema.$ref!;
        const schema = document.components!.schemas![ref.split('/').pop()!] as { additionalProperties?: unknown };
        expect([where, schema.additionalProperties]).toEqual([where, false]);
      }
    }
  });

  it('marks public routes with security: [] and keeps the three ways to refresh', () => {
    expect(document.paths['/api/auth/login'].post!.security).toEqual([]);
    expect(document.paths['/api/health'].get!.security).toEqual([]);
    expect(document.paths['/api/users/me'].get!.security).toEqual([{ bearer: [] }]);
    expect(document.paths['/api/auth/refresh'].post!.security).toEqual(
      expect.arrayContaining([{ refreshToken: [] }, { refreshCookie: [], csrfToken: [] }, {}]),
    );
  });

  describe('the response validator', () => {
    let user: Awaited<ReturnType<typeof registerAndLogin>>;
    const author = { name: 'Hilary Mantel', book: 'Wolf Hall', country: 'United Kingdom' };

    beforeAll(async () => {
      user = await registerAndLogin(t);
    });

    function observed(method: string, path: string, response: { status: number; headers: Record<string, string>; text: string }): ObservedResponse {
      return { method, path, status: response.status, headers: response.headers, body: response.text ?? '' };
    }

    function copy(): OpenAPIObject {
      return structuredClone(document);
    }

    it('accepts answers that match and reports a body that breaks a deliberately wrong schema', async () => {
      const created = await t.http().post('/api/authors').set(bearer(user.accessToken)).send(author).expect(201);
      const answer = observed('POST', '/api/authors', created);
      expect(new ResponseValidator(document).check(answer)).toEqual([]);

      const wrong = copy();
      (wrong.components!.schemas!.AuthorResponseDto as { properties: Record<string, { type: string }> }).properties.name.type = 'integer';
      expect(new ResponseValidator(wrong).check(answer)).toEqual([expect.stringMatching(/body\/name must be integer/)]);
    });

    it('reports a status the operation does not document', async () => {
      const duplicate = await t.http().post('/api/authors').set(bearer(user.accessToken)).send({ ...author, book: 'Mirror' });
      const again = await t.http().post('/api/authors').set(bearer(user.accessToken)).send({ ...author, book: 'Mirror' }).expect(409);
      expect(duplicate.status).toBe(201);
      const wrong = copy();
      delete wrong.paths['/api/authors'].post!.responses['409'];
      expect(new ResponseValidator(wrong).check(observed('POST', '/api/authors', again))).toEqual([
        'POST /api/authors → 409: status 409 is not documented',
      ]);
    });

    it('reports contract headers an answer carries but the document leaves out', async () => {
      const login = await t.http().post('/api/auth/login').send({ username: user.username, password: user.password }).expect(200);
      const wrong = copy();
      const ok = (wrong.paths['/api/auth/login'].post as unknown as Operation).responses['200'];
      delete ok.headers!['X-RateLimit-Limit'];
      expect(new ResponseValidator(wrong).check(observed('POST', '/api/auth/login', login))).toEqual([
        'POST /api/auth/login → 200: header x-ratelimit-limit is sent but not documented',
      ]);
    });
  });
});

describe('a client generated from the document', () => {
  let t: TestApp;
  const folder = new URL('./openapi-client/generated/', import.meta.url);

  beforeAll(async () => {
    t = await createTestApp();
    await t.app.listen(0, '127.0.0.1');
  });
  afterAll(() => t.close());

  it('compiles under tsc --strict with openapi-typescript’s default options and runs the whole flow', async () => {
    const served = (await t.http().get('/docs-json').expect(200)).text;
    mkdirSync(folder, { recursive: true });
    const documentFile = new URL('openapi.json', folder).pathname;
    writeFileSync(documentFile, served);
    await run('node_modules/.bin/openapi-typescript', [documentFile, '-o', new URL('schema.d.ts', folder).pathname]);
    // Throws with tsc's diagnostics when the generated types and the flow disagree.
    await run('node_modules/.bin/tsc', ['-p', 'test/openapi-client/tsconfig.json']).catch((error: { stdout?: string }) => {
      throw new Error(`tsc --strict failed:\n${error.stdout}`);
    });

    // A specifier tsc does not follow: flow.ts imports the generated types, which exist only after this test writes them.
    const flowModule = './openapi-client/flow.js';
    const { runFlow } = (await import(flowModule)) as {
      runFlow: (baseUrl: string, username: string, password: string) => Promise<Record<string, unknown>>;
    };
    const address = t.app.getHttpServer().address() as { port: number };
    const username = uniqueName('client');
    const result = await runFlow(`http://127.0.0.1:${address.port}`, username, strongPassword());
    expect(result).toMatchObject({
      username,
      createdAuthor: { name: 'Hilary Mantel', bookerPrize: false },
      listedTotal: 1,
      duplicateError: { statusCode: 409, error: 'Conflict' },
      afterLogoutStatus: 401,
    });
  }, 240_000);
});
