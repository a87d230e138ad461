import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { createRemoteJWKSet, jwtVerify } from 'jose';
import jwt from 'jsonwebtoken';
import { createPrivateKey, createSecretKey, generateKeyPairSync, sign as cryptoSign, type KeyObject } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { bearer, registerAndLogin, type TestUser } from './support/auth-helpers.js';
import { createTestApp, TEST_JWT_SECRET, type TestApp } from './support/test-app.js';

const decode = (token: string) => jwt.decode(token, { complete: true }) as jwt.Jwt & { payload: jwt.JwtPayload };

/** The token's claims under another header, signed by `key` (a JWS any library would produce). */
function forge(token: string, header: Record<string, unknown>, key?: KeyObject): string {
  const input = `${Buffer.from(JSON.stringify(header)).toString('base64url')}.${token.split('.')[1]}`;
  if (!key) return `${input}.`;
  const signature =
    key.asymmetricKeyType === 'ed25519'
      ? cryptoSign(null, Buffer.from(input), key)
      : cryptoSign('sha256', Buffer.from(input), { key, dsaEncoding: 'ieee-p1363' });
  return `${input}.${signature.toString('base64url')}`;
}

function hs256(token: string, header: Record<string, unknown>): string {
  return jwt.sign(decode(token).payload, createSecretKey(Buffer.from(TEST_JWT_SECRET)), { algorithm: 'HS256', header: { alg: 'HS256', ...header } });
}

