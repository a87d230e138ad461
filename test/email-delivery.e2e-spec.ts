import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { simpleParser } from 'mailparser';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { createServer, type Server, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PasswordResetService } from '../src/auth/email/password-reset.service.js';
import { MailerService, RETRY_DELAYS_MS } from '../src/mail/mailer.service.js';
import { bearer, login } from './support/auth-helpers.js';
import { linkToken, startSmtpSink, type SmtpSink } from './support/smtp-sink.js';
import { SoftAuthenticator } from './support/soft-authenticator.js';
import { createTestApp, strongPassword, uniqueName, type TestApp } from './support/test-app.js';

const register = (t: TestApp, email?: string) => {
  const body = { username: uniqueName(), password: strongPassword(), ...(email ? { email } : {}) };
  return t
    .http()
    .post('/api/auth/register')
    .send(body)
    .then((response) => ({ response, ...body }));
};

describe('mail without SMTP_URL: the outbox, and REQUIRE_EMAIL_VERIFICATION', () => {
  let t: TestApp;
  let outbox: string;
  beforeAll(async () => {
    outbox = mkdtempSync(join(tmpdir(), 'outbox-'));
    t = await createTestApp({ env: { MAIL_OUTBOX: outbox, REQUIRE_EMAIL_VERIFICATION: 'true', APP_URL: 'http://localhost:4321/' } });
    // Migrations on a busy MySQL server can take longer than the default 30 s.
  }, 120_000);
  afterAll(async () => {
    await t?.close();
    rmSync(outbox, { recursive: true, force: true });
  });

  async function outboxMailTo(address: string) {
    // A forgot-password request queues its mail after it has answered.
    await t.app.get(PasswordResetService).settled();
    await t.app.get(MailerService).drain();
    const mails = await Promise.all(readdirSync(outbox).map((name) => simpleParser(readFileSync(join(outbox, name)))));
    return mails.filter((mail) => mail.to && !Array.isArray(mail.to) && mail.to.value[0]?.address === address);
  }

  it('requires an email at registration', async () => {
    const { response } = await register(t);
    expect(response.status).toBe(400);
    expect(response.body.message).toEqual([expect.stringMatching(/email is required/)]);
  });

  it('writes the verification mail as an .eml file; login waits for the verified address, and only after a right password', async () => {
    const email = `${uniqueName('mbox')}@example.test`;
    const user = await register(t, email);
    expect(user.response.status).toBe(201);

    const mails = await outboxMailTo(email);
    expect(mails).toHaveLength(1);
    expect(mails[0]!.subject).toMatch(/confirm/i);
    expect(mails[0]!.text).toContain('http://localhost:4321/#/verify-email?token=');
    expect(mails[0]!.html).toContain('http://localhost:4321/#/verify-email?token=');

    const wrong = await t.http().post('/api/auth/login').send({ username: user.username, password: strongPassword() });
    expect(wrong.status).toBe(401);
    const unverified = await t.http().post('/api/auth/login').send({ username: user.username, password: user.password });
    expect(unverified.status).toBe(403);
    expect(unverified.body.message).toMatch(/not verified/);

    await t.http().post('/api/auth/email/verify').send({ token: linkToken(mails[0]!, 'verify-email') }).expect(204);
    const tokens = await login(t, email, user.password);
    expect((await t.http().get('/api/users/me').set(bearer(tokens.accessToken))).body.emailVerified).toBe(true);
  });

  it('holds back a passkey login too while the address is unverified, after the passkey verified', async () => {
    const email = `${uniqueName('mbox')}@example.test`;
    const user = await register(t, email);
    const [mail] = await outboxMailTo(email);
    await t.http().post('/api/auth/email/verify').send({ token: linkToken(mail!, 'verify-email') }).expect(204);
    const tokens = await login(t, user.username, user.password);
    const authenticator = new SoftAuthenticator(t.config.webauthn.origin, t.config.webauthn.rpId);
    const options = await t.http().post('/api/auth/passkeys/registration/options').set(bearer(tokens.accessToken)).expect(200);
    await t.http().post('/api/auth/passkeys/registration').set(bearer(tokens.accessToken)).send({ response: authenticator.register(options.body) }).expect(201);
    const passkeyLogin = async (overrides: Parameters<SoftAuthenticator['authenticate']>[1] = {}) => {
      const { body } = await t.http().post('/api/auth/passkeys/authentication/options').expect(200);
      return t.http().post('/api/auth/passkeys/authentication').send({ challengeId: body.challengeId, response: authenticator.authenticate(body.options.challenge, overrides) });
    };
    expect((await passkeyLogin()).status).toBe(200);

    // A new, unverified address: the password login waits for it, and so does the passkey.
    await t.http().put('/api/users/me/email').set(bearer(tokens.accessToken)).send({ email: `${uniqueName('mbox')}@example.test` }).expect(200);
    expect((await t.http().post('/api/auth/login').send({ username: user.username, password: user.password })).status).toBe(403);
    const held = await passkeyLogin();
    expect(held.status).toBe(403);
    expect(held.body.message).toMatch(/not verified/);
    // Only the passkey's holder learns that: a failed assertion is still 401.
    expect((await passkeyLogin({ origin: 'https://evil.example' })).status).toBe(401);
  });

  it('lets a reset link stand in for verification', async () => {
    const email = `${uniqueName('mbox')}@example.test`;
    const user = await register(t, email);
    await t.http().post('/api/auth/password/forgot').send({ email }).expect(202);
    const reset = (await outboxMailTo(email)).find((mail) => /reset/i.test(mail.subject ?? ''))!;
    const newPassword = strongPassword();
    await t.http().post('/api/auth/password/reset').send({ token: linkToken(reset, 'reset-password'), newPassword }).expect(204);
    expect((await t.http().post('/api/auth/login').send({ username: user.username, password: newPassword })).status).toBe(200);
  });
});

