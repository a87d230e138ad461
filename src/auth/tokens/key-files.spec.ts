import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import { generateKeyPairSync } from 'node:crypto';
import { mkdirSync, mkdtempSync, readdirSync, rmSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { calculateJwkThumbprint, exportJWK } from 'jose';
import { addKeyFile, readKeyFolder, thumbprint } from './key-files.js';

describe('key files', () => {
  let folder: string;
  beforeEach(() => {
    folder = mkdtempSync(join(tmpdir(), 'keys-spec-'));
  });
  afterEach(() => rmSync(folder, { recursive: true, force: true }));

  it.each(['ES256', 'EdDSA'] as const)('adds a %s key named by its RFC 7638 thumbprint, readable by the owner only', async (algorithm) => {
    const key = addKeyFile(join(folder, 'new'), algorithm);
    expect(key.kid).toBe(await calculateJwkThumbprint(await exportJWK(key.publicKey), 'sha256'));
    expect(key.file).toBe(join(folder, 'new', `${key.kid}.pem`));
    expect(statSync(key.file).mode & 0o777).toBe(0o600);
    expect(readdirSync(join(folder, 'new'))).toEqual([`${key.kid}.pem`]);
    expect(key.jwk).toEqual({ kid: key.kid, alg: algorithm, use: 'sig', kty: expect.any(String), crv: expect.any(String), x: expect.any(String), ...(algorithm === 'ES256' ? { y: expect.any(String) } : {}) });
    expect(key.jwk).not.toHaveProperty('d');
  });

  it('lists the newest file first and ignores files that are not *.pem', () => {
    const older = addKeyFile(folder, 'ES256');
    const newer = addKeyFile(folder, 'ES256');
    utimesSync(older.file, new Date(2_000_000_000_000), new Date(2_000_000_000_000));
    utimesSync(newer.file, new Date(1_000_000_000_000), new Date(1_000_000_000_000));
    writeFileSync(join(folder, 'README'), 'not a key');
    writeFileSync(join(folder, '.half-written.pem.tmp'), 'partial');
    expect(readKeyFolder(folder, 'ES256').map((key) => key.kid)).toEqual([older.kid, newer.kid]);
  });

  it('names the file that is not a private key, has the wrong algorithm or cannot be read', () => {
    const bad = join(folder, 'bad.pem');
    writeFileSync(bad, 'garbage');
    expect(() => readKeyFolder(folder, 'ES256')).toThrow(`Key file ${bad} is not a PEM private key`);

    const { publicKey, privateKey } = generateKeyPairSync('ed25519');
    writeFileSync(bad, publicKey.export({ type: 'spki', format: 'pem' }));
    expect(() => readKeyFolder(folder, 'EdDSA')).toThrow(`Key file ${bad} is not a PEM private key`);

    writeFileSync(bad, privateKey.export({ type: 'pkcs8', format: 'pem' }));
    expect(() => readKeyFolder(folder, 'ES256')).toThrow(`Key file ${bad} does not fit JWT_ALGORITHM=ES256: it is an EdDSA key`);
    expect(readKeyFolder(folder, 'EdDSA')).toHaveLength(1);

    const p384 = generateKeyPairSync('ec', { namedCurve: 'P-384' }).privateKey;
    writeFileSync(bad, p384.export({ type: 'pkcs8', format: 'pem' }));
    expect(() => readKeyFolder(folder, 'ES256')).toThrow(`Key file ${bad} does not fit JWT_ALGORITHM=ES256: it is an ec secp384r1 key`);

    rmSync(bad);
    mkdirSync(bad);
    expect(() => readKeyFolder(folder, 'ES256')).toThrow(`Key file ${bad} cannot be read`);
    expect(() => readKeyFolder(join(folder, 'missing'), 'ES256')).toThrow(`JWT_KEYS_DIR ${join(folder, 'missing')} cannot be read`);
  });

  it('gives a key the same kid however its PEM is written', () => {
    const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    const pkcs8 = join(folder, 'a.pem');
    writeFileSync(pkcs8, privateKey.export({ type: 'pkcs8', format: 'pem' }));
    const sec1 = join(folder, 'b.pem');
    writeFileSync(sec1, privateKey.export({ type: 'sec1', format: 'pem' }));
    const kids = readKeyFolder(folder, 'ES256').map((key) => key.kid);
    expect(kids).toEqual([thumbprint(publicKey), thumbprint(publicKey)]);
  });
});
