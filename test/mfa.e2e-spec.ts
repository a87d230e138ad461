import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { randomUUID } from 'node:crypto';
import { Secret, TOTP } from 'otpauth';
import { Clock } from '../src/common/clock.js';
import { bearer, login, registerAndLogin, type TestUser } from './support/auth-helpers.js';
import { createTestApp, strongPassword, uniqueName, type TestApp } from './support/test-app.js';

const STEP_MS = 30_000;

/** What an authenticator app shows for `secret` at `timestamp`, computed apart from the service. */
const appCode = (secret: string, timestamp: number) =>
  new TOTP({ algorithm: 'SHA1', digits: 6, period: 30, secret: Secret.fromBase32(secret) }).generate({ timestamp });

const claimsOf = (jwt: string) => JSON.parse(Buffer.from(jwt.split('.')[1], 'base64url').toString()) as Record<string, unknown>;

interface Enrolled extends TestUser {
  secret: string;
  recoveryCodes: string[];
}

/**
 * The service's clock is driven by the test: each code is for a new step, as if 30 s passed,
 * so "a code is accepted once" never trips a test by accident and replays are deliberate.
 */
function driveClock(t: TestApp) {
  let now = Date.now() - (Date.now() % STEP_MS) + 10_000;
  t.app.get(Clock).now = () => now;
  return {
    /** Moves the clock one step on and answers the code for the new step. */
    nextCode(secret: string): string {
      now += STEP_MS;
      return appCode(secret, now);
    },
    currentCode: (secret: string) => appCode(secret, now),
  };
}

async function auditActions(t: TestApp, targetId: string): Promise<string[]> {
  const rows: Array<{ action: string }> = await t.dataSource.query('SELECT action FROM audit_events WHERE target_id = ? ORDER BY at', [targetId]);
  return rows.map((row) => row.action);
}