describe.each([
  { algorithm: 'ES256', kty: 'EC', crv: 'P-256', members: ['alg', 'crv', 'kid', 'kty', 'use', 'x', 'y'], foreign: () => generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey },
  { algorithm: 'EdDSA', kty: 'OKP', crv: 'Ed25519', members: ['alg', 'crv', 'kid', 'kty', 'use', 'x'], foreign: () => generateKeyPairSync('ed25519').privateKey },
])('JWT_ALGORITHM=$algorithm', ({ algorithm, kty, crv, members, foreign }) => {
  let t: TestApp;
  let keysDir: string;
  let user: TestUser;
  let baseUrl: string;

  beforeAll(async () => {
    keysDir = join(mkdtempSync(join(tmpdir(), 'signing-keys-')), 'keys');
    t = await createTestApp({ env: { JWT_ALGORITHM: algorithm, JWT_KEYS_DIR: keysDir } });
    await t.app.listen(0, '127.0.0.1');
    baseUrl = await t.app.getUrl();
    user = await registerAndLogin(t);
  });
  afterAll(async () => {
    await t.close();
    rmSync(keysDir, { recursive: true, force: true });
  });

  it('creates one key in an empty folder and signs access and refresh tokens with it, naming it by kid', async () => {
    const files = readdirSync(keysDir);
    expect(files).toHaveLength(1);
    const access = decode(user.accessToken);
    expect(access.header).toEqual({ alg: algorithm, typ: 'JWT', kid: files[0].replace(/\.pem$/, '') });
    expect(decode(user.refreshToken).header).toEqual(access.header);
    const me = await t.http().get('/api/users/me').set(bearer(user.accessToken));
    expect(me.status).toBe(200);
    expect(me.body.id).toBe(user.id);
    const refreshed = await t.http().post('/api/auth/refresh').send({ refreshToken: user.refreshToken });
    expect(refreshed.status).toBe(200);
    expect(decode(refreshed.body.accessToken).header.kid).toBe(access.header.kid);
    user = { ...user, ...refreshed.body };
  });

  it('serves the public key, and only public members, at /.well-known/jwks.json, cacheable', async () => {
    const response = await t.http().get('/.well-known/jwks.json');
    expect(response.status).toBe(200);
    expect(response.headers['cache-control']).toBe('public, max-age=300');
    expect(response.headers['content-type']).toMatch(/^application\/json/);
    expect(response.body.keys).toHaveLength(1);
    const [key] = response.body.keys;
    expect(Object.keys(key).sort()).toEqual(members);
    expect(key).toMatchObject({ kid: decode(user.accessToken).header.kid, alg: algorithm, use: 'sig', kty, crv });
    // No private member anywhere in the document, whatever its nesting.
    expect(response.text).not.toMatch(/"(d|p|q|dp|dq|qi|k)"\s*:/);
    expect((await t.http().get('/api/.well-known/jwks.json')).status).toBe(404);
  });

  it('documents the route in OpenAPI at its real path, public, with its response schema', async () => {
    const document = (await t.http().get('/docs-json')).body;
    const operation = document.paths['/.well-known/jwks.json']?.get;
    expect(operation).toMatchObject({ operationId: 'getJwks', security: [], tags: ['auth'] });
    expect(operation.responses['200'].content['application/json'].schema).toEqual({ $ref: '#/components/schemas/JwksDto' });
    expect(document.components.schemas.JwkDto.required).toEqual(['kid', 'alg', 'use', 'kty', 'crv', 'x']);
  });

  it('lets a resource server verify access tokens with jose against the served JWKS (issuer and audience)', async () => {
    const jwks = createRemoteJWKSet(new URL('/.well-known/jwks.json', baseUrl));
    const { payload, protectedHeader } = await jwtVerify(user.accessToken, jwks, { issuer: 'nest-auth-service', audience: 'nest-auth-service' });
    expect(protectedHeader.alg).toBe(algorithm);
    expect(payload).toMatchObject({ sub: user.id, typ: 'access', iss: 'nest-auth-service', aud: 'nest-auth-service' });
    await expect(jwtVerify(user.accessToken, jwks, { issuer: 'nest-auth-service', audience: 'another-service' })).rejects.toThrow(/aud/);
    // A token signed by a key that is not in the set fails there too.
    const kid = decode(user.accessToken).header.kid;
    await expect(jwtVerify(forge(user.accessToken, { alg: algorithm, kid }, foreign()), jwks)).rejects.toThrow(/signature/);
  });

  it('refuses HS256 tokens, even signed with JWT_SECRET under the old kid or none', async () => {
    const { kid } = decode(user.accessToken).header;
    for (const header of [{}, { kid }, { kid: 'x' }]) {
      const response = await t.http().get('/api/users/me').set(bearer(hs256(user.accessToken, header)));
      expect(response.status).toBe(401);
      expect(response.body).toMatchObject({ statusCode: 401 });
    }
    // Control: the real token is accepted.
    expect((await t.http().get('/api/users/me').set(bearer(user.accessToken))).status).toBe(200);
  });

  it('refuses alg "none", another algorithm under the right kid, a foreign key under the right kid and an unknown kid', async () => {
    const { kid } = decode(user.accessToken).header;
    const other = algorithm === 'ES256' ? generateKeyPairSync('ed25519').privateKey : generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey;
    const attempts = [
      (token: string) => forge(token, { alg: 'none', kid }),
      (token: string) => forge(token, { alg: 'none' }),
      (token: string) => forge(token, { alg: algorithm === 'ES256' ? 'EdDSA' : 'ES256', kid }, other),
      (token: string) => forge(token, { alg: algorithm, typ: 'JWT', kid }, foreign()),
      (token: string) => forge(token, { alg: algorithm, typ: 'JWT', kid: 'unknown-key' }, foreign()),
    ];
    for (const attempt of attempts) {
      expect((await t.http().get('/api/users/me').set(bearer(attempt(user.accessToken)))).status).toBe(401);
      expect((await t.http().post('/api/auth/refresh').send({ refreshToken: attempt(user.refreshToken) })).status).toBe(401);
    }
    // Control: forge() with the server's own key passes, so the refusals above are the checks at work.
    const own = createPrivateKey(readFileSync(join(keysDir, readdirSync(keysDir)[0])));
    expect((await t.http().get('/api/users/me').set(bearer(forge(user.accessToken, { alg: algorithm, typ: 'JWT', kid }, own)))).status).toBe(200);
  });
});

describe('JWT_ALGORITHM=HS256 (default)', () => {
  let t: TestApp;
  let user: TestUser;
  beforeAll(async () => {
    t = await createTestApp();
    user = await registerAndLogin(t);
  });
  afterAll(async () => {
    await t.close();
  });

  it('serves an empty key set: the secret is never published', async () => {
    const response = await t.http().get('/.well-known/jwks.json');
    expect(response.status).toBe(200);
    expect(response.body).toEqual({ keys: [] });
    expect(response.headers['cache-control']).toBe('public, max-age=300');
  });

  it('refuses ES256 and EdDSA tokens, whatever kid they name', async () => {
    const { kid } = decode(user.accessToken).header;
    const ec = generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey;
    const ed = generateKeyPairSync('ed25519').privateKey;
    for (const token of [forge(user.accessToken, { alg: 'ES256', kid }, ec), forge(user.accessToken, { alg: 'EdDSA', kid }, ed), forge(user.accessToken, { alg: 'none', kid })]) {
      expect((await t.http().get('/api/users/me').set(bearer(token))).status).toBe(401);
    }
    expect((await t.http().get('/api/users/me').set(bearer(hs256(user.accessToken, { kid })))).status).toBe(200);
  });
});
