import { createHash, createPrivateKey, createPublicKey, generateKeyPairSync, type JsonWebKey, type KeyObject } from 'node:crypto';
import { mkdirSync, readdirSync, readFileSync, renameSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/** The algorithms JWT_ALGORITHM accepts; the asymmetric ones keep their private keys as PEM files. */
import type { JwtAlgorithm } from '../../config/tokens.config.js';

export { JWT_ALGORITHMS, type JwtAlgorithm } from '../../config/tokens.config.js';
export type AsymmetricAlgorithm = Exclude<JwtAlgorithm, 'HS256'>;

/** Only these files in JWT_KEYS_DIR are keys, so a README or a half-written temp file is never read as one. */
const KEY_FILE = /^[^.].*\.pem$/;

/** A private key read from JWT_KEYS_DIR. */
export interface KeyFile {
  file: string;
  /** Modification time in ms: the newest key signs. */
  modifiedAt: number;
  kid: string;
  privateKey: KeyObject;
  publicKey: KeyObject;
  /** The public JWK with the members a verifier needs, never a private one. */
  jwk: PublicJwk;
}

export interface PublicJwk {
  kid: string;
  alg: AsymmetricAlgorithm;
  use: 'sig';
  kty: string;
  crv: string;
  x: string;
  y?: string;
}

/** A start-up stopper that names the file (or folder) at fault. */
export class KeyFileError extends Error {}

/** What a folder listing looks like; when it is unchanged the files are not parsed again. */
export function folderFingerprint(folder: string): string {
  return keyFileNames(folder)
    .map((name) => {
      const stat = statSync(join(folder, name));
      return `${name}:${stat.mtimeMs}:${stat.size}`;
    })
    .join('|');
}

/** Every key in `folder`, newest first (ties by file name, so every instance picks the same signer). */
export function readKeyFolder(folder: string, algorithm: AsymmetricAlgorithm): KeyFile[] {
  const keys = keyFileNames(folder).map((name) => readKeyFile(join(folder, name), algorithm));
  return keys.sort((a, b) => b.modifiedAt - a.modifiedAt || (a.file < b.file ? 1 : -1));
}

/** Writes a new private key to `folder` (created when missing) and returns it; the file appears whole or not at all. */
export function addKeyFile(folder: string, algorithm: AsymmetricAlgorithm): KeyFile {
  mkdirSync(folder, { recursive: true, mode: 0o700 });
  const { privateKey } =
    algorithm === 'ES256' ? generateKeyPairSync('ec', { namedCurve: 'P-256' }) : generateKeyPairSync('ed25519');
  const kid = thumbprint(createPublicKey(privateKey));
  const file = join(folder, `${kid}.pem`);
  const temporary = join(folder, `.${kid}.pem.tmp`);
  writeFileSync(temporary, privateKey.export({ type: 'pkcs8', format: 'pem' }), { mode: 0o600 });
  renameSync(temporary, file);
  return readKeyFile(file, algorithm);
}

function keyFileNames(folder: string): string[] {
  let names: string[];
  try {
    names = readdirSync(folder);
  } catch (error) {
    throw new KeyFileError(`JWT_KEYS_DIR ${folder} cannot be read: ${(error as Error).message}`);
  }
  return names.filter((name) => KEY_FILE.test(name)).sort();
}

function readKeyFile(file: string, algorithm: AsymmetricAlgorithm): KeyFile {
  let pem: string;
  let modifiedAt: number;
  try {
    pem = readFileSync(file, 'utf8');
    modifiedAt = statSync(file).mtimeMs;
  } catch (error) {
    throw new KeyFileError(`Key file ${file} cannot be read: ${(error as Error).message}`);
  }
  let privateKey: KeyObject;
  try {
    privateKey = createPrivateKey(pem);
  } catch {
    throw new KeyFileError(`Key file ${file} is not a PEM private key`);
  }
  const found = keyAlgorithm(privateKey);
  if (found !== algorithm) {
    throw new KeyFileError(`Key file ${file} does not fit JWT_ALGORITHM=${algorithm}: it is an ${found ?? describe(privateKey)} key`);
  }
  const publicKey = createPublicKey(privateKey);
  const kid = thumbprint(publicKey);
  const { kty, crv, x, y } = publicKey.export({ format: 'jwk' });
  const jwk: PublicJwk = { kid, alg: algorithm, use: 'sig', kty: kty!, crv: crv!, x: x!, ...(y ? { y } : {}) };
  return { file, modifiedAt, kid, privateKey, publicKey, jwk };
}

/** The JWT algorithm a private key can sign with, if it is one this service supports. */
function keyAlgorithm(key: KeyObject): AsymmetricAlgorithm | undefined {
  if (key.asymmetricKeyType === 'ec' && key.asymmetricKeyDetails?.namedCurve === 'prime256v1') return 'ES256';
  if (key.asymmetricKeyType === 'ed25519') return 'EdDSA';
  return undefined;
}

function describe(key: KeyObject): string {
  const curve = key.asymmetricKeyDetails?.namedCurve;
  return curve ? `${key.asymmetricKeyType} ${curve}` : String(key.asymmetricKeyType);
}

/**
 * RFC 7638 JWK thumbprint: SHA-256 over the required public members in lexicographic order.
 * It is derived from the key alone, so every instance names a key the same way.
 */
export function thumbprint(publicKey: KeyObject): string {
  const jwk: JsonWebKey = publicKey.export({ format: 'jwk' });
  const required = jwk.kty === 'EC' ? { crv: jwk.crv, kty: jwk.kty, x: jwk.x, y: jwk.y } : { crv: jwk.crv, kty: jwk.kty, x: jwk.x };
  return createHash('sha256').update(JSON.stringify(required)).digest('base64url');
}