describe('mail delivery over SMTP never holds up the request, and survives a struggling server', () => {
  let t: TestApp;
  let smtp: SmtpSink;
  let silent: Server;
  const silentSockets: Socket[] = [];
  beforeAll(async () => {
    smtp = await startSmtpSink();
    t = await createTestApp({ env: { SMTP_URL: smtp.url } });
    // Migrations on a busy MySQL server can take longer than the default 30 s.
  }, 120_000);
  afterAll(async () => {
    await t?.close();
    await smtp?.close();
    for (const socket of silentSockets) socket.destroy();
    silent?.close();
  });

  it('retries a temporarily refused mail until the server takes it', async () => {
    smtp.failNext(1);
    const email = `${uniqueName('mbox')}@example.test`;
    expect((await register(t, email)).response.status).toBe(201);
    const started = Date.now();
    const mail = await smtp.waitFor(email, undefined, RETRY_DELAYS_MS[0]! + 10_000);
    expect(Date.now() - started).toBeGreaterThanOrEqual(RETRY_DELAYS_MS[0]! - 100);
    expect(linkToken(mail, 'verify-email')).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(smtp.to(email)).toHaveLength(1);
  });

  it('answers at once while the SMTP server does not answer at all', async () => {
    // A server that accepts the connection and never says a word: the send hangs, the request must not.
    silent = createServer((socket) => void silentSockets.push(socket));
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', () => resolve()));
    const port = (silent.address() as { port: number }).port;
    const stalled = await createTestApp({ env: { SMTP_URL: `smtp://127.0.0.1:${port}` } });
    try {
      const started = Date.now();
      const email = `${uniqueName('mbox')}@example.test`;
      const { response } = await register(stalled, email);
      expect(response.status).toBe(201);
      const forgot = await stalled.http().post('/api/auth/password/forgot').send({ email });
      expect(forgot.status).toBe(202);
      expect(Date.now() - started).toBeLessThan(5_000);
    } finally {
      await stalled.close();
    }
  });
});
