import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { BODY_LIMIT_BYTES } from '../../src/app.setup.js';
import { registerUser } from '../support/auth-helpers.js';
import { createTestApp, strongPassword, uniqueName, type TestApp } from '../support/test-app.js';

const ALLOWED = 'https://app.example.com';
const FOREIGN = 'https://evil.example.net';

/** The directives of a CSP header, as name → sources. */
function csp(header: string | undefined): Record<string, string[]> {
  expect(header).toEqual(expect.any(String));
  return Object.fromEntries(
    header!
      .split(';')
      .map((directive) => directive.trim().split(/\s+/))
      .map(([name, ...sources]) => [name, sources]),
  );
}

describe('HTTP hardening', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp({ env: { CORS_ORIGINS: `${ALLOWED}, https://admin.example.com` } });
  });
  afterAll(async () => {
    await t.close();
  });

  describe('security headers', () => {
    it('sends helmet’s document headers on pages, and no x-powered-by', async () => {
      const response = await t.http().get('/docs');
      expect(response.status).toBe(200);
      expect(response.headers['x-powered-by']).toBeUndefined();
      expect(response.headers['x-content-type-options']).toBe('nosniff');
      expect(response.headers['x-frame-options']).toBe('SAMEORIGIN');
      expect(response.headers['referrer-policy']).toBe('no-referrer');
      expect(response.headers['strict-transport-security']).toMatch(/^max-age=\d+/);
      expect(response.headers['cross-origin-opener-policy']).toBe('same-origin');
      const policy = csp(response.headers['content-security-policy']);
      expect(policy['default-src']).toEqual(["'self'"]);
      expect(policy['script-src']).toEqual(["'self'"]);
      expect(policy['frame-ancestors']).toEqual(["'none'"]);
      expect(policy['object-src']).toEqual(["'none'"]);
    });

    it('sends JSON answers only the headers that apply to them: nosniff and no-store, errors included', async () => {
      for (const response of [await t.http().get('/api/health'), await t.http().get('/api/users/me'), await t.http().get('/api/nowhere')]) {
        expect(response.headers['content-type']).toMatch(/^application\/json/);
        expect(response.headers['x-content-type-options']).toBe('nosniff');
        expect(response.headers['cache-control']).toBe('no-store');
        expect(response.headers['x-powered-by']).toBeUndefined();
        // Document-only headers (a JSON body is never rendered as a page) stay off the hot path.
        expect(response.headers['content-security-policy']).toBeUndefined();
        expect(response.headers['x-frame-options']).toBeUndefined();
      }
    });

    it('keeps the OpenAPI explorer working under the CSP: every script and stylesheet is same-origin and served', async () => {
      const page = await t.http().get('/docs');
      expect(page.status).toBe(200);
      expect(page.headers['content-type']).toMatch(/^text\/html/);
      const policy = csp(page.headers['content-security-policy']);
      expect(policy['script-src']).toEqual(["'self'"]);

      const scripts = [...page.text.matchAll(/<script\b([^>]*)>([\s\S]*?)<\/script>/g)];
      expect(scripts.length).toBeGreaterThan(0);
      // script-src 'self' blocks inline code, so every script must come from a file.
      for (const [, attributes, body] of scripts) {
        expect(attributes).toMatch(/src="[^"]+"/);
        expect(body.trim()).toBe('');
      }
      const assets = [
        ...scripts.map(([, attributes]) => /src="([^"]+)"/.exec(attributes)![1]),
        ...[...page.text.matchAll(/<link\b[^>]*rel="stylesheet"[^>]*href="([^"]+)"/g)].map((match) => match[1]),
      ];
      expect(assets.length).toBeGreaterThanOrEqual(4);
      for (const asset of assets) {
        const url = new URL(asset, 'http://service.test/docs');
        expect(url.origin).toBe('http://service.test');
        const response = await t.http().get(url.pathname);
        expect({ asset, status: response.status }).toEqual({ asset, status: 200 });
        expect(response.headers['content-type']).toMatch(/javascript|css/);
      }
      // The explorer's own document is same-origin as well, which connect-src 'self' allows.
      expect(policy['connect-src']).toEqual(["'self'"]);
      const document = await t.http().get('/docs-json');
      expect(document.status).toBe(200);
      expect(document.body.openapi).toMatch(/^3\./);
    });
  });

  describe('CORS', () => {
    it('answers a preflight from an allowed origin, with credentials and every method the API uses', async () => {
      const response = await t
        .http()
        .options('/api/authors/00000000-0000-4000-8000-000000000000')
        .set('Origin', ALLOWED)
        .set('Access-Control-Request-Method', 'PATCH')
        .set('Access-Control-Request-Headers', 'authorization,content-type');
      expect(response.status).toBe(204);
      expect(response.headers['access-control-allow-origin']).toBe(ALLOWED);
      expect(response.headers['access-control-allow-credentials']).toBe('true');
      expect(response.headers['access-control-allow-methods'].split(',').map((method: string) => method.trim())).toEqual(
        expect.arrayContaining(['GET', 'POST', 'PUT', 'PATCH', 'DELETE']),
      );
      expect(response.headers['access-control-allow-headers'].toLowerCase()).toContain('authorization');
    });

    it('marks actual responses for an allowed origin', async () => {
      const response = await t.http().get('/api/health').set('Origin', 'https://admin.example.com');
      expect(response.headers['access-control-allow-origin']).toBe('https://admin.example.com');
      expect(response.headers['access-control-allow-credentials']).toBe('true');
      expect(response.headers['access-control-expose-headers']).toContain('Retry-After');
    });

    it('gives any other origin no Access-Control-Allow-Origin', async () => {
      for (const origin of [FOREIGN, 'null', `${ALLOWED}.evil.net`, 'http://app.example.com']) {
        const preflight = await t.http().options('/api/auth/login').set('Origin', origin).set('Access-Control-Request-Method', 'POST');
        expect(preflight.headers['access-control-allow-origin']).toBeUndefined();
        const response = await t.http().get('/api/health').set('Origin', origin);
        expect(response.headers['access-control-allow-origin']).toBeUndefined();
      }
    });

    it('allows no origin at all when CORS_ORIGINS is unset', async () => {
      const plain = await createTestApp();
      try {
        const preflight = await plain.http().options('/api/auth/login').set('Origin', ALLOWED).set('Access-Control-Request-Method', 'POST');
        expect(preflight.headers['access-control-allow-origin']).toBeUndefined();
        const response = await plain.http().get('/api/health').set('Origin', ALLOWED);
        expect(response.headers['access-control-allow-origin']).toBeUndefined();
        expect(response.headers['access-control-allow-credentials']).toBeUndefined();
      } finally {
        await plain.close();
      }
    });
  });

  describe('request bodies', () => {
    it(`refuses a body over ${BODY_LIMIT_BYTES} bytes with 413, and stores nothing`, async () => {
      const username = uniqueName();
      const response = await t
        .http()
        .post('/api/auth/register')
        .set('Content-Type', 'application/json')
        .send(JSON.stringify({ username, password: strongPassword(), name: 'x'.repeat(BODY_LIMIT_BYTES) }));
      expect(response.status).toBe(413);
      expect(response.body).toEqual({ statusCode: 413, message: expect.any(String), error: 'Payload Too Large' });
      const rows: unknown[] = await t.dataSource.query('SELECT id FROM users WHERE username_normalized = ?', [username.toLowerCase()]);
      expect(rows).toHaveLength(0);
    });

    it('accepts a body just under the limit as far as parsing goes (then validates it)', async () => {
      const response = await t
        .http()
        .post('/api/auth/register')
        .set('Content-Type', 'application/json')
        .send(JSON.stringify({ username: uniqueName(), password: strongPassword(), name: 'x'.repeat(BODY_LIMIT_BYTES - 200) }));
      expect(response.status).toBe(400);
      expect(response.body.message).toEqual(['name must be shorter than or equal to 100 characters']);
    });

    it.each([
      ['text/plain', 'username=a&password=b'],
      ['application/x-www-form-urlencoded', 'username=a&password=b'],
      ['multipart/form-data; boundary=x', '--x\r\nContent-Disposition: form-data; name="username"\r\n\r\na\r\n--x--\r\n'],
      ['application/xml', '<user><username>a</username></user>'],
    ])('refuses %s on a body route with 415', async (contentType, body) => {
      for (const path of ['/api/auth/register', '/api/auth/login']) {
        const response = await t.http().post(path).set('Content-Type', contentType).send(body);
        expect(response.status).toBe(415);
        expect(response.body).toEqual({ statusCode: 415, message: expect.any(String), error: 'Unsupported Media Type' });
      }
    });
  });

  describe('credentials in the query string', () => {
    it('refuses a login whose credentials are in the URL, even when they are right', async () => {
      const user = await registerUser(t);
      const query = new URLSearchParams({ username: user.username, password: user.password });
      for (const body of [{}, { username: user.username, password: user.password }]) {
        const response = await t.http().post(`/api/auth/login?${query}`).send(body);
        expect(response.status).toBe(400);
        expect(response.body).toEqual({
          statusCode: 400,
          message: 'Send credentials in the JSON body, never in the query string',
          error: 'Bad Request',
        });
        expect(response.body).not.toHaveProperty('accessToken');
      }
      const passwordOnly = await t.http().post(`/api/auth/login?password=${encodeURIComponent(user.password)}`).send({ username: user.username, password: user.password });
      expect(passwordOnly.status).toBe(400);
      const sessions: unknown[] = await t.dataSource.query('SELECT id FROM sessions WHERE user_id = ?', [user.id]);
      expect(sessions).toHaveLength(0);
    });
  });
});
