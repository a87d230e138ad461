import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { randomUUID } from 'node:crypto';
import { createConnection } from 'mysql2/promise';
import pg from 'pg';
import { UserIdentity } from '../src/auth/oidc/user-identity.entity.js';
import { Passkey } from '../src/auth/passkeys/passkey.entity.js';
import { PasswordResetService } from '../src/auth/email/password-reset.service.js';
import { MailerService } from '../src/mail/mailer.service.js';
import { OneTimeToken } from '../src/one-time-tokens/one-time-token.entity.js';
import { bearer, login } from './support/auth-helpers.js';
import { linkToken, startSmtpSink, type SmtpSink } from './support/smtp-sink.js';
import { SoftAuthenticator } from './support/soft-authenticator.js';
import { createTestApp, strongPassword, uniqueName, type TestApp } from './support/test-app.js';
import { testDatabaseKind } from './support/test-database.js';

const APP_URL = 'https://auth.example.test';

/** Holds `table` from a connection of its own (MySQL/MariaDB or PostgreSQL) until the returned function is called. */
async function lockTable(t: TestApp, table: string): Promise<() => Promise<void>> {
  if (t.database.kind === 'mysql') {
    const connection = await createConnection({ uri: t.database.url });
    await connection.query(`LOCK TABLES ${table} WRITE`);
    return async () => {
      await connection.query('UNLOCK TABLES');
      await connection.end();
    };
  }
  const client = new pg.Client({ connectionString: t.database.url });
  await client.connect();
  await client.query(`BEGIN; LOCK TABLE ${table} IN ACCESS EXCLUSIVE MODE`);
  return async () => {
    await client.query('ROLLBACK');
    await client.end();
  };
}

interface Account {
  id: string;
  username: string;
  email: string;
  password: string;
  accessToken: string;
  refreshToken: string;
}

/**
 * Email verification and account recovery against a real SMTP server in this process:
 * the service sends through SMTP_URL, the test reads what arrived and follows the links.
 */