describe('two-factor login', () => {
  let t: TestApp;
  let clock: ReturnType<typeof driveClock>;

  beforeAll(async () => {
    t = await createTestApp();
    clock = driveClock(t);
  });
  afterAll(async () => {
    await t?.close();
  });

  async function enrol(user?: TestUser): Promise<Enrolled> {
    const account = user ?? (await registerAndLogin(t));
    const setup = await t.http().post('/api/auth/mfa/totp/setup').set(bearer(account.accessToken));
    expect(setup.status).toBe(200);
    const confirm = await t.http().post('/api/auth/mfa/totp/confirm').set(bearer(account.accessToken)).send({ code: clock.nextCode(setup.body.secret) });
    expect(confirm.status).toBe(200);
    return { ...account, secret: setup.body.secret, recoveryCodes: confirm.body.recoveryCodes };
  }

  async function passwordStep(user: { username: string; password: string }): Promise<string> {
    const response = await t.http().post('/api/auth/login').send({ username: user.username, password: user.password });
    expect(response.status).toBe(200);
    expect(response.body.mfaRequired).toBe(true);
    return response.body.mfaToken;
  }

  const verify = (body: Record<string, unknown>) => t.http().post('/api/auth/mfa/verify').send(body);

  async function nonFresh(user: TestUser): Promise<string> {
    const response = await t.http().post('/api/auth/refresh').send({ refreshToken: user.refreshToken });
    expect(response.status).toBe(200);
    return response.body.accessToken;
  }

  describe('set-up and confirmation', () => {
    it('answers a secret, its otpauth URL and a QR code, and changes nothing until confirmed', async () => {
      const user = await registerAndLogin(t);
      const setup = await t.http().post('/api/auth/mfa/totp/setup').set(bearer(user.accessToken));
      expect(setup.status).toBe(200);
      expect(setup.body.secret).toMatch(/^[A-Z2-7]{32}$/);
      expect(new URL(setup.body.otpauthUrl).searchParams.get('secret')).toBe(setup.body.secret);
      expect(setup.body.qrCode).toMatch(/^data:image\/png;base64,[A-Za-z0-9+/]+=*$/);
      const me = await t.http().get('/api/users/me').set(bearer(user.accessToken));
      expect(me.body.mfaEnabled).toBe(false);
      const again = await login(t, user.username, user.password);
      expect(again.accessToken).toEqual(expect.any(String));
    });

    it('keeps the secret sealed at rest, and recovery codes only as hashes', async () => {
      const user = await enrol();
      const [row]: Array<{ secret_sealed: string }> = await t.dataSource.query('SELECT secret_sealed FROM totp_authenticators WHERE user_id = ?', [user.id]);
      expect(row.secret_sealed).not.toContain(user.secret);
      expect(row.secret_sealed).toMatch(/^v1\./);
      const codes: Array<{ code_hash: string }> = await t.dataSource.query('SELECT code_hash FROM recovery_codes WHERE user_id = ?', [user.id]);
      expect(codes).toHaveLength(10);
      for (const { code_hash } of codes) {
        expect(code_hash).toMatch(/^[0-9a-f]{64}$/);
        expect(user.recoveryCodes).not.toContain(code_hash);
      }
    });

    it('confirms with a code: ten distinct recovery codes, mfaEnabled on the user, audited', async () => {
      const user = await enrol();
      expect(user.recoveryCodes).toHaveLength(10);
      expect(new Set(user.recoveryCodes).size).toBe(10);
      for (const code of user.recoveryCodes) expect(code).toMatch(/^[a-z2-7]{5}-[a-z2-7]{5}$/);
      const me = await t.http().get('/api/users/me').set(bearer(user.accessToken));
      expect(me.body.mfaEnabled).toBe(true);
      expect(await auditActions(t, user.id)).toContain('mfa.enabled');
      // Already on: no second set-up, and nothing left to confirm.
      const setup = await t.http().post('/api/auth/mfa/totp/setup').set(bearer(user.accessToken));
      expect(setup.status).toBe(409);
      const confirm = await t.http().post('/api/auth/mfa/totp/confirm').set(bearer(user.accessToken)).send({ code: clock.nextCode(user.secret) });
      expect(confirm.status).toBe(400);
    });

    it('refuses a wrong code, and a confirmation with no set-up in progress', async () => {
      const user = await registerAndLogin(t);
      const none = await t.http().post('/api/auth/mfa/totp/confirm').set(bearer(user.accessToken)).send({ code: '123456' });
      expect(none.status).toBe(400);
      expect(none.body.message).toMatch(/no two-factor set-up/i);
      const setup = await t.http().post('/api/auth/mfa/totp/setup').set(bearer(user.accessToken));
      const right = clock.nextCode(setup.body.secret);
      const wrong = String((Number(right) + 1) % 1_000_000).padStart(6, '0');
      const response = await t.http().post('/api/auth/mfa/totp/confirm').set(bearer(user.accessToken)).send({ code: wrong });
      expect(response.status).toBe(400);
      expect(response.body.message).toBe('Invalid code');
      expect((await t.http().get('/api/users/me').set(bearer(user.accessToken))).body.mfaEnabled).toBe(false);
    });

    it('answers 400 to malformed confirmation bodies', async () => {
      const user = await registerAndLogin(t);
      await t.http().post('/api/auth/mfa/totp/setup').set(bearer(user.accessToken));
      for (const body of [{}, { code: 123456 }, { code: '12345' }, { code: '1234567' }, { code: 'abcdef' }, { code: ['123456'] }, { code: '123456', extra: true }]) {
        const response = await t.http().post('/api/auth/mfa/totp/confirm').set(bearer(user.accessToken)).send(body);
        expect(response.status).toBe(400);
        expect(response.body.statusCode).toBe(400);
      }
      const malformed = await t
        .http()
        .post('/api/auth/mfa/totp/confirm')
        .set(bearer(user.accessToken))
        .set('Content-Type', 'application/json')
        .send('{"code": "12');
      expect(malformed.status).toBe(400);
    });

    it('needs a fresh token for set-up, confirmation, disabling and new codes', async () => {
      const user = await enrol();
      const stale = await nonFresh(user);
      for (const [method, path] of [
        ['post', '/api/auth/mfa/totp/setup'],
        ['post', '/api/auth/mfa/totp/confirm'],
        ['delete', '/api/auth/mfa/totp'],
        ['post', '/api/auth/mfa/recovery-codes'],
      ] as const) {
        const response = await t.http()[method](path).set(bearer(stale)).send(path.endsWith('confirm') ? { code: '123456' } : undefined);
        expect(response.status).toBe(401);
        expect(response.body.message).toMatch(/fresh/);
        expect((await t.http()[method](path)).status).toBe(401);
      }
      expect((await t.http().get('/api/users/me').set(bearer(stale))).body.mfaEnabled).toBe(true);
    });
  });

  describe('the login’s second step', () => {
    it('asks for a second factor after the password, with no tokens and no session', async () => {
      const user = await enrol();
      const response = await t.http().post('/api/auth/login').send({ username: user.username, password: user.password });
      expect(response.status).toBe(200);
      expect(response.body).toEqual({ mfaRequired: true, mfaToken: expect.any(String), methods: ['totp', 'recovery'], expiresIn: 300 });
      const sessions: unknown[] = await t.dataSource.query('SELECT id FROM sessions WHERE user_id = ?', [user.id]);
      expect(sessions).toHaveLength(1); // only the one from before enrolment
    });

    it('completes with a code: fresh tokens with amr ["pwd","otp"]; the token and the code then are spent', async () => {
      const user = await enrol();
      const mfaToken = await passwordStep(user);
      const code = clock.nextCode(user.secret);
      const response = await verify({ mfaToken, code });
      expect(response.status).toBe(200);
      expect(response.body).toMatchObject({ tokenType: 'Bearer', refreshToken: expect.any(String) });
      expect(claimsOf(response.body.accessToken)).toMatchObject({ sub: user.id, amr: ['pwd', 'otp'], fresh: true });
      expect((await t.http().get('/api/users/me').set(bearer(response.body.accessToken))).status).toBe(200);
      // The same token again, even with a new code.
      const reusedToken = await verify({ mfaToken, code: clock.nextCode(user.secret) });
      expect(reusedToken.status).toBe(401);
      // The same code on a new login attempt: replayed.
      const replayed = await verify({ mfaToken: await passwordStep(user), code });
      expect(replayed.status).toBe(401);
      expect(replayed.body.message).toBe('Invalid code');
    });

    it('refuses the code of a step before the one last used', async () => {
      const user = await enrol();
      const earlier = clock.currentCode(user.secret);
      const later = clock.nextCode(user.secret);
      expect((await verify({ mfaToken: await passwordStep(user), code: later })).status).toBe(200);
      expect((await verify({ mfaToken: await passwordStep(user), code: earlier })).status).toBe(401);
    });

    it('completes with a recovery code once: amr ["pwd","recovery"], audited', async () => {
      const user = await enrol();
      const [recoveryCode] = user.recoveryCodes;
      const response = await verify({ mfaToken: await passwordStep(user), recoveryCode: recoveryCode.toUpperCase() });
      expect(response.status).toBe(200);
      expect(claimsOf(response.body.accessToken)).toMatchObject({ amr: ['pwd', 'recovery'], fresh: true });
      expect(await auditActions(t, user.id)).toContain('mfa.recovery_used');
      const again = await verify({ mfaToken: await passwordStep(user), recoveryCode });
      expect(again.status).toBe(401);
      // Another of the codes still works.
      expect((await verify({ mfaToken: await passwordStep(user), recoveryCode: user.recoveryCodes[1] })).status).toBe(200);
    });

    it('kills the mfaToken after five wrong codes, auditing each as mfa.failed', async () => {
      const user = await enrol();
      const mfaToken = await passwordStep(user);
      const right = clock.nextCode(user.secret);
      const wrong = String((Number(right) + 1) % 1_000_000).padStart(6, '0');
      for (let i = 0; i < 5; i++) {
        const response = await verify({ mfaToken, code: wrong });
        expect(response.status).toBe(401);
      }
      const sixth = await verify({ mfaToken, code: right });
      expect(sixth.status).toBe(401);
      expect(sixth.body.message).toMatch(/mfaToken/);
      expect((await auditActions(t, user.id)).filter((action) => action === 'mfa.failed')).toHaveLength(5);
      // A new login attempt gets a new token, and the untouched code works there.
      expect((await verify({ mfaToken: await passwordStep(user), code: right })).status).toBe(200);
    });

    it('refuses someone else’s mfaToken, unknown and expired-looking tokens', async () => {
      const alice = await enrol();
      const bob = await enrol();
      const bobsToken = await passwordStep(bob);
      const withAlicesCode = await verify({ mfaToken: bobsToken, code: clock.nextCode(alice.secret) });
      expect(withAlicesCode.status).toBe(401);
      const withAlicesRecovery = await verify({ mfaToken: bobsToken, recoveryCode: alice.recoveryCodes[0] });
      expect(withAlicesRecovery.status).toBe(401);
      expect((await verify({ mfaToken: 'x'.repeat(43), code: clock.nextCode(alice.secret) })).status).toBe(401);
      // An access token is not an mfaToken.
      expect((await verify({ mfaToken: alice.accessToken.slice(0, 128), code: clock.nextCode(alice.secret) })).status).toBe(401);
    });

    it('answers 400 to malformed verify bodies', async () => {
      const user = await enrol();
      const mfaToken = await passwordStep(user);
      const bodies: unknown[] = [
        {},
        { mfaToken },
        { code: '123456' },
        { mfaToken, code: '123456', recoveryCode: 'abcde-fghij' },
        { mfaToken, code: 123456 },
        { mfaToken, code: '12345' },
        { mfaToken: 42, code: '123456' },
        { mfaToken: ['x'], code: '123456' },
        { mfaToken, recoveryCode: 7 },
        { mfaToken, recoveryCode: '' },
        { mfaToken, recoveryCode: null },
        { mfaToken, code: null },
        { mfaToken, code: null, recoveryCode: 'abcde-fghij' },
        { mfaToken, code: '123456', extra: 1 },
        { mfaToken: 'x'.repeat(129), code: '123456' },
      ];
      for (const body of bodies) {
        const response = await verify(body as Record<string, unknown>);
        expect(response.status).toBe(400);
        expect(response.body.statusCode).toBe(400);
      }
      const malformed = await t.http().post('/api/auth/mfa/verify').set('Content-Type', 'application/json').send('{"mfaToken":');
      expect(malformed.status).toBe(400);
      const form = await t.http().post('/api/auth/mfa/verify').set('Content-Type', 'text/plain').send('mfaToken=x');
      expect([400, 415]).toContain(form.status);
      // None of those spent the token's attempts.
      expect((await verify({ mfaToken, code: clock.nextCode(user.secret) })).status).toBe(200);
    });

    it('refuses the second step of an account disabled after its password step', async () => {
      const user = await enrol();
      const mfaToken = await passwordStep(user);
      await t.dataSource.query("UPDATE users SET status = 'disabled' WHERE id = ?", [user.id]);
      expect((await verify({ mfaToken, code: clock.nextCode(user.secret) })).status).toBe(401);
    });

    it('sets the refresh cookie in cookie mode, as a login does', async () => {
      const user = await enrol();
      const start = await t.http().post('/api/auth/login').set('X-Token-Transport', 'cookie').send({ username: user.username, password: user.password });
      expect(start.status).toBe(200);
      expect(start.headers['set-cookie']).toBeUndefined();
      const response = await t
        .http()
        .post('/api/auth/mfa/verify')
        .set('X-Token-Transport', 'cookie')
        .send({ mfaToken: start.body.mfaToken, code: clock.nextCode(user.secret) });
      expect(response.status).toBe(200);
      expect(response.body.refreshToken).toBeUndefined();
      expect(response.body.accessToken).toEqual(expect.any(String));
      const cookies = ([] as string[]).concat(response.headers['set-cookie'] ?? []);
      expect(cookies.some((cookie) => cookie.startsWith('refresh_token=') && /HttpOnly/i.test(cookie))).toBe(true);
      expect(cookies.some((cookie) => cookie.startsWith('csrf_token='))).toBe(true);
    });
  });

  it('documents every new route in the OpenAPI document, with its failures', async () => {
    const document = (await t.http().get('/docs-json')).body;
    const operation = (path: string, method: string) => document.paths[path]?.[method];
    const verifyOp = operation('/api/auth/mfa/verify', 'post');
    expect(verifyOp).toMatchObject({ operationId: 'verifyMfa', security: [] });
    // The document adds the statuses every route can answer (413, 415, 503) centrally.
    expect(Object.keys(verifyOp.responses)).toEqual(expect.arrayContaining(['200', '400', '401', '429']));
    expect(verifyOp.responses['429'].headers['Retry-After']).toBeDefined();
    for (const [path, method, id, statuses] of [
      ['/api/auth/mfa/totp/setup', 'post', 'setupTotp', ['200', '401', '409']],
      ['/api/auth/mfa/totp/confirm', 'post', 'confirmTotp', ['200', '400', '401']],
      ['/api/auth/mfa/totp', 'delete', 'disableTotp', ['204', '401', '404']],
      ['/api/auth/mfa/recovery-codes', 'post', 'regenerateRecoveryCodes', ['200', '401', '404']],
      ['/api/users/{id}/mfa', 'delete', 'resetUserMfa', ['204', '400', '401', '403', '404']],
    ] as const) {
      const op = operation(path, method);
      expect(op).toMatchObject({ operationId: id, summary: expect.any(String), description: expect.any(String) });
      expect(Object.keys(op.responses)).toEqual(expect.arrayContaining([...statuses]));
      for (const status of statuses.filter((code) => code >= '400')) {
        expect(op.responses[status].content['application/json'].schema).toEqual(expect.objectContaining({ $ref: expect.any(String) }));
      }
    }
    expect(operation('/api/auth/login', 'post').responses['200'].content['application/json'].schema.oneOf).toHaveLength(2);
  });

  describe('turning it off and new codes', () => {
    it('disables with a fresh token: logins need the password only again; a second disable is 404', async () => {
      const user = await enrol();
      const response = await t.http().delete('/api/auth/mfa/totp').set(bearer(user.accessToken));
      expect(response.status).toBe(204);
      expect((await t.http().get('/api/users/me').set(bearer(user.accessToken))).body.mfaEnabled).toBe(false);
      expect((await login(t, user.username, user.password)).accessToken).toEqual(expect.any(String));
      expect((await t.http().delete('/api/auth/mfa/totp').set(bearer(user.accessToken))).status).toBe(404);
      expect((await t.http().post('/api/auth/mfa/recovery-codes').set(bearer(user.accessToken))).status).toBe(404);
      expect(await auditActions(t, user.id)).toContain('mfa.disabled');
      const rows: unknown[] = await t.dataSource.query('SELECT id FROM recovery_codes WHERE user_id = ?', [user.id]);
      expect(rows).toHaveLength(0);
    });

    it('an mfaToken issued before disabling no longer completes a login', async () => {
      const user = await enrol();
      const mfaToken = await passwordStep(user);
      expect((await t.http().delete('/api/auth/mfa/totp').set(bearer(user.accessToken))).status).toBe(204);
      expect((await verify({ mfaToken, recoveryCode: user.recoveryCodes[0] })).status).toBe(401);
    });

    it('new recovery codes replace the old ones', async () => {
      const user = await enrol();
      const response = await t.http().post('/api/auth/mfa/recovery-codes').set(bearer(user.accessToken));
      expect(response.status).toBe(200);
      expect(response.body.recoveryCodes).toHaveLength(10);
      expect(response.body.recoveryCodes).not.toContain(user.recoveryCodes[0]);
      expect((await verify({ mfaToken: await passwordStep(user), recoveryCode: user.recoveryCodes[0] })).status).toBe(401);
      expect((await verify({ mfaToken: await passwordStep(user), recoveryCode: response.body.recoveryCodes[0] })).status).toBe(200);
    });
  });
});

