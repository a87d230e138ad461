import { afterEach, beforeAll, beforeEach, describe, expect, it } from '@jest/globals';
import { Logger } from '@nestjs/common';
import jwt from 'jsonwebtoken';
import { mkdtempSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AppConfig } from '../../config/app-config.js';
import { addKeyFile } from './key-files.js';
import { KeyRing } from './key-ring.js';

const SECRET = 'a-secret-that-is-long-enough-for-hs256-0123456789';
const ring = (secret = SECRET) => new KeyRing(new AppConfig({ NODE_ENV: 'test', JWT_SECRET: secret }).tokens);

/** Runs the passport-jwt key callback and reports what it answered. */
function provide(keys: KeyRing, token: string): Promise<{ error: Error | null; key?: unknown }> {
  return new Promise((resolve) => keys.verificationOptions().secretOrKeyProvider({}, token, (error, key) => resolve({ error, key })));
}

describe('KeyRing', () => {
  it('signs with a kid derived from the secret, not revealing it', () => {
    const token = ring().sign({ sub: 'x' }, 60);
    const { header } = jwt.decode(token, { complete: true })!;
    expect(header.alg).toBe('HS256');
    expect(header.kid).toBe(ring().signingKey.kid);
    expect(header.kid).not.toBe(ring('another-secret-that-is-long-enough-for-hs256-xyz').signingKey.kid);
    expect(SECRET).not.toContain(header.kid);
  });

  it('hands passport-jwt the key a token names, and nothing for an unknown kid or another algorithm', async () => {
    const keys = ring();
    const token = keys.sign({ sub: 'x' }, 60);
    const found = await provide(keys, token);
    expect(found.error).toBeNull();
    expect(jwt.verify(token, found.key as jwt.Secret, { algorithms: ['HS256'] })).toMatchObject({ sub: 'x' });

    const foreign = ring('another-secret-that-is-long-enough-for-hs256-xyz').sign({ sub: 'x' }, 60);
    expect((await provide(keys, foreign)).error).toBeInstanceOf(jwt.JsonWebTokenError);
    const wrongAlg = jwt.sign({ sub: 'x' }, SECRET, { algorithm: 'HS512', keyid: keys.signingKey.kid });
    expect((await provide(keys, wrongAlg)).error).toBeInstanceOf(jwt.JsonWebTokenError);
    expect((await provide(keys, 'garbage')).error).toBeInstanceOf(jwt.JsonWebTokenError);
    expect((await provide(keys, '!!!.e30.x')).error).toBeInstanceOf(jwt.JsonWebTokenError);
  });

  it('pins the algorithms and the issuer and audience of the configuration', () => {
    const options = ring().verificationOptions();
    expect(options.algorithms).toEqual(['HS256']);
    expect(options.issuer).toBe('nest-auth-service');
    expect(options.audience).toBe('nest-auth-service');
  });
});

describe('KeyRing with a key folder', () => {
  let folder: string;
  const ring = (env: Record<string, string> = {}) =>
    new KeyRing(
      new AppConfig({ NODE_ENV: 'test', JWT_SECRET: SECRET, ENCRYPTION_KEY: SECRET, JWT_ALGORITHM: 'ES256', JWT_KEYS_DIR: folder, ...env }).tokens,
    );
  const age = (file: string, secondsAgo: number) => {
    const when = new Date(Date.now() - secondsAgo * 1000);
    utimesSync(file, when, when);
  };
  // The reload errors these tests provoke on purpose would otherwise go to the console.
  beforeAll(() => Logger.overrideLogger(false));
  beforeEach(() => {
    folder = mkdtempSync(join(tmpdir(), 'key-ring-spec-'));
  });
  afterEach(() => rmSync(folder, { recursive: true, force: true }));

  it('follows the folder on reload: the newest key signs, removed keys stop verifying, a broken folder changes nothing', () => {
    const first = addKeyFile(folder, 'ES256');
    age(first.file, 60);
    const keys = ring();
    let changes = 0;
    keys.onChange(() => changes++);
    expect(keys.signingKey.kid).toBe(first.kid);
    expect(keys.reload()).toBe(false);

    const second = addKeyFile(folder, 'ES256');
    expect(keys.reload()).toBe(true);
    expect(keys.signingKey.kid).toBe(second.kid);
    expect(keys.keyFor(first.kid)?.kid).toBe(first.kid);
    expect(keys.jwks.map((jwk) => jwk.kid)).toEqual([second.kid, first.kid]);
    expect(jwt.decode(keys.sign({ sub: 'x' }, 60), { complete: true })!.header).toEqual({ alg: 'ES256', typ: 'JWT', kid: second.kid });

    writeFileSync(join(folder, 'broken.pem'), 'nope');
    expect(keys.reload()).toBe(false);
    expect(keys.keyFor(first.kid)).toBeDefined();
    rmSync(join(folder, 'broken.pem'));

    rmSync(first.file);
    expect(keys.reload()).toBe(true);
    expect(keys.keyFor(first.kid)).toBeUndefined();
    expect(keys.jwks.map((jwk) => jwk.kid)).toEqual([second.kid]);
    expect(changes).toBe(2);

    // An emptied folder keeps the last keys: a running service must not lose every key at once.
    rmSync(second.file);
    expect(keys.reload()).toBe(false);
    expect(keys.signingKey.kid).toBe(second.kid);
  });

  it('creates a first key outside production, and stops the start-up in production without one', () => {
    expect(ring().jwks).toHaveLength(1);
    const empty = join(folder, 'empty');
    expect(() => ring({ NODE_ENV: 'production', JWT_KEYS_DIR: empty })).toThrow(`JWT_KEYS_DIR ${empty} cannot be read`);
  });

  it('never hands out a key for a token of another algorithm or without a kid', async () => {
    const keys = ring();
    const token = keys.sign({ sub: 'x' }, 60);
    expect((await provide(keys, token)).error).toBeNull();
    const hs256 = jwt.sign({ sub: 'x' }, SECRET, { algorithm: 'HS256', keyid: keys.signingKey.kid });
    expect((await provide(keys, hs256)).error).toBeInstanceOf(jwt.JsonWebTokenError);
    expect((await provide(keys, jwt.sign({ sub: 'x' }, SECRET, { algorithm: 'HS256' }))).error).toBeInstanceOf(jwt.JsonWebTokenError);
    expect(keys.verificationOptions().algorithms).toEqual(['ES256']);
  });
});
