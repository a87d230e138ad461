import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { randomBytes, randomUUID } from 'node:crypto';
import { IsNull } from 'typeorm';
import { AuditEvent } from '../src/audit/audit-event.entity.js';
import { Passkey } from '../src/auth/passkeys/passkey.entity.js';
import { MAX_PASSKEYS_PER_ACCOUNT } from '../src/auth/passkeys/passkeys.service.js';
import { OneTimeToken } from '../src/one-time-tokens/one-time-token.entity.js';
import { User } from '../src/users/user.entity.js';
import { bearer, registerAndLogin, type TestUser } from './support/auth-helpers.js';
import { SoftAuthenticator } from './support/soft-authenticator.js';
import { createTestApp, type TestApp } from './support/test-app.js';

const claimsOf = (token: string) => JSON.parse(Buffer.from(token.split('.')[1], 'base64url').toString('utf8'));

describe('passkeys (WebAuthn)', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp();
  });
  afterAll(async () => {
    await t.close();
  });

  const newAuthenticator = () => new SoftAuthenticator(t.config.webauthn.origin, t.config.webauthn.rpId);
  const registrationOptions = (user: TestUser) => t.http().post('/api/auth/passkeys/registration/options').set(bearer(user.accessToken));
  const finishRegistration = (user: TestUser, body: object) => t.http().post('/api/auth/passkeys/registration').set(bearer(user.accessToken)).send(body);
  const loginOptions = async () => {
    const response = await t.http().post('/api/auth/passkeys/authentication/options');
    expect(response.status).toBe(200);
    return response.body as { challengeId: string; options: { challenge: string; rpId: string; userVerification: string } };
  };
  const passkeyLogin = (body: object) => t.http().post('/api/auth/passkeys/authentication').send(body);
  const auditRows = (action: string) => t.dataSource.getRepository(AuditEvent).findBy({ action });

  /** A user with one registered passkey, and the authenticator that holds it. */
  async function userWithPasskey(name = 'Laptop') {
    const user = await registerAndLogin(t);
    const authenticator = newAuthenticator();
    const options = await registrationOptions(user);
    expect(options.status).toBe(200);
    const added = await finishRegistration(user, { response: authenticator.register(options.body), name });
    expect(added.status).toBe(201);
    return { user, authenticator, passkey: added.body as { id: string; name: string } };
  }

  async function login(authenticator: SoftAuthenticator, overrides: Parameters<SoftAuthenticator['authenticate']>[1] = {}) {
    const { challengeId, options } = await loginOptions();
    return passkeyLogin({ challengeId, response: authenticator.authenticate(options.challenge, overrides) });
  }

  describe('registration', () => {
    it('offers discoverable, user-verified, attestation-free options for this relying party', async () => {
      const user = await registerAndLogin(t);
      const response = await registrationOptions(user);
      expect(response.status).toBe(200);
      expect(response.body).toMatchObject({
        rp: { id: 'localhost', name: 'nest-auth-service' },
        user: { name: user.username, id: Buffer.from(user.id).toString('base64url') },
        attestation: 'none',
        authenticatorSelection: { residentKey: 'required', userVerification: 'required' },
      });
      expect(response.body.challenge).toMatch(/^[A-Za-z0-9_-]{43}$/);
    });

    it('stores a verified passkey, lists it and audits it', async () => {
      const { user, passkey } = await userWithPasskey('Work laptop');
      expect(passkey).toEqual({ id: expect.any(String), name: 'Work laptop', createdAt: expect.any(String), lastUsedAt: null });
      const list = await t.http().get('/api/auth/passkeys').set(bearer(user.accessToken));
      expect(list.status).toBe(200);
      expect(list.body).toEqual([passkey]);
      const rows = await auditRows('passkey.added');
      expect(rows.some((row) => row.actorId === user.id)).toBe(true);
    });

    it('names a passkey "Passkey" when no name is given', async () => {
      const user = await registerAndLogin(t);
      const options = await registrationOptions(user);
      const added = await finishRegistration(user, { response: newAuthenticator().register(options.body) });
      expect(added.status).toBe(201);
      expect(added.body.name).toBe('Passkey');
    });

    it('needs a fresh token', async () => {
      const user = await registerAndLogin(t);
      const refreshed = await t.http().post('/api/auth/refresh').send({ refreshToken: user.refreshToken });
      expect(refreshed.status).toBe(200);
      const stale = { ...user, accessToken: refreshed.body.accessToken };
      expect((await registrationOptions(stale)).status).toBe(401);
      const options = await registrationOptions(user);
      const finish = await finishRegistration(stale, { response: newAuthenticator().register(options.body) });
      expect(finish.status).toBe(401);
      expect((await t.http().post('/api/auth/passkeys/registration/options')).status).toBe(401);
    });

    it('refuses a response for another origin or relying party', async () => {
      const user = await registerAndLogin(t);
      const wrongOrigin = await finishRegistration(user, {
        response: newAuthenticator().register((await registrationOptions(user)).body, { origin: 'https://evil.example' }),
      });
      expect(wrongOrigin.status).toBe(400);
      const wrongRp = await finishRegistration(user, {
        response: newAuthenticator().register((await registrationOptions(user)).body, { rpId: 'evil.example' }),
      });
      expect(wrongRp.status).toBe(400);
      const list = await t.http().get('/api/auth/passkeys').set(bearer(user.accessToken));
      expect(list.body).toEqual([]);
    });

    it('uses a challenge once, and only for the user it was issued to', async () => {
      const alice = await registerAndLogin(t);
      const mallory = await registerAndLogin(t);
      const options = (await registrationOptions(alice)).body;
      // Mallory cannot finish (or burn into her account) Alice's ceremony.
      const stolen = await finishRegistration(mallory, { response: newAuthenticator().register(options) });
      expect(stolen.status).toBe(400);
      const fresh = (await registrationOptions(alice)).body;
      const response = newAuthenticator().register(fresh);
      expect((await finishRegistration(alice, { response })).status).toBe(201);
      const replay = await finishRegistration(alice, { response });
      expect(replay.status).toBe(400);
      // Without options first there is nothing to answer.
      expect((await finishRegistration(alice, { response: newAuthenticator().register({ challenge: 'A'.repeat(43), user: { id: 'x' } }) })).status).toBe(400);
    });

    it('refuses registering the same credential twice', async () => {
      const { user, authenticator } = await userWithPasskey();
      const again = await finishRegistration(user, { response: authenticator.register((await registrationOptions(user)).body) });
      expect(again.status).toBe(400);
      const other = await registerAndLogin(t);
      const elsewhere = await finishRegistration(other, { response: authenticator.register((await registrationOptions(other)).body) });
      expect(elsewhere.status).toBe(400);
    });

    it('stores one credential once when two registrations of it race', async () => {
      const user = await registerAndLogin(t);
      const authenticator = newAuthenticator();
      const first = authenticator.register((await registrationOptions(user)).body);
      const second = authenticator.register((await registrationOptions(user)).body);
      const statuses = (await Promise.all([finishRegistration(user, { response: first }), finishRegistration(user, { response: second })])).map((r) => r.status);
      expect(statuses.sort()).toEqual([201, 400]);
    });

    it(`keeps an account to ${MAX_PASSKEYS_PER_ACCOUNT} passkeys, refusing the next before the authenticator is asked and when a race gets past that`, async () => {
      const user = await registerAndLogin(t);
      const stored = (n: number): Passkey => ({
        id: randomUUID(),
        userId: user.id,
        credentialId: randomBytes(16).toString('hex'),
        publicKey: 'unused',
        counter: 0,
        transports: '',
        name: `Key ${n}`,
        createdAt: new Date(),
        lastUsedAt: null,
      });
      const repo = t.dataSource.getRepository(Passkey);
      await repo.insert(Array.from({ length: MAX_PASSKEYS_PER_ACCOUNT - 2 }, (_, n) => stored(n)));
      const options = await registrationOptions(user);
      expect(options.status).toBe(200);
      expect(options.body.excludeCredentials).toHaveLength(MAX_PASSKEYS_PER_ACCOUNT - 2);
      const last = await finishRegistration(user, { response: newAuthenticator().register(options.body) });
      expect(last.status).toBe(201);

      // Options taken at one below the limit, and meanwhile another passkey made it the limit.
      const raced = await registrationOptions(user);
      expect(raced.status).toBe(200);
      await repo.insert(stored(99));
      const over = await finishRegistration(user, { response: newAuthenticator().register(raced.body), name: 'One too many' });
      expect(over.status).toBe(409);
      expect(over.body).toEqual({ statusCode: 409, message: `An account holds at most ${MAX_PASSKEYS_PER_ACCOUNT} passkeys: remove one first`, error: 'Conflict' });
      expect(await repo.countBy({ userId: user.id })).toBe(MAX_PASSKEYS_PER_ACCOUNT);
      expect(await repo.countBy({ userId: user.id, name: 'One too many' })).toBe(0);

      const refused = await registrationOptions(user);
      expect(refused.status).toBe(409);
      expect(refused.body.message).toBe(`An account holds at most ${MAX_PASSKEYS_PER_ACCOUNT} passkeys: remove one first`);
      const list = await t.http().get('/api/auth/passkeys').set(bearer(user.accessToken));
      expect(list.body).toHaveLength(MAX_PASSKEYS_PER_ACCOUNT);

      // Removing one makes room again.
      expect((await t.http().delete(`/api/auth/passkeys/${list.body[0].id}`).set(bearer(user.accessToken))).status).toBe(204);
      expect((await registrationOptions(user)).status).toBe(200);
    });

    it('answers 400, never 5xx, to malformed bodies', async () => {
      const user = await registerAndLogin(t);
      await registrationOptions(user);
      const bodies: unknown[] = [
        {},
        { response: 'text' },
        { response: [] },
        { response: {} },
        { response: { response: { clientDataJSON: 42 } } },
        { response: { response: { clientDataJSON: '!!!' } } },
        { response: { response: { clientDataJSON: Buffer.from('not json').toString('base64url') } } },
        { response: { id: 1, response: { clientDataJSON: Buffer.from('{"challenge":5}').toString('base64url') } } },
        { response: {}, name: 5 },
        { response: {}, name: '' },
        { response: {}, name: 'x'.repeat(65) },
        { response: {}, extra: true },
      ];
      for (const body of bodies) {
        const response = await finishRegistration(user, body as object);
        expect([body, response.status]).toEqual([body, 400]);
      }
      const options = (await registrationOptions(user)).body;
      const valid = newAuthenticator().register(options);
      const garbage = { ...valid, response: { ...valid.response, attestationObject: 'AAAA' } };
      expect((await finishRegistration(user, { response: garbage })).status).toBe(400);
      const malformed = await t.http().post('/api/auth/passkeys/registration').set(bearer(user.accessToken)).set('Content-Type', 'application/json').send('{"response":');
      expect(malformed.status).toBe(400);
    });
  });

  describe('login', () => {
    it('offers a usernameless, user-verified challenge with its id', async () => {
      const { challengeId, options } = await loginOptions();
      expect(options).toMatchObject({ rpId: 'localhost', userVerification: 'required', challenge: challengeId });
      expect(options).not.toHaveProperty('allowCredentials.0');
    });

    it('logs in on its own with a fresh token whose amr is webauthn, and records the use', async () => {
      const { user, authenticator, passkey } = await userWithPasskey();
      const response = await login(authenticator);
      expect(response.status).toBe(200);
      expect(response.body).toMatchObject({ accessToken: expect.any(String), refreshToken: expect.any(String), tokenType: 'Bearer' });
      expect(claimsOf(response.body.accessToken)).toMatchObject({ sub: user.id, fresh: true, amr: ['webauthn'] });
      // The fresh token is good for fresh-only routes, such as adding another passkey.
      expect((await registrationOptions({ ...user, accessToken: response.body.accessToken })).status).toBe(200);
      const [listed] = (await t.http().get('/api/auth/passkeys').set(bearer(user.accessToken))).body;
      expect(listed.id).toBe(passkey.id);
      expect(listed.lastUsedAt).toEqual(expect.any(String));
      // And again, with the counter moving on.
      expect((await login(authenticator)).status).toBe(200);
    });

    it('needs no second factor on an account with two-factor login on: the passkey is multi-factor itself', async () => {
      const { user, authenticator } = await userWithPasskey();
      await t.dataSource.getRepository(User).update({ id: user.id }, { mfaEnabled: true });
      const byPassword = await t.http().post('/api/auth/login').send({ username: user.username, password: user.password });
      expect(byPassword.status).toBe(200);
      expect(byPassword.body).toEqual({ mfaRequired: true, mfaToken: expect.any(String), methods: ['totp', 'recovery'], expiresIn: 300 });
      const byPasskey = await login(authenticator);
      expect(byPasskey.status).toBe(200);
      expect(byPasskey.body.mfaRequired).toBeUndefined();
      expect(claimsOf(byPasskey.body.accessToken)).toMatchObject({ sub: user.id, fresh: true, amr: ['webauthn'] });
    });

    it('answers in cookie mode as the password login does', async () => {
      const { authenticator } = await userWithPasskey();
      const { challengeId, options } = await loginOptions();
      const response = await t
        .http()
        .post('/api/auth/passkeys/authentication')
        .set('X-Token-Transport', 'cookie')
        .send({ challengeId, response: authenticator.authenticate(options.challenge) });
      expect(response.status).toBe(200);
      expect(response.body.refreshToken).toBeUndefined();
      expect(String(response.headers['set-cookie'])).toContain('refresh_token=');
    });

    it('refuses a response for another origin or relying party', async () => {
      const { authenticator } = await userWithPasskey();
      expect((await login(authenticator, { origin: 'https://evil.example' })).status).toBe(401);
      expect((await login(authenticator, { origin: 'http://localhost:3001' })).status).toBe(401);
      expect((await login(authenticator, { rpId: 'evil.example' })).status).toBe(401);
      expect((await login(authenticator, { userVerified: false })).status).toBe(401);
      expect((await login(authenticator)).status).toBe(200);
    });

    it('refuses a replayed challenge, another challenge’s response, and an expired challenge', async () => {
      const { authenticator } = await userWithPasskey();
      const { challengeId, options } = await loginOptions();
      const body = { challengeId, response: authenticator.authenticate(options.challenge) };
      expect((await passkeyLogin(body)).status).toBe(200);
      expect((await passkeyLogin(body)).status).toBe(401);
      // A response signed for one challenge does not answer another.
      const other = await loginOptions();
      const mismatched = { challengeId: other.challengeId, response: authenticator.authenticate(options.challenge) };
      expect((await passkeyLogin(mismatched)).status).toBe(401);
      // Expired: the row's expiry is moved into the past, as five minutes would.
      const late = await loginOptions();
      await t.dataSource.getRepository(OneTimeToken).update({ purpose: 'passkey.authentication', usedAt: IsNull() }, { expiresAt: new Date(Date.now() - 1000) });
      expect((await passkeyLogin({ challengeId: late.challengeId, response: authenticator.authenticate(late.options.challenge) })).status).toBe(401);
    });

    it('lets one of two concurrent answers to one challenge in', async () => {
      const { authenticator } = await userWithPasskey();
      const { challengeId, options } = await loginOptions();
      const body = { challengeId, response: authenticator.authenticate(options.challenge) };
      const statuses = (await Promise.all([passkeyLogin(body), passkeyLogin(body)])).map((r) => r.status);
      expect(statuses.sort()).toEqual([200, 401]);
    });

    it('refuses a registration challenge as a login challenge', async () => {
      const { user, authenticator } = await userWithPasskey();
      const registration = (await registrationOptions(user)).body;
      const response = await passkeyLogin({ challengeId: registration.challenge, response: authenticator.authenticate(registration.challenge) });
      expect(response.status).toBe(401);
    });

    it('refuses and audits a counter going backwards', async () => {
      const { user, authenticator, passkey } = await userWithPasskey();
      expect((await login(authenticator, { counter: 10 })).status).toBe(200);
      expect((await login(authenticator, { counter: 10 })).status).toBe(401);
      expect((await login(authenticator, { counter: 3 })).status).toBe(401);
      const rows = (await auditRows('passkey.counter_regressed')).filter((row) => row.targetId === user.id);
      expect(rows).toHaveLength(2);
      expect(JSON.stringify(rows[1].detail ?? '')).toContain(passkey.id);
      expect((await login(authenticator, { counter: 11 })).status).toBe(200);
    });

    it('does not audit a stale counter whose signature is wrong', async () => {
      const { user, authenticator } = await userWithPasskey();
      expect((await login(authenticator, { counter: 10 })).status).toBe(200);
      const { challengeId, options } = await loginOptions();
      const response = authenticator.authenticate(options.challenge, { counter: 2 });
      const forged = { ...response, response: { ...response.response, signature: newAuthenticator().authenticate(options.challenge).response.signature } };
      expect((await passkeyLogin({ challengeId, response: forged })).status).toBe(401);
      expect((await auditRows('passkey.counter_regressed')).filter((row) => row.targetId === user.id)).toHaveLength(0);
    });

    it('refuses an unknown credential, and a credential presented as another user’s', async () => {
      expect((await login(newAuthenticator())).status).toBe(401);
      const { user: alice } = await userWithPasskey();
      const { authenticator: mallorys } = await userWithPasskey();
      expect((await login(mallorys, { userHandle: Buffer.from(alice.id).toString('base64url') })).status).toBe(401);
    });

    it('refuses pending and disabled accounts with 403, only after the passkey verified', async () => {
      const { user, authenticator } = await userWithPasskey();
      const users = t.dataSource.createQueryBuilder().update('users');
      await users.set({ status: 'disabled' }).where('id = :id', { id: user.id }).execute();
      const disabled = await login(authenticator);
      expect(disabled.status).toBe(403);
      expect(disabled.body.message).toBe('Account disabled');
      await t.dataSource.createQueryBuilder().update('users').set({ status: 'pending' }).where('id = :id', { id: user.id }).execute();
      expect((await login(authenticator)).status).toBe(403);
      expect((await login(authenticator, { origin: 'https://evil.example' })).status).toBe(401);
      await t.dataSource.createQueryBuilder().update('users').set({ status: 'active' }).where('id = :id', { id: user.id }).execute();
      expect((await login(authenticator)).status).toBe(200);
    });

    it('answers 400, never 5xx, to malformed bodies', async () => {
      const { challengeId, options } = await loginOptions();
      const valid = newAuthenticator().authenticate(options.challenge);
      const bodies: unknown[] = [
        {},
        { challengeId },
        { response: valid },
        { challengeId: 5, response: valid },
        { challengeId, response: 'text' },
        { challengeId, response: {} },
        { challengeId, response: { ...valid, id: 7 } },
        { challengeId, response: { ...valid, id: 'not base64url!' } },
        { challengeId, response: { ...valid, type: 'password' } },
        { challengeId, response: { ...valid, response: null } },
        { challengeId, response: { ...valid, response: { ...valid.response, signature: 1 } } },
        { challengeId, response: valid, extra: 1 },
        { challengeId: 'x'.repeat(500), response: valid },
      ];
      for (const body of bodies) {
        const response = await passkeyLogin(body as object);
        expect([body, response.status]).toEqual([body, 400]);
      }
      const garbage = { ...valid, response: { ...valid.response, authenticatorData: 'AAAA', signature: 'AAAA' } };
      expect((await passkeyLogin({ challengeId, response: garbage })).status).toBe(401);
      const malformed = await t.http().post('/api/auth/passkeys/authentication').set('Content-Type', 'application/json').send('{');
      expect(malformed.status).toBe(400);
    });
  });

  describe('removal', () => {
    it('removes a passkey of the caller (fresh), audits it, and the passkey no longer logs in', async () => {
      const { user, authenticator, passkey } = await userWithPasskey();
      const removed = await t.http().delete(`/api/auth/passkeys/${passkey.id}`).set(bearer(user.accessToken));
      expect(removed.status).toBe(204);
      expect((await t.http().get('/api/auth/passkeys').set(bearer(user.accessToken))).body).toEqual([]);
      expect((await auditRows('passkey.removed')).some((row) => row.actorId === user.id)).toBe(true);
      expect((await login(authenticator)).status).toBe(401);
    });

    it('answers 404 for another user’s passkey and leaves it alone', async () => {
      const { user: alice, authenticator, passkey } = await userWithPasskey();
      const mallory = await registerAndLogin(t);
      const attempt = await t.http().delete(`/api/auth/passkeys/${passkey.id}`).set(bearer(mallory.accessToken));
      expect(attempt.status).toBe(404);
      expect((await t.http().get('/api/auth/passkeys').set(bearer(mallory.accessToken))).body).toEqual([]);
      expect((await t.http().get('/api/auth/passkeys').set(bearer(alice.accessToken))).body).toHaveLength(1);
      expect((await login(authenticator)).status).toBe(200);
    });

    it('answers 400 for a non-uuid id and 401 for a token that is not fresh', async () => {
      const { user, passkey } = await userWithPasskey();
      expect((await t.http().delete('/api/auth/passkeys/not-a-uuid').set(bearer(user.accessToken))).status).toBe(400);
      const refreshed = await t.http().post('/api/auth/refresh').send({ refreshToken: user.refreshToken });
      const stale = await t.http().delete(`/api/auth/passkeys/${passkey.id}`).set(bearer(refreshed.body.accessToken));
      expect(stale.status).toBe(401);
    });

    it('goes with its user', async () => {
      const { user, passkey } = await userWithPasskey();
      await t.dataSource.createQueryBuilder().delete().from('users').where('id = :id', { id: user.id }).execute();
      expect(await t.dataSource.getRepository(Passkey).findOneBy({ id: passkey.id })).toBeNull();
    });
  });
});