describe('two-factor login and the account lockout', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp({ env: { LOGIN_MAX_FAILURES: '3', LOGIN_LOCKOUT: '15m' } });
  });
  afterAll(async () => {
    await t?.close();
  });

  /** A user with a confirmed app and a hand-driven clock: each `nextStep()` moves one step on and gives that step's right code and a wrong one. */
  async function enrolledWithClock() {
    let now = Date.now() - (Date.now() % STEP_MS) + 10_000;
    t.app.get(Clock).now = () => now;
    const user = await registerAndLogin(t, uniqueName());
    const setup = await t.http().post('/api/auth/mfa/totp/setup').set(bearer(user.accessToken));
    now += STEP_MS;
    expect((await t.http().post('/api/auth/mfa/totp/confirm').set(bearer(user.accessToken)).send({ code: appCode(setup.body.secret, now) })).status).toBe(200);
    const nextStep = () => {
      now += STEP_MS;
      const right = appCode(setup.body.secret, now);
      return { right, wrong: String((Number(right) + 1) % 1_000_000).padStart(6, '0') };
    };
    return { user, nextStep };
  }

  it('counts wrong codes toward the account’s lockout: then both steps answer 429', async () => {
    const { user, nextStep } = await enrolledWithClock();
    const { right, wrong } = nextStep();

    const start = await t.http().post('/api/auth/login').send({ username: user.username, password: user.password });
    const mfaToken = start.body.mfaToken as string;
    for (let i = 0; i < 3; i++) expect((await t.http().post('/api/auth/mfa/verify').send({ mfaToken, code: wrong })).status).toBe(401);
    const locked = await t.http().post('/api/auth/mfa/verify').send({ mfaToken, code: right });
    expect(locked.status).toBe(429);
    expect(locked.headers['retry-after']).toEqual(expect.any(String));
    const password = await t.http().post('/api/auth/login').send({ username: user.username, password: user.password });
    expect(password.status).toBe(429);
  });

  it('a right password does not forget wrong codes: logging in again buys no new guesses', async () => {
    const { user, nextStep } = await enrolledWithClock();
    const { right, wrong } = nextStep();
    const guess = async () => {
      const start = await t.http().post('/api/auth/login').send({ username: user.username, password: user.password });
      expect(start.status).toBe(200);
      expect((await t.http().post('/api/auth/mfa/verify').send({ mfaToken: start.body.mfaToken, code: wrong })).status).toBe(401);
      return start.body.mfaToken as string;
    };
    await guess();
    await guess();
    const last = await guess();
    expect((await t.http().post('/api/auth/mfa/verify').send({ mfaToken: last, code: right })).status).toBe(429);
    expect((await t.http().post('/api/auth/login').send({ username: user.username, password: user.password })).status).toBe(429);
  });

  it('a right code forgets the earlier failures, as a right password does', async () => {
    const { user, nextStep } = await enrolledWithClock();
    for (let round = 0; round < 2; round++) {
      const { right, wrong } = nextStep();
      const start = await t.http().post('/api/auth/login').send({ username: user.username, password: user.password });
      expect(start.status).toBe(200);
      expect((await t.http().post('/api/auth/mfa/verify').send({ mfaToken: start.body.mfaToken, code: wrong })).status).toBe(401);
      expect((await t.http().post('/api/auth/mfa/verify').send({ mfaToken: start.body.mfaToken, code: right })).status).toBe(200);
    }
  });
});

