import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { MetricsServer } from '../src/metrics/metrics.server.js';
import { bearer, registerAndLogin } from './support/auth-helpers.js';
import { createTestApp, type TestApp } from './support/test-app.js';

const THROTTLE_LIMIT = 9;

/** The value of one sample of the Prometheus text format, matched by name and labels; undefined when absent. */
function sample(text: string, name: string, labels: Record<string, string> = {}): number | undefined {
  for (const line of text.split('\n')) {
    const match = /^([a-zA-Z_:][\w:]*)(?:\{(.*)\})? (\S+)$/.exec(line);
    if (!match || match[1] !== name) continue;
    const found = Object.fromEntries([...(match[2] ?? '').matchAll(/(\w+)="((?:[^"\\]|\\.)*)"/g)].map((m) => [m[1], m[2]]));
    if (Object.entries(labels).every(([key, value]) => found[key] === value)) return Number(match[3]);
  }
  return undefined;
}

async function scrape(port: number, path = '/metrics'): Promise<{ status: number; type: string | null; text: string }> {
  const response = await fetch(`http://127.0.0.1:${port}${path}`);
  return { status: response.status, type: response.headers.get('content-type'), text: await response.text() };
}

describe('Prometheus metrics on METRICS_PORT', () => {
  let t: TestApp;
  let port: number;
  beforeAll(async () => {
    t = await createTestApp({ env: { METRICS_PORT: '0', LOGIN_MAX_FAILURES: '2', THROTTLE_AUTH_LIMIT: String(THROTTLE_LIMIT) } });
    port = t.app.get(MetricsServer).port!;
    expect(port).toBeGreaterThan(0);
  });
  afterAll(async () => {
    await t.close();
  });

  it('counts logins, lockouts, refreshes, throttle refusals and requests by route template', async () => {
    const login = (username: string, password: string) => t.http().post('/api/auth/login').send({ username, password });
    const user = await registerAndLogin(t); // 2 throttled requests
    for (let i = 0; i < 3; i++) expect((await t.http().get('/api/users/me').set(bearer(user.accessToken))).status).toBe(200);
    expect((await t.http().get('/api/users/me')).status).toBe(401);
    expect((await t.http().get(`/api/users/${'0'.repeat(8)}-0000-4000-8000-${'0'.repeat(12)}`).set(bearer(user.accessToken))).status).toBe(403);

    expect((await login(user.username, 'wrong-password-one-xyz')).status).toBe(401); // 3
    expect((await login(user.username, 'wrong-password-two-xyz')).status).toBe(401); // 4
    expect((await login(user.username, user.password)).status).toBe(429); // 5: the lock
    expect((await login(user.username, user.password)).status).toBe(429); // 6: still locked

    const rotated = await t.http().post('/api/auth/refresh').send({ refreshToken: user.refreshToken }); // 7
    expect(rotated.status).toBe(200);
    expect((await t.http().post('/api/auth/refresh').send({ refreshToken: user.refreshToken })).status).toBe(401); // 8: reuse
    expect((await t.http().post('/api/auth/refresh').send({ refreshToken: rotated.body.refreshToken })).status).toBe(401); // 9: revoked
    expect((await login(user.username, user.password)).status).toBe(429); // 10: throttled

    const { status, type, text } = await scrape(port);
    expect(status).toBe(200);
    expect(type).toMatch(/^text\/plain; version=0\.0\.4/);
    expect(sample(text, 'auth_logins_total', { outcome: 'success' })).toBe(1);
    expect(sample(text, 'auth_logins_total', { outcome: 'failure' })).toBe(2);
    expect(sample(text, 'auth_logins_total', { outcome: 'locked' })).toBe(2);
    expect(sample(text, 'auth_lockouts_total')).toBe(1);
    expect(sample(text, 'auth_refreshes_total', { outcome: 'rotated' })).toBe(1);
    expect(sample(text, 'auth_refreshes_total', { outcome: 'reused' })).toBe(1);
    expect(sample(text, 'auth_refreshes_total', { outcome: 'invalid' })).toBe(1);
    expect(sample(text, 'auth_throttle_refusals_total', { scope: 'auth' })).toBe(1);

    const me = { method: 'GET', route: '/api/users/me' };
    expect(sample(text, 'http_request_duration_seconds_count', { ...me, status: '200' })).toBe(3);
    expect(sample(text, 'http_request_duration_seconds_count', { ...me, status: '401' })).toBe(1);
    expect(sample(text, 'http_request_duration_seconds_bucket', { ...me, status: '200', le: '+Inf' })).toBe(3);
    expect(sample(text, 'http_request_duration_seconds_sum', { ...me, status: '200' })).toBeGreaterThan(0);
    // The route template, never the id in the path.
    expect(sample(text, 'http_request_duration_seconds_count', { method: 'GET', route: '/api/users/:id', status: '403' })).toBe(1);
    expect(text).not.toContain('route="/api/users/00000000');
    expect(sample(text, 'http_request_duration_seconds_count', { method: 'POST', route: '/api/auth/login', status: '429' })).toBe(3);

    expect(text).toContain('# TYPE mail_sent_total counter');
    expect(sample(text, 'argon2_jobs_waiting')).toBe(0);
    expect(sample(text, 'db_pool_connections', { state: 'total' })).toBeGreaterThanOrEqual(1);
    expect(sample(text, 'process_cpu_user_seconds_total')).toBeGreaterThan(0);
  });

  it('answers 404 for /metrics on the public port, and for other paths on the metrics port', async () => {
    expect((await t.http().get('/metrics')).status).toBe(404);
    // Not the web client's page either, when a browser asks.
    const browser = await t.http().get('/metrics').set('Accept', 'text/html,application/xhtml+xml');
    expect(browser.status).toBe(404);
    expect(browser.text).not.toContain('<html');
    expect((await t.http().get('/api/metrics')).status).toBe(404);
    expect((await scrape(port, '/')).status).toBe(404);
    expect((await scrape(port, '/api/health')).status).toBe(404);
  });
});

describe('metrics without METRICS_PORT', () => {
  it('opens no metrics port, and shuts the metrics port down with the app', async () => {
    const off = await createTestApp();
    try {
      expect(off.app.get(MetricsServer).port).toBeUndefined();
      expect((await off.http().get('/metrics')).status).toBe(404);
    } finally {
      await off.close();
    }
    const on = await createTestApp({ env: { METRICS_PORT: '0' } });
    const port = on.app.get(MetricsServer).port!;
    expect((await scrape(port)).status).toBe(200);
    await on.close();
    await expect(scrape(port)).rejects.toThrow();
  });
});
