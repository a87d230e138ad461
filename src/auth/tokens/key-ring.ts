import { Injectable, Logger, type OnModuleDestroy, type OnModuleInit } from '@nestjs/common';
import { existsSync } from 'node:fs';
import { createHmac, createSecretKey, KeyObject, sign as cryptoSign } from 'node:crypto';
import { jwtVerify } from 'jose';
import jsonwebtoken, { type Algorithm, type Secret, type VerifyOptions } from 'jsonwebtoken';
import passportJwt from 'passport-jwt';
import { TokensConfig } from '../../config/tokens.config.js';
import {
  addKeyFile,
  folderFingerprint,
  type AsymmetricAlgorithm,
  type JwtAlgorithm,
  type KeyFile,
  KeyFileError,
  type PublicJwk,
  readKeyFolder,
} from './key-files.js';

/** One key of the ring: tokens name it by `kid`, and only its own algorithm is accepted with it. */
export interface TokenKey {
  kid: string;
  algorithm: JwtAlgorithm;
  /** What signs: the HMAC secret, or (asymmetric keys) the private key. */
  signingKey: KeyObject;
  /** What verifies: the same secret, or the public key. */
  verificationKey: KeyObject;
}

/** passport-jwt's callback, as its typings name it (they predate KeyObject). */
type KeyCallback = (error: Error | null, key?: string | Buffer) => void;

/** The options both passport-jwt strategies share: key by `kid`, pinned algorithms, iss and aud. */
export interface VerificationOptions {
  secretOrKeyProvider: (request: unknown, rawJwtToken: string, done: KeyCallback) => void;
  algorithms: Algorithm[];
  issuer: string;
  audience: string;
}

/** How often the key folder is looked at again, so every instance picks up an added or removed key on its own. */
const RELOAD_INTERVAL_MS = 60_000;
/** A token naming an unknown kid may come from an instance that saw a new key first; look again, at most this often. */
const UNKNOWN_KID_RELOAD_MS = 1_000;

/**
 * The signing and verification keys. HS256: one key made from JWT_SECRET. ES256 and EdDSA:
 * every PEM private key in JWT_KEYS_DIR; the newest file signs and all of them verify, so a
 * key is rotated by adding a new file, waiting one access-token lifetime, then removing the
 * old one. The folder is read again every minute, on SIGHUP (main.ts) and when a token names
 * a kid this process does not know yet, so running instances follow without a restart.
 */
@Injectable()
export class KeyRing implements OnModuleInit, OnModuleDestroy {
  private readonly logger = new Logger(KeyRing.name);
  private keys: TokenKey[] = [];
  private byKid = new Map<string, TokenKey>();
  private publicJwks: PublicJwk[] = [];
  /** The folder listing the current keys were read from (asymmetric only). */
  private folderState = '';
  private lastUnknownKidReload = 0;
  private reloadTimer?: NodeJS.Timeout;
  private readonly changeListeners: Array<() => void> = [];

  constructor(private readonly config: TokensConfig) {
    if (config.algorithm === 'HS256') {
      this.use([hmacKey(config.secret)], []);
    } else {
      // Thrown here, a missing, unreadable or mismatched key stops the start-up naming its file.
      this.useFiles(this.readOrCreateFolder(config.algorithm));
    }
  }

  onModuleInit(): void {
    if (this.config.algorithm === 'HS256') return;
    this.reloadTimer = setInterval(() => this.reload(), RELOAD_INTERVAL_MS);
    this.reloadTimer.unref();
  }

  onModuleDestroy(): void {
    clearInterval(this.reloadTimer);
  }

  /** The key new tokens are signed with. */
  get signingKey(): TokenKey {
    return this.keys[0];
  }

  /** The public JWKs of every verifying key (none for HS256): what /.well-known/jwks.json serves. */
  get jwks(): readonly PublicJwk[] {
    return this.publicJwks;
  }

  /** Called after the key set changed, e.g. to forget tokens verified with a key that is gone. */
  onChange(listener: () => void): void {
    this.changeListeners.push(listener);
  }