describe('admin reset of a user’s two-factor login', () => {
  let t: TestApp;
  let admin: TestUser;
  beforeAll(async () => {
    const username = uniqueName('admin');
    const password = strongPassword();
    t = await createTestApp({ env: { ADMIN_USERNAME: username, ADMIN_PASSWORD: password } });
    const tokens = await login(t, username, password);
    const me = await t.http().get('/api/users/me').set(bearer(tokens.accessToken));
    admin = { id: me.body.id, username, password, ...tokens };
  });
  afterAll(async () => {
    await t?.close();
  });

  it('removes the app and the codes with a fresh admin token; only admins, only fresh; 400/404 for bad ids', async () => {
    let now = Date.now() - (Date.now() % STEP_MS) + 10_000;
    t.app.get(Clock).now = () => now;
    const user = await registerAndLogin(t);
    const setup = await t.http().post('/api/auth/mfa/totp/setup').set(bearer(user.accessToken));
    now += STEP_MS;
    expect((await t.http().post('/api/auth/mfa/totp/confirm').set(bearer(user.accessToken)).send({ code: appCode(setup.body.secret, now) })).status).toBe(200);

    const path = `/api/users/${user.id}/mfa`;
    const byUser = await t.http().delete(path).set(bearer(user.accessToken));
    expect(byUser.status).toBe(403);
    const stale = (await t.http().post('/api/auth/refresh').send({ refreshToken: admin.refreshToken })).body.accessToken as string;
    const notFresh = await t.http().delete(path).set(bearer(stale));
    expect(notFresh.status).toBe(401);
    expect(notFresh.body.message).toMatch(/fresh/);
    expect((await t.http().delete(path)).status).toBe(401);
    expect((await t.http().delete('/api/users/not-a-uuid/mfa').set(bearer(admin.accessToken))).status).toBe(400);
    expect((await t.http().delete(`/api/users/${randomUUID()}/mfa`).set(bearer(admin.accessToken))).status).toBe(404);
    expect((await t.http().get('/api/users/me').set(bearer(user.accessToken))).body.mfaEnabled).toBe(true);

    const reset = await t.http().delete(path).set(bearer(admin.accessToken));
    expect(reset.status).toBe(204);
    expect((await t.http().get(`/api/users/${user.id}`).set(bearer(admin.accessToken))).body.mfaEnabled).toBe(false);
    const next = await t.http().post('/api/auth/login').send({ username: user.username, password: user.password });
    expect(next.status).toBe(200);
    expect(next.body.accessToken).toEqual(expect.any(String));
    const rows: Array<{ action: string; actor_id: string }> = await t.dataSource.query(
      "SELECT action, actor_id FROM audit_events WHERE target_id = ? AND action = 'mfa.reset'",
      [user.id],
    );
    expect(rows).toEqual([{ action: 'mfa.reset', actor_id: admin.id }]);
  });
});
