import { describe, expect, it } from '@jest/globals';
import jwt from 'jsonwebtoken';
import { AppConfig } from '../../config/app-config.js';
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