  /**
   * Reads JWT_KEYS_DIR again and switches to its keys when the folder changed. A folder that
   * no longer loads (a broken or mismatched file, no key at all) leaves the current keys in
   * place and is logged naming the file: a running service keeps serving. Returns whether the
   * key set changed.
   */
  reload(): boolean {
    const algorithm = this.config.algorithm;
    if (algorithm === 'HS256') return false;
    const folder = this.config.keysDir;
    try {
      const state = folderFingerprint(folder);
      if (state === this.folderState) return false;
      const files = readKeyFolder(folder, algorithm);
      if (files.length === 0) throw new KeyFileError(`JWT_KEYS_DIR ${folder} holds no *.pem key`);
      this.folderState = state;
      this.useFiles(files);
    } catch (error) {
      this.logger.error(`Signing keys not reloaded, the current ones stay: ${(error as Error).message}`);
      return false;
    }
    this.logger.log(`Signing keys reloaded: ${this.keys.length} verify, kid ${this.signingKey.kid} signs`);
    for (const listener of this.changeListeners) listener();
    return true;
  }

  /**
   * The key a token names in its `kid` header. Tokens minted before tokens carried a kid
   * verify against the JWT_SECRET key (HS256 only), so upgrading does not log everyone out.
   */
  keyFor(kid: unknown): TokenKey | undefined {
    if (kid === undefined) return this.keys.find((key) => key.algorithm === 'HS256');
    return typeof kid === 'string' ? this.byKid.get(kid) : undefined;
  }

  sign(payload: object, expiresInSeconds: number): string {
    const key = this.signingKey;
    if (key.algorithm === 'EdDSA') return this.signEdDsa(key, payload, expiresInSeconds);
    return jsonwebtoken.sign(payload, key.signingKey, {
      algorithm: key.algorithm,
      keyid: key.kid,
      expiresIn: expiresInSeconds,
      issuer: this.config.issuer,
      audience: this.config.audience,
    });
  }

  /** For passport-jwt: it decodes and checks the token with the key chosen here. */
  verificationOptions(): VerificationOptions {
    return {
      secretOrKeyProvider: (_request, rawJwtToken, done) => this.provideKey(rawJwtToken, done),
      // Pinned to the configured algorithm: an HS256 token is refused when the keys are ES256, and the reverse.
      // jsonwebtoken's typings lack EdDSA; EdDSA tokens are verified by jose (JwtVerifier below).
      algorithms: [this.config.algorithm as Algorithm],
      issuer: this.config.issuer,
      audience: this.config.audience,
    };
  }

  private provideKey(rawJwtToken: string, done: KeyCallback): void {
    const header = decodeHeader(rawJwtToken);
    if (!header) return done(new jsonwebtoken.JsonWebTokenError('invalid key id'));
    let key = this.keyFor(header.kid);
    if (!key && this.mayReloadFor(header.kid) && this.reload()) key = this.keyFor(header.kid);
    // Unknown kid, or a header naming another algorithm than its key's ("none" included): never try the key.
    if (!key || header.alg !== key.algorithm) return done(new jsonwebtoken.JsonWebTokenError('invalid key id'));
    done(null, asPassportKey(key.verificationKey));
  }

  /** Only a string kid from an asymmetric ring, and at most once a second, so forged kids cannot keep the disk busy. */
  private mayReloadFor(kid: unknown): boolean {
    if (this.config.algorithm === 'HS256' || typeof kid !== 'string') return false;
    const now = Date.now();
    if (now - this.lastUnknownKidReload < UNKNOWN_KID_RELOAD_MS) return false;
    this.lastUnknownKidReload = now;
    return true;
  }

  /** Development and tests get a first key when the folder is empty; production must be given one. */
  private readOrCreateFolder(algorithm: AsymmetricAlgorithm): KeyFile[] {
    const folder = this.config.keysDir;
    const production = this.config.production;
    if (production || existsSync(folder)) {
      // Taken before the files are read: a key added meanwhile makes the next reload see a change.
      this.folderState = folderFingerprint(folder);
      const files = readKeyFolder(folder, algorithm);
      if (files.length > 0) return files;
    }
    if (production) throw new KeyFileError(`JWT_KEYS_DIR ${folder} holds no *.pem key (add one with npm run keys:add)`);
    const created = addKeyFile(folder, algorithm);
    this.folderState = folderFingerprint(folder);
    this.logger.log(`Created signing key ${created.file} (kid ${created.kid})`);
    return [created];
  }

