import { describe, expect, it } from '@jest/globals';
import { randomBytes } from 'node:crypto';
import { parseTrustProxy } from '../../src/config/trust-proxy.js';
import { validateEnvironment } from '../../src/config/env.validation.js';
import { bearer, registerUser } from '../support/auth-helpers.js';
import { createTestApp, strongPassword, uniqueName, type TestApp } from '../support/test-app.js';

const randomAddress = () => `198.51.100.${randomBytes(1)[0]}`;

async function withApp(env: Record<string, string>, work: (t: TestApp) => Promise<void>) {
  const t = await createTestApp({ env });
  try {
    await work(t);
  } finally {
    await t.close();
  }
}

/** The address a session and the audit log record for a login sent with this X-Forwarded-For. */
async function recordedAddresses(t: TestApp, forwardedFor: string) {
  const user = await registerUser(t);
  const login = await t.http().post('/api/auth/login').set('X-Forwarded-For', forwardedFor).send({ username: user.username, password: user.password });
  expect(login.status).toBe(200);
  const sessions = await t.http().get('/api/auth/sessions').set(bearer(login.body.accessToken));
  const failed = await t.http().post('/api/auth/login').set('X-Forwarded-For', forwardedFor).send({ username: user.username, password: strongPassword() });
  expect(failed.status).toBe(401);
  const rows: Array<{ ip: string }> = await t.dataSource.query("SELECT ip FROM audit_events WHERE action = 'login.failed' AND target_id = ?", [user.id]);
  return { session: sessions.body[0].ip as string, audit: rows[0].ip };
}

describe('TRUST_PROXY', () => {
  describe('validation at start-up', () => {
    it.each(['true', 'yes', '-1', '1.5', '21', '10.0.0.1/33', '::1/129', '10.0.0.0/8/1', 'proxy.example.com', '10.0.0.1,,10.0.0.2', '10.0.0.1;10.0.0.2', '256.1.1.1'])(
      'refuses %j with an error naming TRUST_PROXY',
      (value) => {
        expect(() => parseTrustProxy(value)).toThrow(/TRUST_PROXY/);
        expect(() => validateEnvironment({ TRUST_PROXY: value })).toThrow(/Invalid configuration:[\s\S]*TRUST_PROXY/);
      },
    );

    it('accepts false, a hop count, and addresses, CIDRs and range names', () => {
      expect(parseTrustProxy(undefined)).toBe(false);
      expect(parseTrustProxy('false')).toBe(false);
      expect(parseTrustProxy('0')).toBe(false);
      expect(parseTrustProxy('2')).toBe(2);
      expect(parseTrustProxy('10.0.0.0/8, 192.168.1.7 ,::1,fd00::/8,loopback')).toEqual(['10.0.0.0/8', '192.168.1.7', '::1', 'fd00::/8', 'loopback']);
      expect(() => validateEnvironment({ TRUST_PROXY: '10.0.0.0/8,127.0.0.1' })).not.toThrow();
    });

    it('stops the application from starting', async () => {
      await expect(createTestApp({ env: { TRUST_PROXY: 'true' } })).rejects.toThrow(/TRUST_PROXY/);
    });
  });

  it('with a trusted proxy list, takes the right-most untrusted X-Forwarded-For entry for sessions and the audit log', async () => {
    await withApp({ TRUST_PROXY: 'loopback, 10.0.0.0/8' }, async (t) => {
      // The client wrote 6.6.6.6; the proxy at 10.1.2.3 saw the client as 203.0.113.7.
      expect(await recordedAddresses(t, '6.6.6.6, 203.0.113.7, 10.1.2.3')).toEqual({ session: '203.0.113.7', audit: '203.0.113.7' });
    });
  });

  it('with a hop count, trusts that many proxies and no more', async () => {
    await withApp({ TRUST_PROXY: '1' }, async (t) => {
      expect(await recordedAddresses(t, '6.6.6.6, 203.0.113.8')).toEqual({ session: '203.0.113.8', audit: '203.0.113.8' });
    });
    await withApp({ TRUST_PROXY: '2' }, async (t) => {
      expect(await recordedAddresses(t, '6.6.6.6, 203.0.113.8, 10.0.0.9')).toEqual({ session: '203.0.113.8', audit: '203.0.113.8' });
    });
  });

  it('ignores X-Forwarded-For from a peer that is not a trusted proxy, and by default', async () => {
    await withApp({ TRUST_PROXY: '10.0.0.0/8' }, async (t) => {
      const { session, audit } = await recordedAddresses(t, '6.6.6.6, 203.0.113.9');
      expect(session).toMatch(/127\.0\.0\.1|::1/);
      expect(audit).toBe(session);
    });
    await withApp({}, async (t) => {
      const { session } = await recordedAddresses(t, '6.6.6.6');
      expect(session).toMatch(/127\.0\.0\.1|::1/);
    });
  });

  it('a client rotating the left-most X-Forwarded-For entry cannot get past the login throttle', async () => {
    await withApp({ TRUST_PROXY: 'loopback', THROTTLE_AUTH_LIMIT: '3' }, async (t) => {
      const statuses: number[] = [];
      for (let i = 0; i < 6; i++) {
        const response = await t
          .http()
          .post('/api/auth/login')
          .set('X-Forwarded-For', `${randomAddress()}, 203.0.113.10`)
          .send({ username: uniqueName(), password: strongPassword() });
        statuses.push(response.status);
      }
      expect(statuses).toEqual([401, 401, 401, 429, 429, 429]);
      // Another real client behind the same proxy keeps its own budget.
      const other = await t.http().post('/api/auth/login').set('X-Forwarded-For', '203.0.113.11').send({ username: uniqueName(), password: strongPassword() });
      expect(other.status).toBe(401);
    });
  });

  it('an IPv6 client rotating addresses inside its /64 spends one budget; another /64 has its own', async () => {
    await withApp({ TRUST_PROXY: 'loopback', THROTTLE_AUTH_LIMIT: '3' }, async (t) => {
      const statuses: number[] = [];
      for (let i = 0; i < 5; i++) {
        const address = `2001:db8:1:2:${randomBytes(2).toString('hex')}:${randomBytes(2).toString('hex')}::${i + 1}`;
        const response = await t.http().post('/api/auth/login').set('X-Forwarded-For', address).send({ username: uniqueName(), password: strongPassword() });
        statuses.push(response.status);
      }
      expect(statuses).toEqual([401, 401, 401, 429, 429]);
      const other = await t.http().post('/api/auth/login').set('X-Forwarded-For', '2001:db8:1:3::1').send({ username: uniqueName(), password: strongPassword() });
      expect(other.status).toBe(401);
    });
  });
});