describe('email: verification, recovery and address changes (SMTP)', () => {
  let t: TestApp;
  let smtp: SmtpSink;
  let admin: { id: string; accessToken: string; refreshToken: string };

  const mailer = () => t.app.get(MailerService);
  const address = () => `${uniqueName('mbox')}@example.test`;

  async function register(email = address(), password = strongPassword()): Promise<Omit<Account, 'accessToken' | 'refreshToken'>> {
    const username = uniqueName();
    const response = await t.http().post('/api/auth/register').send({ username, password, email });
    expect(response.status).toBe(201);
    return { id: response.body.id, username, email, password };
  }

  async function account(): Promise<Account> {
    const user = await register();
    return { ...user, ...(await login(t, user.username, user.password)) };
  }

  async function audit(action: string, targetId: string) {
    const response = await t.http().get(`/api/audit?action=${action}&limit=100`).set(bearer(admin.accessToken));
    expect(response.status).toBe(200);
    return (response.body.items as Array<{ targetId: string; actorId: string | null; detail: unknown }>).filter(
      (item) => item.targetId === targetId,
    );
  }

  /** Moves the user's links of this purpose one second into the past. */
  async function expire(userId: string, purpose: string): Promise<void> {
    const result = await t.dataSource
      .getRepository(OneTimeToken)
      .update({ subject: userId, purpose }, { expiresAt: new Date(Date.now() - 1000) });
    expect(result.affected).toBe(1);
  }

  beforeAll(async () => {
    smtp = await startSmtpSink();
    const adminName = uniqueName('admin');
    const adminPassword = strongPassword();
    t = await createTestApp({
      env: {
        SMTP_URL: smtp.url,
        APP_URL,
        MAIL_FROM: 'accounts@example.test',
        MAIL_PER_HOUR: '3',
        ADMIN_USERNAME: adminName,
        ADMIN_PASSWORD: adminPassword,
        LOGIN_MAX_FAILURES: '3',
      },
    });
    const tokens = await login(t, adminName, adminPassword);
    const me = await t.http().get('/api/users/me').set(bearer(tokens.accessToken));
    admin = { id: me.body.id, ...tokens };
    // Migrations on a busy MySQL server can take longer than the default 30 s.
  }, 120_000);
  afterAll(async () => {
    await t?.close();
    await smtp?.close();
  });

  describe('registration and verification', () => {
    it('mails a verification link with text and HTML parts; following it verifies the address, once', async () => {
      const user = await register();
      const mail = await smtp.waitFor(user.email);
      expect(mail.parsed.subject).toMatch(/confirm your email address/i);
      expect(mail.parsed.subject).toContain('nest-auth-service');
      expect(mail.parsed.from?.value[0]?.address).toBe('accounts@example.test');
      expect(mail.parsed.text).toContain(`${APP_URL}/#/verify-email?token=`);
      expect(mail.parsed.html).toContain(`${APP_URL}/#/verify-email?token=`);
      const token = linkToken(mail, 'verify-email');
      expect(Buffer.from(token, 'base64url').length).toBeGreaterThanOrEqual(16);

      const tokens = await login(t, user.username, user.password);
      const before = await t.http().get('/api/users/me').set(bearer(tokens.accessToken));
      expect(before.body).toMatchObject({ email: user.email, emailVerified: false });

      expect((await t.http().post('/api/auth/email/verify').send({ token })).status).toBe(204);
      const after = await t.http().get('/api/users/me').set(bearer(tokens.accessToken));
      expect(after.body).toMatchObject({ email: user.email, emailVerified: true });
      expect(await audit('email.verified', user.id)).toHaveLength(1);

      const again = await t.http().post('/api/auth/email/verify').send({ token });
      expect(again.status).toBe(400);
      expect(again.body).toEqual({ statusCode: 400, message: 'Invalid, used or expired link', error: 'Bad Request' });
    });

    it('stores only a hash of the link token', async () => {
      const user = await register();
      const token = linkToken(await smtp.waitFor(user.email), 'verify-email');
      const rows: Array<Record<string, unknown>> = await t.dataSource.query('SELECT * FROM one_time_tokens WHERE subject = ?', [user.id]);
      expect(rows).toHaveLength(1);
      expect(JSON.stringify(rows)).not.toContain(token);
    });

    it('refuses an unknown, expired or malformed token with 400, never 5xx', async () => {
      expect((await t.http().post('/api/auth/email/verify').send({ token: 'x'.repeat(43) })).status).toBe(400);

      const user = await register();
      const token = linkToken(await smtp.waitFor(user.email), 'verify-email');
      await expire(user.id, 'email-verification');
      expect((await t.http().post('/api/auth/email/verify').send({ token })).status).toBe(400);

      for (const body of [{}, { token: 42 }, { token: '' }, { token: 'a'.repeat(500) }, { token: 'abc', extra: 1 }, []]) {
        const response = await t.http().post('/api/auth/email/verify').send(body);
        expect(response.status).toBe(400);
        expect(response.body.error).toBe('Bad Request');
      }
      const malformed = await t.http().post('/api/auth/email/verify').set('Content-Type', 'application/json').send('{"token":');
      expect(malformed.status).toBe(400);
    });

    it('refuses a second account with the same address in another letter case (409), and invalid addresses (400)', async () => {
      const user = await register();
      const clash = await t.http().post('/api/auth/register').send({ username: uniqueName(), password: strongPassword(), email: user.email.toUpperCase() });
      expect(clash.status).toBe(409);
      expect(clash.body).toEqual({ statusCode: 409, message: 'Email address is already taken', error: 'Conflict' });

      // '\u212A' (the Kelvin sign) lower-cases to 'k': that address would take the key of kate-…@example.test.
      for (const email of ['not-an-address', 'a@', 42, `${'a'.repeat(250)}@example.test`, 'lone\ud800@example.test', `\u212Aate-${uniqueName()}@example.test`]) {
        const response = await t.http().post('/api/auth/register').send({ username: uniqueName(), password: strongPassword(), email });
        expect(response.status).toBe(400);
        expect(response.body.message).toEqual(expect.arrayContaining([expect.stringMatching(/^email/)]));
      }
    });
  });

  describe('login by email', () => {
    it('accepts the address in any letter case as the username', async () => {
      const user = await register();
      const response = await t.http().post('/api/auth/login').send({ username: user.email.toUpperCase(), password: user.password });
      expect(response.status).toBe(200);
      const me = await t.http().get('/api/users/me').set(bearer(response.body.accessToken));
      expect(me.body.id).toBe(user.id);

      const wrong = await t.http().post('/api/auth/login').send({ username: user.email, password: strongPassword() });
      expect(wrong.status).toBe(401);
      const unknown = await t.http().post('/api/auth/login').send({ username: address(), password: user.password });
      expect(unknown.status).toBe(401);
      expect(unknown.body.message).toBe(wrong.body.message);
    });

    it('counts failures by address and by username against one lockout', async () => {
      const user = await register();
      const wrong = strongPassword();
      expect((await t.http().post('/api/auth/login').send({ username: user.email, password: wrong })).status).toBe(401);
      expect((await t.http().post('/api/auth/login').send({ username: user.username, password: wrong })).status).toBe(401);
      expect((await t.http().post('/api/auth/login').send({ username: user.email.toUpperCase(), password: wrong })).status).toBe(401);
      // LOGIN_MAX_FAILURES=3: the account is locked, whichever name is typed, even with the right password.
      const byName = await t.http().post('/api/auth/login').send({ username: user.username, password: user.password });
      expect(byName.status).toBe(429);
      expect(Number(byName.headers['retry-after'])).toBeGreaterThan(0);
      expect((await t.http().post('/api/auth/login').send({ username: user.email, password: user.password })).status).toBe(429);
    });
  });

  describe('forgotten password', () => {
    it('answers the same 202 for a known and an unknown address, and mails only the known one', async () => {
      const user = await register();
      const stranger = address();
      const known = await t.http().post('/api/auth/password/forgot').send({ email: user.email.toUpperCase() });
      const unknown = await t.http().post('/api/auth/password/forgot').send({ email: stranger });
      expect(known.status).toBe(202);
      expect(unknown.status).toBe(202);
      expect(known.body).toEqual(unknown.body);
      expect(known.body).toEqual({ message: expect.any(String) });

      const mail = await smtp.waitFor(user.email, (m) => /reset/i.test(m.parsed.subject ?? ''));
      expect(mail.parsed.text).toContain(`${APP_URL}/#/reset-password?token=`);
      expect(mail.parsed.html).toContain(`${APP_URL}/#/reset-password?token=`);
      await mailer().drain();
      expect(smtp.to(stranger)).toHaveLength(0);
      const requested = await audit('password.reset_requested', user.id);
      expect(requested).toHaveLength(1);
      expect(JSON.stringify(requested)).not.toContain(linkToken(mail, 'reset-password'));
    });

    it('resets the password, ends every session, lifts a lockout, verifies the address; the link then is used up', async () => {
      const user = await account();
      const other = await login(t, user.username, user.password);
      // Lock the account first.
      for (let i = 0; i < 3; i++) await t.http().post('/api/auth/login').send({ username: user.username, password: strongPassword() });
      expect((await t.http().post('/api/auth/login').send({ username: user.username, password: user.password })).status).toBe(429);

      await t.http().post('/api/auth/password/forgot').send({ email: user.email }).expect(202);
      const token = linkToken(await smtp.waitFor(user.email, (m) => /reset/i.test(m.parsed.subject ?? '')), 'reset-password');
      const newPassword = strongPassword();
      expect((await t.http().post('/api/auth/password/reset').send({ token, newPassword })).status).toBe(204);

      for (const session of [user, other]) {
        expect((await t.http().get('/api/users/me').set(bearer(session.accessToken))).status).toBe(401);
        expect((await t.http().post('/api/auth/refresh').set(bearer(session.refreshToken))).status).toBe(401);
      }
      expect((await t.http().post('/api/auth/login').send({ username: user.username, password: user.password })).status).toBe(401);
      const fresh = await login(t, user.email, newPassword);
      const me = await t.http().get('/api/users/me').set(bearer(fresh.accessToken));
      expect(me.body).toMatchObject({ id: user.id, emailVerified: true });
      expect(await audit('password.reset', user.id)).toHaveLength(1);

      const reused = await t.http().post('/api/auth/password/reset').send({ token, newPassword: strongPassword() });
      expect(reused.status).toBe(400);
      expect(reused.body.message).toBe('Invalid, used or expired link');
    });

    it('stops working when the address changes: it never verifies an address it was not mailed to', async () => {
      // The attack: ask for a link to your own mailbox, move the account to someone else's
      // address, then reset: the old link used to mark that address verified.
      const user = await account();
      await t.http().post('/api/auth/password/forgot').send({ email: user.email }).expect(202);
      const token = linkToken(await smtp.waitFor(user.email, (m) => /reset/i.test(m.parsed.subject ?? '')), 'reset-password');
      const victim = address();
      expect((await t.http().put('/api/users/me/email').set(bearer(user.accessToken)).send({ email: victim })).status).toBe(200);

      const reset = await t.http().post('/api/auth/password/reset').send({ token, newPassword: strongPassword() });
      expect(reset.status).toBe(400);
      expect(reset.body.message).toBe('Invalid, used or expired link');
      const me = await t.http().get('/api/users/me').set(bearer(user.accessToken));
      expect(me.body).toMatchObject({ email: victim, emailVerified: false });
      expect(await audit('email.verified', user.id)).toEqual([]);
    });

    it('removes passkeys and linked providers when it is the first proof of the address, and keeps them once the address was verified', async () => {
      // Anyone can register with someone else's address and add their own passkey or provider
      // before the owner ever proves the mailbox; the owner's reset must not leave them a way in.
      const addPasskey = async (accessToken: string) => {
        const authenticator = new SoftAuthenticator(t.config.webauthn.origin, t.config.webauthn.rpId);
        const options = await t.http().post('/api/auth/passkeys/registration/options').set(bearer(accessToken));
        const added = await t.http().post('/api/auth/passkeys/registration').set(bearer(accessToken)).send({ response: authenticator.register(options.body) });
        expect(added.status).toBe(201);
        return { authenticator, id: added.body.id as string };
      };
      const passkeyLogin = async (authenticator: SoftAuthenticator) => {
        const options = await t.http().post('/api/auth/passkeys/authentication/options');
        return t.http().post('/api/auth/passkeys/authentication').send({ challengeId: options.body.challengeId, response: authenticator.authenticate(options.body.options.challenge) });
      };
      const linkProvider = (userId: string) =>
        t.dataSource.getRepository(UserIdentity).insert({ id: randomUUID(), userId, provider: 'test', subject: randomUUID(), email: null, linkedAt: new Date() });
      const resetThroughMail = async (email: string) => {
        await t.http().post('/api/auth/password/forgot').send({ email }).expect(202);
        const token = linkToken(await smtp.waitFor(email, (m) => /reset/i.test(m.parsed.subject ?? '')), 'reset-password');
        expect((await t.http().post('/api/auth/password/reset').send({ token, newPassword: strongPassword() })).status).toBe(204);
      };

      const squatter = await account();
      const planted = await addPasskey(squatter.accessToken);
      expect((await passkeyLogin(planted.authenticator)).status).toBe(200);
      await linkProvider(squatter.id);
      await resetThroughMail(squatter.email);
      expect((await passkeyLogin(planted.authenticator)).status).toBe(401);
      expect(await t.dataSource.getRepository(Passkey).findBy({ userId: squatter.id })).toEqual([]);
      expect(await t.dataSource.getRepository(UserIdentity).findBy({ userId: squatter.id })).toEqual([]);
      expect(await audit('passkey.removed', squatter.id)).toEqual([expect.objectContaining({ detail: { passkeyId: planted.id, reason: 'first-email-proof' } })]);
      expect(await audit('oidc.unlinked', squatter.id)).toEqual([expect.objectContaining({ detail: { provider: 'test', reason: 'first-email-proof' } })]);

      const owner = await account();
      expect((await t.http().post('/api/auth/email/verify').send({ token: linkToken(await smtp.waitFor(owner.email), 'verify-email') })).status).toBe(204);
      const own = await addPasskey(owner.accessToken);
      await linkProvider(owner.id);
      await resetThroughMail(owner.email);
      expect((await passkeyLogin(own.authenticator)).status).toBe(200);
      expect(await t.dataSource.getRepository(UserIdentity).countBy({ userId: owner.id })).toBe(1);
    });

    it('refuses a password the policy rejects and keeps the link usable; refuses an expired link', async () => {
      const user = await register();
      await t.http().post('/api/auth/password/forgot').send({ email: user.email }).expect(202);
      const token = linkToken(await smtp.waitFor(user.email, (m) => /reset/i.test(m.parsed.subject ?? '')), 'reset-password');

      const weak = await t.http().post('/api/auth/password/reset').send({ token, newPassword: 'short' });
      expect(weak.status).toBe(400);
      expect(weak.body.message).toEqual([expect.stringMatching(/^newPassword/)]);
      const withName = await t.http().post('/api/auth/password/reset').send({ token, newPassword: `${user.username}-and-more-words` });
      expect(withName.status).toBe(400);

      await expire(user.id, 'password-reset');
      expect((await t.http().post('/api/auth/password/reset').send({ token, newPassword: strongPassword() })).status).toBe(400);
      // The old password still works: nothing was changed by the refused attempts.
      expect((await t.http().post('/api/auth/login').send({ username: user.username, password: user.password })).status).toBe(200);
    });

    // SQLite has one writer for every table, so the quota count would wait too: there is no table to hold alone.
    (testDatabaseKind() === 'sqlite' ? it.skip : it)('answers a known address before writing its link: the answer does not wait on the account’s writes, and the link still follows', async () => {
      const user = await register();
      await mailer().drain();
      // Another client holds the links table, as a slow or busy database would.
      const release = await lockTable(t, 'one_time_tokens');
      let answer;
      try {
        answer = await t.http().post('/api/auth/password/forgot').send({ email: user.email });
      } finally {
        await release();
      }
      expect(answer.status).toBe(202);
      expect(answer.body).toEqual({ message: expect.any(String) });
      const mail = await smtp.waitFor(user.email, (m) => /reset/i.test(m.parsed.subject ?? ''));
      expect(mail.parsed.text).toContain(`${APP_URL}/#/reset-password?token=`);
    });

    it('lets a newer link void the older one, and lets only one of two concurrent resets win', async () => {
      const user = await register();
      const isReset = (m: { parsed: { subject?: string } }) => /reset/i.test(m.parsed.subject ?? '');
      await t.http().post('/api/auth/password/forgot').send({ email: user.email }).expect(202);
      const first = linkToken(await smtp.waitFor(user.email, isReset), 'reset-password');
      await t.http().post('/api/auth/password/forgot').send({ email: user.email }).expect(202);
      const second = linkToken(await smtp.waitFor(user.email, (m) => isReset(m) && linkToken(m, 'reset-password') !== first), 'reset-password');

      expect((await t.http().post('/api/auth/password/reset').send({ token: first, newPassword: strongPassword() })).status).toBe(400);
      const outcomes = await Promise.all(
        [strongPassword(), strongPassword()].map((newPassword) => t.http().post('/api/auth/password/reset').send({ token: second, newPassword })),
      );
      expect(outcomes.map((response) => response.status).sort()).toEqual([204, 400]);
    });

    it('refuses non-addresses and malformed bodies with 400', async () => {
      for (const body of [{}, { email: 'nope' }, { email: 5 }, { email: 'a\udc00@example.test' }, { email: 'a@example.test', more: true }]) {
        expect((await t.http().post('/api/auth/password/forgot').send(body)).status).toBe(400);
      }
      for (const body of [{}, { token: 'abc' }, { newPassword: strongPassword() }, { token: 1, newPassword: strongPassword() }]) {
        expect((await t.http().post('/api/auth/password/reset').send(body)).status).toBe(400);
      }
    });
  });

  describe('changing the address', () => {
    it('needs a fresh token, refuses a taken address, and otherwise mails the new address a link and the old one a notice', async () => {
      const user = await account();
      const firstLink = linkToken(await smtp.waitFor(user.email), 'verify-email');
      const refreshed = await t.http().post('/api/auth/refresh').set(bearer(user.refreshToken));
      const stale = await t.http().put('/api/users/me/email').set(bearer(refreshed.body.accessToken)).send({ email: address() });
      expect(stale.status).toBe(401);
      expect(stale.body.message).toMatch(/fresh/);

      const taken = await register();
      const clash = await t.http().put('/api/users/me/email').set(bearer(user.accessToken)).send({ email: taken.email.toUpperCase() });
      expect(clash.status).toBe(409);

      const newEmail = address();
      const changed = await t.http().put('/api/users/me/email').set(bearer(user.accessToken)).send({ email: newEmail });
      expect(changed.status).toBe(200);
      expect(changed.body).toMatchObject({ id: user.id, email: newEmail, emailVerified: false });

      const notice = await smtp.waitFor(user.email, (m) => /changed/i.test(m.parsed.subject ?? ''));
      expect(notice.parsed.text).toContain(newEmail);
      expect(notice.parsed.text).toMatch(/not you/i);
      const link = linkToken(await smtp.waitFor(newEmail), 'verify-email');
      expect(await audit('email.changed', user.id)).toEqual([expect.objectContaining({ detail: { from: user.email, to: newEmail } })]);

      // The link mailed to the old address no longer verifies anything.
      expect((await t.http().post('/api/auth/email/verify').send({ token: firstLink })).status).toBe(400);
      expect((await t.http().post('/api/auth/email/verify').send({ token: link })).status).toBe(204);
      const me = await t.http().get('/api/users/me').set(bearer(user.accessToken));
      expect(me.body).toMatchObject({ email: newEmail, emailVerified: true });
      // Login by the old address no longer finds the account.
      expect((await t.http().post('/api/auth/login').send({ username: user.email, password: user.password })).status).toBe(401);
    });

    it('counts the notices to the old address toward MAIL_PER_HOUR: moving an account on and off an inbox mails it at most 3 times', async () => {
      const user = await account();
      const inbox = address();
      // Each round mails `inbox` a link (moving on) and a notice (moving off): 8 mails unlimited.
      for (let round = 0; round < 4; round++) {
        expect((await t.http().put('/api/users/me/email').set(bearer(user.accessToken)).send({ email: inbox })).status).toBe(200);
        expect((await t.http().put('/api/users/me/email').set(bearer(user.accessToken)).send({ email: address() })).status).toBe(200);
      }
      await mailer().drain();
      const kinds = smtp.to(inbox).map((m) => (/changed/i.test(m.parsed.subject ?? '') ? 'notice' : 'link'));
      expect(kinds.sort()).toEqual(['link', 'link', 'notice']);
      // The changes themselves all happened and were audited.
      expect(await audit('email.changed', user.id)).toHaveLength(8);
    });

    it('refuses invalid bodies with 400 and anonymous callers with 401', async () => {
      const user = await account();
      for (const body of [{}, { email: 'x' }, { email: null }, { email: address(), emailVerified: true }]) {
        expect((await t.http().put('/api/users/me/email').set(bearer(user.accessToken)).send(body)).status).toBe(400);
      }
      expect((await t.http().put('/api/users/me/email').send({ email: address() })).status).toBe(401);
    });
  });

  describe('resending the verification mail', () => {
    it('sends a new link that voids the old one, then answers 429 with Retry-After once MAIL_PER_HOUR is spent', async () => {
      const user = await account();
      const original = linkToken(await smtp.waitFor(user.email), 'verify-email');
      const resent = await t.http().post('/api/users/me/email/verification').set(bearer(user.accessToken));
      expect(resent.status).toBe(202);
      await mailer().drain();
      const links = smtp.to(user.email).map((m) => linkToken(m, 'verify-email'));
      expect(links).toHaveLength(2);
      expect((await t.http().post('/api/auth/email/verify').send({ token: original })).status).toBe(400);

      // MAIL_PER_HOUR=3: the registration mail and the resend used two.
      expect((await t.http().post('/api/users/me/email/verification').set(bearer(user.accessToken))).status).toBe(202);
      const over = await t.http().post('/api/users/me/email/verification').set(bearer(user.accessToken));
      expect(over.status).toBe(429);
      expect(Number(over.headers['retry-after'])).toBeGreaterThan(0);
      expect(Number(over.headers['retry-after'])).toBeLessThanOrEqual(3600);
      await mailer().drain();
      expect(smtp.to(user.email)).toHaveLength(3);

      // Forgot-password still answers 202 past the limit, but sends nothing.
      expect((await t.http().post('/api/auth/password/forgot').send({ email: user.email })).status).toBe(202);
      await t.app.get(PasswordResetService).settled();
      await mailer().drain();
      expect(smtp.to(user.email)).toHaveLength(3);
    });

    it('answers 400 when there is nothing to verify', async () => {
      const user = await account();
      const token = linkToken(await smtp.waitFor(user.email), 'verify-email');
      await t.http().post('/api/auth/email/verify').send({ token }).expect(204);
      const verified = await t.http().post('/api/users/me/email/verification').set(bearer(user.accessToken));
      expect(verified.status).toBe(400);
      expect(verified.body.message).toMatch(/already verified/);

      const username = uniqueName();
      const password = strongPassword();
      await t.http().post('/api/auth/register').send({ username, password }).expect(201);
      const noEmail = await login(t, username, password);
      const none = await t.http().post('/api/users/me/email/verification').set(bearer(noEmail.accessToken));
      expect(none.status).toBe(400);
      expect(none.body.message).toMatch(/no email/);
    });
  });

  describe("an admin's reset link", () => {
    it('gives a fresh admin a one-time link that voids earlier ones and works like a mailed one', async () => {
      const user = await register();
      await t.http().post('/api/auth/password/forgot').send({ email: user.email }).expect(202);
      const mailed = linkToken(await smtp.waitFor(user.email, (m) => /reset/i.test(m.parsed.subject ?? '')), 'reset-password');

      const response = await t.http().post(`/api/users/${user.id}/password-reset`).set(bearer(admin.accessToken));
      expect(response.status).toBe(201);
      expect(response.body).toEqual({ resetUrl: expect.stringMatching(new RegExp(`^${APP_URL}/#/reset-password\\?token=`)), expiresAt: expect.any(String) });
      const expiresIn = Date.parse(response.body.expiresAt) - Date.now();
      expect(expiresIn).toBeGreaterThan(25 * 60_000);
      expect(expiresIn).toBeLessThanOrEqual(30 * 60_000);

      expect((await t.http().post('/api/auth/password/reset').send({ token: mailed, newPassword: strongPassword() })).status).toBe(400);
      const token = new URL(response.body.resetUrl.replace('/#/', '/')).searchParams.get('token')!;
      const newPassword = strongPassword();
      expect((await t.http().post('/api/auth/password/reset').send({ token, newPassword })).status).toBe(204);
      expect((await t.http().post('/api/auth/login').send({ username: user.username, password: newPassword })).status).toBe(200);
      expect(await audit('password.reset_requested', user.id)).toEqual(expect.arrayContaining([expect.objectContaining({ actorId: admin.id })]));
    });

    it('finds a user by email address in the users list (q), case-insensitively', async () => {
      const user = await register();
      const found = await t.http().get(`/api/users?q=${encodeURIComponent(user.email.toUpperCase())}`).set(bearer(admin.accessToken));
      expect(found.status).toBe(200);
      expect(found.body.items.map((item: { id: string }) => item.id)).toEqual([user.id]);
      expect(found.body.items[0]).toMatchObject({ email: user.email, emailVerified: false });
    });

    it('is refused to non-admins (403), stale tokens (401), unknown ids (404) and non-UUIDs (400)', async () => {
      const user = await account();
      expect((await t.http().post(`/api/users/${user.id}/password-reset`).set(bearer(user.accessToken))).status).toBe(403);
      expect((await t.http().post(`/api/users/${admin.id}/password-reset`).set(bearer(user.accessToken))).status).toBe(403);
      expect((await t.http().post(`/api/users/${user.id}/password-reset`)).status).toBe(401);
      const refreshed = await t.http().post('/api/auth/refresh').set(bearer(admin.refreshToken));
      admin = { ...admin, refreshToken: refreshed.body.refreshToken };
      const stale = await t.http().post(`/api/users/${user.id}/password-reset`).set(bearer(refreshed.body.accessToken));
      expect(stale.status).toBe(401);
      expect((await t.http().post(`/api/users/${randomUUID()}/password-reset`).set(bearer(admin.accessToken))).status).toBe(404);
      expect((await t.http().post('/api/users/not-a-uuid/password-reset').set(bearer(admin.accessToken))).status).toBe(400);
    });
  });

  it('documents every new route with an operationId, a tag and its error answers', async () => {
    const document = (await t.http().get('/docs-json')).body;
    const routes: Array<[string, string, string, string[]]> = [
      ['/api/auth/email/verify', 'post', 'verifyEmail', ['204', '400', '429']],
      ['/api/auth/password/forgot', 'post', 'forgotPassword', ['202', '400', '429']],
      ['/api/auth/password/reset', 'post', 'resetPassword', ['204', '400', '429']],
      ['/api/users/me/email', 'put', 'changeEmail', ['200', '400', '401', '409']],
      ['/api/users/me/email/verification', 'post', 'resendVerification', ['202', '400', '401', '429']],
      ['/api/users/{id}/password-reset', 'post', 'createPasswordResetLink', ['201', '400', '401', '403', '404']],
    ];
    for (const [path, method, operationId, statuses] of routes) {
      const operation = document.paths[path]?.[method];
      expect(operation).toMatchObject({ operationId });
      expect(operation.tags).toEqual([path.startsWith('/api/auth') ? 'auth' : 'users']);
      expect(operation.security).toEqual(path.startsWith('/api/auth') ? [] : [{ bearer: [] }]);
      // The shared rules add 413, 415 and 503 where they apply; these are the route's own.
      expect(Object.keys(operation.responses)).toEqual(expect.arrayContaining(statuses));
    }
  });
});