  private useFiles(files: KeyFile[]): void {
    const keys = files.map((file): TokenKey => ({
      kid: file.kid,
      algorithm: file.jwk.alg,
      signingKey: file.privateKey,
      verificationKey: file.publicKey,
    }));
    this.use(
      keys,
      files.map((file) => file.jwk),
    );
  }

  private use(keys: TokenKey[], jwks: PublicJwk[]): void {
    this.keys = keys;
    this.byKid = new Map(keys.map((key) => [key.kid, key]));
    this.publicJwks = jwks;
  }

  /** jsonwebtoken cannot sign EdDSA; the same JWS and claims, made with node:crypto. */
  private signEdDsa(key: TokenKey, payload: object, expiresInSeconds: number): string {
    const now = Math.floor(Date.now() / 1000);
    const header = { alg: 'EdDSA', typ: 'JWT', kid: key.kid };
    const claims = { ...payload, iat: now, exp: now + expiresInSeconds, aud: this.config.audience, iss: this.config.issuer };
    const input = `${base64url(header)}.${base64url(claims)}`;
    return `${input}.${cryptoSign(null, Buffer.from(input), key.signingKey).toString('base64url')}`;
  }
}

/**
 * The secret as a KeyObject, created once: given a string, jsonwebtoken first tries to parse
 * it as a PEM key on every call (~0.7 ms per request). Its kid is derived from the secret
 * through an HMAC, so it changes with JWT_SECRET and reveals nothing about it.
 */
function hmacKey(secret: string): TokenKey {
  const key = createSecretKey(Buffer.from(secret, 'utf8'));
  const kid = createHmac('sha256', key).update('nest-auth-service key id').digest().subarray(0, 12).toString('base64url');
  return { kid, algorithm: 'HS256', signingKey: key, verificationKey: key };
}

/**
 * passport-jwt hands the key to jsonwebtoken untouched, and jsonwebtoken takes a KeyObject
 * (a Buffer would be re-parsed on every request); passport-jwt's typings predate KeyObject.
 */
function asPassportKey(key: KeyObject): Buffer {
  return key as Secret as Buffer;
}

function decodeHeader(token: string): { alg?: unknown; kid?: unknown } | undefined {
  const end = token.indexOf('.');
  if (end <= 0) return undefined;
  try {
    const header: unknown = JSON.parse(Buffer.from(token.slice(0, end), 'base64url').toString('utf8'));
    return typeof header === 'object' && header !== null ? header : undefined;
  } catch {
    return undefined;
  }
}

function base64url(value: object): string {
  return Buffer.from(JSON.stringify(value)).toString('base64url');
}

type JwtVerifier = (token: string, key: unknown, options: VerifyOptions, done: (error: Error | null, payload?: unknown) => void) => void;

/**
 * passport-jwt verifies every token with jsonwebtoken, which has no EdDSA. Its one hook for
 * another verifier is the static JwtVerifier: Ed25519 keys (only the ring hands those out)
 * go to jose, with the same algorithm, issuer, audience and time checks; every other key
 * still goes to jsonwebtoken exactly as before.
 */
const passportJwtStrategy = passportJwt.Strategy as unknown as { JwtVerifier: JwtVerifier };
const verifyWithJsonwebtoken = passportJwtStrategy.JwtVerifier;
passportJwtStrategy.JwtVerifier = (token, key, options, done) => {
  if (!(key instanceof KeyObject) || key.asymmetricKeyType !== 'ed25519') return verifyWithJsonwebtoken(token, key, options, done);
  jwtVerify(token, key, {
    algorithms: options.algorithms,
    issuer: options.issuer as string | string[] | undefined,
    audience: options.audience as string | string[] | undefined,
  }).then(
    ({ payload }) => done(null, payload),
    (error: Error) => done(error),
  );
};
